"""The offer's decisions with four eyes: extend, amend the terms, terminate, consummate.

`offer_decision` is the one entry for an operator's decision: carried out at once where no
second person is needed (FOUR_EYES_OFFER_ACTIONS), otherwise checked by the decision's own
`*_check` function (every rule, nothing written: a refusal reaches the proposer at once) and
recorded as a proposal. `proposal_approve` is the one entry for the second person, in
Admin > Proposals: it records the approval and carries the decision out in the approver's
name, every rule checked again; a firm's change of its cutoff or threshold is applied by
`tenders.approvals.firm_controls`; a TIN reveal is only approved (its requester then sees the
number once, `tenders.approvals.services.tin_reveal`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from exchange_office.formatting import describe_instant, dollars, long_date
from exchange_office.tagged import decode
from notes.models import ExchangeOffer
from notes.permissions import may_run_offer
from tenders.accounts import permissions
from tenders.approvals.firm_controls import firm_controls_approve
from tenders.approvals.models import ApprovalStatus, Proposal, ProposalKind
from tenders.approvals.policy import needs_second_person
from tenders.approvals.services import (
    end_of_day,
    proposal_awaiting,
    proposal_create,
    proposal_expire,
    proposal_lapsed,
)
from tenders.offers import consummation, lifecycle


@dataclass(frozen=True)
class OfferDecision:
    """How one kind of decision is checked, carried out and worded."""

    check: Callable[..., object]  # every rule, nothing written
    run: Callable[..., str]  # carried out (with `proposal=` when approved); the outcome
    summary: Callable[[dict[str, Any]], str]
    expires_at: Callable[[ExchangeOffer, dict[str, Any]], datetime]


def _extended(offer: ExchangeOffer, by: User, **params: Any) -> str:
    event = lifecycle.offer_extend(offer=offer, by=by, **params)
    return f"Extended to {describe_instant(event.offer.expiration)}."


def _amended(offer: ExchangeOffer, by: User, **params: Any) -> str:
    lifecycle.offer_amend_terms(offer=offer, by=by, **params)
    return "Terms amended."


def _terminated(offer: ExchangeOffer, by: User, **params: Any) -> str:
    event = lifecycle.offer_terminate(offer=offer, by=by, **params)
    returned = event.changes.get("returned_instructions", "0")
    return f"Terminated: {returned} instruction(s) returned."


def _consummated(offer: ExchangeOffer, by: User, **params: Any) -> str:
    result = consummation.offer_consummate(offer=offer, by=by, **params)
    notices = (
        ", and payment notices to the holders of untendered notes"
        if result.payment_run is not None
        else ""
    )
    not_accepted = (
        f"; {result.not_accepted} not accepted (the exchange agent did not hold them: their "
        "clients are paid as holders who did not tender)"
        if result.not_accepted
        else ""
    )
    return (
        f"Consummated on {long_date(params['on'])}: {result.accepted} instruction(s) accepted "
        f"for {dollars(result.tendered)}{not_accepted}. The exchange confirmations are being "
        f"issued{notices} (see Bulk runs)."
    )


def _amend_summary(params: dict[str, Any]) -> str:
    changed = ", ".join(
        f"{name.replace('_', ' ')} {value}" for name, value in params["changes"].items()
    )
    extend = (
        f"; extend to {describe_instant(params['extend_to'])}" if params.get("extend_to") else ""
    )
    return f"Amend the terms: {changed}{extend}."


def _amend_expires_at(offer: ExchangeOffer, params: dict[str, Any]) -> datetime:
    # One that extends must be announced like an extension; one that does not extend means
    # nothing once the offer expired.
    if params.get("extend_to"):
        return lifecycle.extension_deadline(offer=offer)
    return offer.expiration


# The next deadline that would make each proposal meaningless: an extension must be announced
# by 9:00 a.m. the business day after the expiration (Rule 14e-1(d)); a consummation on a day,
# after that day. A termination stays meaningful while the offer is open, expired or not (its
# conditions failed): it lapses when the offer changes (`proposal_lapsed`), or at the latest
# when the New Notes would mature.
DECISIONS: dict[str, OfferDecision] = {
    ProposalKind.EXTEND: OfferDecision(
        check=lifecycle.offer_extend_check,
        run=_extended,
        summary=lambda p: f"Extend the offer to {describe_instant(p['new_expiration'])}.",
        expires_at=lambda offer, p: lifecycle.extension_deadline(offer=offer),
    ),
    ProposalKind.AMEND_TERMS: OfferDecision(
        check=lifecycle.offer_amend_terms_check,
        run=_amended,
        summary=_amend_summary,
        expires_at=_amend_expires_at,
    ),
    ProposalKind.TERMINATE: OfferDecision(
        check=lifecycle.offer_terminate_check,
        run=_terminated,
        summary=lambda p: "Terminate the offer: every live instruction is returned.",
        expires_at=lambda offer, p: end_of_day(offer.new_security.maturity_date),
    ),
    ProposalKind.CONSUMMATE: OfferDecision(
        check=consummation.offer_consummate_check,
        run=_consummated,
        summary=lambda p: f"Consummate the offer on {long_date(p['on'])}.",
        expires_at=lambda offer, p: end_of_day(p["on"]),
    ),
}


def _decision(kind: str) -> OfferDecision:
    if kind not in DECISIONS:
        raise ValueError(f"not an offer decision: {kind}")
    return DECISIONS[kind]


def offer_decision(
    *, kind: str, offer: ExchangeOffer, params: dict[str, Any], by: User
) -> Proposal | str:
    """An operator's decision about the offer: carried out now where no second person is
    needed (its outcome in words), otherwise proposed for another operator to approve."""
    if not needs_second_person(kind):
        return _decision(kind).run(offer, by, **params)
    return offer_decision_propose(kind=kind, offer=offer, params=params, by=by)


def offer_decision_propose(
    *, kind: str, offer: ExchangeOffer, params: dict[str, Any], by: User
) -> Proposal:
    """Propose a decision about the offer for another operator to approve (also where no
    second person is required, to ask for one). Its rules are checked first, on the offer as
    it stands, so a refusal comes back now, in the decision's own words."""
    permissions.require(may_run_offer(user=by), "Only operations staff run the offer.")
    decision = _decision(kind)
    offer = ExchangeOffer.objects.get(pk=offer.pk)  # as it stands, not as the caller read it
    decision.check(offer=offer, by=by, **params)
    summary = decision.summary(params)
    return proposal_create(
        kind=kind,
        offer=offer,
        params=params,
        summary=summary,
        reason=str(params.get("reason", "")).strip() or summary,
        expires_at=decision.expires_at(offer, params),
        by=by,
    )


