"""The tabulation for operations: the selector and its JSON, agreement with the engine, the
exchange agent's total (recorded by a service, judged where there is one, by consummation too), the
`tabulation` command, the admin page, its CSV and its chart.

The small scene: a $1,000,000 issue with the Lexington terms, held in five accounts at two
firms. Figures are worked by hand below, not read from the code's tables."""

import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notes.domain.entitlement import compute_entitlement, minimum_condition
from notes.models import AgentReport, ExchangeOffer, OfferEvent, OfferEventKind
from notes.selectors import offer_terms
from notes.services import agent_report_record
from tenders.accounts.services import account_set_tin
from tenders.intake.services import instruction_amend, instruction_submit, instruction_withdraw
from tenders.models import (
    BrokerFirm,
    ClientAccount,
    Instruction,
    InstructionStatus,
    Position,
    TallyFirm,
    TallyGroup,
)
from tenders.offers.consummation import offer_consummate
from tenders.offers.selectors import tabulate
from tenders.offers.tabulation import offer_tabulation, tabulation_as_dict
from tenders.submissions.services import instructions_submit_to_agent
from tests import factories
from tests.tenders.conftest import NY, amount_input, make_input, notice_for, send_to_agent

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SEP_5 = date(2001, 9, 5)
MORNING_AFTER = datetime(2001, 9, 5, 9, 0, tzinfo=NY)

FIXED_KEYS = {
    "outstanding_principal", "tendered_principal", "tendered_percent", "minimum_percent",
    "minimum_principal", "still_needed", "max_untendered", "untendered_principal",
    "warrants_exact_total", "warrants_to_issue", "warrants_if_all", "by_status", "by_firm",
}  # fmt: skip
FIRM_KEYS = {"firm", "participant", "accounts", "answered", "tendered_principal"}


@dataclass
class Scene:
    offer: ExchangeOffer
    hudson: BrokerFirm
    mercer: BrokerFirm
    accounts: dict[str, ClientAccount]


def _holder(firm: BrokerFirm, offer: ExchangeOffer, ops: Any, number: str, held: str) -> Any:
    account = factories.ClientAccountFactory(firm=firm, account_number=number, owners=[number])
    factories.PositionFactory(account=account, security=offer.old_security, principal=held)
    return account_set_tin(account=account, tin_type="SSN", tin="123-45-6789", by=ops)


@pytest.fixture
def scene(offer: ExchangeOffer, ops: Any) -> Scene:
    """$1,000,000 outstanding. Hudson & Broad (DTC 0901): A1 holds $480,000 and tenders all,
    A2 holds $125,000 and tenders $101,000 (first $50,000, amended), A3 holds $90,000 and has
    not answered. Mercer Street (0902): B1 holds $300,000 and withdrew its tender of all, B2
    holds $5,000 and has not answered."""
    offer.outstanding_principal = Decimal("1000000")
    offer.save()
    hudson = factories.BrokerFirmFactory(name="Hudson & Broad", dtc_participant_number="0901")
    mercer = factories.BrokerFirmFactory(name="Mercer Street", dtc_participant_number="0902")
    rep_a = factories.RepresentativeFactory(firm=hudson, user__username="rep-a").user
    rep_b = factories.RepresentativeFactory(firm=mercer, user__username="rep-b2").user
    accounts = {
        "A1": _holder(hudson, offer, ops, "A1", "480000"),
        "A2": _holder(hudson, offer, ops, "A2", "125000"),
        "A3": _holder(hudson, offer, ops, "A3", "90000"),
        "B1": _holder(mercer, offer, ops, "B1", "300000"),
        "B2": _holder(mercer, offer, ops, "B2", "5000"),
    }
    a1, a2, b1 = accounts["A1"], accounts["A2"], accounts["B1"]
    instruction_submit(account=a1, offer=offer, data=make_input(a1), by=rep_a)
    first = instruction_submit(account=a2, offer=offer, data=amount_input(a2, "50000"), by=rep_a)
    instruction_amend(
        instruction=first, expected_version=1, data=amount_input(a2, "101000"), by=rep_a
    )
    withdrawn = instruction_submit(account=b1, offer=offer, data=make_input(b1), by=rep_b)
    instruction_withdraw(
        notice=notice_for(withdrawn), instruction=withdrawn, expected_version=1, by=rep_b
    )
    return Scene(offer, hudson, mercer, accounts)


