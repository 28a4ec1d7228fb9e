"""The tabulation page's figures, kept in the cache under the data version.

At 100,000 accounts the figures take seconds to read and add up; they change only when the
data does. The database's triggers (`tenders.operations.models.DataVersion`) bump one number
in every transaction that writes what the tabulation reads, so the page caches its figures
under that number and a write is seen by the next request, whoever made it and however.

- The version is read before the data. A write committed in between lands in figures filed
  under the older version, which nobody asks for again: never older figures under a newer one.
- Inside a transaction (`atomic`) the page computes afresh: its own writes are not counted
  yet (on PostgreSQL the bump runs at commit).
- The chart's right edge is the business clock, so the key also holds the clock's quarter of
  an hour: idle figures are redrawn at most every 15 minutes, and the page says when they
  were read ("As of").
- Without a version row (a flushed test database) nothing is cached.
"""

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

from exchange_office import clock
from notes.models import ExchangeOffer
from tenders.operations.models import TABULATION, DataVersion

CACHE_SECONDS = 15 * 60


def tabulation_data_version() -> int | None:
    return DataVersion.objects.filter(name=TABULATION).values_list("value", flat=True).first()


def cached_figures(
    offer: ExchangeOffer, compute: Callable[[ExchangeOffer], dict[str, Any]]
) -> dict[str, Any]:
    """`compute(offer)`, from the cache when the data and the quarter hour are unchanged. What
    it returns is pickled: keep it small (no row per account)."""
    if not transaction.get_autocommit():
        return compute(offer)
    version = tabulation_data_version()
    if version is None:
        return compute(offer)
    quarter = int(clock.now().timestamp()) // CACHE_SECONDS
    database = connection.settings_dict["NAME"]
    key = f"tabulation-page:{database}:{offer.pk}:{version}:{quarter}"
    figures = cache.get(key)
    if figures is None:
        figures = compute(offer)
        cache.set(key, figures, CACHE_SECONDS)
    return figures