def offer_decision_agreed(
    *, kind: str, offer: ExchangeOffer, params: dict[str, Any], by: User, approved_by: User
) -> str:
    """A decision two operators agreed on (a scripted replay): proposed by `by` and approved
    by `approved_by` where a second person is needed, else carried out by `by`."""
    done = offer_decision(kind=kind, offer=offer, params=params, by=by)
    if isinstance(done, Proposal):
        return proposal_approve(proposal=done, by=approved_by).outcome
    return done


def proposal_approve(*, proposal: Proposal, by: User) -> Proposal:
    """Approve the proposal and carry it out (an offer decision, a firm's change), in the
    approver's name, with every rule checked again. One that expired, or was made before the
    offer changed, is marked expired (kept, committed) and the approval refused."""
    if proposal.kind == ProposalKind.FIRM_CONTROLS:
        return firm_controls_approve(proposal=proposal, by=by)
    with transaction.atomic():
        proposal = proposal_awaiting(proposal=proposal, by=by)
        lapsed = proposal_lapsed(proposal)
        if not lapsed:
            proposal.decide(ApprovalStatus.APPROVED, by=by)
            proposal.save()
            if proposal.offer is not None and proposal.kind != ProposalKind.REVEAL_TIN:
                params = decode(proposal.params)
                proposal.outcome = _decision(proposal.kind).run(
                    proposal.offer, by, **params, proposal=proposal
                )
                proposal.save(update_fields=["outcome"])
            return proposal
        proposal_expire(proposal=proposal, by=by, lapsed=lapsed)
    raise ValidationError(lapsed)