def as_json(offer: ExchangeOffer) -> dict[str, Any]:
    return json.loads(json.dumps(tabulation_as_dict(offer_tabulation(offer=offer))))


# The JSON


def test_json_has_the_fixed_keys_and_by_firm_objects(scene: Scene) -> None:
    data = as_json(scene.offer)
    assert data.keys() >= FIXED_KEYS
    assert all(firm.keys() >= FIRM_KEYS for firm in data["by_firm"])


def test_json_gives_the_small_scenes_figures(scene: Scene, ops: Any) -> None:
    send_to_agent(scene.offer, ops)  # the agent holds the two live instructions
    data = as_json(scene.offer)
    assert (data["held_principal"], data["held_instructions"]) == ("581000.00", 2)
    assert data["outstanding_principal"] == "1000000.00"
    assert data["tendered_principal"] == "581000.00"  # 480,000 + 101,000
    assert data["tendered_percent"] == "58.10"
    assert data["minimum_percent"] == "99"
    assert data["minimum_principal"] == "990000.00"
    assert data["still_needed"] == "409000.00"
    assert data["max_untendered"] == "10000.00"
    assert data["untendered_principal"] == "419000.00"
    assert data["untendered_room_left"] == "0.00"
    assert data["warrants_exact_total"] == "3166.45"  # 581 x 5.45
    assert data["warrants_to_issue"] == 3167  # 2,616 + 550.45 rounded up to 551
    assert data["warrants_if_all"] == 5450  # 1,000 x 5.45
    assert data["minimum_met"] is False


def test_json_amounts_parse_as_decimals_without_dollar_signs_or_separators(scene: Scene) -> None:
    data = as_json(scene.offer)
    for key in FIXED_KEYS - {"by_status", "by_firm"}:
        assert Decimal(str(data[key])) >= 0, key
        assert not re.search(r"[$,]", str(data[key])), key


def test_json_by_firm_counts_accounts_answers_and_tenders(scene: Scene) -> None:
    assert as_json(scene.offer)["by_firm"] == [
        {"firm": "Hudson & Broad", "participant": "0901", "accounts": 3, "answered": 2,
         "tendering": 2, "held_principal": "695000.00", "tendered_principal": "581000.00",
         "not_answered": 1, "not_answered_principal": "90000.00"},
        {"firm": "Mercer Street", "participant": "0902", "accounts": 2, "answered": 1,
         "tendering": 0, "held_principal": "305000.00", "tendered_principal": "0.00",
         "not_answered": 1, "not_answered_principal": "5000.00"},
    ]  # fmt: skip


def test_json_by_status_counts_live_and_dead_instructions(scene: Scene) -> None:
    by_status = {s["status"]: s for s in as_json(scene.offer)["by_status"]}
    assert (by_status["received"]["instructions"], by_status["received"]["principal"]) == (
        2,
        "581000.00",
    )
    assert (by_status["superseded"]["instructions"], by_status["superseded"]["counts"]) == (
        1,
        False,
    )
    assert (by_status["withdrawn"]["principal"], by_status["withdrawn"]["counts"]) == (
        "300000.00",
        False,
    )


def test_json_lists_the_clients_who_have_not_answered_largest_first(scene: Scene) -> None:
    data = as_json(scene.offer)
    assert [(a["account"], a["position"]) for a in data["not_answered"]] == [
        ("A3", "90000.00"),
        ("B2", "5000.00"),
    ]
    assert data["not_answered_principal"] == "95000.00"


def test_json_gives_the_seeds_minimum_as_the_exact_99_percent(offer: ExchangeOffer) -> None:
    data = as_json(offer)
    assert data["minimum_principal"] == "27137880.00"
    assert data["minimum_principal_whole_units"] == "27138000.00"
    assert data["max_untendered"] == "274000.00"
    assert data["warrants_if_all"] == 149396


# Agreement with the engine


