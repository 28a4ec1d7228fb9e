"""A firm's cutoff and four-eyes threshold change only with two operators (issue 22, point 3).

Found by an attacker: after Hudson & Broad's cutoff (Friday, Aug 31, 2001, 5:00 p.m.) a
representative's tender was refused; one operator set the firm to "0 banking days, 23:59" in
the admin, and the tender was taken with no late reason and no supervisor. Now the change is a
proposal, with its reason, that another operator approves; one that reopens a passed cutoff
needs the late exception.
"""

import ast
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tenders.accounts.models import BrokerFirm
from tenders.accounts.services import account_set_tin
from tenders.approvals.firm_controls import firm_controls_propose
from tenders.approvals.models import ApprovalStatus, HeldInstruction, Proposal
from tenders.domain.firm_controls import FirmControls
from tenders.intake.services import instruction_submit
from tenders.models import Instruction
from tenders.offers.decisions import proposal_approve
from tests import factories
from tests.tenders.conftest import CUTOFF, NY, ONE_SECOND, make_input

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SEP_1 = datetime(2001, 9, 1, 10, 0, tzinfo=NY)  # the Saturday after the cutoff
LATEST = FirmControls(0, time(23, 59), None)  # the attacker's "0 banking days, 23:59"
REASON = "Client's form arrived by courier at 4:58 p.m. on Aug 31; logged at the desk late."


@pytest.fixture
def ops2(db: None) -> Any:
    return factories.OperationsUserFactory(username="ops2")


def _tender(account: Any, offer: Any, rep: Any) -> Any:
    return instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)


def _refusal(exc: pytest.ExceptionInfo[ValidationError], field: str = NON_FIELD_ERRORS) -> str:
    return " ".join(exc.value.message_dict[field])


# One operator proposes; the firm is unchanged until another approves


def test_a_proposed_cutoff_change_leaves_the_firm_and_the_late_tender_refused(
    firm: Any, offer: Any, account: Any, rep: Any, ops: Any, at: Any
) -> None:
    at(SEP_1)
    firm_controls_propose(firm=firm, after=LATEST, reason=REASON, late_exception=True, by=ops)
    firm.refresh_from_db()
    assert (firm.cutoff_banking_days_before, firm.cutoff_time) == (1, time(17, 0))
    with pytest.raises(ValidationError, match=r"The firm's cutoff passed at 5:00 p\.m\. EDT"):
        _tender(account, offer, rep)


def test_a_second_operators_approval_applies_the_cutoff_change(
    firm: Any, offer: Any, account: Any, rep: Any, ops: Any, ops2: Any, at: Any
) -> None:
    at(SEP_1)
    proposal = firm_controls_propose(
        firm=firm, after=LATEST, reason=REASON, late_exception=True, by=ops
    )
    done = proposal_approve(proposal=proposal, by=ops2)
    firm.refresh_from_db()
    assert (firm.cutoff_banking_days_before, firm.cutoff_time) == (0, time(23, 59))
    assert (done.status, done.decided_by) == (ApprovalStatus.APPROVED, ops2)
    assert isinstance(_tender(account, offer, rep), Instruction)


def test_the_proposer_cannot_approve_their_own_change(firm: Any, ops: Any) -> None:
    proposal = firm_controls_propose(firm=firm, after=LATEST, reason=REASON, by=ops)
    with pytest.raises(PermissionDenied, match="You proposed this"):
        proposal_approve(proposal=proposal, by=ops)
    firm.refresh_from_db()
    assert firm.cutoff_banking_days_before == 1


