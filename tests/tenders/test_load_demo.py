from datetime import time
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Sum

from notes.models import ExchangeOffer
from tenders.models import BrokerFirm, ClientAccount, Position, Representative

pytestmark = pytest.mark.django_db


def all_rows() -> dict[str, list[tuple]]:
    """Every row of every model, to compare the database before and after."""
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_models()
        if model._meta.app_label in {"notes", "tenders", "auth"}
    }


@pytest.fixture
def demo() -> ExchangeOffer:
    call_command("load_demo", stdout=StringIO())
    return ExchangeOffer.objects.get(slug="lexington-2001")


def test_load_demo_twice_leaves_the_same_rows(demo: ExchangeOffer) -> None:
    before = all_rows()
    call_command("load_demo", stdout=StringIO())
    assert all_rows() == before


def test_demo_positions_add_up_to_the_whole_issue(demo: ExchangeOffer) -> None:
    total = Position.objects.filter(security=demo.old_security).aggregate(t=Sum("principal"))["t"]
    assert total == demo.outstanding_principal == Decimal("27412000")


def test_four_largest_holders_hold_74_7_percent(demo: ExchangeOffer) -> None:
    largest = Position.objects.order_by("-principal").values_list("principal", flat=True)[:4]
    assert sum(largest) == Decimal("20477000")
    assert round(sum(largest) / demo.outstanding_principal * 100, 1) == Decimal("74.7")


def test_demo_has_about_forty_accounts_in_three_firms(demo: ExchangeOffer) -> None:
    assert ClientAccount.objects.count() == 40
    assert BrokerFirm.objects.count() == 3
    assert set(BrokerFirm.objects.values_list("dtc_participant_number", flat=True)) == {
        "0901",
        "0902",
        "0903",
    }


def test_demo_accounts_are_domiciled_in_several_states(demo: ExchangeOffer) -> None:
    assert ClientAccount.objects.values("state").distinct().count() >= 10


def test_demo_has_one_joint_account_with_two_owners(demo: ExchangeOffer) -> None:
    joint = [a for a in ClientAccount.objects.prefetch_related("owners") if a.owners.count() > 1]
    assert [[o.name for o in a.owners.all()] for a in joint] == [
        ["Robert A. Chen", "Linda M. Chen"]
    ]


def test_first_firm_cuts_off_at_5pm_one_banking_day_before_expiration_day(
    demo: ExchangeOffer,
) -> None:
    first = BrokerFirm.objects.get(dtc_participant_number="0901")
    assert (first.cutoff_banking_days_before, first.cutoff_time) == (1, time(17, 0))


def test_exclusion_list_starts_empty(demo: ExchangeOffer) -> None:
    assert not demo.excluded_jurisdictions.exists()


@pytest.mark.parametrize(
    ("username", "password", "firm_dtc"),
    [("rep", "rep-demo-2001", "0901"), ("rep2", "rep2-demo-2001", "0902")],
)
def test_demo_representatives_log_in_for_their_firm(
    demo: ExchangeOffer, username: str, password: str, firm_dtc: str
) -> None:
    user = authenticate(username=username, password=password)
    assert user is not None
    assert not user.is_staff
    assert Representative.objects.get(user=user).firm.dtc_participant_number == firm_dtc


def test_demo_operations_login_has_admin_access(demo: ExchangeOffer) -> None:
    user = authenticate(username="ops", password="ops-demo-2001")
    assert user is not None
    assert user.is_staff
    assert user.has_perm("notes.change_exchangeoffer")
    assert user.has_perm("tenders.view_clientaccount")


def test_no_demo_login_exists_without_load_demo() -> None:
    assert authenticate(username="ops", password="ops-demo-2001") is None


def test_demo_seeds_instructions_for_the_four_largest_holders(demo: ExchangeOffer) -> None:
    from tenders.models import Instruction

    largest = Position.objects.order_by("-principal").values_list("account_id", flat=True)[:4]
    live = Instruction.objects.filter(account_id__in=list(largest), status="received")
    assert sorted(live.values_list("choice", flat=True)) == ["ALL"] * 4


def test_demo_instructions_include_an_amendment_and_a_withdrawal(demo: ExchangeOffer) -> None:
    from tenders.models import Instruction

    statuses = set(Instruction.objects.values_list("status", flat=True))
    assert {"received", "superseded", "withdrawn"} <= statuses


def test_demo_instructions_were_taken_before_the_demo_day(demo: ExchangeOffer) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tenders.models import Instruction

    demo_day = datetime(2001, 8, 20, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    assert all(i.received_at < demo_day for i in Instruction.objects.all())


def test_every_demo_account_has_a_valid_masked_tin(demo: ExchangeOffer) -> None:
    assert all(len(a.masked_tin) >= 10 for a in ClientAccount.objects.all())


def test_consummation_scenario_meets_the_minimum_and_can_be_consummated(
    db, pin_clock, fake_pdf
) -> None:
    from datetime import date

    from tenders.demo import STATUS_IMPORTED_AT, load_consummation_scenario
    from tenders.domain.submission import Standing
    from tenders.models import Instruction
    from tenders.offers.consummation import offer_consummate
    from tenders.offers.selectors import tabulate
    from tenders.submissions.selectors import agent_standings
    from tests.factories import StaffUserFactory

    offer = load_consummation_scenario()
    tabulation = tabulate(offer=offer)
    assert tabulation.outstanding - tabulation.tendered == Decimal("125000")
    assert tabulation.held == tabulation.tendered  # every firm's file was sent on Sep 4
    standings = agent_standings(offer=offer)
    live = Instruction.objects.filter(offer=offer, status__in=["received", "submitted"])
    assert {standings[i.pk].standing for i in live} == {Standing.ACCEPTED}  # and acknowledged
    assert {standings[i.pk].advised_at for i in live} == {STATUS_IMPORTED_AT}
    assert tabulation.minimum_met
    assert not offer.conditions.filter(is_satisfied=False).exists()
    ops = StaffUserFactory(is_superuser=True)
    pin_clock("2001-09-05T10:00:00-04:00")
    result = offer_consummate(offer=offer, on=date(2001, 9, 5), by=ops)
    assert result.tendered == Decimal("27287000")
