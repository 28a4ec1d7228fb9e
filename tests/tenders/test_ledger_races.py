"""The books under concurrency (PostgreSQL: one connection per thread, row locks, a unique
index that makes a second insert wait for the first transaction): an occasion posted by
several transactions at once is posted once, and each of them gets that entry back."""

from typing import Any

import pytest
from django.contrib.auth.models import User

from notes.models import ExchangeOffer
from tenders.ledger.models import EntryKind, JournalEntry
from tenders.ledger.selectors import ledger_position_mismatches, unbalanced_entries
from tenders.ledger.services import entries_post
from tenders.models import ClientAccount, Position
from tests import factories
from tests.tenders.conftest import POSTGRES_RACES
from tests.tenders.test_ledger import Books
from tests.tenders.test_races import race

pytestmark = POSTGRES_RACES


@pytest.fixture
def poster(db: None) -> Any:
    """A superuser: the flush between transactional tests removes the migrations' roles."""
    return User.objects.create_superuser("ledger-racer", password=None)


@pytest.fixture
def books(offer: ExchangeOffer, account: ClientAccount) -> Books:
    factories.PositionFactory(account=account, security=offer.old_security, principal=250_000)
    return Books(offer, account)


def test_four_transactions_posting_one_occasion_post_it_once(books: Books, poster: Any) -> None:
    results = race(4, lambda: entries_post(entries=[books.exchange()], by=poster))
    assert len({entry.pk for (entry,) in results}) == 1
    assert JournalEntry.objects.filter(kind=EntryKind.EXCHANGE).count() == 1
    old_notes = Position.objects.get(account=books.account, security=books.offer.old_security)
    assert old_notes.principal == 125_000  # lowered once, not four times
    assert unbalanced_entries() == []
    assert ledger_position_mismatches() == []


def test_two_transactions_posting_three_occasions_post_each_once(books: Books, poster: Any) -> None:
    exchange = books.exchange()
    fees = [books.fee("1250.00", "-1250.00", occasion=f"fee:i1:{n}") for n in (1, 2)]
    race(2, lambda: entries_post(entries=[exchange, *fees], by=poster))
    assert sorted(JournalEntry.objects.exclude(kind__in=["opening", "adjustment"]).values_list(
        "occasion", flat=True
    )) == ["exchange:i1", "fee:i1:1", "fee:i1:2"]  # fmt: skip
