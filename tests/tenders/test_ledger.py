"""The books (docs/ledger.md): entries post through one service that refuses what does not
balance, each occasion once; entries never change and are corrected by a reversal; balances are
read as of a business date. On PostgreSQL the database refuses an unbalanced entry, a leg
added to an entry of another transaction, and any update or delete; on SQLite, updates.

Figures: $125,000 of Old Notes exchanged on Sep 5, 2001 for $158,380.00 of New Notes and 682
warrants, with installment 1 of the fee, $1,250.00."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet, Sum
from django.test import RequestFactory
from django.urls import reverse

from exchange_office.stamps import stamped
from notes.models import ExchangeOffer
from tenders.domain.ledger import to_amount
from tenders.ledger.models import EntryKind, JournalEntry, LedgerAccount, Leg
from tenders.ledger.selectors import balances_as_of, unbalanced_entries
from tenders.ledger.services import (
    EntryInput,
    LegInput,
    OfferAssets,
    agent_ledger_account_get_or_create,
    client_ledger_account_get_or_create,
    dtc_ledger_account_get_or_create,
    entries_post,
    entry_reverse,
    offer_assets_get_or_create,
)
from tenders.models import ClientAccount
from tests import factories

pytestmark = pytest.mark.django_db

AUG_20 = date(2001, 8, 20)  # the business clock's day, when the account's position opens
SEP_5 = date(2001, 9, 5)
OCT_1 = date(2001, 10, 1)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=f"the database's own checks of the books are PostgreSQL's, not {connection.vendor}'s: "
    "set DATABASE_URL=postgres://... to run them",
)
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason=f"SQLite's trigger, not {connection.vendor}'s"
)


@pytest.fixture(autouse=True)
def books_balance_after_each_test() -> Iterator[None]:
    yield
    assert unbalanced_entries() == []


class Books:
    """An offer's assets and the ledger accounts of one client, the firm's DTC position and
    the exchange agent."""

    def __init__(self, offer: ExchangeOffer, account: ClientAccount) -> None:
        self.offer = offer
        self.account = account
        self.assets: OfferAssets = offer_assets_get_or_create(offer=offer)
        self.client = client_ledger_account_get_or_create(account=account)
        self.dtc = dtc_ledger_account_get_or_create(firm=account.firm)
        self.agent = agent_ledger_account_get_or_create(offer=offer)

    def exchange(self, *, occasion: str = "exchange:i1", on: date = SEP_5) -> EntryInput:
        a = self.assets
        return EntryInput(
            occasion=occasion,
            kind=EntryKind.EXCHANGE,
            posted_on=on,
            description="Old Notes exchanged for New Notes and warrants",
            offer=self.offer,
            client_account=self.account,
            legs=[
                LegInput(account=self.client, asset=a.old_notes, amount=Decimal("-125000")),
                LegInput(account=self.dtc, asset=a.old_notes, amount=Decimal("125000")),
                LegInput(account=self.client, asset=a.new_notes, amount=Decimal("158380.00")),
                LegInput(account=self.agent, asset=a.new_notes, amount=Decimal("-158380.00")),
                LegInput(account=self.client, asset=a.warrants, amount=Decimal("682")),
                LegInput(account=self.agent, asset=a.warrants, amount=Decimal("-682")),
            ],
        )

    def fee(self, client: str, agent: str, *, occasion: str = "fee:i1:1") -> EntryInput:
        return EntryInput(
            occasion=occasion,
            kind=EntryKind.FEE,
            posted_on=SEP_5,
            description="Participation fee, installment 1",
            offer=self.offer,
            client_account=self.account,
            legs=[
                LegInput(account=self.client, asset=self.assets.cash, amount=Decimal(client)),
                LegInput(account=self.agent, asset=self.assets.cash, amount=Decimal(agent)),
            ],
        )

    def held(self, on: date) -> dict[str, Decimal]:
        """What the client's ledger account received or gave, by asset code, from the day
        after its opening position (Aug 20, 2001) through `on`."""
        legs = (
            Leg.objects.filter(account=self.client, entry__posted_on__gt=AUG_20)
            .filter(entry__posted_on__lte=on)
            .values("asset__code", "asset__scale")
            .annotate(units=Sum("quantity"))
        )
        return {leg["asset__code"]: to_amount(leg["units"], scale=leg["asset__scale"])
                for leg in legs}  # fmt: skip


def movements() -> QuerySet[JournalEntry]:
    """The entries the tests post: all but the positions' own (the account's opening)."""
    return JournalEntry.objects.exclude(kind__in=[EntryKind.OPENING, EntryKind.ADJUSTMENT])


@pytest.fixture
def books(offer: ExchangeOffer, account: ClientAccount) -> Books:
    # Positions are the ledger's (a position cannot go below zero): $250,000 held, enough for
    # the two exchanges of $125,000 some tests post.
    factories.PositionFactory(account=account, security=offer.old_security, principal=250_000)
    return Books(offer, account)


# Posting


def test_a_balanced_entry_posts_its_legs_in_the_smallest_unit(books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    quantities = sorted(Leg.objects.filter(entry=entry).values_list("quantity", flat=True))
    assert quantities == [-15838000, -12500000, -682, 682, 12500000, 15838000]


def test_an_unbalanced_entry_is_refused_naming_the_asset_and_its_sum(
    books: Books, ops: Any
) -> None:
    with pytest.raises(ValidationError, match=r"fee:i1:1 does not balance: USD sums to 50\.00"):
        entries_post(entries=[books.fee("1250.00", "-1200.00")], by=ops)
    assert not movements().exists()


def test_one_unbalanced_entry_refuses_the_whole_posting(books: Books, ops: Any) -> None:
    with pytest.raises(ValidationError, match="does not balance"):
        entries_post(entries=[books.exchange(), books.fee("1250.00", "-1200.00")], by=ops)
    assert not movements().exists()
    assert not Leg.objects.filter(entry__in=movements()).exists()


def test_an_occasion_twice_in_one_posting_is_refused(books: Books, ops: Any) -> None:
    with pytest.raises(ValidationError, match="fee:i1:1 repeated"):
        entries_post(entries=[books.fee("1.00", "-1.00"), books.fee("2.00", "-2.00")], by=ops)
    assert not movements().exists()


def test_a_fraction_of_a_cent_is_refused(books: Books, ops: Any) -> None:
    with pytest.raises(ValidationError, match=r"1250\.001 of USD is not a whole number"):
        entries_post(entries=[books.fee("1250.001", "-1250.001")], by=ops)
    assert not movements().exists()


def test_a_fraction_of_a_warrant_is_refused(books: Books, ops: Any) -> None:
    warrants = [
        LegInput(account=books.client, asset=books.assets.warrants, amount=Decimal("681.25")),
        LegInput(account=books.agent, asset=books.assets.warrants, amount=Decimal("-681.25")),
    ]
    entry = replace(books.exchange(), legs=warrants)
    with pytest.raises(ValidationError, match=r"681\.25 of WARRANTS is not a whole number"):
        entries_post(entries=[entry], by=ops)


def test_posting_an_occasion_again_returns_the_entry_first_posted(books: Books, ops: Any) -> None:
    (first,) = entries_post(entries=[books.fee("1250.00", "-1250.00")], by=ops)
    (again,) = entries_post(entries=[books.fee("9999.00", "-9999.00")], by=ops)
    assert again.pk == first.pk
    assert books.held(SEP_5) == {"USD": Decimal("1250.00")}


def test_an_entry_records_who_posted_it_and_when_by_both_clocks(books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    entry.refresh_from_db()
    assert entry.by == ops
    assert entry.business_at.year == 2001  # the business clock, pinned on Aug 20, 2001
    assert entry.wall_at.year > 2001


# Reversals


def test_a_reversal_nets_the_entry_to_zero(books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    entry_reverse(entry=entry, on=OCT_1, reason="Posted for the wrong account", by=ops)
    assert set(books.held(OCT_1).values()) == {Decimal("0")}


def test_a_reversal_keeps_the_kind_and_names_the_entry_and_the_reason(
    books: Books, ops: Any
) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    reversal = entry_reverse(entry=entry, on=OCT_1, reason="Wrong account", by=ops)
    reversal.refresh_from_db()
    assert (reversal.kind, reversal.reverses, reversal.posted_on) == (
        EntryKind.EXCHANGE,
        entry,
        OCT_1,
    )
    assert reversal.description == "Reversal of exchange:i1: Wrong account"


def test_an_entry_is_reversed_once(books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    entry_reverse(entry=entry, on=OCT_1, reason="Wrong account", by=ops)
    with pytest.raises(ValidationError, match="exchange:i1 was reversed already, by reversal:j"):
        entry_reverse(entry=entry, on=OCT_1, reason="Again", by=ops)
    assert movements().count() == 2


def test_a_reversal_without_a_reason_is_refused(books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    with pytest.raises(ValidationError) as refusal:
        entry_reverse(entry=entry, on=OCT_1, reason="  ", by=ops)
    assert refusal.value.message_dict == {"reason": ["Say why the entry is reversed."]}


def test_a_reversal_dated_before_its_entry_is_refused(books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    with pytest.raises(ValidationError, match="on or after its entry"):
        entry_reverse(entry=entry, on=date(2001, 9, 4), reason="Wrong account", by=ops)


def test_a_user_without_the_right_may_not_reverse(books: Books, ops: Any, rep: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    with pytest.raises(PermissionDenied):
        entry_reverse(entry=entry, on=OCT_1, reason="Wrong account", by=rep)


# Balances


def test_balances_as_of_a_date_leave_out_entries_posted_later(books: Books, ops: Any) -> None:
    entries_post(entries=[books.exchange(on=SEP_5)], by=ops)
    entries_post(entries=[books.fee("1250.00", "-1250.00", occasion="fee:i1:2")], by=ops)
    entries_post(entries=[books.exchange(occasion="exchange:i2", on=OCT_1)], by=ops)
    assert books.held(date(2001, 9, 30)) == {
        books.assets.old_notes.code: Decimal("-125000.00"),
        books.assets.new_notes.code: Decimal("158380.00"),
        "USD": Decimal("1250.00"),
        "WARRANTS": Decimal("682"),
    }
    assert books.held(OCT_1)["WARRANTS"] == Decimal("1364")


def test_balances_of_every_account_sum_to_zero_in_each_asset(books: Books, ops: Any) -> None:
    entries_post(entries=[books.exchange(), books.fee("1250.00", "-1250.00")], by=ops)
    totals: dict[str, Decimal] = {}
    for balance in balances_as_of(on=SEP_5):
        totals[balance.asset_code] = totals.get(balance.asset_code, Decimal(0)) + balance.amount
    assert len(totals) == 4
    assert set(totals.values()) == {Decimal("0")}


# What the database refuses


def test_a_posted_leg_cannot_be_updated(books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    with pytest.raises(IntegrityError, match="ledger rows never change"), transaction.atomic():
        Leg.objects.filter(entry=entry).update(quantity=1)


def test_a_posted_entry_cannot_be_updated(books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    with pytest.raises(IntegrityError, match="ledger rows never change"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(description="Something else")


@pytest.mark.postgres
@on_postgresql
def test_on_postgresql_a_posted_leg_cannot_be_deleted(books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    with pytest.raises(IntegrityError, match="ledger rows never change"), transaction.atomic():
        Leg.objects.filter(entry=entry).delete()


@pytest.mark.postgres
@on_postgresql
def test_on_postgresql_a_posted_entry_cannot_be_deleted(books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.fee("1250.00", "-1250.00")], by=ops)
    refused = pytest.raises(IntegrityError, match="ledger rows never change")
    # Past Django's PROTECT of the legs, which would refuse before the database does.
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM tenders_journalentry WHERE id = %s", [entry.pk])


@pytest.mark.postgres
@on_postgresql
def test_on_postgresql_an_unbalanced_entry_written_past_the_service_is_refused(
    books: Books, ops: Any
) -> None:
    refused = pytest.raises(IntegrityError, match=r"does not balance: USD sums to 5000 units")
    with refused, transaction.atomic():
        entry = JournalEntry.objects.create(
            occasion="fee:i1:1", kind=EntryKind.FEE, posted_on=SEP_5, description="Fee", by=ops,
            **stamped(),
        )  # fmt: skip
        Leg.objects.create(entry=entry, account=books.client, asset=books.assets.cash,
                           quantity=125000)  # fmt: skip
        Leg.objects.create(entry=entry, account=books.agent, asset=books.assets.cash,
                           quantity=-120000)  # fmt: skip
        # The check waits for the commit, which a test never reaches: asked for now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@on_sqlite
def test_on_sqlite_only_the_service_checks_the_balance(books: Books, ops: Any) -> None:
    """What the database cannot check there: an entry written past the service stays, and
    `unbalanced_entries` finds it (removed again, so the books balance after the test)."""
    with transaction.atomic():
        entry = JournalEntry.objects.create(
            occasion="fee:i1:1", kind=EntryKind.FEE, posted_on=SEP_5, description="Fee", by=ops,
            **stamped(),
        )  # fmt: skip
        Leg.objects.create(entry=entry, account=books.client, asset=books.assets.cash,
                           quantity=125000)  # fmt: skip
        assert [(u.occasion, u.asset_code, u.units) for u in unbalanced_entries()] == [
            ("fee:i1:1", "USD", 125000)
        ]
        transaction.set_rollback(True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_on_postgresql_a_leg_added_to_an_entry_of_another_transaction_is_refused(
    offer: ExchangeOffer, firm: Any
) -> None:
    # A plain user: the flush between transactional tests takes the migrations' roles away.
    by = factories.UserFactory(username="poster")
    account = factories.ClientAccountFactory(firm=firm)
    books = Books(offer, account)
    (entry,) = entries_post(entries=[books.fee("1250.00", "-1250.00")], by=by)  # committed
    refused = pytest.raises(IntegrityError, match="legs are written with their entry")
    with refused, transaction.atomic():
        Leg.objects.create(entry=entry, account=books.client, asset=books.assets.cash,
                           quantity=100)  # fmt: skip
        Leg.objects.create(entry=entry, account=books.agent, asset=books.assets.cash,
                           quantity=-100)  # fmt: skip
    assert Leg.objects.filter(entry=entry).count() == 2


# The admin


def _entry_admin() -> Any:
    return admin.site._registry[JournalEntry]


def _request(user: Any) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_the_entry_admin_adds_changes_and_deletes_nothing(books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    superuser = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    model_admin, request = _entry_admin(), _request(superuser)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)


def test_the_entry_page_shows_its_legs(client: Any, books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    client.force_login(ops)
    page = client.get(reverse("admin:tenders_journalentry_change", args=[entry.pk]))
    assert page.status_code == 200
    assert "158,380.00" in page.content.decode()


def test_the_entry_list_finds_an_entry_by_account_number(
    client: Any, books: Books, ops: Any
) -> None:
    entries_post(entries=[books.exchange()], by=ops)
    client.force_login(ops)
    url = reverse("admin:tenders_journalentry_changelist")
    assert "exchange:i1" in client.get(url, {"q": "HB-100003"}).content.decode()
    assert "exchange:i1" not in client.get(url, {"q": "HB-999999"}).content.decode()


def test_the_reverse_action_asks_for_a_reason(client: Any, books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    client.force_login(ops)
    page = client.post(
        reverse("admin:tenders_journalentry_changelist"),
        {"action": "reverse", "_selected_action": [entry.pk], "_reverse": "1",
         "on": "2001-10-01", "reason": ""},
    )  # fmt: skip
    assert page.status_code == 200
    assert "This field is required." in page.content.decode()
    assert not JournalEntry.objects.filter(reverses=entry).exists()


def test_the_reverse_action_posts_the_reversal(client: Any, books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    client.force_login(ops)
    done = client.post(
        reverse("admin:tenders_journalentry_changelist"),
        {"action": "reverse", "_selected_action": [entry.pk], "_reverse": "1",
         "on": "2001-10-01", "reason": "Posted for the wrong account"},
    )  # fmt: skip
    assert done.status_code == 302
    reversal = JournalEntry.objects.get(reverses=entry)
    assert reversal.description == "Reversal of exchange:i1: Posted for the wrong account"


def test_the_reverse_action_puts_a_refusal_next_to_its_field(
    client: Any, books: Books, ops: Any
) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    client.force_login(ops)
    page = client.post(
        reverse("admin:tenders_journalentry_changelist"),
        {"action": "reverse", "_selected_action": [entry.pk], "_reverse": "1",
         "on": "2001-09-04", "reason": "Posted for the wrong account"},
    )  # fmt: skip
    body = page.content.decode()
    assert "A reversal is dated on or after its entry (September 5, 2001)." in body
    assert "Posted for the wrong account" in body  # what was typed stays
    assert not JournalEntry.objects.filter(reverses=entry).exists()


def test_only_a_user_with_the_right_has_the_reverse_action(ops: Any) -> None:
    viewer = factories.UserFactory(username="viewer", is_staff=True)
    assert "reverse" in _entry_admin().get_actions(_request(ops))
    assert "reverse" not in _entry_admin().get_actions(_request(viewer))


def test_ledger_accounts_are_made_once(books: Books) -> None:
    again = Books(books.offer, books.account)
    assert (again.client, again.dtc, again.agent) == (books.client, books.dtc, books.agent)
    assert LedgerAccount.objects.count() == 3


def test_a_leg_says_what_moved_where_as_people_count_it(books: Books, ops: Any) -> None:
    (entry,) = entries_post(entries=[books.exchange()], by=ops)
    old_notes = entry.legs.select_related("asset", "account__client_account").get(
        asset__security=books.offer.old_security, account__kind="client"
    )
    assert (
        str(old_notes) == f"125,000.00 {old_notes.asset.code} from {books.account.account_number}"
    )
