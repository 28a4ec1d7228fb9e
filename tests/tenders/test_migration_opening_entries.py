"""Migration 0046: positions stored before the books kept them are brought onto the books, one
OPENING entry per firm and security dated the offer's record date, so that every position
equals its client's legs. The test migrates a database of its own to 0045, then upgrades."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.migration_history import database_of_its_own, migrate_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("tenders", "0045_ledger_triggers")
AFTER = ("tenders", "0046_opening_entries")


@pytest.fixture
def before(tmp_path: Path) -> Iterator[Any]:
    """A database of the test's own, migrated from empty to 0045, serving as the default
    database for the test; the test database the others share stays as it is."""
    with database_of_its_own("before_0046", tmp_path):
        yield migrate_to(BEFORE)


def _positions_before(apps: Any) -> dict[str, int]:
    """Two firms' positions as the code before 0046 stored them: three accounts, one at zero."""
    model = apps.get_model
    issuer = model("notes", "Issuer").objects.create(name="Lexington Precision")
    security = model("notes", "Security")
    old = security.objects.create(
        issuer=issuer, name="Old", short_name="Old Notes", cusip="529529AA7",
        maturity_date=date(2000, 2, 1),
    )  # fmt: skip
    new = security.objects.create(
        issuer=issuer, name="New", short_name="New Notes", cusip="529529AC3",
        maturity_date=date(2004, 12, 31),
    )  # fmt: skip
    model("notes", "ExchangeOffer").objects.create(
        slug="lexington-2001", name="Lexington", issuer=issuer, old_security=old,
        new_security=new, outstanding_principal=Decimal("27412000"), record_date=date(2001, 8, 2),
        commencement_date=date(2001, 8, 6), expiration=datetime(2001, 9, 5, 4, tzinfo=UTC),
        accrual_start=date(1999, 8, 1), accrual_rate=Decimal("0.1275"),
        warrants_per_unit=Decimal("5.45"), warrant_exercise_price=Decimal("2.273"),
        warrant_expiry=date(2004, 12, 31), participation_fee_per_unit=Decimal("30"),
        minimum_tender_percent=Decimal("99"),
    )  # fmt: skip
    firms = model("tenders", "BrokerFirm").objects
    hudson = firms.create(name="Hudson & Broad", dtc_participant_number="0901")
    other = firms.create(name="Other", dtc_participant_number="0902")
    ids = {}
    for firm, number, principal in [
        (hudson, "HB-1", "125000"), (hudson, "HB-2", "480000"), (other, "OT-1", "0"),
    ]:  # fmt: skip
        account = model("tenders", "ClientAccount").objects.create(
            firm=firm, account_number=number, address_line1="12 Elm Street", city="Scarsdale"
        )
        model("tenders", "Position").objects.create(
            account=account, security=old, principal=Decimal(principal)
        )
        ids[number] = account.pk
    return ids


def test_stored_positions_take_one_opening_entry_per_firm_dated_the_record_date(
    before: Any,
) -> None:
    _positions_before(before)
    apps = migrate_to(AFTER)
    (entry,) = apps.get_model("tenders", "JournalEntry").objects.all()
    assert (entry.kind, entry.posted_on, entry.by.username) == (
        "opening",
        date(2001, 8, 2),
        "command-line",
    )
    legs = sorted(entry.legs.values_list("account__kind", "quantity"))
    assert legs == [("client", 12500000), ("client", 48000000), ("dtc", -60500000)]


def test_after_the_migration_every_position_equals_the_ledger(before: Any) -> None:
    ids = _positions_before(before)
    apps = migrate_to(AFTER)
    Leg = apps.get_model("tenders", "Leg")
    for number, principal in [("HB-1", 12500000), ("HB-2", 48000000), ("OT-1", 0)]:
        legs = Leg.objects.filter(account__client_account_id=ids[number])
        assert sum(legs.values_list("quantity", flat=True)) == principal
