"""The reconciliation with the exchange agent (issue 21): each instruction classed by its
standing with the agent and the totals per class, the agent's reason for a rejection, the
office's total beside the agent's whole-issue figure, the CSV (the page's rows, no formula),
who may see it, the links to it, and what is left unsent shown from each firm's cutoff on the
admin's index, the tabulation and Submissions to the agent. The scene is in
reconciliation_scene.py."""

import csv
import io
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from exchange_office.formatting import iso_timestamp, timestamp
from exchange_office.spreadsheet import csv_text, safe_cell
from notes.models import ExchangeOffer, OfferStatus
from notes.services import agent_report_record
from tenders.domain.submission import Standing
from tenders.intake.services import instruction_withdraw
from tenders.models import AgentReply
from tenders.submissions.reconciliation import reconciliation, unsent_after_cutoff
from tenders.submissions.services import instructions_submit_to_agent
from tests import factories
from tests.tenders.conftest import CUTOFF, ONE_SECOND, notice_for
from tests.tenders.reconciliation_scene import (
    NOT_SENT,
    REJECTION,
    REJECTION_CODE,
    UNACKNOWLEDGED,
    ReconciliationScene,
    build_scene,
    instruct,
    reply,
    reply_file,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(offer: Any, firm: Any, ops: Any, rep: Any) -> ReconciliationScene:
    return build_scene(offer, firm, ops, rep)


@pytest.fixture
def ops_client(client: Client, ops: Any) -> Client:
    client.force_login(ops)
    return client


def _page_url(scene: ReconciliationScene) -> str:
    return reverse(
        "admin:tenders_agentsubmission_reconciliation", args=[scene.offer.pk, scene.firm.pk]
    )


def _csv_url(scene: ReconciliationScene) -> str:
    return reverse(
        "admin:tenders_agentsubmission_reconciliation_csv", args=[scene.offer.pk, scene.firm.pk]
    )


# The selector


def test_each_instruction_is_counted_in_its_class_with_its_principal(
    scene: ReconciliationScene,
) -> None:
    report = reconciliation(offer=scene.offer, firm=scene.firm)
    totals = {t.standing: (t.count, t.principal) for t in report.totals}
    assert totals == {
        Standing.NOT_SENT: NOT_SENT,
        Standing.UNACKNOWLEDGED: UNACKNOWLEDGED,
        Standing.PENDING: (1, Decimal("90000")),
        Standing.REJECTED: (1, Decimal("80000")),
        Standing.ACCEPTED: (1, Decimal("125000")),
    }
    assert report.participant_total == Decimal("515000")


def test_rows_come_class_by_class_what_is_left_to_do_first(scene: ReconciliationScene) -> None:
    rows = reconciliation(offer=scene.offer, firm=scene.firm).rows
    assert [(r.account_number, r.standing) for r in rows] == [
        ("HB-200006", Standing.NOT_SENT),
        ("HB-200007", Standing.NOT_SENT),
        ("HB-200004", Standing.UNACKNOWLEDGED),
        ("HB-200005", Standing.UNACKNOWLEDGED),
        ("HB-200002", Standing.PENDING),
        ("HB-200003", Standing.REJECTED),
        ("HB-200001", Standing.ACCEPTED),
    ]


def test_the_agents_latest_status_advice_moves_an_instruction(
    scene: ReconciliationScene, ops: Any
) -> None:
    reply(reply_file(scene.offer, ops, "later.xml"), scene.instructions["HB-200002"], "accepted")
    totals = {
        t.standing: t.count for t in reconciliation(offer=scene.offer, firm=scene.firm).totals
    }
    assert (totals[Standing.PENDING], totals[Standing.ACCEPTED]) == (0, 2)


def test_an_instruction_marked_submitted_without_a_file_counts_as_not_sent(
    scene: ReconciliationScene, ops: Any
) -> None:
    instructions_submit_to_agent(
        offer=scene.offer,
        instructions=scene.offer.instructions.filter(pk=scene.instructions["HB-200006"].pk),
        by=ops,
    )
    report = reconciliation(offer=scene.offer, firm=scene.firm)
    assert (report.total(Standing.NOT_SENT).count, report.total(Standing.NOT_SENT).principal) == (
        NOT_SENT
    )


def test_a_withdrawn_instruction_is_not_listed(
    scene: ReconciliationScene, rep: Any, at: Callable
) -> None:
    instruction_withdraw(
        instruction=scene.instructions["HB-200007"],
        notice=notice_for(scene.instructions["HB-200007"]),
        by=rep,
        expected_version=scene.instructions["HB-200007"].version,
    )
    report = reconciliation(offer=scene.offer, firm=scene.firm)
    assert "HB-200007" not in [row.account_number for row in report.rows]
    assert report.total(Standing.NOT_SENT).count == 1


def test_another_firms_instructions_count_in_the_office_total_only(
    scene: ReconciliationScene, offer: Any, ops: Any, rep: Any
) -> None:
    other = factories.BrokerFirmFactory(name="Mercer Street Brokerage")
    other_rep = factories.RepresentativeFactory(firm=other).user
    account = factories.ClientAccountFactory(firm=other, owners=["Mercer Client"])
    factories.PositionFactory(account=account, security=offer.old_security, principal=200000)
    from tenders.accounts.services import account_set_tin

    account = account_set_tin(account=account, tin_type="SSN", tin="123-45-6789", by=ops)
    instruct(offer, account, other_rep, "20000")
    report = reconciliation(offer=offer, firm=scene.firm)
    assert report.participant_total == Decimal("515000")
    assert report.office_total == Decimal("535000")


# The page


def test_a_rejected_instruction_shows_the_agents_reason_code_and_text(
    scene: ReconciliationScene, ops_client: Client
) -> None:
    page = ops_client.get(_page_url(scene)).content.decode()
    rows = page.split('data-testid="rows"', 1)[1]
    row = rows.split('<tr data-standing="rejected">', 1)[1].split("</tr>", 1)[0]
    assert "HB-200003" in row
    assert f"<code>{REJECTION_CODE}</code> {REJECTION}" in row
    assert "Rejected by the agent" in row
    assert "$80,000" in row


def test_the_page_shows_each_class_with_its_count_and_principal(
    scene: ReconciliationScene, ops_client: Client
) -> None:
    page = ops_client.get(_page_url(scene)).content.decode()
    totals = page.split('data-testid="totals"', 1)[1].split("</table>", 1)[0]
    assert (
        '<tr data-standing="not_sent"><th scope="row">Not sent</th><td class="amount">2</td>'
        '<td class="amount">$90,000</td></tr>'
    ) in totals
    assert 'Sent, not acknowledged</th><td class="amount">2</td>' in totals
    assert '<td class="amount">$130,000</td>' in totals


def test_the_agents_figure_is_shown_as_for_the_whole_issue_beside_the_office_total(
    scene: ReconciliationScene, ops: Any, ops_client: Client
) -> None:
    agent_report_record(
        offer=scene.offer,
        tendered_principal=Decimal("26601000"),
        as_of=date(2001, 8, 20),
        source="Wilmington Trust report, by fax",
        by=ops,
    )
    page = ops_client.get(_page_url(scene)).content.decode()
    assert 'data-testid="office-total">$515,000<' in page
    assert 'data-testid="agent-total">$26,601,000<' in page
    assert "Reported by the exchange agent for the whole issue" in page
    assert "The agent's figure is for the whole issue" in page


def test_without_an_agents_report_the_page_says_none_is_recorded(
    scene: ReconciliationScene, ops_client: Client
) -> None:
    page = ops_client.get(_page_url(scene)).content.decode()
    assert 'data-testid="agent-total">none recorded<' in page


def test_the_reconciliation_names_the_offer_and_the_firm_once_in_its_headings(
    scene: ReconciliationScene, ops_client: Client
) -> None:
    page = ops_client.get(_page_url(scene)).content.decode()
    body = page.split('id="content-main"', 1)[1]
    assert escape(str(scene.offer)) not in body  # the subtitle names it, above
    assert escape(scene.firm.name) not in body.split("</p>", 1)[0]  # the title names it


# The CSV


def _csv_rows(client: Client, scene: ReconciliationScene) -> list[dict[str, str]]:
    response = client.get(_csv_url(scene))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_lists_the_pages_rows_in_the_same_order(
    scene: ReconciliationScene, ops_client: Client
) -> None:
    rows = _csv_rows(ops_client, scene)
    page = ops_client.get(_page_url(scene)).content.decode()
    shown = page.split('data-testid="rows"', 1)[1]
    positions = [shown.index(row["account_number"]) for row in rows]
    assert positions == sorted(positions)
    assert len(rows) == 7
    rejected = next(row for row in rows if row["account_number"] == "HB-200003")
    assert rejected["standing"] == "Rejected by the agent"
    assert (rejected["reason_code"], rejected["reason"]) == (REJECTION_CODE, REJECTION)
    assert rejected["principal"] == "80000.00"
    assert rejected["reference"].startswith(scene.firm.dtc_participant_number + "I")
    not_sent = next(row for row in rows if row["account_number"] == "HB-200006")
    assert (not_sent["reference"], not_sent["sent_at"]) == ("", "")


AGENT_WROTE = datetime(2001, 8, 20, 9, 30, tzinfo=ZoneInfo("America/New_York"))


def _agent_wrote_the_rejection_earlier(scene: ReconciliationScene) -> AgentReply:
    # A reply is never changed through the model; the test states when the message says the
    # agent wrote it, apart from when it was imported.
    rejection = AgentReply.objects.get(instruction=scene.instructions["HB-200003"])
    AgentReply.objects.filter(pk=rejection.pk).update(advised_at=AGENT_WROTE)
    return rejection


def test_the_page_says_when_the_agent_wrote_its_answer_with_the_import_time_beside_it(
    scene: ReconciliationScene, ops_client: Client
) -> None:
    rejection = _agent_wrote_the_rejection_earlier(scene)
    page = ops_client.get(_page_url(scene)).content.decode()
    row = page.split('data-testid="rows"', 1)[1].split("HB-200003", 1)[1].split("</tr>", 1)[0]
    assert "Aug 20, 2001, 9:30:00 a.m. EDT" in row
    assert f"imported {timestamp(rejection.business_at)}" in row


def test_the_csv_writes_instants_in_iso_8601_with_when_the_agent_wrote_and_when_imported(
    scene: ReconciliationScene, ops_client: Client
) -> None:
    rejection = _agent_wrote_the_rejection_earlier(scene)
    rows = _csv_rows(ops_client, scene)
    rejected = next(row for row in rows if row["account_number"] == "HB-200003")
    assert rejected["agent_wrote_at"] == "2001-08-20T09:30:00-04:00"
    assert rejected["imported_at"] == iso_timestamp(rejection.business_at)
    iso = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d")
    assert iso.fullmatch(rejected["sent_at"])
    assert iso.fullmatch(rejected["imported_at"])


def test_the_csv_never_writes_a_cell_that_starts_a_formula(
    scene: ReconciliationScene, ops: Any, ops_client: Client
) -> None:
    reply(
        reply_file(scene.offer, ops, "hostile.xml"),
        scene.instructions["HB-200004"],
        "rejected",
        code="=1+1",
        reason='=HYPERLINK("http://evil.example","x")',
    )
    text = ops_client.get(_csv_url(scene)).content.decode()
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells


@pytest.mark.parametrize(
    ("value", "written"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"), ("@A", "'@A"), ("\tx", "'\tx")],
)
def test_a_cell_starting_a_formula_is_written_after_an_apostrophe(value: str, written: str) -> None:
    assert safe_cell(value) == written
    assert csv_text(["a"], [[value]]).splitlines()[1].strip('"') == written


def test_plain_cells_are_written_as_they_are() -> None:
    assert [safe_cell(v) for v in ("HB-100001", 7, None, "0901I12V1")] == [
        "HB-100001",
        "7",
        "",
        "0901I12V1",
    ]


# Who may see it


def test_a_staff_user_outside_operations_may_not_see_the_reconciliation(
    scene: ReconciliationScene, client: Client
) -> None:
    client.force_login(factories.StaffUserFactory(username="helpdesk"))
    assert client.get(_page_url(scene)).status_code == 403
    assert client.get(_csv_url(scene)).status_code == 403


def test_a_representative_is_sent_to_the_admins_login(
    scene: ReconciliationScene, client: Client, rep: Any
) -> None:
    client.force_login(rep)
    for url in (_page_url(scene), _csv_url(scene)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_operations_see_the_reconciliation(scene: ReconciliationScene, ops_client: Client) -> None:
    assert ops_client.get(_page_url(scene)).status_code == 200
    assert ops_client.get(_csv_url(scene)).status_code == 200


# Links


def test_submissions_to_the_agent_and_the_firm_link_to_its_reconciliation(
    scene: ReconciliationScene, ops_client: Client
) -> None:
    url = _page_url(scene)
    submissions = ops_client.get(reverse("admin:tenders_agentsubmission_changelist"))
    assert f'href="{url}"' in submissions.content.decode()
    firms = ops_client.get(reverse("admin:tenders_brokerfirm_changelist"))
    assert f'href="{url}"' in firms.content.decode()
    firm_page = ops_client.get(reverse("admin:tenders_brokerfirm_change", args=[scene.firm.pk]))
    assert f'href="{url}"' in firm_page.content.decode()


# What is left unsent, from each firm's cutoff


PAGES = {
    "index": lambda scene: reverse("admin:index"),
    "tabulation": lambda scene: reverse(
        "admin:notes_exchangeoffer_tabulation", args=[scene.offer.pk]
    ),
    "submissions": lambda scene: reverse("admin:tenders_agentsubmission_changelist"),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_what_is_left_unsent_is_not_shown_before_the_firms_cutoff(
    scene: ReconciliationScene, ops_client: Client, at: Callable, page: str
) -> None:
    at(CUTOFF - ONE_SECOND)
    html = ops_client.get(PAGES[page](scene)).content.decode()
    assert 'data-testid="agent-unsent"' not in html


@pytest.mark.parametrize("page", sorted(PAGES))
def test_what_is_left_unsent_is_shown_per_firm_from_its_cutoff(
    scene: ReconciliationScene, ops_client: Client, at: Callable, page: str
) -> None:
    at(CUTOFF)
    html = ops_client.get(PAGES[page](scene)).content.decode()
    panel = html.split('data-testid="agent-unsent"', 1)[1].split("</section>", 1)[0]
    row = panel.split(f'data-participant="{scene.firm.dtc_participant_number}"', 1)[1]
    row = row.split("</tr>", 1)[0].split("</li>", 1)[0]  # a table's row, or the index's item
    assert 'data-testid="not-sent">2 ($90,000)<' in row
    assert 'data-testid="unacknowledged">2 ($130,000)<' in row
    assert f'href="{_page_url(scene)}"' in row


def test_the_index_panel_is_a_list_that_reads_in_the_index_column(
    scene: ReconciliationScene, ops_client: Client, at: Callable
) -> None:
    # The dashboard's CSS makes a table's header cells 100% wide in the index's column: the
    # firm's name stacked a letter a line (issue 21's user check). The index lists the firms,
    # under their offer named once, each name a link to its reconciliation.
    at(CUTOFF)
    html = ops_client.get(reverse("admin:index")).content.decode()
    panel = html.split('data-testid="agent-unsent"', 1)[1].split("</section>", 1)[0]
    assert "<table" not in panel
    assert panel.count(f"<h3>{scene.offer}</h3>") == 1
    item = panel.split(f'<li data-participant="{scene.firm.dtc_participant_number}"', 1)[1]
    item = item.split("</li>", 1)[0]
    assert f'href="{_page_url(scene)}"' in item
    assert f"{scene.firm.dtc_participant_number} Hudson &amp; Broad" in item
    assert "<strong>Left:</strong>" in item  # in words, not colour alone


def test_a_firm_whose_cutoff_has_not_passed_is_not_listed(
    scene: ReconciliationScene, at: Callable
) -> None:
    late = factories.BrokerFirmFactory(name="Late Firm", cutoff_banking_days_before=0)
    at(CUTOFF)
    firms = [row.firm for row in unsent_after_cutoff()]
    assert scene.firm in firms
    assert late not in firms


def test_staff_outside_operations_do_not_see_the_counts_on_the_index(
    scene: ReconciliationScene, client: Client, at: Callable
) -> None:
    at(CUTOFF)
    client.force_login(factories.StaffUserFactory(username="helpdesk"))
    assert 'data-testid="agent-unsent"' not in client.get(reverse("admin:index")).content.decode()


def test_submissions_to_the_agent_keep_the_reconciliation_links_of_a_consummated_offer(
    scene: ReconciliationScene, ops_client: Client
) -> None:
    # After consummation no offer is open, but each participant's reconciliation and the
    # movements matched stay reachable from Submissions to the agent (issue 21's user check).
    ExchangeOffer.objects.filter(pk=scene.offer.pk).update(
        status=OfferStatus.CONSUMMATED, consummation_date=date(2001, 9, 5)
    )
    html = ops_client.get(reverse("admin:tenders_agentsubmission_changelist")).content.decode()
    section = html.split('data-testid="consummated-offers"', 1)[1].split("</section>", 1)[0]
    assert "consummated September 5, 2001" in section
    assert f'href="{_page_url(scene)}"' in section
    movements = reverse("admin:notes_exchangeoffer_movements", args=[scene.offer.pk])
    assert f'href="{movements}"' in section