def test_a_change_without_a_reason_is_refused_and_nothing_is_proposed(firm: Any, ops: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        firm_controls_propose(firm=firm, after=LATEST, reason="  ", by=ops)
    assert "Say why" in _refusal(exc, "reason")
    assert not Proposal.objects.exists()


def test_a_representative_cannot_propose_a_change(firm: Any, rep: Any) -> None:
    with pytest.raises(PermissionDenied, match="Only operations staff"):
        firm_controls_propose(firm=firm, after=LATEST, reason=REASON, by=rep)


def test_a_second_change_waits_for_the_first_to_be_decided(firm: Any, ops: Any, ops2: Any) -> None:
    firm_controls_propose(firm=firm, after=LATEST, reason=REASON, by=ops)
    with pytest.raises(ValidationError) as exc:
        firm_controls_propose(firm=firm, after=LATEST, reason="Once more", by=ops2)
    assert "already awaits approval (proposed by ops" in _refusal(exc)


# Reopening a cutoff that has passed


def test_reopening_a_passed_cutoff_is_refused_without_the_late_exception(
    firm: Any, offer: Any, ops: Any, at: Any
) -> None:
    at(CUTOFF)
    with pytest.raises(ValidationError) as exc:
        firm_controls_propose(firm=firm, after=LATEST, reason=REASON, by=ops)
    assert (
        f"This reopens a cutoff that has passed ({offer.name}: "
        "the firm's cutoff passed at 5:00 p.m. EDT on Friday, August 31, 2001 and would be "
        "11:59 p.m. EDT on Tuesday, September 4, 2001). Only a late exception may do that"
    ) in _refusal(exc, "late_exception")
    assert not Proposal.objects.exists()


def test_a_change_that_would_reopen_the_cutoff_when_approved_is_refused_then(
    firm: Any, offer: Any, ops: Any, ops2: Any, at: Any
) -> None:
    at(CUTOFF - ONE_SECOND)  # proposed in time: it reopens nothing yet
    proposal = firm_controls_propose(firm=firm, after=LATEST, reason=REASON, by=ops)
    at(CUTOFF)
    with pytest.raises(ValidationError, match="It would now reopen a cutoff that has passed"):
        proposal_approve(proposal=proposal, by=ops2)
    proposal.refresh_from_db()
    firm.refresh_from_db()
    assert proposal.status == ApprovalStatus.EXPIRED
    assert firm.cutoff_banking_days_before == 1


def test_an_earlier_cutoff_after_the_cutoff_needs_no_late_exception(
    firm: Any, offer: Any, ops: Any, ops2: Any, at: Any
) -> None:
    at(SEP_1)
    earlier = FirmControls(2, time(12, 0), None)
    proposal = firm_controls_propose(firm=firm, after=earlier, reason="Stricter from now", by=ops)
    assert proposal_approve(proposal=proposal, by=ops2).status == ApprovalStatus.APPROVED


# The threshold: the same two people


@pytest.fixture
def large(firm: Any, offer: Any, ops: Any) -> Any:
    """$2,000,000 held at a firm whose threshold is $1,000,000 (set when it was added)."""
    firm.second_approval_threshold = Decimal("1000000")
    firm.save()
    account = factories.ClientAccountFactory(firm=firm, owners=["Delaware Valley Pension Trust"])
    factories.PositionFactory(
        account=account, security=offer.old_security, principal=Decimal("2000000")
    )
    return account_set_tin(account=account, tin_type="SSN", tin="123-45-6789", by=ops)


def test_a_proposed_threshold_change_leaves_a_large_tender_waiting(
    firm: Any, offer: Any, large: Any, rep: Any, ops: Any
) -> None:
    higher = FirmControls(1, time(17, 0), Decimal("5000000"))
    firm_controls_propose(firm=firm, after=higher, reason="Raised by the risk committee", by=ops)
    firm.refresh_from_db()
    assert firm.second_approval_threshold == Decimal("1000000")
    assert isinstance(_tender(large, offer, rep), HeldInstruction)


def test_a_second_operators_approval_applies_the_threshold_change(
    firm: Any, offer: Any, large: Any, rep: Any, ops: Any, ops2: Any
) -> None:
    higher = FirmControls(1, time(17, 0), Decimal("5000000"))
    proposal = firm_controls_propose(
        firm=firm, after=higher, reason="Raised by the risk committee", by=ops
    )
    done = proposal_approve(proposal=proposal, by=ops2)
    assert done.outcome == (
        "Hudson & Broad Securities LLC: Second approval from above $1,000,000 to above $5,000,000."
    )
    assert isinstance(_tender(large, offer, rep), Instruction)


def test_the_proposer_cannot_approve_their_own_threshold_change(firm: Any, ops: Any) -> None:
    proposal = firm_controls_propose(
        firm=firm, after=FirmControls(1, time(17, 0), Decimal("5000000")), reason="x", by=ops
    )
    with pytest.raises(PermissionDenied, match="You proposed this"):
        proposal_approve(proposal=proposal, by=ops)


def test_a_threshold_of_zero_is_refused_next_to_it(firm: Any, ops: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        firm_controls_propose(
            firm=firm, after=FirmControls(1, time(17, 0), Decimal("0")), reason="x", by=ops
        )
    assert "above zero" in _refusal(exc, "second_approval_threshold")


# The admin


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _firm_form(firm: Any, **changes: str) -> dict[str, str]:
    form = {
        "name": firm.name,
        "dtc_participant_number": firm.dtc_participant_number,
        "address": firm.address,
        "phone": "",
        "email": firm.email,
        "bic": firm.bic,
        "safekeeping_account": firm.safekeeping_account,
        "agent_format": firm.agent_format,
    }
    form.update(changes)
    return form


def test_the_firms_change_form_saves_the_other_fields_but_not_the_cutoff(
    firm: Any, ops: Any, at: Any
) -> None:
    at(SEP_1)
    url = reverse("admin:tenders_brokerfirm_change", args=[firm.pk])
    form = _firm_form(
        firm,
        email="desk@hudsonbroad.example",
        cutoff_banking_days_before="0",
        cutoff_time="23:59",
        second_approval_threshold="",
    )
    _client(ops).post(url, form)
    firm.refresh_from_db()
    assert firm.email == "desk@hudsonbroad.example"
    assert (firm.cutoff_banking_days_before, firm.cutoff_time) == (1, time(17, 0))


def test_operations_propose_on_the_firm_page_and_another_approves_in_proposals(
    firm: Any, ops: Any, ops2: Any
) -> None:
    url = reverse("admin:tenders_brokerfirm_propose_controls", args=[firm.pk])
    form = {
        "cutoff_banking_days_before": "1",
        "cutoff_time": "12:00",
        "second_approval_threshold": "250000",
        "reason": "Four eyes on more of the book",
    }
    page = _client(ops).post(url, form, follow=True).content.decode()
    assert (
        "Proposed: Change Hudson &amp; Broad Securities LLC&#x27;s cutoff from 5:00 p.m. New "
        "York time, 1 banking day before the expiration day to 12:00 p.m. New York time, 1 "
        "banking day before the expiration day; second approval from none to above $250,000."
    ) in page
    firm.refresh_from_db()
    assert firm.second_approval_threshold is None
    proposal = Proposal.objects.get()
    _client(ops2).post(reverse("admin:tenders_proposal_decide", args=[proposal.pk]), {})
    firm.refresh_from_db()
    assert (firm.cutoff_time, firm.second_approval_threshold) == (time(12, 0), Decimal("250000"))


def test_the_firm_list_action_opens_the_proposal_page_for_one_firm(firm: Any, ops: Any) -> None:
    response = _client(ops).post(
        reverse("admin:tenders_brokerfirm_changelist"),
        {"action": "propose_controls_change", "_selected_action": [firm.pk]},
    )
    assert response["Location"] == reverse(
        "admin:tenders_brokerfirm_propose_controls", args=[firm.pk]
    )


def test_a_new_firm_is_added_with_its_cutoff_and_threshold(ops: Any) -> None:
    form = {
        "name": "Wall & Pine Brokerage Inc.",
        "dtc_participant_number": "0777",
        "agent_format": "seev033",
        "cutoff_banking_days_before": "2",
        "cutoff_time": "15:00",
        "second_approval_threshold": "500000",
    }
    _client(ops).post(reverse("admin:tenders_brokerfirm_add"), form)
    added = BrokerFirm.objects.get(dtc_participant_number="0777")
    assert (added.cutoff_banking_days_before, added.second_approval_threshold) == (
        2,
        Decimal("500000"),
    )


def test_a_refused_proposal_says_why_next_to_the_field_and_keeps_what_was_typed(
    firm: Any, offer: Any, ops: Any, at: Any
) -> None:
    at(SEP_1)
    url = reverse("admin:tenders_brokerfirm_propose_controls", args=[firm.pk])
    form = {"cutoff_banking_days_before": "0", "cutoff_time": "23:59", "reason": " "}
    page = _client(ops).post(url, form).content.decode()
    assert '<ul class="errorlist" id="id_late_exception_error"><li>This reopens a cutoff' in page
    assert '<ul class="errorlist" id="id_reason_error"><li>Say why' in page
    assert 'value="23:59"' in page
    assert not Proposal.objects.exists()


def test_the_firms_page_shows_each_change_with_who_when_and_why(
    firm: Any, offer: Any, ops: Any, ops2: Any, at: Any
) -> None:
    at(SEP_1)
    proposal = firm_controls_propose(
        firm=firm, after=LATEST, reason=REASON, late_exception=True, by=ops
    )
    proposal_approve(proposal=proposal, by=ops2)
    page = _client(ops).get(reverse("admin:tenders_brokerfirm_change", args=[firm.pk]))
    text = page.content.decode()
    assert 'data-testid="control-changes"' in text
    assert "Sep 1, 2001, 10:00:00 a.m. EDT<br>ops" in text
    assert "Late exception: change Hudson &amp; Broad" in text
    assert "courier at 4:58 p.m." in text
    assert "Approved by ops2, Sep 1, 2001, 10:00:00 a.m. EDT" in text
    assert "Propose a change of cutoff/threshold…" in text


def test_the_approver_sees_which_passed_cutoff_a_late_exception_reopens(
    firm: Any, offer: Any, ops: Any, ops2: Any, at: Any
) -> None:
    at(SEP_1)
    proposal = firm_controls_propose(
        firm=firm, after=LATEST, reason=REASON, late_exception=True, by=ops
    )
    url = reverse("admin:tenders_proposal_decide", args=[proposal.pk])
    text = _client(ops2).get(url).content.decode()
    assert (
        "It reopens a cutoff that has passed</strong>, as the late exception it was proposed as"
    ) in text
    assert "passed at 5:00 p.m. EDT on Friday, August 31, 2001 and would be 11:59 p.m." in text


# Nothing else writes the controls


CONTROLS = {"cutoff_banking_days_before", "cutoff_time", "second_approval_threshold"}
# The service that applies an approved change; the demo creates its firms with theirs.
MAY_WRITE = {"tenders/approvals/firm_controls.py", "tenders/demo.py"}


def _writes(path: Path) -> list[str]:
    """Where the module assigns a control (`firm.cutoff_time = ...`), passes one by keyword
    (`update(cutoff_time=...)`) or names one as a dict key (`defaults={...}`)."""
    found = []
    tree = ast.parse(path.read_text())
    # Building the value a proposal carries (FirmControls(...)) writes no firm.
    values = {
        id(keyword)
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and ast.unparse(call.func).endswith("FirmControls")
        for keyword in call.keywords
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [t.attr for t in targets if isinstance(t, ast.Attribute)]
        elif isinstance(node, ast.keyword) and node.arg and id(node) not in values:
            found.append(node.arg)
        elif isinstance(node, ast.Dict):
            found += [k.value for k in node.keys if isinstance(k, ast.Constant)]
    return [f"{path.relative_to(ROOT)}: {name}" for name in found if name in CONTROLS]


def test_only_the_firm_controls_service_writes_the_cutoff_and_threshold() -> None:
    writes = [
        write
        for app in ("tenders", "notes", "exchange_office")
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and str(path.relative_to(ROOT)) not in MAY_WRITE
        for write in _writes(path)
    ]
    assert writes == []