def test_every_figure_agrees_with_the_engine_to_the_cent(scene: Scene) -> None:
    terms = offer_terms(offer=scene.offer)
    live = Instruction.objects.filter(offer=scene.offer, status=InstructionStatus.RECEIVED)
    principals = [
        i.amount if i.choice == "AMOUNT" else Position.objects.get(account=i.account).principal
        for i in live
    ]
    entitlements = [compute_entitlement(terms, p, SEP_5) for p in principals]
    minimum = minimum_condition(terms)
    data = as_json(scene.offer)
    tabulation = tabulate(offer=scene.offer)  # what consummation reads
    assert Decimal(data["tendered_principal"]) == sum(principals) == tabulation.tendered
    assert data["tendered_percent"] == f"{tabulation.percent}"
    assert data["warrants_to_issue"] == sum(e.warrants for e in entitlements)
    assert Decimal(data["warrants_exact_total"]) == sum(e.warrants_exact for e in entitlements)
    assert Decimal(data["minimum_principal"]) == minimum.required_exact
    assert Decimal(data["minimum_principal_whole_units"]) == minimum.required_principal
    assert Decimal(data["max_untendered"]) == minimum.maximum_untendered


# What counts


def test_tender_all_counts_at_the_position_until_it_is_resolved_at_submission(
    scene: Scene, ops: Any
) -> None:
    a1 = scene.accounts["A1"]
    Position.objects.filter(account=a1).update(principal=Decimal("500000"))
    assert as_json(scene.offer)["tendered_principal"] == "601000.00"  # the position now
    instructions_submit_to_agent(
        offer=scene.offer, instructions=Instruction.objects.filter(account=a1), by=ops
    )
    Position.objects.filter(account=a1).update(principal=Decimal("400000"))
    assert as_json(scene.offer)["tendered_principal"] == "601000.00"  # resolved at 500,000


def test_withdrawn_and_superseded_instructions_are_not_counted(scene: Scene) -> None:
    # B1's $300,000 (withdrawn) and A2's first $50,000 (superseded) are not in the total.
    assert offer_tabulation(offer=scene.offer).figures.tendered == Decimal("581000")


# The exchange agent's total


def _report(offer: ExchangeOffer, ops: Any, principal: str, **kwargs: Any) -> AgentReport:
    values = {"as_of": date(2001, 8, 20), "source": "Wilmington Trust report, by fax"} | kwargs
    return agent_report_record(offer=offer, tendered_principal=Decimal(principal), by=ops, **values)


def test_the_agents_larger_total_is_judged_and_meets_the_minimum(scene: Scene, ops: Any) -> None:
    _report(scene.offer, ops, "995000")
    data = as_json(scene.offer)
    assert (data["agent_reported_principal"], data["judged_on"]) == ("995000.00", "agent")
    assert data["tendered_principal"] == "581000.00"
    assert data["minimum_met"] is True
    assert data["still_needed"] == "0.00"


def test_the_agents_larger_total_short_of_99_percent_does_not_meet_it(
    scene: Scene, ops: Any
) -> None:
    _report(scene.offer, ops, "989000")
    data = as_json(scene.offer)
    assert (data["judged_on"], data["minimum_met"], data["still_needed"]) == (
        "agent",
        False,
        "1000.00",
    )


def test_the_latest_agents_report_is_the_one_shown(scene: Scene, ops: Any) -> None:
    _report(scene.offer, ops, "600000", as_of=date(2001, 8, 17))
    _report(scene.offer, ops, "700000", as_of=date(2001, 8, 20))
    assert as_json(scene.offer)["agent_reported_principal"] == "700000.00"


def test_recording_the_agents_total_puts_it_on_the_offers_timeline(scene: Scene, ops: Any) -> None:
    _report(scene.offer, ops, "700000")
    event = OfferEvent.objects.get(offer=scene.offer, kind=OfferEventKind.AGENT_REPORT)
    assert event.changes["tendered_principal"] == "700000.00"
    assert "$700,000 tendered as of August 20, 2001" in event.reason


