"""Four eyes (issue 14, item 4): large and late instructions wait for a supervisor of the firm;
the offer's decisions are proposed by one operator and approved by another; a full TIN may
need approval too. Nobody approves their own; proposals expire; every step is audited.

The firm's threshold here is $1,000,000 (the demo's); its cutoff is Aug 31, 2001, 5:00 p.m.;
the offer expires at midnight ending Sep 4, 2001 (an extension must be announced by 9:00 a.m.
on Sep 5, the next business day: Rule 14e-1(d)).
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tenders.accounts.services import account_reveal_tin
from tenders.approvals.models import ApprovalStatus, HeldInstruction, Proposal
from tenders.approvals.services import (
    held_instruction_reject,
    proposal_reject,
    tin_reveal_request,
    tin_reveal_with_approval,
)
from tenders.intake.services import held_instruction_approve, instruction_amend, instruction_submit
from tenders.models import Instruction, InstructionStatus
from tenders.offers.decisions import offer_decision, proposal_approve
from tenders.offers.lifecycle import offer_extend
from tenders.offers.selectors import tabulate
from tests import factories
from tests.tenders.conftest import AUG_20, CUTOFF, EXPIRATION, NY, ONE_SECOND, make_input

pytestmark = pytest.mark.django_db

SEP_17 = datetime(2001, 9, 17, 17, 0, tzinfo=NY)
ALL_FOUR = ["extend", "amend_terms", "terminate", "consummate"]


@pytest.fixture
def four_eyes(settings: Any) -> None:
    settings.FOUR_EYES_OFFER_ACTIONS = ALL_FOUR


@pytest.fixture
def ops2(db: None) -> Any:
    return factories.OperationsUserFactory(username="ops2")


def _supervisor(firm: Any, username: str = "sup") -> Any:
    user = factories.RepresentativeFactory(firm=firm, user__username=username).user
    user.user_permissions.add(Permission.objects.get(codename="supervise_instructions"))
    return type(user).objects.get(pk=user.pk)  # a fresh permission cache


@pytest.fixture
def sup(firm: Any) -> Any:
    return _supervisor(firm)


@pytest.fixture
def large(firm: Any, offer: Any, ops: Any) -> Any:
    """A client holding $2,000,000 at a firm whose threshold is $1,000,000."""
    firm.second_approval_threshold = Decimal("1000000")
    firm.save()
    account = factories.ClientAccountFactory(
        firm=firm, owners=["Delaware Valley Pension Trust"], account_number="HB-100002"
    )
    factories.PositionFactory(
        account=account, security=offer.old_security, principal=Decimal("2000000")
    )
    from tenders.accounts.services import account_set_tin

    return account_set_tin(account=account, tin_type="EIN", tin="13-5550000", by=ops)


def _extend_params() -> dict[str, Any]:
    return {
        "new_expiration": SEP_17,
        "reason": "The minimum is not met",
        "announcement": "Extended to Sep 17, 2001",
    }


# The production default


def test_production_asks_a_second_operator_for_all_four_decisions() -> None:
    import exchange_office.settings as production

    assert production.FOUR_EYES_OFFER_ACTIONS == ALL_FOUR
    assert production.TIN_REVEAL_NEEDS_APPROVAL is False


# Large and late instructions


def test_an_instruction_above_the_threshold_waits_for_a_supervisor(
    large: Any, offer: Any, rep: Any
) -> None:
    held = instruction_submit(
        account=large, offer=offer, data=make_input(large, tin_type="EIN"), by=rep
    )
    assert isinstance(held, HeldInstruction)
    assert held.tendered == Decimal("2000000")
    assert not Instruction.objects.exists()
    assert tabulate(offer=offer).tendered == 0


def test_an_instruction_at_the_threshold_counts_at_once(large: Any, offer: Any, rep: Any) -> None:
    recorded = instruction_submit(
        account=large,
        offer=offer,
        data=make_input(large, tin_type="EIN", choice="AMOUNT", amount=Decimal("1000000")),
        by=rep,
    )
    assert isinstance(recorded, Instruction)


def test_a_firm_without_a_threshold_has_no_second_approval(
    firm: Any, offer: Any, rep: Any, account: Any
) -> None:
    assert firm.second_approval_threshold is None
    assert isinstance(
        instruction_submit(account=account, offer=offer, data=make_input(account), by=rep),
        Instruction,
    )


def test_a_late_instruction_taken_by_operations_waits_for_a_supervisor(
    large: Any, offer: Any, ops: Any, at: Any
) -> None:
    at(CUTOFF + ONE_SECOND)
    held = instruction_submit(
        account=large,
        offer=offer,
        data=make_input(
            large, tin_type="EIN", choice="AMOUNT", amount=Decimal("5000"), late_reason="Mailed"
        ),
        by=ops,
    )
    assert isinstance(held, HeldInstruction)
    assert held.reason == "late"


def test_the_supervisor_approves_and_it_counts_as_received_when_entered(
    large: Any, offer: Any, rep: Any, sup: Any, at: Any
) -> None:
    held = instruction_submit(
        account=large, offer=offer, data=make_input(large, tin_type="EIN"), by=rep
    )
    at(datetime(2001, 8, 21, 9, 0, tzinfo=NY))
    instruction = held_instruction_approve(held=held, by=sup)
    assert instruction.received_at == AUG_20
    assert (instruction.entered_by, instruction.approved_by) == (rep, sup)
    assert instruction.approved_at == datetime(2001, 8, 21, 9, 0, tzinfo=NY)
    held.refresh_from_db()
    assert (held.status, held.instruction) == (ApprovalStatus.APPROVED, instruction)
    assert tabulate(offer=offer).tendered == Decimal("2000000")


def test_an_instruction_entered_before_the_cutoff_may_be_approved_after_it(
    large: Any, offer: Any, rep: Any, sup: Any, at: Any
) -> None:
    at(CUTOFF - ONE_SECOND)
    held = instruction_submit(
        account=large, offer=offer, data=make_input(large, tin_type="EIN"), by=rep
    )
    at(CUTOFF + ONE_SECOND)
    assert held_instruction_approve(held=held, by=sup).status == InstructionStatus.RECEIVED


def test_a_supervisor_does_not_approve_what_they_entered(large: Any, offer: Any, sup: Any) -> None:
    held = instruction_submit(
        account=large, offer=offer, data=make_input(large, tin_type="EIN"), by=sup
    )
    with pytest.raises(PermissionDenied, match="another supervisor of the firm must approve"):
        held_instruction_approve(held=held, by=sup)


def test_a_representative_who_is_not_a_supervisor_cannot_approve(
    large: Any, offer: Any, rep: Any, rep2: Any
) -> None:
    held = instruction_submit(
        account=large, offer=offer, data=make_input(large, tin_type="EIN"), by=rep
    )
    with pytest.raises(PermissionDenied, match="Only a supervisor of"):
        held_instruction_approve(held=held, by=rep2)


def test_another_firms_supervisor_cannot_approve(large: Any, offer: Any, rep: Any) -> None:
    stranger = _supervisor(factories.BrokerFirmFactory(), "sup-elsewhere")
    held = instruction_submit(
        account=large, offer=offer, data=make_input(large, tin_type="EIN"), by=rep
    )
    with pytest.raises(PermissionDenied, match="Only a supervisor of"):
        held_instruction_approve(held=held, by=stranger)


def test_approval_at_the_expiration_is_refused_and_the_hold_expires(
    large: Any, offer: Any, rep: Any, sup: Any, at: Any
) -> None:
    held = instruction_submit(
        account=large, offer=offer, data=make_input(large, tin_type="EIN"), by=rep
    )
    at(EXPIRATION)
    with pytest.raises(ValidationError, match="can no longer be approved"):
        held_instruction_approve(held=held, by=sup)
    held.refresh_from_db()
    assert held.status == ApprovalStatus.EXPIRED
    assert not Instruction.objects.exists()


def test_rejecting_a_held_instruction_needs_a_reason(
    large: Any, offer: Any, rep: Any, sup: Any
) -> None:
    held = instruction_submit(
        account=large, offer=offer, data=make_input(large, tin_type="EIN"), by=rep
    )
    with pytest.raises(ValidationError, match="Say why"):
        held_instruction_reject(held=held, by=sup, note=" ")
    held_instruction_reject(held=held, by=sup, note="Call the client to confirm the amount.")
    held.refresh_from_db()
    assert held.status == ApprovalStatus.REJECTED


def test_nothing_else_is_taken_while_an_instruction_waits(large: Any, offer: Any, rep: Any) -> None:
    instruction_submit(account=large, offer=offer, data=make_input(large, tin_type="EIN"), by=rep)
    with pytest.raises(ValidationError, match="awaits a supervisor's approval"):
        instruction_submit(
            account=large,
            offer=offer,
            data=make_input(large, tin_type="EIN", choice="AMOUNT", amount=Decimal("5000")),
            by=rep,
        )


def test_an_amendment_above_the_threshold_waits_and_the_live_one_stays(
    large: Any, offer: Any, rep: Any, sup: Any
) -> None:
    live = instruction_submit(
        account=large,
        offer=offer,
        data=make_input(large, tin_type="EIN", choice="AMOUNT", amount=Decimal("500000")),
        by=rep,
    )
    assert isinstance(live, Instruction)
    held = instruction_amend(
        instruction=live, expected_version=1, data=make_input(large, tin_type="EIN"), by=rep
    )
    assert isinstance(held, HeldInstruction)
    live.refresh_from_db()
    assert live.status == InstructionStatus.RECEIVED
    amended = held_instruction_approve(held=held, by=sup)
    live.refresh_from_db()
    assert (live.status, amended.version, amended.choice) == ("superseded", 2, "ALL")


def test_the_form_tells_the_representative_it_waits_for_a_supervisor(
    large: Any, offer: Any, rep: Any, sup: Any
) -> None:
    client = Client()
    client.force_login(rep)
    url = reverse("tenders:instruction_new", args=[large.pk])
    form = {
        "choice": "ALL",
        "form_date": "2001-08-18",
        "address": "1201 North Market Street\nWilmington, DE 19801",
        "phone": "+13025550113",
        "tin_type": "EIN",
        "submission_token": "6b1d4b8e-3f1e-4f8b-9e3e-2f0a1d2c3b4a",
        "signers-TOTAL_FORMS": "1",
        "signers-INITIAL_FORMS": "1",
        "signers-0-owner_id": str(large.owners.get().pk),
        "signers-0-typed_name": "Delaware Valley Pension Trust",
        "signers-0-attested": "on",
        "_confirm": "1",
    }
    page = client.post(url, form, follow=True).content.decode()
    assert "Held for a supervisor of" in page
    client.force_login(sup)
    queue = client.get(reverse("tenders:review_queue")).content.decode()
    assert "held-row-HB-100002" in queue
    assert "approve-held-HB-100002" in queue


def _large_form(large: Any, **changes: str) -> dict[str, str]:
    form = {
        "choice": "ALL",
        "form_date": "2001-08-18",
        "address": "1201 North Market Street\nWilmington, DE 19801",
        "phone": "+13025550113",
        "tin_type": "EIN",
        "submission_token": "6b1d4b8e-3f1e-4f8b-9e3e-2f0a1d2c3b4a",
        "signers-TOTAL_FORMS": "1",
        "signers-INITIAL_FORMS": "1",
        "signers-0-owner_id": str(large.owners.get().pk),
        "signers-0-typed_name": "Delaware Valley Pension Trust",
        "signers-0-attested": "on",
    }
    form.update(changes)
    return form


def test_the_review_step_says_it_will_wait_for_a_supervisor_before_it_counts(
    large: Any, offer: Any, rep: Any
) -> None:
    client = Client()
    client.force_login(rep)
    url = reverse("tenders:instruction_new", args=[large.pk])
    page = client.post(url, _large_form(large, _review="1")).content.decode()
    assert "This will wait for a supervisor's approval before it counts." in page
    assert (
        "It tenders $2,000,000, above Hudson &amp; Broad Securities LLC's $1,000,000 "
        "threshold for a second approval."
    ) in page
    assert "Confirm and send for a supervisor's approval" in page


def test_the_review_step_of_an_instruction_under_the_threshold_says_nothing_of_waiting(
    large: Any, offer: Any, rep: Any
) -> None:
    client = Client()
    client.force_login(rep)
    url = reverse("tenders:instruction_new", args=[large.pk])
    form = _large_form(large, _review="1", choice="AMOUNT", amount="500,000")
    page = client.post(url, form).content.decode()
    assert "wait for a supervisor" not in page
    assert "Confirm and record" in page


def test_the_account_list_shows_a_newer_version_held_for_a_supervisor(
    large: Any, offer: Any, rep: Any
) -> None:
    instruction_submit(
        account=large,
        offer=offer,
        data=make_input(large, tin_type="EIN", choice="AMOUNT", amount=Decimal("500000")),
        by=rep,
    )
    held = instruction_amend(
        instruction=Instruction.objects.get(account=large),
        expected_version=1,
        data=make_input(large, tin_type="EIN"),
        by=rep,
    )
    assert isinstance(held, HeldInstruction)
    client = Client()
    client.force_login(rep)
    page = client.get(reverse("tenders:account_list")).content.decode()
    assert 'data-testid="held-HB-100002"' in page
    assert "Awaiting a supervisor</span> a newer version, tendering $2,000,000" in page
    held_instruction_reject(held=held, by=_supervisor(large.firm), note="Ask the client")
    page = client.get(reverse("tenders:account_list")).content.decode()
    assert 'data-testid="held-HB-100002"' not in page  # decided: no longer awaiting


# The offer's decisions


def test_a_decision_needing_a_second_person_is_refused_when_carried_out_directly(
    four_eyes: None, offer: Any, ops: Any
) -> None:
    with pytest.raises(PermissionDenied, match="one operator proposes it and another approves"):
        offer_extend(offer=offer, by=ops, **_extend_params())


def test_proposing_an_extension_changes_nothing_yet(four_eyes: None, offer: Any, ops: Any) -> None:
    before = offer.expiration
    proposal = offer_decision(kind="extend", offer=offer, params=_extend_params(), by=ops)
    assert isinstance(proposal, Proposal)
    offer.refresh_from_db()
    assert offer.expiration == before
    assert proposal.summary == "Extend the offer to 5:00 p.m. EDT on Monday, September 17, 2001."


def test_a_proposal_the_rules_refuse_is_refused_to_the_proposer(
    four_eyes: None, offer: Any, ops: Any
) -> None:
    params = {**_extend_params(), "new_expiration": datetime(2001, 9, 1, 17, 0, tzinfo=NY)}
    with pytest.raises(ValidationError):
        offer_decision(kind="extend", offer=offer, params=params, by=ops)
    assert not Proposal.objects.exists()
    offer.refresh_from_db()
    assert offer.expiration == EXPIRATION


def test_the_proposer_cannot_approve_their_own_proposal(
    four_eyes: None, offer: Any, ops: Any
) -> None:
    proposal = offer_decision(kind="extend", offer=offer, params=_extend_params(), by=ops)
    assert isinstance(proposal, Proposal)
    with pytest.raises(PermissionDenied, match="You proposed this"):
        proposal_approve(proposal=proposal, by=ops)


def test_a_second_operator_approves_and_the_offer_is_extended(
    four_eyes: None, offer: Any, ops: Any, ops2: Any
) -> None:
    proposal = offer_decision(kind="extend", offer=offer, params=_extend_params(), by=ops)
    assert isinstance(proposal, Proposal)
    done = proposal_approve(proposal=proposal, by=ops2)
    offer.refresh_from_db()
    assert offer.expiration == SEP_17
    assert (done.status, done.decided_by) == (ApprovalStatus.APPROVED, ops2)
    assert done.outcome == "Extended to 5:00 p.m. EDT on Monday, September 17, 2001."


def test_a_proposal_expires_at_the_deadline_that_makes_it_meaningless(
    four_eyes: None, offer: Any, ops: Any, ops2: Any, at: Any
) -> None:
    proposal = offer_decision(kind="extend", offer=offer, params=_extend_params(), by=ops)
    assert isinstance(proposal, Proposal)
    assert proposal.expires_at == datetime(2001, 9, 5, 9, 0, tzinfo=NY)
    at(datetime(2001, 9, 5, 9, 0, tzinfo=NY))
    with pytest.raises(ValidationError, match=r"It expired at 9:00 a\.m\. EDT"):
        proposal_approve(proposal=proposal, by=ops2)
    proposal.refresh_from_db()
    assert proposal.status == ApprovalStatus.EXPIRED


def test_a_proposal_made_before_the_offer_changed_is_not_carried_out(
    four_eyes: None, offer: Any, ops: Any, ops2: Any, at: Any
) -> None:
    first = offer_decision(kind="extend", offer=offer, params=_extend_params(), by=ops)
    at(AUG_20 + ONE_SECOND)
    terminate = offer_decision(kind="terminate", offer=offer, params={"reason": "x"}, by=ops)
    assert isinstance(first, Proposal) and isinstance(terminate, Proposal)
    proposal_approve(proposal=first, by=ops2)
    with pytest.raises(ValidationError, match="was extended after it was proposed"):
        proposal_approve(proposal=terminate, by=ops2)


def test_a_rejection_needs_a_note_and_carries_nothing_out(
    four_eyes: None, offer: Any, ops: Any, ops2: Any
) -> None:
    proposal = offer_decision(kind="terminate", offer=offer, params={"reason": "x"}, by=ops)
    assert isinstance(proposal, Proposal)
    with pytest.raises(ValidationError, match="Say why"):
        proposal_reject(proposal=proposal, by=ops2, note="")
    proposal_reject(proposal=proposal, by=ops2, note="The financing is still on.")
    offer.refresh_from_db()
    assert offer.status == "open"


def test_every_proposal_and_decision_is_in_the_audit_trail_by_both_clocks(
    four_eyes: None, offer: Any, ops: Any, ops2: Any
) -> None:
    proposal = offer_decision(kind="extend", offer=offer, params=_extend_params(), by=ops)
    assert isinstance(proposal, Proposal)
    proposal_approve(proposal=proposal, by=ops2)
    rows = list(proposal.history.order_by("history_date"))
    assert [(r.status, r.history_user) for r in rows][:2] == [
        ("awaiting", ops),
        ("approved", ops2),
    ]
    assert all(r.history_business_at == AUG_20 for r in rows)


def test_operations_propose_in_the_admin_and_another_operator_approves(
    four_eyes: None, offer: Any, ops: Any, ops2: Any
) -> None:
    proposer = Client()
    proposer.force_login(ops)
    changelist = reverse("admin:notes_exchangeoffer_changelist")
    response = proposer.post(
        changelist,
        {
            "action": "extend",
            "_selected_action": [offer.pk],
            "_extend": "1",
            "new_expiration_0": "2001-09-17",
            "new_expiration_1": "17:00",
            "reason": "The minimum is not met",
            "announcement": "Extended to Sep 17, 2001",
        },
        follow=True,
    )
    assert "Proposed: Extend the offer to 5:00 p.m. EDT on Monday, September 17" in (
        response.content.decode()
    )
    proposal = Proposal.objects.get()
    own = proposer.post(reverse("admin:tenders_proposal_decide", args=[proposal.pk]), {})
    assert "You proposed this" in own.content.decode()
    # The proposer is not offered buttons that can only be refused.
    page = proposer.get(reverse("admin:tenders_proposal_decide", args=[proposal.pk])).content
    assert b'data-testid="own-proposal"' in page and b"Approve and carry out" not in page
    approver = Client()
    approver.force_login(ops2)
    approver.post(reverse("admin:tenders_proposal_decide", args=[proposal.pk]), {})
    offer.refresh_from_db()
    assert offer.expiration == SEP_17


def test_a_consummation_the_rules_refuse_is_refused_to_the_proposer(
    four_eyes: None, offer: Any, ops: Any, at: Any
) -> None:
    """With nothing tendered the minimum condition is not met: the rehearsal says so now."""
    from datetime import date

    at(datetime(2001, 9, 5, 10, 0, tzinfo=NY))
    with pytest.raises(ValidationError, match="The minimum condition is not met"):
        offer_decision(kind="consummate", offer=offer, params={"on": date(2001, 9, 5)}, by=ops)
    assert not Proposal.objects.exists()


def test_a_termination_is_proposed_then_carried_out_by_the_approver(
    four_eyes: None, offer: Any, account: Any, rep: Any, ops: Any, ops2: Any
) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    proposal = offer_decision(
        kind="terminate", offer=offer, params={"reason": "The financing failed"}, by=ops
    )
    assert isinstance(proposal, Proposal)
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.RECEIVED  # nothing happened yet
    done = proposal_approve(proposal=proposal, by=ops2)
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.RETURNED
    assert done.outcome == "Terminated: 1 instruction(s) returned."


# A full taxpayer ID


@pytest.fixture
def reveal_needs_approval(settings: Any) -> None:
    settings.TIN_REVEAL_NEEDS_APPROVAL = True


def test_with_approval_on_a_full_tin_is_not_shown_directly(
    reveal_needs_approval: None, account: Any, ops: Any
) -> None:
    with pytest.raises(PermissionDenied, match="once another person approves the request"):
        account_reveal_tin(account=account, by=ops, reason="Client asked")


def test_an_approved_request_shows_the_tin_once_to_whoever_asked(
    reveal_needs_approval: None, account: Any, offer: Any, ops: Any
) -> None:
    other = factories.OperationsUserFactory(username="ops-b", reveal_tin=True)
    request = tin_reveal_request(account=account, offer=offer, reason="Client asked", by=ops)
    with pytest.raises(PermissionDenied, match="no approved request"):
        tin_reveal_with_approval(proposal=request, by=ops)
    with pytest.raises(PermissionDenied, match="You proposed this"):
        proposal_approve(proposal=request, by=ops)
    proposal_approve(proposal=request, by=other)
    assert tin_reveal_with_approval(proposal=request, by=ops) == "123-45-6789"
    with pytest.raises(PermissionDenied, match="no approved request"):
        tin_reveal_with_approval(proposal=request, by=ops)


# Found in review


def test_a_held_instruction_may_be_approved_until_the_offer_expires_as_extended(
    large: Any, offer: Any, rep: Any, sup: Any, ops: Any, at: Any
) -> None:
    held = instruction_submit(
        account=large, offer=offer, data=make_input(large, tin_type="EIN"), by=rep
    )
    offer_extend(offer=offer, by=ops, **_extend_params())
    at(datetime(2001, 9, 6, 10, 0, tzinfo=NY))  # after the first expiration, before Sep 17
    from tenders.approvals.selectors import held_for_supervisor

    offer.refresh_from_db()
    assert list(held_for_supervisor(user=sup, offer=offer)) == [held]
    assert held_instruction_approve(held=held, by=sup).received_at == AUG_20


def test_an_expired_offer_can_still_be_terminated_by_two_operators(
    four_eyes: None, offer: Any, ops: Any, ops2: Any, at: Any
) -> None:
    at(EXPIRATION + timedelta(hours=10))
    proposal = offer_decision(
        kind="terminate", offer=offer, params={"reason": "A condition failed"}, by=ops
    )
    assert isinstance(proposal, Proposal)
    assert proposal_approve(proposal=proposal, by=ops2).status == ApprovalStatus.APPROVED
    offer.refresh_from_db()
    assert offer.status == "terminated"
