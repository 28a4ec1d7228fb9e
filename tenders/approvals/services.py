"""Four eyes: approving or rejecting what one person entered or proposed.

A held instruction (above the firm's threshold, or late) is approved by a supervisor of the
firm, who is not the person who entered it; it then becomes the instruction, through the same
services and rules, received when it was entered. An offer decision is proposed by one
operator (its rules are rehearsed at once, so a refusal comes to the proposer) and carried out
when another approves it. Every step is in the audit trail (simple-history), by both clocks.
"""

from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from exchange_office import clock
from exchange_office.formatting import NEW_YORK, describe_instant, in_new_york, long_date
from exchange_office.tagged import decode, encode
from notes.models import ExchangeOffer, OfferEvent, OfferEventKind
from notes.permissions import may_run_offer
from tenders.accounts import permissions
from tenders.accounts.models import ClientAccount
from tenders.accounts.services import account_reveal_tin
from tenders.approvals.models import (
    ApprovalStatus,
    HeldInstruction,
    Proposal,
    ProposalKind,
)
from tenders.approvals.permissions import may_supervise
from tenders.approvals.policy import needs_second_person, rehearse
from tenders.instructions.models import Instruction, InstructionChannel
from tenders.instructions.services import (
    InstructionInput,
    SecondApproval,
    SignatureInput,
    instruction_amend,
    instruction_submit,
)
from tenders.offers import consummation, lifecycle

# Held instructions


def _decide(row: HeldInstruction | Proposal, status: str, by: User, note: str = "") -> None:
    row.status = status
    row.decided_by = by
    row.decided_at = clock.now()
    row.decided_wall_at = clock.wall_now()
    row.decision_note = note
    row._history_user = by  # type: ignore[union-attr]  # simple-history reads it


def _awaiting_held(held: HeldInstruction) -> HeldInstruction:
    # The account's row first, as every instruction write takes it (one lock order).
    ClientAccount.objects.select_for_update(of=("self",)).get(pk=held.account_id)
    locked = (
        HeldInstruction.objects.select_for_update(of=("self",))
        .select_related("account__firm", "offer", "entered_by", "amends")
        .get(pk=held.pk)
    )
    if locked.status != ApprovalStatus.AWAITING:
        raise ValidationError(
            f"This instruction was already {locked.get_status_display().lower()}."
        )
    return locked


def _require_supervisor(held: HeldInstruction, by: User) -> None:
    permissions.require(
        may_supervise(user=by, account=held.account),
        f"Only a supervisor of {held.account.firm.name} approves its held instructions.",
    )
    if held.entered_by_id == by.pk:
        raise PermissionDenied(
            "You entered this instruction: another supervisor of the firm must approve it."
        )


def _held_input(held: HeldInstruction) -> InstructionInput:
    form = decode(held.data)
    return InstructionInput(
        choice=form["choice"],
        amount=form["amount"],
        form_date=form["form_date"],
        address=form["address"],
        phone=form["phone"],
        tin_type=form["tin_type"],
        tin=held.tin,
        signatures=tuple(SignatureInput(**signature) for signature in form["signatures"]),
        late_reason=form["late_reason"],
    )


def _record_held(held: HeldInstruction, by: User) -> Instruction:
    """The held instruction recorded by the supervisor `by`, as it was entered."""
    approval = SecondApproval(
        received_at=held.entered_at,
        received_wall_at=held.entered_wall_at,
        actor=permissions.actor_for(user=held.entered_by),
        channel=InstructionChannel.PAPER,
        entered_by=held.entered_by,
    )
    data = _held_input(held)
    recorded = (
        instruction_amend(
            instruction=held.amends,
            expected_version=held.amends.version,
            data=data,
            by=by,
            approval=approval,
        )
        if held.amends is not None
        else instruction_submit(
            account=held.account, offer=held.offer, data=data, by=by, approval=approval
        )
    )
    assert isinstance(recorded, Instruction), "an approved instruction is not held again"
    _decide(held, ApprovalStatus.APPROVED, by)
    held.instruction = recorded
    held.save()
    return recorded


def held_instruction_approve(*, held: HeldInstruction, by: User) -> Instruction:
    """The supervisor's approval: the instruction is recorded as entered, received when it was
    entered, with every rule checked again, before the offer expires (as extended). At or after
    that it is marked expired (kept, committed) and the approval refused."""
    with transaction.atomic():
        held = _awaiting_held(held)
        _require_supervisor(held, by)
        # The offer's expiration as it is now: an extension keeps the held instruction open.
        expiration = ExchangeOffer.objects.values_list("expiration", flat=True).get(
            pk=held.offer_id
        )
        if clock.now() < expiration:
            return _record_held(held, by)
        _decide(held, ApprovalStatus.EXPIRED, by, "The offer expired before approval.")
        held.save()
    raise ValidationError(
        f"The offer expired at {describe_instant(expiration)}: this instruction can no longer "
        "be approved."
    )


