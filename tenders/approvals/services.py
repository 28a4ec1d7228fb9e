"""Four eyes: what one person entered or proposed waits here for a second person.

This concern keeps the waiting rows and the decisions on them; the concern that owns what is
carried out does it: an approved held instruction is recorded by `tenders.intake`, an approved
offer decision is carried out by `tenders.offers.decisions`, a firm's cutoff or threshold is
changed by `tenders.approvals.firm_controls`. A full taxpayer ID, where its
reveal needs a second person, is shown here once the request is approved. Every step is in the
audit trail (simple-history), by both clocks.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from exchange_office import clock
from exchange_office.formatting import NEW_YORK, describe_instant, in_new_york
from exchange_office.tagged import decode, encode
from notes.models import ExchangeOffer, OfferEvent, OfferEventKind
from tenders.accounts import permissions
from tenders.accounts.models import BrokerFirm, ClientAccount
from tenders.accounts.services import account_reveal_tin, accounts_lock
from tenders.approvals.models import (
    ApprovalStatus,
    HeldInstruction,
    HoldReason,
    Proposal,
    ProposalKind,
)
from tenders.approvals.permissions import (
    may_decide_held,
    may_decide_proposal,
    may_make_decision,
    may_supervise,
)
from tenders.approvals.policy import needs_second_person
from tenders.approvals.selectors import approved_tin_reveal
from tenders.instructions.models import Instruction
from tenders.instructions.services import InstructionInput, SignatureInput

# Held instructions


def held_instruction_hold(
    *,
    account: ClientAccount,
    offer: ExchangeOffer,
    reason: HoldReason,
    tendered: Any,
    data: InstructionInput,
    by: User,
    amends: Instruction | None = None,
) -> HeldInstruction:
    """Keep an instruction as entered until a supervisor of the firm approves it: the form's
    values (the typed TIN encrypted apart), received when entered."""
    form = {
        field: getattr(data, field)
        for field in ("choice", "amount", "form_date", "address", "phone", "tin_type")
    }
    form["late_reason"] = data.late_reason
    form["signatures"] = [
        {
            "owner_id": s.owner_id,
            "typed_name": s.typed_name,
            "attested": s.attested,
            "mismatch_reason": s.mismatch_reason,
        }
        for s in data.signatures
    ]
    held = HeldInstruction(
        account=account,
        offer=offer,
        reason=reason,
        tendered=tendered,
        amends=amends,
        data=encode(form),
        tin=data.tin.strip(),
        submission_token=data.submission_token,
        entered_by=by,
        entered_at=clock.now(),
        entered_wall_at=clock.wall_now(),
        expires_at=offer.expiration,
    )
    held._history_user = by  # simple-history reads it
    held.save()
    return held


def held_instruction_awaiting(*, held: HeldInstruction, by: User) -> HeldInstruction:
    """The held instruction locked, still awaiting, and `by` a supervisor of its firm who did
    not enter it; refused otherwise. The account's row is locked first, as every instruction
    write takes it (one lock order). In the caller's transaction."""
    accounts_lock(pk=held.account_id)
    locked = (
        HeldInstruction.objects.select_for_update(of=("self",))
        .select_related("account__firm", "offer", "entered_by", "amends")
        .get(pk=held.pk)
    )
    if locked.status != ApprovalStatus.AWAITING:
        raise ValidationError(
            f"This instruction was already {locked.get_status_display().lower()}."
        )
    if not may_decide_held(user=by, held=locked):
        raise PermissionDenied(
            "You entered this instruction: another supervisor of the firm must approve it."
            if may_supervise(user=by, account=locked.account)
            else f"Only a supervisor of {locked.account.firm.name} approves its held instructions."
        )
    return locked


def held_instruction_input(held: HeldInstruction) -> InstructionInput:
    """The instruction as it was entered, to record it again through the same rules."""
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


@transaction.atomic
def held_instruction_reject(*, held: HeldInstruction, by: User, note: str) -> HeldInstruction:
    held = held_instruction_awaiting(held=held, by=by)
    if not note.strip():
        raise ValidationError({"note": ["Say why: the representative who entered it sees it."]})
    held.decide(ApprovalStatus.REJECTED, by=by, note=note.strip())
    held.save()
    return held


# Proposals: the offer's decisions, a firm's controls and full TIN reveals


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=NEW_YORK)


