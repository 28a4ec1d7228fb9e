"""A firm's cutoff rule and four-eyes threshold change only with two operators.

They move a deadline or a control: a later cutoff lets a representative take a tender the
firm's own rule refused; a higher threshold (or none) lets a large one count without a
supervisor. So one operator proposes a change, with the reason (`firm_controls_propose`), and
another approves it (`tenders.offers.decisions.proposal_approve`, Admin > Proposals), which
applies it here (`firm_controls_approve`), every rule checked again as of then. Nothing else
writes these fields once the firm exists (tests/tenders/test_firm_controls.py holds the code
to it).

A change that would reopen a cutoff that has passed (make the firm's cutoff for an open offer
later than now when it was not) is refused unless it was proposed as a late exception: the
proposer ticks it and says why, the approver sees it, and the proposal keeps it.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from exchange_office import clock
from exchange_office.formatting import describe_instant, in_new_york
from exchange_office.tagged import decode
from notes.domain.deadlines import CutoffRule, firm_cutoff
from notes.models import ExchangeOffer, OfferStatus
from notes.selectors import offer_calendar
from tenders.accounts import permissions
from tenders.accounts.models import BrokerFirm
from tenders.approvals.models import ApprovalStatus, Proposal, ProposalKind
from tenders.approvals.permissions import may_change_firm_controls
from tenders.approvals.services import (
    end_of_day,
    proposal_awaiting,
    proposal_create,
    proposal_expire,
    proposal_lapsed,
)
from tenders.domain.firm_controls import FirmControls, control_changes, cutoff_reopened

# A standing change of the firm's rule has no deadline of its own: a week keeps a forgotten
# proposal from being approved long after the reason it was made for. A late exception is
# about today.
STANDING_CHANGE_DAYS = 7


def firm_controls_of(firm: BrokerFirm) -> FirmControls:
    return FirmControls(
        cutoff_banking_days_before=firm.cutoff_banking_days_before,
        cutoff_time=firm.cutoff_time,
        second_approval_threshold=firm.second_approval_threshold,
    )


def _encoded(controls: FirmControls) -> dict[str, Any]:
    return {
        "cutoff_banking_days_before": controls.cutoff_banking_days_before,
        "cutoff_time": controls.cutoff_time.isoformat(),  # tagged JSON keeps no time of day
        "second_approval_threshold": controls.second_approval_threshold,
    }


def _decoded(data: dict[str, Any]) -> FirmControls:
    return FirmControls(
        cutoff_banking_days_before=data["cutoff_banking_days_before"],
        cutoff_time=time.fromisoformat(data["cutoff_time"]),
        second_approval_threshold=data["second_approval_threshold"],
    )


def proposed_controls(proposal: Proposal) -> tuple[FirmControls, FirmControls]:
    """The firm's controls when it was proposed, and as proposed."""
    params = decode(proposal.params)
    return _decoded(params["before"]), _decoded(params["after"])


@dataclass(frozen=True, slots=True)
class Reopened:
    """An open offer whose cutoff for the firm has passed and would be ahead again."""

    offer: ExchangeOffer
    passed_at: datetime
    would_be: datetime

    def __str__(self) -> str:
        return (
            f"{self.offer.name}: the firm's cutoff passed at {describe_instant(self.passed_at)} "
            f"and would be {describe_instant(self.would_be)}"
        )


def cutoffs_reopened(*, before: FirmControls, after: FirmControls) -> list[Reopened]:
    """The open offers whose cutoff for the firm the change would reopen, as of now."""
    now = clock.now()
    reopened = []
    old_rule = CutoffRule(before.cutoff_banking_days_before, before.cutoff_time)
    new_rule = CutoffRule(after.cutoff_banking_days_before, after.cutoff_time)
    # A cutoff is never later than the expiration: an expired offer's cannot reopen.
    for offer in ExchangeOffer.objects.filter(status=OfferStatus.OPEN, expiration__gt=now):
        calendar = offer_calendar(offer=offer)
        passed_at = firm_cutoff(offer.expiration, old_rule, calendar)
        would_be = firm_cutoff(offer.expiration, new_rule, calendar)
        if cutoff_reopened(before=passed_at, after=would_be, now=now):
            reopened.append(Reopened(offer=offer, passed_at=passed_at, would_be=would_be))
    return reopened


def _reopens_refusal(reopened: list[Reopened]) -> str:
    return (
        "This reopens a cutoff that has passed ("
        + "; ".join(str(r) for r in reopened)
        + "). Only a late exception may do that: tick it, and say why in the reason."
    )


