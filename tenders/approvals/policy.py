"""Which decisions need a second person (settings), and the check the services make before
they act: an offer decision that needs one runs only from its approved proposal, in the
approver's hands. Kept apart from the services that approve, which call the lifecycle."""

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from notes.models import ExchangeOffer
from tenders.approvals.models import ApprovalStatus, Proposal, ProposalKind

T = TypeVar("T")

_REHEARSING: contextvars.ContextVar[bool] = contextvars.ContextVar("rehearsing", default=False)


def needs_second_person(kind: str) -> bool:
    """FOUR_EYES_OFFER_ACTIONS (default: all four offer decisions); TIN_REVEAL_NEEDS_APPROVAL
    (default: off) for a full taxpayer ID."""
    if kind == ProposalKind.REVEAL_TIN:
        return bool(settings.TIN_REVEAL_NEEDS_APPROVAL)
    return kind in settings.FOUR_EYES_OFFER_ACTIONS


def require_approved(
    *, kind: str, offer: ExchangeOffer, by: User, proposal: Proposal | None
) -> None:
    """Refuse an offer decision that needs a second person unless it comes from its approved
    proposal, carried out by the person who approved it (never the proposer)."""
    if not needs_second_person(kind) or _REHEARSING.get():
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


class _RolledBack(Exception):
    pass


@contextmanager
def _rehearsing() -> Iterator[None]:
    token = _REHEARSING.set(True)
    try:
        yield
    finally:
        _REHEARSING.reset(token)


def rehearse(action: Callable[[], T]) -> None:
    """Run a decision's service to see whether its rules let it through, and undo it: a
    proposal is refused at once with the service's own words, rather than at its approval.
    Everything it wrote is rolled back, and the work it queued for after the commit is
    dropped with it (Django discards a rolled-back savepoint's on_commit callbacks)."""
    with _rehearsing():
        try:
            with transaction.atomic():
                action()
                raise _RolledBack
        except _RolledBack:
            pass


__all__ = ["needs_second_person", "rehearse", "require_approved"]
