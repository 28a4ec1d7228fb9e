"""The tabulation page's figures, and the counts of long lists, kept in the cache under the
data version.

At 100,000 accounts the figures take seconds to read and add up; they change only when the
data does. The database's triggers (`tenders.data_version.models.DataVersion`) bump one number
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

import hashlib
import re
from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import QuerySet

from exchange_office import clock
from notes.models import ExchangeOffer
from tenders.data_version.models import TABULATION, WATCHED_TABLES, DataVersion

CACHE_SECONDS = 15 * 60


def tabulation_data_version() -> int | None:
    return DataVersion.objects.filter(name=TABULATION).values_list("value", flat=True).first()


def cached_under_version(key: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, from the cache while the data version is unchanged: for what depends only
    on the tables the triggers watch (and on `key`). Inside a transaction, or without a
    version row, it is computed every time."""
    if not transaction.get_autocommit():
        return compute()
    version = tabulation_data_version()
    if version is None:
        return compute()
    full_key = f"{key}:{connection.settings_dict['NAME']}:{version}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, CACHE_SECONDS)
    return value


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


# Counts of long lists: COUNT(*) over 100,000 accounts or instructions costs 10 to 100 ms a
# page, and the answer changes only when the data does.

TABLE_NAMES = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def cached_count(queryset: QuerySet[Any]) -> int:
    """`queryset.count()`, from the cache while the data version is unchanged. A query that
    reads a table the triggers do not watch is counted every time."""
    if not transaction.get_autocommit():
        return queryset.count()
    sql, params = queryset.query.sql_with_params()
    if not set(TABLE_NAMES.findall(sql)) <= WATCHED_TABLES:
        return queryset.count()
    version = tabulation_data_version()
    if version is None:
        return queryset.count()
    digest = hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()
    key = f"count:{connection.settings_dict['NAME']}:{version}:{digest}"
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, CACHE_SECONDS)
    return int(count)


class DataVersionPaginator(Paginator):
    """A paginator whose total comes from `cached_count`."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return cached_count(self.object_list)
        return super().count
