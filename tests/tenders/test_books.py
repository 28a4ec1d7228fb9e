"""The trial balance (issue 23, point 6; docs/rules.md "Books"): the figures from the client legs
by entry kind, each ledger account's balance by asset summing to zero, the as-of date, when the
books are not balanced, `manage.py books`, and the admin page for operations only.

The scene posts with `entries_post` directly, as consummation and the payment runs will:
- Aug 20, 2001: openings, $125,000 of Old Notes for each of HB-100003 and HB-100004 (their
  positions, which the test factory posts through the books as the feed does);
- Sep 5: HB-100003 exchanges $125,000 for $158,380.00 of New Notes and 682 warrants, and gets
  installment 1 of the fee, $1,250.00; HB-100004 did not tender and is paid
  125 x $1,267.04 = $158,380.00;
- Oct 1: HB-100003's first coupon, $1,539.81 (25 days at 14%), and a fee of $1,250.00 posted by
  mistake and reversed the same day."""

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exchange_office.stamps import stamped
from notes.models import ExchangeOffer, OfferStatus
from tenders.accounts.models import Position
from tenders.ledger.models import EntryKind, JournalEntry, Leg
from tenders.ledger.selectors import unbalanced_entries
from tenders.ledger.services import (
    EntryInput,
    LegInput,
    agent_ledger_account_get_or_create,
    client_ledger_account_get_or_create,
    dtc_ledger_account_get_or_create,
    entries_post,
    entry_reverse,
    offer_assets_get_or_create,
)
from tenders.ledger.trial_balance import (
    TrialBalance,
    trial_balance,
    trial_balance_as_dict,
    trial_balance_csv,
)
from tenders.models import ClientAccount
from tenders.offers.tabulation import offer_tabulation, tabulation_as_dict, tabulation_csv
from tests import factories
from tests.tenders.conftest import NY

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

AUG_2, SEP_5, SEP_30, OCT_1 = (
    date(2001, 8, 2),
    date(2001, 9, 5),
    date(2001, 9, 30),
    date(2001, 10, 1),
)
DEC_31 = date(2001, 12, 31)
ISSUE_KEYS = {
    "balanced",
    "old_notes_exchanged",
    "new_notes_issued",
    "warrants_issued",
    "fees_paid",
    "nontender_paid",
    "coupons_paid",
    "totals",
}


@pytest.fixture(autouse=True)
def on_dec_31(pin_clock: Callable) -> None:
    """The business clock on Dec 31, 2001: every date of the scene has come."""
    pin_clock(datetime(2001, 12, 31, 10, 0, tzinfo=NY))


class Scene:
    def __init__(self, offer: ExchangeOffer, tendered: ClientAccount, kept: ClientAccount) -> None:
        self.offer, self.tendered, self.kept = offer, tendered, kept
        self.assets = offer_assets_get_or_create(offer=offer)
        self.client = client_ledger_account_get_or_create(account=tendered)
        self.other = client_ledger_account_get_or_create(account=kept)
        self.dtc = dtc_ledger_account_get_or_create(firm=tendered.firm)
        self.agent = agent_ledger_account_get_or_create(offer=offer)
        self.dtc_key = f"dtc:{tendered.firm.dtc_participant_number}"

    def entry(self, occasion: str, kind: EntryKind, on: date, *legs: Any, **about: Any) -> Any:
        return EntryInput(
            occasion=occasion,
            kind=kind,
            posted_on=on,
            description=occasion,
            legs=[LegInput(account=a, asset=s, amount=Decimal(x)) for a, s, x in legs],
            **about,
        )

    def post(self, by: Any) -> None:
        a, old = self.assets, self.assets.old_notes
        offer = {"offer": self.offer}
        entries_post(
            entries=[
                self.entry("exchange:i1", EntryKind.EXCHANGE, SEP_5,
                           (self.client, old, "-125000"), (self.dtc, old, "125000"),
                           (self.client, a.new_notes, "158380.00"),
                           (self.agent, a.new_notes, "-158380.00"),
                           (self.client, a.warrants, "682"), (self.agent, a.warrants, "-682"),
                           **offer),
                self.entry("fee:i1:1", EntryKind.FEE, SEP_5,
                           (self.client, a.cash, "1250.00"), (self.agent, a.cash, "-1250.00"),
                           **offer),
                self.entry("nontender:a2", EntryKind.NONTENDER, SEP_5,
                           (self.other, old, "-125000"), (self.dtc, old, "125000"),
                           (self.other, a.cash, "158380.00"), (self.agent, a.cash, "-158380.00"),
                           **offer),
                self.entry("coupon:a1:2001-09-30", EntryKind.COUPON, OCT_1,
                           (self.client, a.cash, "1539.81"), (self.agent, a.cash, "-1539.81"),
                           **offer),
                self.entry("fee:i1:2", EntryKind.FEE, OCT_1,
                           (self.client, a.cash, "1250.00"), (self.agent, a.cash, "-1250.00"),
                           **offer),
            ],
            by=by,
        )  # fmt: skip
        mistaken = JournalEntry.objects.get(occasion="fee:i1:2")
        entry_reverse(entry=mistaken, on=OCT_1, reason="Installment 2 is paid by the run", by=by)


