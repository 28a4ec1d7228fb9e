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