@pytest.mark.parametrize(
    ("principal", "kwargs", "message"),
    [
        ("700500", {}, "positive whole multiple of \\$1,000"),
        ("0", {}, "positive whole multiple of \\$1,000"),
        ("1001000", {}, "more than the \\$1,000,000 outstanding"),
        ("700000", {"as_of": date(2001, 8, 21)}, "still to come"),
        ("700000", {"as_of": date(2001, 8, 3)}, "The offer commenced on August 6, 2001"),
        ("700000", {"source": "  "}, "Say where the figure comes from"),
    ],
)
def test_an_agents_total_that_cannot_be_right_is_refused(
    scene: Scene, ops: Any, principal: str, kwargs: dict, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _report(scene.offer, ops, principal, **kwargs)
    assert not AgentReport.objects.exists()


def test_a_representative_cannot_record_the_agents_total(scene: Scene, rep: Any) -> None:
    with pytest.raises(PermissionDenied, match="Only operations staff"):
        _report(scene.offer, rep, "700000")


def test_consummation_judges_the_minimum_on_the_agents_larger_total(
    scene: Scene, ops: Any, at: Callable, fake_pdf: Any
) -> None:
    scene.offer.conditions.update(is_satisfied=True, satisfied_on=date(2001, 9, 4))
    send_to_agent(scene.offer, ops)
    _report(scene.offer, ops, "995000")
    at(MORNING_AFTER)
    result = offer_consummate(offer=scene.offer, on=SEP_5, by=ops)
    assert (result.accepted, result.tendered) == (2, Decimal("581000"))


def test_consummation_refused_on_a_larger_agents_total_short_of_the_minimum(
    scene: Scene, ops: Any, at: Callable
) -> None:
    scene.offer.conditions.update(is_satisfied=True, satisfied_on=date(2001, 9, 4))
    _report(scene.offer, ops, "989000")
    at(MORNING_AFTER)
    with pytest.raises(ValidationError, match=r"\$989,000 as the exchange agent reports"):
        offer_consummate(offer=scene.offer, on=SEP_5, by=ops)


# The command


def run(*args: str) -> str:
    out = StringIO()
    call_command("tabulation", *args, stdout=out)
    return out.getvalue()


def test_command_json_is_the_selectors_json(scene: Scene) -> None:
    data = json.loads(run("--offer", "lexington-2001", "--format", "json"))
    expected = as_json(scene.offer)
    assert {k: v for k, v in data.items() if k != "as_of"} == {
        k: v for k, v in expected.items() if k != "as_of"
    }


def test_command_csv_has_one_figure_per_row_then_the_sections(scene: Scene) -> None:
    rows = list(csv.reader(io.StringIO(run("--offer", "lexington-2001", "--format", "csv"))))
    figures = dict(r for r in rows[: rows.index([])] if len(r) == 2)
    assert figures["tendered_principal"] == "581000.00"
    assert figures["minimum_met"] == "false"
    firm_header = rows.index(["by_firm"]) + 1
    assert rows[firm_header][:5] == ["firm", "participant", "accounts", "answered", "tendering"]
    assert rows[firm_header + 1][:4] == ["Hudson & Broad", "0901", "3", "2"]
    assert ["by_status"] in rows and ["not_answered"] in rows


def test_command_refuses_an_unknown_offer(scene: Scene) -> None:
    with pytest.raises(CommandError, match="no offer with slug 'nope'"):
        run("--offer", "nope")


def test_command_refuses_an_unknown_format(scene: Scene) -> None:
    with pytest.raises(CommandError, match="--format must be json or csv"):
        run("--offer", "lexington-2001", "--format", "xml")


@pytest.fixture(scope="module")
def command_database(command_database: Callable[..., dict[str, str]]) -> dict[str, str]:
    """A migrated SQLite file with the offer, for running the command as a user does."""
    return command_database(["load_offer", "lexington-2001"])


@pytest.mark.slow
def test_from_the_shell_stdout_holds_only_the_json_and_stderr_nothing(
    command_database: dict[str, str],
) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "tabulation", "--offer", "lexington-2001",
         "--format", "json"],
        cwd=ROOT, env=command_database, capture_output=True, text=True,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout)["minimum_principal"] == "27137880.00"


@pytest.mark.slow
def test_from_the_shell_an_unknown_offer_is_one_line_on_stderr_and_exit_1(
    command_database: dict[str, str],
) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "tabulation", "--offer", "nope", "--format", "csv"],
        cwd=ROOT, env=command_database, capture_output=True, text=True,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.strip().splitlines() == ["CommandError: no offer with slug 'nope'"]


# The admin page


def page_url(offer: ExchangeOffer, suffix: str = "") -> str:
    name = {"": "tabulation", ".csv": "tabulation_csv", ".svg": "tabulation_svg"}[suffix]
    return reverse(f"admin:notes_exchangeoffer_{name}", args=[offer.pk])


@pytest.fixture
def ops_client(client: Client, ops: Any) -> Client:
    client.force_login(ops)
    return client


def test_the_page_shows_operations_the_office_figures_against_the_minimum(
    scene: Scene, ops: Any, ops_client: Client
) -> None:
    send_to_agent(scene.offer, ops)
    response = ops_client.get(page_url(scene.offer))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Minimum condition: " in page and "not met" in page
    assert '<td class="amount" data-testid="office-tendered">$581,000</td>' in page
    assert "58.10%" in page
    assert '<td class="amount" data-testid="still-needed">$409,000</td>' in page
    assert '<td class="amount" data-testid="warrants-to-issue">3,167</td>' in page
    assert "$990,000.00" in page  # the exact 99%
    assert "A3" in page and "$90,000" in page  # has not answered