def firm_controls_change_check(
    *, firm: BrokerFirm, after: FirmControls, reason: str, late_exception: bool
) -> list[str]:
    """Every rule of a proposed change, nothing written: what it changes, in words. Every
    refusal at once, each naming its field (the form's: `reason`, `late_exception`, a
    control's; None: the whole change)."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not reason.strip():
        refuse("reason", "Say why: the approver and the firm's page show it.")
    threshold = after.second_approval_threshold
    if threshold is not None and threshold <= 0:
        refuse(
            "second_approval_threshold",
            "A threshold is a principal amount above zero; leave it blank for no second approval.",
        )
    changes: list[str] = []
    try:
        CutoffRule(after.cutoff_banking_days_before, after.cutoff_time)
    except (TypeError, ValueError) as exc:
        refuse("cutoff_banking_days_before", f"Not a cutoff rule: {exc}.")
    else:
        before = firm_controls_of(firm)
        changes = control_changes(before, after)
        if not changes:
            refuse(NON_FIELD_ERRORS, "These are the firm's cutoff and threshold already.")
        reopened = cutoffs_reopened(before=before, after=after)
        if reopened and not late_exception:
            refuse("late_exception", _reopens_refusal(reopened))
    waiting = (
        Proposal.objects.filter(
            kind=ProposalKind.FIRM_CONTROLS, firm=firm, status=ApprovalStatus.AWAITING
        )
        .select_related("proposed_by")
        .first()
    )
    if waiting is not None:
        refuse(
            NON_FIELD_ERRORS,
            f"A change of this firm's cutoff or threshold already awaits approval (proposed by "
            f"{waiting.proposed_by.get_username()} at {describe_instant(waiting.proposed_at)}): "
            "it is approved or rejected in Admin > Proposals first.",
        )
    if errors:
        raise ValidationError(errors)
    return changes


@transaction.atomic
def firm_controls_propose(
    *,
    firm: BrokerFirm,
    after: FirmControls,
    reason: str,
    late_exception: bool = False,
    by: User,
) -> Proposal:
    """Propose a change of the firm's cutoff rule or threshold for another operator to
    approve; the firm is unchanged until then. Refused at once where the rules refuse it."""
    permissions.require(
        may_change_firm_controls(user=by),
        "Only operations staff propose a change of a firm's cutoff or threshold.",
    )
    # The firm's row is the lock every change of its controls takes first (one lock order).
    firm = BrokerFirm.objects.select_for_update().get(pk=firm.pk)
    changes = firm_controls_change_check(
        firm=firm, after=after, reason=reason, late_exception=late_exception
    )
    today = in_new_york(clock.now()).date()
    expires_on = today if late_exception else today + timedelta(days=STANDING_CHANGE_DAYS)
    exception = "Late exception: change" if late_exception else "Change"
    return proposal_create(
        kind=ProposalKind.FIRM_CONTROLS,
        offer=None,
        firm=firm,
        late_exception=late_exception,
        params={"before": _encoded(firm_controls_of(firm)), "after": _encoded(after)},
        summary=f"{exception} {firm.name}'s " + "; ".join(changes) + ".",
        reason=reason.strip(),
        expires_at=end_of_day(expires_on),
        by=by,
    )


def firm_controls_lapsed(proposal: Proposal, firm: BrokerFirm) -> str:
    """Why a firm's change can no longer be approved, or "" if it can: the firm's controls
    changed after it was proposed, or, not a late exception, it would now reopen a cutoff."""
    before, after = proposed_controls(proposal)
    if firm_controls_of(firm) != before:
        return "The firm's cutoff or threshold changed after it was proposed: propose it again."
    reopened = cutoffs_reopened(before=before, after=after)
    if reopened and not proposal.late_exception:
        return (
            "It would now reopen a cutoff that has passed ("
            + "; ".join(str(r) for r in reopened)
            + "): propose it again as a late exception if that is meant."
        )
    return ""


def firm_controls_approve(*, proposal: Proposal, by: User) -> Proposal:
    """Approve a firm's change and apply it, in the approver's name (never the proposer's),
    every rule checked again as of now. One that lapsed is marked expired (kept, committed)
    and the approval refused with the reason."""
    assert proposal.firm_id is not None, "a firm's change names its firm (a constraint)"
    with transaction.atomic():
        # The firm's row first, as a proposal takes it (one lock order), then the proposal.
        firm = BrokerFirm.objects.select_for_update().get(pk=proposal.firm_id)
        proposal = proposal_awaiting(proposal=proposal, by=by)
        lapsed = proposal_lapsed(proposal) or firm_controls_lapsed(proposal, firm)
        if not lapsed:
            before, after = proposed_controls(proposal)
            firm.cutoff_banking_days_before = after.cutoff_banking_days_before
            firm.cutoff_time = after.cutoff_time
            firm.second_approval_threshold = after.second_approval_threshold
            firm.save(
                update_fields=[
                    "cutoff_banking_days_before",
                    "cutoff_time",
                    "second_approval_threshold",
                ]
            )
            proposal.decide(ApprovalStatus.APPROVED, by=by)
            changed = "; ".join(control_changes(before, after))
            proposal.outcome = f"{firm.name}: {changed[0].upper()}{changed[1:]}."
            proposal.save()
            return proposal
        proposal_expire(proposal=proposal, by=by, lapsed=lapsed)
    raise ValidationError(lapsed)


@dataclass(frozen=True, slots=True)
class FirmChangeNow:
    """What the approver sees before approving: the change, and what it would reopen now."""

    firm: BrokerFirm
    changes: list[str]
    reopened: list[Reopened]
    late_exception: bool


def firm_change_now(proposal: Proposal) -> FirmChangeNow:
    assert proposal.firm is not None, "a firm's change names its firm (a constraint)"
    before, after = proposed_controls(proposal)
    return FirmChangeNow(
        firm=proposal.firm,
        changes=control_changes(before, after),
        reopened=cutoffs_reopened(before=firm_controls_of(proposal.firm), after=after),
        late_exception=proposal.late_exception,
    )