@pytest.fixture
def scene(
    offer: ExchangeOffer, account: ClientAccount, joint_account: ClientAccount, ops: Any
) -> Scene:
    scene = Scene(offer, account, joint_account)
    scene.post(ops)
    return scene


@pytest.fixture
def books(scene: Scene) -> TrialBalance:
    return trial_balance(offer=scene.offer, on=DEC_31)


# The figures


def test_old_notes_exchanged_is_the_exchange_entries_old_notes_sign_flipped(
    books: TrialBalance,
) -> None:
    assert books.figures["old_notes_exchanged"] == Decimal("125000.00")


def test_new_notes_issued_is_the_exchange_entries_new_notes(books: TrialBalance) -> None:
    assert books.figures["new_notes_issued"] == Decimal("158380.00")


def test_warrants_issued_is_a_whole_number(books: TrialBalance) -> None:
    assert books.figures["warrants_issued"] == 682


def test_fees_paid_nets_out_a_reversed_fee(books: TrialBalance) -> None:
    assert books.figures["fees_paid"] == Decimal("1250.00")


def test_nontender_paid_is_the_payment_to_the_holder_who_kept_out(books: TrialBalance) -> None:
    assert books.figures["nontender_paid"] == Decimal("158380.00")


def test_coupons_paid_is_the_coupon_entries_cash(books: TrialBalance) -> None:
    assert books.figures["coupons_paid"] == Decimal("1539.81")


def test_the_scene_balances(books: TrialBalance) -> None:
    assert books.balanced
    assert (books.assets_off, books.entries_off, books.positions_off) == ({}, (), ())


# The totals


def test_totals_give_each_ledger_accounts_balance_by_asset(
    scene: Scene, books: TrialBalance
) -> None:
    a = scene.assets
    assert books.totals == {
        a.old_notes.code: {"HB-100003": Decimal("0.00"), "HB-100004": Decimal("0.00"),
                           scene.dtc_key: Decimal("0.00")},
        a.new_notes.code: {"HB-100003": Decimal("158380.00"), "agent": Decimal("-158380.00")},
        "USD": {"HB-100003": Decimal("2789.81"), "HB-100004": Decimal("158380.00"),
                "agent": Decimal("-161169.81")},
        "WARRANTS": {"HB-100003": 682, "agent": -682},
    }  # fmt: skip


def test_totals_sum_to_zero_for_each_asset(books: TrialBalance) -> None:
    sums = {code: sum(accounts.values()) for code, accounts in books.totals.items()}
    assert sums == dict.fromkeys(books.totals, 0)


def test_an_account_number_at_two_firms_is_prefixed_with_the_firms_participant(
    scene: Scene, ops: Any
) -> None:
    other_firm = factories.BrokerFirmFactory(dtc_participant_number="0777")
    factories.ClientAccountFactory(firm=other_firm, account_number="HB-100003")
    usd = trial_balance(offer=scene.offer, on=DEC_31).totals["USD"]
    participant = scene.tendered.firm.dtc_participant_number
    assert set(usd) == {f"{participant}:HB-100003", "HB-100004", "agent"}


# The as-of date


def test_the_as_of_day_includes_that_days_entries(scene: Scene) -> None:
    assert trial_balance(offer=scene.offer, on=OCT_1).figures["coupons_paid"] == Decimal("1539.81")


def test_the_as_of_day_excludes_the_next_days_entries(scene: Scene) -> None:
    books = trial_balance(offer=scene.offer, on=SEP_30)
    assert (books.figures["coupons_paid"], books.figures["fees_paid"]) == (
        Decimal("0.00"),
        Decimal("1250.00"),
    )


