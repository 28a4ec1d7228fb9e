"""Consummation accepts what the exchange agent holds (issue 21): an instruction sent and not
rejected is accepted; one never sent, or rejected by the agent, becomes "not accepted", and
its client is told and paid as a holder who did not tender. The minimum condition is judged
on the agent's latest reported total where there is one, else on the office's held total.

The scene is tests/tenders/agent_scene.py's. Figures worked by hand from domain.md: on a
Sep 5, 2001 consummation, $1,000 of Old Notes not tendered is paid $1,267.04 (754 days of
12.75% 30/360 = $267.04 accrued), so Whitfield's $125,000 is paid 125 x $1,267.04 =
$158,380.00 and Kim's $90,000 is paid 90 x $1,267.04 = $114,033.60.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from notes.models import ExchangeOffer
from notes.services import agent_report_record
from tenders.approvals.models import ProposalKind
from tenders.models import (
    DocumentKind,
    DocumentSnapshot,
    Instruction,
    InstructionStatus,
    InstructionTransition,
)
from tenders.notices.selectors import nontender_report
from tenders.offers.consummation import offer_consummate
from tenders.offers.decisions import offer_decision_propose
from tests.tenders.agent_scene import SEP_5, SEP_5_MORNING, AgentScene, set_the_agent_scene
from tests.tenders.conftest import send_to_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(offer, firm, rep, ops, account) -> AgentScene:
    return set_the_agent_scene(offer, firm, rep, ops, account)


def _report(scene: AgentScene, ops: Any, principal: str) -> None:
    agent_report_record(
        offer=scene.offer,
        tendered_principal=Decimal(principal),
        as_of=SEP_5,
        source="Wilmington Trust tender report, by fax (invented for the test)",
        by=ops,
    )


def _consummate(scene: AgentScene, ops: Any, at: Any, capture: Any, report: str = "600000"):
    at(SEP_5_MORNING)
    _report(scene, ops, report)
    mail.outbox.clear()
    with capture(execute=True):
        return offer_consummate(offer=scene.offer, on=SEP_5, by=ops)


def _status(instruction: Instruction) -> str:
    return Instruction.objects.get(pk=instruction.pk).status


def _body(subject_start: str, to: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [to] and m.subject.startswith(subject_start)]
    return " ".join(message.body.split())


def test_instructions_the_agent_holds_are_accepted_the_others_are_not(
    scene, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    result = _consummate(scene, ops, at, django_capture_on_commit_callbacks)
    assert (result.accepted, result.tendered, result.not_accepted) == (2, Decimal("410000"), 2)
    assert _status(scene.ferris) == InstructionStatus.ACCEPTED  # sent, accepted by the agent
    assert _status(scene.young) == InstructionStatus.ACCEPTED  # sent, not acknowledged: held
    assert _status(scene.kim) == InstructionStatus.NOT_ACCEPTED  # rejected
    assert _status(scene.whitfield) == InstructionStatus.NOT_ACCEPTED  # never sent


def test_an_instruction_never_sent_is_not_accepted_and_its_client_is_told_and_paid_as_not_tendered(
    scene, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    _consummate(scene, ops, at, django_capture_on_commit_callbacks)
    transition = InstructionTransition.objects.get(
        instruction=scene.whitfield, to_status=InstructionStatus.NOT_ACCEPTED
    )
    assert transition.reason == (
        "Not accepted on consummation 2001-09-05: never sent to the exchange agent."
    )
    body = _body("Payment notice", scene.accounts["whitfield"].email)
    assert (
        "Your instruction (version 1) was not accepted when the offer was consummated: the "
        "exchange agent did not hold it (never sent to the exchange agent)." in body
    )
    assert "The $125,000 of Old Notes held for your account were therefore not tendered" in body
    assert "on September 5, 2001 we pay $158,380.00 into your account" in body
    assert "($125,000 principal plus $33,380.00 accrued interest, 125 x $1,267.04)" in body


def test_a_rejected_instruction_is_not_accepted_with_the_agents_reason(
    scene, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    _consummate(scene, ops, at, django_capture_on_commit_callbacks)
    reference = scene.kim.agent_submission_items.get().reference
    transition = InstructionTransition.objects.get(
        instruction=scene.kim, to_status=InstructionStatus.NOT_ACCEPTED
    )
    assert transition.reason == (
        f"Not accepted on consummation 2001-09-05: rejected by the exchange agent "
        f"({reference}): SAFE Safekeeping account unknown."
    )
    body = _body("Payment notice", scene.accounts["kim"].email)
    assert "SAFE Safekeeping account unknown" in body
    assert "we pay $114,033.60 into your account" in body


def test_the_payment_notices_count_the_principal_of_instructions_not_accepted(
    scene, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    _consummate(scene, ops, at, django_capture_on_commit_callbacks)
    report = nontender_report(offer=scene.offer)
    rows = {row.account_number: row for row in report.rows}
    assert {number: (row.untendered, row.payout) for number, row in rows.items()} == {
        "HB-100003": (Decimal("125000"), Decimal("158380.00")),  # never sent
        "HB-100007": (Decimal("80000"), Decimal("101363.20")),  # the rest of $400,000 of $480,000
        "HB-100021": (Decimal("90000"), Decimal("114033.60")),  # rejected
    }
    assert rows["HB-100003"].instruction_status_label == "Not accepted on consummation"
    assert report.total_payout == Decimal("373776.80")  # 295 x $1,267.04


def test_the_minimum_is_judged_on_the_agents_report_when_lower_than_the_offices(
    scene, ops, at
) -> None:
    send_to_agent(scene.offer, ops)  # Whitfield too: the office holds $535,000 at the agent
    at(SEP_5_MORNING)
    _report(scene, ops, "480000")
    with pytest.raises(ValidationError) as exc:
        offer_consummate(offer=scene.offer, on=SEP_5, by=ops)
    assert (
        "The minimum condition is not met: $480,000 as the exchange agent reports for the whole "
        "issue (78.69%; the office's clients: $535,000 tendered and held by the exchange agent), "
        "$488,000 required." in exc.value.messages
    )
    assert _status(scene.ferris) == InstructionStatus.SUBMITTED


def test_without_a_report_the_minimum_is_judged_on_the_offices_held_total(scene, ops, at) -> None:
    at(SEP_5_MORNING)
    with pytest.raises(ValidationError) as exc:
        offer_consummate(offer=scene.offer, on=SEP_5, by=ops)
    assert (
        "The minimum condition is not met: $410,000 tendered (67.21%), $488,000 required, "
        "counting what the exchange agent holds: $215,000 more the office took was never sent "
        "to the agent or was rejected by it." in exc.value.messages
    )


def test_without_a_report_what_the_agent_holds_can_meet_the_minimum(
    scene, ops, at, fake_pdf
) -> None:
    send_to_agent(scene.offer, ops)  # Whitfield's $125,000: $535,000 held, $488,000 needed
    at(SEP_5_MORNING)
    result = offer_consummate(offer=scene.offer, on=SEP_5, by=ops)
    assert (result.accepted, result.tendered, result.not_accepted) == (3, Decimal("535000"), 1)


def test_the_consummation_page_lists_the_exceptions_before_the_operator_confirms(
    scene, ops, at, client, django_user_model
) -> None:
    at(SEP_5_MORNING)
    _report(scene, ops, "600000")
    client.force_login(django_user_model.objects.create_superuser("boss", password="x"))
    changelist = reverse("admin:notes_exchangeoffer_changelist")
    page = client.post(
        changelist, {"action": "consummate", "_selected_action": [scene.offer.pk]}
    ).content.decode()
    reference = scene.kim.agent_submission_items.get().reference
    rows = " ".join(page.split("consummation-exceptions", 1)[1].split("</table>", 1)[0].split())
    assert (
        "<td>HB-100003</td><td>1</td><td>$125,000</td><td>Not sent</td>"
        "<td><strong>Not accepted</strong>: paid as not tendered</td>" in rows
    )
    assert (
        f"<td>HB-100021</td><td>1</td><td>$90,000</td><td>Rejected by the agent ({reference}): "
        "SAFE Safekeeping account unknown</td><td><strong>Not accepted</strong>" in rows
    )
    assert "<td>HB-100022</td><td>1</td><td>$10,000</td><td>Sent, not acknowledged" in rows
    assert "Accepted (sent and not rejected): check with the agent" in rows
    assert "HB-100007" not in rows  # accepted by the agent: no exception
    assert "2 instructions for $215,000 will not be accepted." in page
    assert "$410,000 tendered by 2 instructions (67.21% of $610,000), held by the exchange " in (
        " ".join(page.split())
    )
    assert ExchangeOffer.objects.get(pk=scene.offer.pk).status == "open"  # nothing done yet


def test_the_approval_page_of_a_consummation_lists_the_exceptions_the_proposer_saw(
    scene, ops, at, client, django_user_model
) -> None:
    # The second operator approves a consummation: they see what will not be accepted, as the
    # consummation page showed the first (issue 21's user check: the page said only "Consummate
    # the offer on September 5, 2001").
    at(SEP_5_MORNING)
    _report(scene, ops, "600000")
    proposal = offer_decision_propose(
        kind=ProposalKind.CONSUMMATE, offer=scene.offer, params={"on": SEP_5}, by=ops
    )
    client.force_login(django_user_model.objects.create_superuser("boss", password="x"))
    page = client.get(reverse("admin:tenders_proposal_decide", args=[proposal.pk]))
    html = page.content.decode()
    reference = scene.kim.agent_submission_items.get().reference
    rows = " ".join(html.split("consummation-exceptions", 1)[1].split("</table>", 1)[0].split())
    assert "<td>HB-100003</td><td>1</td><td>$125,000</td><td>Not sent</td>" in rows
    assert (
        f"<td>HB-100021</td><td>1</td><td>$90,000</td><td>Rejected by the agent ({reference}): "
        "SAFE Safekeeping account unknown</td><td><strong>Not accepted</strong>" in rows
    )
    assert "<td>HB-100022</td><td>1</td><td>$10,000</td><td>Sent, not acknowledged" in rows
    assert "2 instructions for $215,000 will not be accepted." in html
    assert 'data-testid="approve-proposal"' in html  # the exceptions come before the button
    assert html.index("consummation-exceptions") < html.index('data-testid="approve-proposal"')


def test_the_consummation_page_says_in_plain_english_that_the_agent_has_not_reported(
    scene, ops, at, client, django_user_model
) -> None:
    at(SEP_5_MORNING)
    client.force_login(django_user_model.objects.create_superuser("boss", password="x"))
    changelist = reverse("admin:notes_exchangeoffer_changelist")
    page = client.post(
        changelist, {"action": "consummate", "_selected_action": [scene.offer.pk]}
    ).content.decode()
    assert "The exchange agent has not reported a total for the issue" in page
    assert "No report of the exchange agent's is recorded" not in page


def test_the_approval_page_of_another_decision_shows_no_tabulation(
    scene, ops, at, client, django_user_model
) -> None:
    proposal = offer_decision_propose(
        kind=ProposalKind.EXTEND,
        offer=scene.offer,
        params={
            "new_expiration": scene.offer.expiration + timedelta(days=7),
            "reason": "The minimum is not met",
            "announcement": "Extended by a week",
        },
        by=ops,
    )
    client.force_login(django_user_model.objects.create_superuser("boss", password="x"))
    html = client.get(reverse("admin:tenders_proposal_decide", args=[proposal.pk])).content
    assert b"consummation-exceptions" not in html


@pytest.mark.slow
def test_the_payment_notice_pdf_says_the_instruction_was_not_accepted_and_why(
    scene, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    from tenders.documents import rendering
    from tests.tenders.test_pdf import read_back

    _consummate(scene, ops, at, django_capture_on_commit_callbacks)
    snapshot = DocumentSnapshot.objects.get(
        kind=DocumentKind.PAYMENT_NOTICE, account=scene.accounts["whitfield"]
    )
    text = " ".join(
        read_back(rendering.render_snapshot(snapshot, document_number="TEST-P-1")).text.split()
    )
    assert (
        "Your instruction (version 1) was not accepted when the offer was consummated: the "
        "exchange agent did not hold it (never sent to the exchange agent)." in text
    )
    assert "None: your instruction was not accepted on consummation" in text
    assert "we pay you $158,380.00" in text