def test_the_page_shows_the_agents_total_beside_the_office_figure(
    scene: Scene, ops: Any, ops_client: Client
) -> None:
    _report(scene.offer, ops, "995000")
    page = ops_client.get(page_url(scene.offer)).content.decode()
    assert '<td class="amount" data-testid="agent-tendered">$995,000</td>' in page
    assert 'Minimum condition: <span class="tabulation-met">met</span>' in page


def test_the_page_is_refused_to_a_representative(scene: Scene, client: Client, rep: Any) -> None:
    client.force_login(rep)
    response = client.get(page_url(scene.offer))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_page_is_refused_to_staff_who_may_not_view_offers(scene: Scene, client: Client) -> None:
    client.force_login(factories.StaffUserFactory(username="staff-no-perms"))
    assert client.get(page_url(scene.offer)).status_code == 403
    assert client.get(page_url(scene.offer, ".csv")).status_code == 403


def test_operations_record_the_agents_total_on_the_page(scene: Scene, ops_client: Client) -> None:
    data = {"as_of": "2001-08-20", "tendered_principal": "995000", "source": "Agent, by fax"}
    response = ops_client.post(page_url(scene.offer), data, follow=True)
    assert "Recorded the exchange agent&#x27;s total: $995,000 as of August 20, 2001" in (
        response.content.decode()
    )
    assert AgentReport.objects.get().entered_by.get_username() == "ops"


def test_an_agents_total_refused_by_the_service_comes_back_on_the_form(
    scene: Scene, ops_client: Client
) -> None:
    data = {"as_of": "2001-08-20", "tendered_principal": "1001000", "source": "Agent, by fax"}
    response = ops_client.post(page_url(scene.offer), data)
    assert response.status_code == 200
    assert "$1,001,000 is more than the $1,000,000 outstanding." in response.content.decode()
    assert not AgentReport.objects.exists()


def test_an_agents_total_whose_source_holds_a_line_break_is_refused_next_to_the_field(
    scene: Scene, ops_client: Client
) -> None:
    data = {"as_of": "2001-08-20", "tendered_principal": "995000", "source": "x\r\n=2+2"}
    response = ops_client.post(page_url(scene.offer), data)
    assert response.status_code == 200
    assert response.context["form"].errors["source"] == ["The text holds a line break."]
    assert not AgentReport.objects.exists()


def test_an_agents_total_written_with_separators_is_read(scene: Scene, ops_client: Client) -> None:
    data = {"as_of": "2001-08-20", "tendered_principal": "$995,000.00", "source": "Agent"}
    response = ops_client.post(page_url(scene.offer), data)
    assert response.status_code == 302
    assert response["Location"].endswith("/tabulation/#content-start")  # where the message is
    assert AgentReport.objects.get().tendered_principal == Decimal("995000")


def test_an_agents_total_that_cannot_be_read_comes_back_as_typed_next_to_its_field(
    scene: Scene, ops_client: Client
) -> None:
    data = {"as_of": "2001-08-20", "tendered_principal": "27.2 million", "source": "Agent"}
    response = ops_client.post(page_url(scene.offer), data)
    assert response.context["form"].errors["tendered_principal"] == [
        "Enter the amount in whole dollars, e.g. 125,000 or $125,000.00."
    ]
    assert 'value="27.2 million"' in response.content.decode()
    assert 'action="#agent-report-form"' in response.content.decode()  # opens at the form
    assert not AgentReport.objects.exists()


def test_staff_who_may_only_view_cannot_record_the_agents_total(
    scene: Scene, client: Client
) -> None:
    from django.contrib.auth.models import Permission

    viewer = factories.StaffUserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_exchangeoffer"))
    client.force_login(viewer)
    assert 'id="agent-report-form"' not in client.get(page_url(scene.offer)).content.decode()
    data = {"as_of": "2001-08-20", "tendered_principal": "995000", "source": "Agent"}
    assert client.post(page_url(scene.offer), data).status_code == 403