def test_before_the_business_date_positions_are_not_compared(scene: Scene) -> None:
    """Position holds what an account holds now; a past date is read from the ledger only."""
    Position.objects.filter(account=scene.tendered).update(principal=Decimal("1000"))
    books = trial_balance(offer=scene.offer, on=SEP_30)
    assert (books.positions_compared, books.balanced) == (False, True)


# Not balanced


def test_a_position_that_disagrees_with_the_ledger_is_not_balanced(scene: Scene) -> None:
    Position.objects.filter(account=scene.tendered, security=scene.offer.old_security).update(
        principal=Decimal("1000")
    )
    books = trial_balance(offer=scene.offer, on=DEC_31)
    assert not books.balanced
    assert [(p.account, p.asset_code, p.position, p.ledger) for p in books.positions_off] == [
        ("HB-100003", scene.offer.old_security.cusip, Decimal("1000.00"), Decimal("0.00"))
    ]


def test_a_new_notes_position_that_disagrees_with_the_ledger_is_not_balanced(
    scene: Scene,
) -> None:
    Position.objects.filter(account=scene.tendered, security=scene.offer.new_security).update(
        principal=Decimal("1000")
    )
    books = trial_balance(offer=scene.offer, on=DEC_31)
    assert not books.balanced
    assert [(p.account, p.asset_code, p.position, p.ledger) for p in books.positions_off] == [
        ("HB-100003", scene.offer.new_security.cusip, Decimal("1000.00"), Decimal("158380.00"))
    ]


on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="PostgreSQL refuses an unbalanced leg (tests/tenders/test_ledger.py proves it): "
    "an unbalanced entry can be written only on SQLite",
)


@pytest.fixture
def unbalanced_leg(scene: Scene) -> Iterator[None]:
    """A leg of $50.00 written past the service into the fee's entry, as only SQLite lets
    through; rolled back after the test so the books balance again."""
    with transaction.atomic():
        entry = JournalEntry.objects.get(occasion="fee:i1:1")
        Leg.objects.create(
            entry=entry, account=scene.client, asset=scene.assets.cash, quantity=5000
        )
        yield
        transaction.set_rollback(True)


@on_sqlite
def test_an_entry_that_does_not_balance_is_not_balanced_and_named(
    scene: Scene, unbalanced_leg: None
) -> None:
    books = trial_balance(offer=scene.offer, on=DEC_31)
    assert not books.balanced
    assert [(e.occasion, e.asset_code, e.amount) for e in books.entries_off] == [
        ("fee:i1:1", "USD", Decimal("50.00"))
    ]
    assert books.assets_off == {"USD": Decimal("50.00")}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own check")