@transaction.atomic
def held_instruction_reject(*, held: HeldInstruction, by: User, note: str) -> HeldInstruction:
    held = _awaiting_held(held)
    _require_supervisor(held, by)
    if not note.strip():
        raise ValidationError({"note": ["Say why: the representative who entered it sees it."]})
    _decide(held, ApprovalStatus.REJECTED, by, note.strip())
    held.save()
    return held


# Proposals: the offer's decisions and full TIN reveals


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=NEW_YORK)


def _offer_changes_after(offer: ExchangeOffer, since_wall: datetime) -> OfferEvent | None:
    """A change of the offer recorded after `since_wall` (wall clock: the business clock may
    be pinned, and then two steps share one instant)."""
    return (
        OfferEvent.objects.filter(
            offer=offer,
            wall_at__gt=since_wall,
            kind__in=[
                OfferEventKind.EXTENDED,
                OfferEventKind.TERMS_AMENDED,
                OfferEventKind.TERMINATED,
                OfferEventKind.CONSUMMATED,
            ],
        )
        .order_by("wall_at")
        .first()
    )


def _expires_at(kind: str, offer: ExchangeOffer, params: dict[str, Any]) -> datetime:
    """The next deadline that would make the proposal meaningless: an extension must be
    announced by 9:00 a.m. the business day after the expiration (Rule 14e-1(d)), and so must
    a change of the terms that extends; one that does not extend means nothing once the offer
    expired; a consummation on a day, after that day; a reveal, at the end of the business
    day. A termination stays meaningful while the offer is open, expired or not (its
    conditions failed): it lapses only when the offer changes (`_offer_changes_after`), or
    at the latest when the New Notes would mature."""
    if kind == ProposalKind.EXTEND:
        return lifecycle.extension_deadline(offer=offer)
    if kind == ProposalKind.CONSUMMATE:
        return _end_of_day(params["on"])
    if kind == ProposalKind.REVEAL_TIN:
        return _end_of_day(in_new_york(clock.now()).date())
    if kind == ProposalKind.TERMINATE:
        return _end_of_day(offer.new_security.maturity_date)
    if kind == ProposalKind.AMEND_TERMS and params.get("extend_to"):
        return lifecycle.extension_deadline(offer=offer)
    return offer.expiration


def _run(
    proposal_kind: str, offer: ExchangeOffer, params: dict[str, Any], by: User, **kw: Any
) -> str:
    """Carry out an offer decision with its parameters; its outcome in words."""
    if proposal_kind == ProposalKind.EXTEND:
        event = lifecycle.offer_extend(offer=offer, by=by, **params, **kw)
        return f"Extended to {describe_instant(event.offer.expiration)}."
    if proposal_kind == ProposalKind.AMEND_TERMS:
        lifecycle.offer_amend_terms(offer=offer, by=by, **params, **kw)
        return "Terms amended."
    if proposal_kind == ProposalKind.TERMINATE:
        event = lifecycle.offer_terminate(offer=offer, by=by, **params, **kw)
        returned = event.changes.get("returned_instructions", "0")
        return f"Terminated: {returned} instruction(s) returned."
    if proposal_kind == ProposalKind.CONSUMMATE:
        result = consummation.offer_consummate(offer=offer, by=by, **params, **kw)
        return f"Consummated on {long_date(params['on'])}: {result.accepted} accepted."
    raise ValueError(f"not an offer decision: {proposal_kind}")


def _summary(kind: str, params: dict[str, Any]) -> str:
    if kind == ProposalKind.EXTEND:
        return f"Extend the offer to {describe_instant(params['new_expiration'])}."
    if kind == ProposalKind.AMEND_TERMS:
        changed = ", ".join(
            f"{name.replace('_', ' ')} {value}" for name, value in params["changes"].items()
        )
        extend = (
            f"; extend to {describe_instant(params['extend_to'])}"
            if params.get("extend_to")
            else ""
        )
        return f"Amend the terms: {changed}{extend}."
    if kind == ProposalKind.TERMINATE:
        return "Terminate the offer: every live instruction is returned."
    if kind == ProposalKind.CONSUMMATE:
        return f"Consummate the offer on {long_date(params['on'])}."
    return ProposalKind(kind).label


def offer_decision(
    *, kind: str, offer: ExchangeOffer, params: dict[str, Any], by: User
) -> Proposal | str:
    """An operator's decision about the offer: carried out now where no second person is
    needed (its outcome in words), otherwise proposed for another operator to approve."""
    if not needs_second_person(kind):
        return _run(kind, offer, params, by)
    return offer_decision_propose(kind=kind, offer=offer, params=params, by=by)


def offer_decision_agreed(
    *, kind: str, offer: ExchangeOffer, params: dict[str, Any], by: User, approved_by: User
) -> str:
    """A decision two operators agreed on (a scripted replay): proposed by `by` and approved
    by `approved_by` where a second person is needed, else carried out by `by`."""
    done = offer_decision(kind=kind, offer=offer, params=params, by=by)
    if isinstance(done, Proposal):
        return proposal_approve(proposal=done, by=approved_by).outcome
    return done


