"""Migration 0035: the e-mails, letters sent and bulk run items recorded before it take their
occasion's key, and the duplicates racing runs left (a letter e-mailed twice) are kept, told
apart by their own rows, so that the database holds one per occasion from then on. The test
migrates a database of its own, as a new install did (the squashed migrations), then upgrades."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from tests.migration_history import database_of_its_own, migrate_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("tenders", "0001_squashed_0032_stamped_help_texts")
AFTER = ("tenders", "0035_occasion_keys")
AT = datetime(2001, 8, 20, 14, 0, tzinfo=UTC)


@pytest.fixture
def before(tmp_path: Path) -> Iterator[Any]:
    """A database of the test's own, migrated from empty to just before 0035, serving as the
    default database for the test; the test database the others share stays as it is."""
    with database_of_its_own("before_0035", tmp_path):
        yield migrate_to(BEFORE)


def _rows_before(apps: Any) -> dict[str, Any]:
    """What two racing letter runs, a resend, a reminder, an extension notice, a turned-down
    submission and a payment notice left, as the code before 0035 wrote them."""
    model = apps.get_model
    user = model("auth", "User").objects.create(username="ops-migration")
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
    offer = model("notes", "ExchangeOffer").objects.create(
        slug="lexington-2001", name="Lexington", issuer=issuer, old_security=old,
        new_security=new, outstanding_principal=Decimal("27412000"), record_date=date(2001, 8, 2),
        commencement_date=date(2001, 8, 6), expiration=datetime(2001, 9, 5, 4, tzinfo=UTC),
        accrual_start=date(1999, 8, 1), accrual_rate=Decimal("0.1275"),
        warrants_per_unit=Decimal("5.45"), warrant_exercise_price=Decimal("2.273"),
        warrant_expiry=date(2004, 12, 31), participation_fee_per_unit=Decimal("30"),
        minimum_tender_percent=Decimal("99"),
    )  # fmt: skip
    firm = model("tenders", "BrokerFirm").objects.create(
        name="Hudson & Broad", dtc_participant_number="0901"
    )
    one, two = (
        model("tenders", "ClientAccount").objects.create(
            firm=firm, account_number=number, address_line1="12 Elm Street", city="Scarsdale"
        )
        for number in ("HB-1", "HB-2")
    )
    stored = {"content": b"%PDF", "sha256": "0" * 64, "size": 4, "pages": 1}

    def document(kind: str, key: str, account: Any, number: str) -> Any:
        return model("tenders", "Document").objects.create(
            kind=kind, key=key, account=account, offer=offer, number=number,
            generated_at=AT, generated_wall_at=AT, **stored,
        )  # fmt: skip

    letter_one = document(
        "client_letter", f"client_letter:o{offer.pk}:a{one.pk}:e0", one, "L-000001-1"
    )
    letter_two = document(
        "client_letter", f"client_letter:o{offer.pk}:a{two.pk}:e0", two, "L-000002-1"
    )
    payment = document("payment", f"payment:o{offer.pk}:a{one.pk}", one, "P-000001-1")

    outbox = model("tenders", "OutboxMessage").objects

    def message(**fields: Any) -> Any:
        return outbox.create(
            account=one, offer=offer, to="one@clients.example", subject="s", body="",
            queued_at=AT, **fields,
        )  # fmt: skip

    run_kind = model("tenders", "BulkRun").objects
    runs = [
        run_kind.create(offer=offer, kind=kind, delivery=delivery, created_by=user, created_at=AT)
        for kind, delivery in [
            ("client_letter", "email"), ("client_letter", "email"), ("confirmation", ""),
            ("payment", ""),
        ]
    ]  # fmt: skip
    items, dispatches, messages = {}, {}, {}
    for n, run in enumerate(runs[:2], start=1):  # two racing runs: each sent both letters
        messages[f"letter {n}"] = message(document=letter_one)
        for letter, account in ((letter_one, one), (letter_two, two)):
            items[(n, account.account_number)] = model("tenders", "BulkRunItem").objects.create(
                run=run, account=account, key=letter.key
            )
            dispatches[(n, account.account_number)] = model(
                "tenders", "LetterDispatch"
            ).objects.create(
                document=letter, account=account, offer=offer, run=run, business_at=AT,
                wall_at=AT, by=user,
                channel="email" if account == one else "print",
                message=messages[f"letter {n}"] if account == one else None,
            )  # fmt: skip
    items["confirmation"] = model("tenders", "BulkRunItem").objects.create(
        run=runs[2], account=one, key="confirmation:i7"
    )
    items["payment"] = model("tenders", "BulkRunItem").objects.create(
        run=runs[3], account=one, key=payment.key
    )
    messages["resend"] = message(document=letter_one, resend_of=messages["letter 2"])
    messages["resend of the first"] = message(document=letter_one, resend_of=messages["letter 1"])
    messages["extension"] = message(key=f"extension:e9:a{one.pk}")
    messages["reminder"] = message()
    model("tenders", "Reminder").objects.create(
        offer=offer, account=one, business_day=date(2001, 8, 20), business_at=AT, wall_at=AT,
        firm_cutoff=AT, letter=letter_one, message=messages["reminder"],
    )  # fmt: skip
    messages["turned down"] = message()
    messages["payment"] = message(document=payment)
    return {
        "offer": offer.pk,
        "one": one.pk,
        "two": two.pk,
        "letters": (letter_one.key, letter_two.key),
        "payment": payment.key,
        "messages": {name: row.pk for name, row in messages.items()},
        "items": {name: row.pk for name, row in items.items()},
        "dispatches": {name: row.pk for name, row in dispatches.items()},
    }


def test_existing_rows_take_their_occasions_and_duplicates_are_kept_apart(before: Any) -> None:
    ids = _rows_before(before)
    apps = migrate_to(AFTER)
    letter_one, letter_two = ids["letters"]
    m, i, d = ids["messages"], ids["items"], ids["dispatches"]
    keys = dict(apps.get_model("tenders", "OutboxMessage").objects.values_list("pk", "key"))
    assert keys == {
        m["letter 1"]: letter_one,
        m["letter 2"]: f"{letter_one}:dup{m['letter 2']}",
        m["resend"]: f"{letter_one}:dup{m['letter 2']}",  # the occasion of what it resends
        m["resend of the first"]: letter_one,
        m["extension"]: f"extension:e9:a{ids['one']}",
        m["reminder"]: f"reminder:o{ids['offer']}:a{ids['one']}:d2001-08-20",
        m["turned down"]: f"message:m{m['turned down']}",
        m["payment"]: ids["payment"],
    }
    sent = dict(apps.get_model("tenders", "LetterDispatch").objects.values_list("pk", "key"))
    assert sent == {
        d[(1, "HB-1")]: letter_one,
        d[(1, "HB-2")]: letter_two,
        d[(2, "HB-1")]: f"{letter_one}:dup{d[(2, 'HB-1')]}",
        d[(2, "HB-2")]: f"{letter_two}:dup{d[(2, 'HB-2')]}",
    }
    occasions = dict(apps.get_model("tenders", "BulkRunItem").objects.values_list("pk", "occasion"))
    assert occasions == {
        i[(1, "HB-1")]: letter_one,
        i[(1, "HB-2")]: letter_two,
        i[(2, "HB-1")]: f"{letter_one}:dup{i[(2, 'HB-1')]}",
        i[(2, "HB-2")]: f"{letter_two}:dup{i[(2, 'HB-2')]}",
        i["confirmation"]: "",  # a confirmation run may issue again: nothing is sent twice
        i["payment"]: ids["payment"],
    }


def test_after_the_migration_the_database_refuses_a_second_e_mail_for_an_occasion(
    before: Any,
) -> None:
    ids = _rows_before(before)
    apps = migrate_to(AFTER)
    outbox = apps.get_model("tenders", "OutboxMessage").objects
    first = outbox.get(pk=ids["messages"]["letter 1"])
    fields = {
        "account_id": ids["one"], "offer_id": ids["offer"], "to": "one@clients.example",
        "subject": "s", "body": "", "queued_at": AT,
    }  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        outbox.create(key=first.key, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        outbox.create(key="", **fields)
    assert outbox.create(key=first.key, resend_of=first, **fields).pk  # a person's resend