def test_on_postgresql_the_database_refuses_the_unbalanced_leg_the_trial_balance_would_show(
    scene: Scene,
) -> None:
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        JournalEntry.objects.create(
            occasion="fee:i9:1", kind=EntryKind.FEE, posted_on=SEP_5, description="Fee",
            by=JournalEntry.objects.first().by, offer=scene.offer, **stamped(),
        )  # fmt: skip
        Leg.objects.create(
            entry=JournalEntry.objects.get(occasion="fee:i9:1"), account=scene.client,
            asset=scene.assets.cash, quantity=5000,
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert unbalanced_entries() == []


# As JSON and CSV, and the command


def run(*args: str) -> str:
    out = StringIO()
    call_command("books", *args, stdout=out)
    return out.getvalue()


def test_the_commands_json_has_exactly_the_keys_the_issue_names(scene: Scene) -> None:
    data = json.loads(run("--offer", "lexington-2001", "--as-of", "2001-12-31"))
    assert set(data) == ISSUE_KEYS


def test_the_json_writes_amounts_with_two_decimals_and_warrants_whole(scene: Scene) -> None:
    data = json.loads(run("--offer", "lexington-2001", "--as-of", "2001-12-31", "--format", "json"))
    assert (data["balanced"], data["new_notes_issued"], data["warrants_issued"]) == (
        True,
        "158380.00",
        682,
    )
    assert data["totals"]["USD"]["agent"] == "-161169.81"
    assert data["totals"]["WARRANTS"] == {"HB-100003": 682, "agent": -682}


def test_the_commands_json_is_the_selectors(scene: Scene, books: TrialBalance) -> None:
    data = json.loads(run("--offer", "lexington-2001", "--as-of", "2001-12-31"))
    assert data == json.loads(json.dumps(trial_balance_as_dict(books)))


def test_the_csv_gives_the_figures_then_a_row_per_account_and_asset(scene: Scene) -> None:
    rows = list(csv.reader(io.StringIO(run("--offer", "lexington-2001", "--as-of", "2001-12-31",
                                           "--format", "csv"))))  # fmt: skip
    figures = dict(rows[1 : rows.index([])])
    assert (rows[0], figures["balanced"], figures["fees_paid"]) == (
        ["key", "value"],
        "true",
        "1250.00",
    )
    balances = rows[rows.index([]) + 1 :]
    assert balances[0] == ["asset", "account", "balance"]
    assert ["USD", "agent", "-161169.81"] in balances


def test_the_csv_has_no_formula_cell(scene: Scene) -> None:
    scene.kept.account_number = "=1+1"
    ClientAccount.objects.filter(pk=scene.kept.pk).update(account_number="=1+1")
    text = trial_balance_csv(trial_balance(offer=scene.offer, on=DEC_31))
    accounts = [row[1] for row in csv.reader(io.StringIO(text)) if len(row) == 3]
    assert "'=1+1" in accounts
    assert not [cell for cell in accounts if cell.startswith("=")]


def test_the_command_refuses_an_unknown_offer_on_one_line(scene: Scene) -> None:
    with pytest.raises(CommandError, match=r"^no offer with slug 'nope'$"):
        run("--offer", "nope", "--as-of", "2001-12-31")


def test_the_command_refuses_a_date_that_is_not_one(scene: Scene) -> None:
    refused = r"^--as-of must be a date as YYYY-MM-DD, not '2001-13-01'$"
    with pytest.raises(CommandError, match=refused):
        run("--offer", "lexington-2001", "--as-of", "2001-13-01")


def test_the_command_asks_for_the_as_of_date(scene: Scene) -> None:
    with pytest.raises(CommandError, match="--as-of is required"):
        run("--offer", "lexington-2001")


@pytest.fixture(scope="module")
def shell_database(command_database: Callable[..., dict[str, str]]) -> dict[str, str]:
    """A migrated SQLite file with the offer, for running the command as a user does."""
    return command_database(["load_offer", "lexington-2001"])


def shell(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "books", *args],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_from_the_shell_stdout_holds_only_the_json_and_stderr_nothing(
    shell_database: dict[str, str],
) -> None:
    result = shell(shell_database, "--offer", "lexington-2001", "--as-of", "2001-12-31")
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout)["balanced"] is True


@pytest.mark.slow
def test_from_the_shell_a_bad_date_is_one_line_on_stderr_and_exit_1(
    shell_database: dict[str, str],
) -> None:
    result = shell(shell_database, "--offer", "lexington-2001", "--as-of", "31/12/2001")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.strip().splitlines() == [
        "CommandError: --as-of must be a date as YYYY-MM-DD, not '31/12/2001'"
    ]


# Queries


def test_the_trial_balance_reads_in_as_many_queries_whatever_the_number_of_accounts(
    scene: Scene, ops: Any, django_assert_num_queries: Any
) -> None:
    with CaptureQueriesContext(connection) as before:
        trial_balance(offer=scene.offer, on=DEC_31)
    more = factories.ClientAccountFactory(firm=scene.tendered.firm, account_number="HB-100009")
    client = client_ledger_account_get_or_create(account=more)
    a = scene.assets
    entries_post(
        entries=[
            scene.entry("coupon:a9:2001-12-31", EntryKind.COUPON, DEC_31,
                        (client, a.cash, "10.00"), (scene.agent, a.cash, "-10.00"),
                        offer=scene.offer),
        ],
        by=ops,
    )  # fmt: skip
    with django_assert_num_queries(len(before.captured_queries)):
        trial_balance(offer=scene.offer, on=DEC_31)


# The tabulation's keys


def test_the_tabulation_gives_no_accepted_principal_before_consummation(scene: Scene) -> None:
    data = tabulation_as_dict(offer_tabulation(offer=scene.offer))
    assert (data["accepted_principal"], data["warrants_issued"]) == (None, None)


def test_the_tabulation_gives_the_books_exchange_after_consummation(scene: Scene) -> None:
    ExchangeOffer.objects.filter(pk=scene.offer.pk).update(status=OfferStatus.CONSUMMATED)
    data = tabulation_as_dict(offer_tabulation(offer=scene.offer))
    assert (data["accepted_principal"], data["warrants_issued"]) == ("125000.00", 682)