def test_the_offer_list_and_the_offers_page_link_to_the_tabulation(
    scene: Scene, ops_client: Client
) -> None:
    link = f'<a href="{page_url(scene.offer)}">Tabulation</a>'
    assert link in ops_client.get(reverse("admin:notes_exchangeoffer_changelist")).content.decode()
    change = reverse("admin:notes_exchangeoffer_change", args=[scene.offer.pk])
    assert link in ops_client.get(change).content.decode()


def test_the_csv_download_holds_the_same_figures(
    scene: Scene, ops: Any, ops_client: Client
) -> None:
    send_to_agent(scene.offer, ops)
    response = ops_client.get(page_url(scene.offer, ".csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["still_needed", "409000.00"] in rows
    assert ["warrants_to_issue", "3167"] in rows


BLOCKED = [r"<script\b(?![^>]*\bsrc=)", r"<style\b", r"<[a-z][^>]*\sstyle\s*=", r"\son[a-z]+\s*="]


def test_the_page_holds_no_inline_script_style_or_event_handler(
    scene: Scene, ops: Any, ops_client: Client
) -> None:
    _report(scene.offer, ops, "995000")
    page = ops_client.get(page_url(scene.offer)).content.decode()
    assert "<svg" in page
    assert [p for p in BLOCKED if re.search(p, page, re.IGNORECASE)] == []


# The chart

SVG = "{http://www.w3.org/2000/svg}"


def _extend(offer: ExchangeOffer, ops: Any, at: datetime, new: datetime) -> None:
    OfferEvent.objects.create(
        offer=offer, kind=OfferEventKind.EXTENDED, reason="Short of the minimum.", by=ops,
        business_at=at, wall_at=at, previous_expiration=offer.expiration, new_expiration=new,
    )  # fmt: skip
    offer.expiration = new
    offer.save()


def _classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


@pytest.fixture
def extended_chart(scene: Scene, ops: Any, ops_client: Client, at: Callable) -> ET.Element:
    """The chart on Sep 20, 2001, after two extensions."""
    _extend(scene.offer, ops, datetime(2001, 9, 5, 8, 30, tzinfo=NY),
            datetime(2001, 9, 17, 17, 0, tzinfo=NY))  # fmt: skip
    _extend(scene.offer, ops, datetime(2001, 9, 18, 8, 30, tzinfo=NY),
            datetime(2001, 10, 1, 17, 0, tzinfo=NY))  # fmt: skip
    at(datetime(2001, 9, 20, 10, 0, tzinfo=NY))
    response = ops_client.get(page_url(scene.offer, ".svg"))
    assert response["Content-Type"].startswith("image/svg+xml")
    return ET.fromstring(response.content)


def test_the_chart_draws_the_99_percent_line_across_the_plot(extended_chart: ET.Element) -> None:
    frame = next(e for e in extended_chart.iter(f"{SVG}rect") if "chart-frame" in _classes(e))
    top, height = float(frame.get("y", 0)), float(frame.get("height", 0))
    (line,) = [e for e in extended_chart.iter(f"{SVG}line") if "minimum-line" in _classes(e)]
    assert (
        float(line.get("y1", 0))
        == float(line.get("y2", 0))
        == pytest.approx(top + height * 0.01, abs=0.1)
    )
    assert line.get("x1") == frame.get("x")


def test_the_chart_marks_each_extension_with_its_new_expiration(
    extended_chart: ET.Element,
) -> None:
    marks = [g for g in extended_chart.iter(f"{SVG}g") if "extension-mark" in _classes(g)]
    labels = ["".join(g.itertext()) for g in marks]
    assert len(marks) == 2
    assert "Extended to Sep 17" in labels[0] and "Extended to Oct 1" in labels[1]


def test_the_chart_has_a_title_axes_labels_and_a_legend(extended_chart: ET.Element) -> None:
    text = " ".join(extended_chart.itertext())
    assert "Tendered, as a percentage of the outstanding principal" in text
    assert "% of $1,000,000" in text and "Business time, New York (2001)" in text
    assert "Aug 20" in text and "100%" in text
    assert "99% minimum condition" in text and "Extension (new expiration)" in text


def test_the_chart_carries_no_style_or_script(extended_chart: ET.Element) -> None:
    assert not [e for e in extended_chart.iter() if e.get("style") is not None]
    assert not [e for e in extended_chart.iter() if e.tag in (f"{SVG}style", f"{SVG}script")]


def test_the_chart_ends_at_the_office_percentage_now(extended_chart: ET.Element) -> None:
    assert "58.10%" in " ".join(extended_chart.itertext())


# Queries


def _accounts(offer: ExchangeOffer, firms: list[BrokerFirm], start: int, count: int) -> None:
    """Accounts with positions; each with, in turn, no answer, a tender of all, a stated
    amount, a withdrawn tender."""
    accounts = ClientAccount.objects.bulk_create(
        factories.ClientAccountFactory.build(firm=firms[n % 2]) for n in range(start, start + count)
    )
    Position.objects.bulk_create(
        Position(account=a, security=offer.old_security, principal=Decimal("5000"))
        for a in accounts
    )
    user = factories.UserFactory(username="entered-by")
    answers: list[dict[str, Any] | None] = [
        None,
        {"choice": "ALL"},
        {"choice": "AMOUNT", "amount": Decimal("3000")},
        {"choice": "ALL", "status": "withdrawn"},
    ]
    Instruction.objects.bulk_create(
        factories.InstructionFactory.build(account=a, offer=offer, entered_by=user, **answer)
        for n, a in enumerate(accounts, start=start)
        if (answer := answers[n % 4]) is not None
    )


def test_the_tabulation_makes_as_many_queries_for_200_accounts_as_for_5(
    offer: ExchangeOffer,
) -> None:
    firms = factories.BrokerFirmFactory.create_batch(2)
    _accounts(offer, firms, 0, 5)
    offer_tabulation(offer=offer)  # the kept lines built
    _accounts(offer, firms, 5, 5)
    with CaptureQueriesContext(connection) as few:
        small = offer_tabulation(offer=offer)
    _accounts(offer, firms, 10, 190)
    with CaptureQueriesContext(connection) as many:
        large = offer_tabulation(offer=offer)
    assert (small.figures.instructions, large.figures.instructions) == (5, 100)

    def reads(captured: CaptureQueriesContext) -> list[str]:
        # The kept lines are inserted in batches, which SQLite keeps under 999 parameters; each
        # kept sum that changed is moved by one UPDATE (counted below).
        return [
            q["sql"]
            for q in captured.captured_queries
            if not q["sql"].startswith(("INSERT", "UPDATE"))
        ]

    def moves(captured: CaptureQueriesContext) -> int:
        return sum(q["sql"].startswith("UPDATE") for q in captured.captured_queries)

    # The fold of the new accounts' lines (their rows read, the old lines and sums taken off),
    # then the offer and its terms, the agent's report, the kept sums by status and by firm,
    # the unanswered, the firms' names: the same queries whatever the number of accounts.
    assert len(reads(many)) == len(reads(few)) <= 26
    # And one UPDATE per kept sum at most, whatever the number of accounts.
    kept = TallyGroup.objects.count() + TallyFirm.objects.count()
    assert moves(few) <= moves(many) <= kept


def test_with_nothing_written_since_the_tabulation_only_adds_up_its_kept_lines(
    offer: ExchangeOffer,
) -> None:
    firms = factories.BrokerFirmFactory.create_batch(2)
    _accounts(offer, firms, 0, 200)
    offer_tabulation(offer=offer)
    with CaptureQueriesContext(connection) as queries:
        offer_tabulation(offer=offer)
    assert not any("tenders_instruction" in q["sql"] for q in queries.captured_queries)
    assert len(queries) <= 12


# Roles


def test_operations_may_view_and_record_agents_totals_but_never_change_one(ops: Any) -> None:
    assert ops.has_perm("notes.view_agentreport") and ops.has_perm("notes.add_agentreport")
    assert not ops.has_perm("notes.change_agentreport")
    assert not ops.has_perm("notes.delete_agentreport")


def test_an_agents_report_is_never_changed(scene: Scene, ops: Any) -> None:
    report = _report(scene.offer, ops, "700000")
    report.source = "something else"
    with pytest.raises(ValueError, match="never changed"):
        report.save()


def test_the_consummate_page_shows_the_agents_total_it_judges_on(
    scene: Scene, ops: Any, ops_client: Client
) -> None:
    _report(scene.offer, ops, "995000")
    changelist = reverse("admin:notes_exchangeoffer_changelist")
    response = ops_client.post(
        changelist, {"action": "consummate", "_selected_action": [scene.offer.pk]}
    )
    page = response.content.decode()
    assert "The exchange agent reports $995,000 tendered for the whole issue: the minimum is " in (
        page
    )
    assert f'href="{page_url(scene.offer)}"' in page