def proposal_create(
    *,
    kind: str,
    offer: ExchangeOffer | None,
    summary: str,
    reason: str,
    expires_at: datetime,
    by: User,
    params: dict[str, Any] | None = None,
    account: ClientAccount | None = None,
    firm: BrokerFirm | None = None,
    late_exception: bool = False,
) -> Proposal:
    """Record a decision proposed by `by` for another person to approve. The caller has
    checked that `by` may propose it and that its rules let it through (each decision's
    `*_check`), and says when it stops making sense."""
    proposal = Proposal(
        kind=kind,
        offer=offer,
        firm=firm,
        late_exception=late_exception,
        account=account,
        params=encode(params or {}),
        summary=summary,
        reason=reason,
        proposed_by=by,
        proposed_at=clock.now(),
        proposed_wall_at=clock.wall_now(),
        expires_at=expires_at,
    )
    proposal._history_user = by  # simple-history reads it
    proposal.save()
    return proposal


def proposal_awaiting(*, proposal: Proposal, by: User) -> Proposal:
    """The proposal locked, still awaiting, and `by` allowed to decide it (never its
    proposer); refused otherwise. In the caller's transaction."""
    locked = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("offer", "firm", "proposed_by", "account")
        .get(pk=proposal.pk)
    )
    if locked.status != ApprovalStatus.AWAITING:
        raise ValidationError(f"This proposal was already {locked.get_status_display().lower()}.")
    if not may_decide_proposal(user=by, proposal=locked):
        raise PermissionDenied(
            "You proposed this: another person must approve it."
            if may_make_decision(user=by, kind=locked.kind)
            else "You may not decide on this proposal."
        )
    return locked


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


def proposal_lapsed(proposal: Proposal) -> str:
    """Why the proposal can no longer be approved, or "" if it can: it expired, or (an offer
    decision) the offer changed after it was proposed. A firm's change has reasons of its own
    too (`tenders.approvals.firm_controls.firm_controls_lapsed`)."""
    if clock.now() >= proposal.expires_at:
        return f"It expired at {describe_instant(proposal.expires_at)}."
    if proposal.offer is not None and proposal.kind != ProposalKind.REVEAL_TIN:
        changed = _offer_changes_after(proposal.offer, proposal.proposed_wall_at)
        if changed is not None:
            return (
                f"The offer was {changed.get_kind_display().lower()} after it was proposed: "
                "propose it again."
            )
    return ""


def proposal_expire(*, proposal: Proposal, by: User, lapsed: str) -> None:
    """Mark a lapsed proposal expired (`lapsed` says why); the caller commits it, then refuses
    the approval with the same words."""
    proposal.decide(ApprovalStatus.EXPIRED, by=by, note=lapsed)
    proposal.save()


@transaction.atomic
def proposal_reject(*, proposal: Proposal, by: User, note: str) -> Proposal:
    proposal = proposal_awaiting(proposal=proposal, by=by)
    if not note.strip():
        raise ValidationError({"note": ["Say why: the proposer sees it."]})
    proposal.decide(ApprovalStatus.REJECTED, by=by, note=note.strip())
    proposal.save()
    return proposal


# A full TIN


@dataclass(frozen=True, slots=True)
class TinReveal:
    """The answer to "show me the full TIN": the number, or the request recorded for another
    person to approve first (TIN_REVEAL_NEEDS_APPROVAL)."""

    tin: str | None = None
    requested: Proposal | None = None


def tin_reveal(*, account: ClientAccount, offer: ExchangeOffer, reason: str, by: User) -> TinReveal:
    """The one entry for a full TIN. Where no second person is needed, it is shown (and the
    reveal recorded). Where one is, the user's approved request of today shows it once; without
    one, the request is recorded for another person to approve (Admin > Proposals)."""
    if not needs_second_person(ProposalKind.REVEAL_TIN):
        return TinReveal(tin=account_reveal_tin(account=account, by=by, reason=reason))
    approved = approved_tin_reveal(account=account, by=by)
    if approved is not None:
        return TinReveal(tin=tin_reveal_with_approval(proposal=approved, by=by))
    return TinReveal(
        requested=tin_reveal_request(account=account, offer=offer, reason=reason, by=by)
    )


def tin_reveal_request(
    *, account: ClientAccount, offer: ExchangeOffer, reason: str, by: User
) -> Proposal:
    permissions.require(permissions.may_reveal_tin(user=by), "You may not reveal taxpayer IDs.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why you need to see the full taxpayer ID."})
    return proposal_create(
        kind=ProposalKind.REVEAL_TIN,
        offer=offer,
        account=account,
        summary=f"Reveal the full taxpayer ID of account {account.account_number}.",
        reason=reason.strip(),
        # Meaningful for the business day it is asked on.
        expires_at=end_of_day(in_new_york(clock.now()).date()),
        by=by,
    )


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