def test_the_tabulation_csv_gives_the_books_exchange_after_consummation(scene: Scene) -> None:
    ExchangeOffer.objects.filter(pk=scene.offer.pk).update(status=OfferStatus.CONSUMMATED)
    rows = list(csv.reader(io.StringIO(tabulation_csv(offer_tabulation(offer=scene.offer)))))
    assert ["accepted_principal", "125000.00"] in rows and ["warrants_issued", "682"] in rows


# The admin page


def page_url(offer: ExchangeOffer, suffix: str = "") -> str:
    name = "trial_balance_csv" if suffix == ".csv" else "trial_balance"
    return reverse(f"admin:notes_exchangeoffer_{name}", args=[offer.pk])


def test_the_page_states_the_figures_and_that_the_books_balance(
    client: Client, scene: Scene, ops: Any
) -> None:
    client.force_login(ops)
    page = client.get(page_url(scene.offer), {"as_of": "2001-12-31"}).content.decode()
    assert "The books balance" in page
    assert "$158,380.00" in page and "682" in page and "$1,539.81" in page


def test_the_page_defaults_to_the_business_date(client: Client, scene: Scene, ops: Any) -> None:
    client.force_login(ops)
    response = client.get(page_url(scene.offer))
    assert response.context["form"]["as_of"].value() == DEC_31


def test_the_page_says_what_is_off(client: Client, scene: Scene, ops: Any) -> None:
    Position.objects.filter(account=scene.tendered).update(principal=Decimal("1000"))
    client.force_login(ops)
    page = client.get(page_url(scene.offer), {"as_of": "2001-12-31"}).content.decode()
    assert "The books do not balance" in page
    assert "HB-100003" in page and "$1,000.00" in page


def test_a_bad_date_is_refused_next_to_the_field_keeping_what_was_typed(
    client: Client, scene: Scene, ops: Any
) -> None:
    client.force_login(ops)
    response = client.get(page_url(scene.offer), {"as_of": "2001-02-30"})
    assert response.status_code == 200
    assert response.context["form"].errors["as_of"]
    assert 'value="2001-02-30"' in response.content.decode()


def test_the_csv_download_is_the_trial_balances_csv(client: Client, scene: Scene, ops: Any) -> None:
    client.force_login(ops)
    response = client.get(page_url(scene.offer, ".csv"), {"as_of": "2001-12-31"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode() == trial_balance_csv(
        trial_balance(offer=scene.offer, on=DEC_31)
    )


def test_the_offers_page_links_the_trial_balance_for_operations(
    client: Client, scene: Scene, ops: Any
) -> None:
    client.force_login(ops)
    page = client.get(reverse("admin:notes_exchangeoffer_change", args=[scene.offer.pk]))
    assert f'href="{page_url(scene.offer)}"' in page.content.decode()


@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_staff_who_see_the_offer_but_not_the_books_may_not_see_the_trial_balance(
    client: Client, scene: Scene, suffix: str
) -> None:
    staff = factories.StaffUserFactory(username="viewer")
    staff.user_permissions.add(Permission.objects.get(codename="view_exchangeoffer"))
    client.force_login(staff)
    assert (
        client.get(reverse("admin:notes_exchangeoffer_change", args=[scene.offer.pk])).status_code
        == 200
    )
    assert client.get(page_url(scene.offer, suffix)).status_code == 403


def test_the_tabulation_page_shows_the_books_exchange_after_consummation(
    client: Client, scene: Scene, ops: Any
) -> None:
    ExchangeOffer.objects.filter(pk=scene.offer.pk).update(status=OfferStatus.CONSUMMATED)
    client.force_login(ops)
    page = client.get(reverse("admin:notes_exchangeoffer_tabulation", args=[scene.offer.pk]))
    assert 'data-testid="accepted-principal">$125,000<' in page.content.decode()


def test_the_admin_index_links_each_offers_trial_balance_for_operations(
    client: Client, scene: Scene, ops: Any
) -> None:
    client.force_login(ops)
    page = client.get(reverse("admin:index")).content.decode()
    assert f'href="{page_url(scene.offer)}"' in page


def test_the_admin_index_shows_no_trial_balance_link_to_staff_who_may_not_see_the_books(
    client: Client, scene: Scene
) -> None:
    staff = factories.StaffUserFactory(username="viewer")
    staff.user_permissions.add(Permission.objects.get(codename="view_exchangeoffer"))
    client.force_login(staff)
    page = client.get(reverse("admin:index")).content.decode()
    assert page_url(scene.offer) not in page
