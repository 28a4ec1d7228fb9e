"""Migrations 0010-0012: the documents, snapshots, e-mails and bulk run items recorded before
them take their account, offer and key from their instruction, and keep their numbers. They
are part of the history the squashed migration replaces: these tests migrate through the
history's own files (`tests/migration_history.py`), as an install that ran them did."""

import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from tests.migration_history import database_of_its_own, history_packages, migrate_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("tenders", "0009_operations_record_agent_reports")
AFTER = ("tenders", "0012_accounts_and_keys_required")
AT = datetime(2001, 8, 20, 14, 0, tzinfo=UTC)


@pytest.fixture
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The history's migrations in place of the squashed ones, for this test only."""
    folder = tmp_path_factory.mktemp("history")
    sys.path.insert(0, str(folder))
    try:
        with override_settings(MIGRATION_MODULES=history_packages(folder)):
            yield
    finally:
        sys.path.remove(str(folder))


@pytest.fixture
def at_0009(request: pytest.FixtureRequest, tmp_path: Any, history: None) -> Iterator[Any]:
    """A database of the test's own, migrated from empty through the history to 0009 (faster
    than taking a migrated one back), serving as the default database for the test. The test
    database the other tests share stays as it is."""
    with database_of_its_own("at_0009", tmp_path):
        yield migrate_to(BEFORE)


def _rows_before(apps: Any) -> dict[str, Any]:
    """An offer, an account, its instruction, its receipt and confirmation, the receipt's
    e-mail and a bulk run item, as the code before 0010 wrote them."""
    user = apps.get_model("auth", "User").objects.create(username="ops-migration")
    issuer = apps.get_model("notes", "Issuer").objects.create(name="Lexington Precision")
    security = apps.get_model("notes", "Security")
    old = security.objects.create(
        issuer=issuer, name="Old", short_name="Old Notes", cusip="529529AA7",
        maturity_date=date(2000, 2, 1),
    )  # fmt: skip
    new = security.objects.create(
        issuer=issuer, name="New", short_name="New Notes", cusip="529529AC3",
        maturity_date=date(2004, 12, 31),
    )  # fmt: skip
    offer = apps.get_model("notes", "ExchangeOffer").objects.create(
        slug="lexington-2001", name="Lexington", issuer=issuer, old_security=old,
        new_security=new, outstanding_principal=Decimal("27412000"), record_date=date(2001, 8, 2),
        commencement_date=date(2001, 8, 6), expiration=datetime(2001, 9, 5, 4, tzinfo=UTC),
        accrual_start=date(1999, 8, 1), accrual_rate=Decimal("0.1275"),
        warrants_per_unit=Decimal("5.45"), warrant_exercise_price=Decimal("2.273"),
        warrant_expiry=date(2004, 12, 31), participation_fee_per_unit=Decimal("30"),
        minimum_tender_percent=Decimal("99"),
    )  # fmt: skip
    firm = apps.get_model("tenders", "BrokerFirm").objects.create(
        name="Hudson & Broad", dtc_participant_number="0901"
    )
    account = apps.get_model("tenders", "ClientAccount").objects.create(
        firm=firm, account_number="HB-100003", address_line1="12 Elm Street", city="Scarsdale"
    )
    instruction = apps.get_model("tenders", "Instruction").objects.create(
        account=account, offer=offer, version=1, choice="ALL", form_date=date(2001, 8, 18),
        signed_address="12 Elm Street", signed_phone="+19145550121", tin_type="SSN",
        tin="123-45-6789", tin_last4="6789", entered_by=user, received_at=AT, received_wall_at=AT,
    )  # fmt: skip
    document = apps.get_model("tenders", "Document")
    stored = {"content": b"%PDF", "sha256": "0" * 64, "size": 4, "pages": 1}
    receipt = document.objects.create(
        instruction=instruction, kind="receipt", number="LEXINGTON-2001-R000001-1",
        generated_at=AT, generated_wall_at=AT, **stored,
    )  # fmt: skip
    document.objects.create(
        instruction=instruction, kind="confirmation", number="LEXINGTON-2001-C000001-1",
        generated_at=AT, generated_wall_at=AT, **stored,
    )  # fmt: skip
    apps.get_model("tenders", "DocumentSnapshot").objects.create(
        instruction=instruction, kind="receipt", taken_at=AT, taken_wall_at=AT, data={}
    )
    apps.get_model("tenders", "OutboxMessage").objects.create(
        document=receipt, to="c@example.com", subject="Receipt", body="", queued_at=AT
    )
    run = apps.get_model("tenders", "BulkRun").objects.create(
        offer=offer, kind="confirmation", created_by=user, created_at=AT
    )
    apps.get_model("tenders", "BulkRunItem").objects.create(run=run, instruction=instruction)
    return {"account": account.pk, "offer": offer.pk, "instruction": instruction.pk}


def test_existing_rows_take_their_account_offer_and_key_from_their_instruction(at_0009) -> None:
    ids = _rows_before(at_0009)
    apps = migrate_to(AFTER)
    i = ids["instruction"]
    documents = apps.get_model("tenders", "Document").objects.order_by("number")
    assert list(documents.values_list("number", "key", "account_id", "offer_id")) == [
        ("LEXINGTON-2001-C000001-1", f"confirmation:i{i}", ids["account"], ids["offer"]),
        ("LEXINGTON-2001-R000001-1", f"receipt:i{i}", ids["account"], ids["offer"]),
    ]
    snapshot = apps.get_model("tenders", "DocumentSnapshot").objects.get()
    assert (snapshot.key, snapshot.account_id, snapshot.offer_id) == (
        f"receipt:i{i}", ids["account"], ids["offer"],
    )  # fmt: skip
    message = apps.get_model("tenders", "OutboxMessage").objects.get()
    assert (message.account_id, message.offer_id, message.key) == (
        ids["account"], ids["offer"], "",
    )  # fmt: skip
    item = apps.get_model("tenders", "BulkRunItem").objects.get()
    assert (item.account_id, item.key) == (ids["account"], f"confirmation:i{i}")
