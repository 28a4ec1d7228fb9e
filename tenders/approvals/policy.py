"""Which decisions need a second person (settings), and the check an offer decision makes
before it acts: one that needs a second person runs only from its approved proposal, in the
approver's hands. A proposal is checked by each decision's own `*_check` function before it is
recorded (`tenders.offers.decisions`), never by running the decision and undoing it."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from notes.models import ExchangeOffer
from tenders.accounts.models import BrokerFirm
from tenders.accounts.permissions import tin_reveal_needs_second_person
from tenders.approvals.models import ApprovalStatus, Proposal, ProposalKind


def needs_second_person(kind: str) -> bool:
    """FOUR_EYES_OFFER_ACTIONS (default: all four offer decisions); TIN_REVEAL_NEEDS_APPROVAL
    (default: off) for a full taxpayer ID. A firm's cutoff or threshold always: no setting
    turns off the control on the controls."""
    if kind == ProposalKind.FIRM_CONTROLS:
        return True
    if kind == ProposalKind.REVEAL_TIN:
        return tin_reveal_needs_second_person()
    return kind in settings.FOUR_EYES_OFFER_ACTIONS


def above_threshold(*, firm: BrokerFirm, tendered: Decimal) -> bool:
    """Four eyes on large instructions: a tender above the firm's threshold waits for a
    supervisor of the firm, however it was entered (a firm without one has none)."""
    threshold = firm.second_approval_threshold
    return threshold is not None and tendered > threshold


def require_approved(
    *, kind: str, offer: ExchangeOffer, by: User, proposal: Proposal | None
) -> None:
    """Refuse an offer decision that needs a second person unless it comes from its approved
    proposal, carried out by the person who approved it (never the proposer)."""
    if not needs_second_person(kind):
        return
    label = ProposalKind(kind).label.lower()
    if (
        proposal is None
        or proposal.kind != kind
        or proposal.offer_id != offer.pk
        or proposal.status != ApprovalStatus.APPROVED
        or proposal.decided_by_id != by.pk
        or proposal.proposed_by_id == by.pk
    ):
        raise PermissionDenied(
            f"To {label[0].lower()}{label[1:]}, one operator proposes it and another approves it."
        )


__all__ = ["above_threshold", "needs_second_person", "require_approved"]