def offer_decision_propose(
    *, kind: str, offer: ExchangeOffer, params: dict[str, Any], by: User
) -> Proposal:
    """Propose a decision about the offer for another operator to approve (also where no
    second person is required, to ask for one). Its rules are rehearsed first, so a refusal
    comes back now, in the service's words."""
    permissions.require(may_run_offer(user=by), "Only operations staff run the offer.")
    rehearse(lambda: _run(kind, offer, params, by))
    reason = str(params.get("reason", "")).strip() or _summary(kind, params)
    proposal = Proposal(
        kind=kind,
        offer=offer,
        params=encode(params),
        summary=_summary(kind, params),
        reason=reason,
        proposed_by=by,
        proposed_at=clock.now(),
        proposed_wall_at=clock.wall_now(),
        expires_at=_expires_at(kind, offer, params),
    )
    proposal._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    proposal.save()
    return proposal


def _awaiting_proposal(proposal: Proposal) -> Proposal:
    locked = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("offer", "proposed_by", "account")
        .get(pk=proposal.pk)
    )
    if locked.status != ApprovalStatus.AWAITING:
        raise ValidationError(f"This proposal was already {locked.get_status_display().lower()}.")
    return locked


def _may_decide(proposal: Proposal, by: User) -> None:
    allowed = (
        permissions.may_reveal_tin(user=by)
        if proposal.kind == ProposalKind.REVEAL_TIN
        else may_run_offer(user=by)
    )
    permissions.require(allowed, "You may not decide on this proposal.")
    if proposal.proposed_by_id == by.pk:
        raise PermissionDenied("You proposed this: another person must approve it.")


def _lapsed(proposal: Proposal) -> str:
    """Why the proposal can no longer be approved, or "" if it can."""
    if clock.now() >= proposal.expires_at:
        return f"It expired at {describe_instant(proposal.expires_at)}."
    if proposal.kind != ProposalKind.REVEAL_TIN:
        changed = _offer_changes_after(proposal.offer, proposal.proposed_wall_at)
        if changed is not None:
            return (
                f"The offer was {changed.get_kind_display().lower()} after it was proposed: "
                "propose it again."
            )
    return ""


def proposal_approve(*, proposal: Proposal, by: User) -> Proposal:
    """Approve and carry out the proposal (an offer decision), in the approver's name, with
    every rule checked again. One that expired, or was made before the offer changed, is
    marked expired (kept, committed) and the approval refused."""
    with transaction.atomic():
        proposal = _awaiting_proposal(proposal)
        _may_decide(proposal, by)
        lapsed = _lapsed(proposal)
        if not lapsed:
            _decide(proposal, ApprovalStatus.APPROVED, by)
            proposal.save()
            if proposal.kind != ProposalKind.REVEAL_TIN:
                params = decode(proposal.params)
                proposal.outcome = _run(
                    proposal.kind, proposal.offer, params, by, proposal=proposal
                )
                proposal.save(update_fields=["outcome"])
            return proposal
        _decide(proposal, ApprovalStatus.EXPIRED, by, lapsed)
        proposal.save()
    raise ValidationError(lapsed)


@transaction.atomic
def proposal_reject(*, proposal: Proposal, by: User, note: str) -> Proposal:
    proposal = _awaiting_proposal(proposal)
    _may_decide(proposal, by)
    if not note.strip():
        raise ValidationError({"note": ["Say why: the proposer sees it."]})
    _decide(proposal, ApprovalStatus.REJECTED, by, note.strip())
    proposal.save()
    return proposal


# A full TIN, where its reveal needs a second person (TIN_REVEAL_NEEDS_APPROVAL)


def tin_reveal_request(
    *, account: ClientAccount, offer: ExchangeOffer, reason: str, by: User
) -> Proposal:
    permissions.require(permissions.may_reveal_tin(user=by), "You may not reveal taxpayer IDs.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why you need to see the full taxpayer ID."})
    proposal = Proposal(
        kind=ProposalKind.REVEAL_TIN,
        offer=offer,
        account=account,
        summary=f"Reveal the full taxpayer ID of account {account.account_number}.",
        reason=reason.strip(),
        proposed_by=by,
        proposed_at=clock.now(),
        proposed_wall_at=clock.wall_now(),
        expires_at=_expires_at(ProposalKind.REVEAL_TIN, offer, {}),
    )
    proposal._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    proposal.save()
    return proposal


@transaction.atomic
def tin_reveal_with_approval(*, proposal: Proposal, by: User) -> str:
    """The full TIN for the person who asked, once another approved it: once, that day."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("account")
        .get(pk=proposal.pk)
    )
    if (
        proposal.kind != ProposalKind.REVEAL_TIN
        or proposal.proposed_by_id != by.pk
        or proposal.status != ApprovalStatus.APPROVED
        or proposal.used_at is not None
        or clock.now() >= proposal.expires_at
        or proposal.account is None
    ):
        raise PermissionDenied("There is no approved request of yours to see this number.")
    proposal.used_at = clock.now()
    proposal.save(update_fields=["used_at"])
    return account_reveal_tin(
        account=proposal.account,
        by=by,
        reason=f"{proposal.reason} (approved by {proposal.decided_by})",
        approved=True,
    )
