"""Reads about client instructions."""

from django.db.models import QuerySet

from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount
from tenders.domain.lifecycle import LIVE
from tenders.instructions.models import Instruction


def account_instructions(*, account: ClientAccount, offer: ExchangeOffer) -> QuerySet[Instruction]:
    """Every version of the account's instruction for the offer, newest first, with what the
    history page shows."""
    return (
        Instruction.objects.filter(account=account, offer=offer)
        .select_related("entered_by")
        .prefetch_related("signers__recorded_by", "transitions__by")
        .order_by("-version")
    )


def latest_instruction(*, account: ClientAccount, offer: ExchangeOffer) -> Instruction | None:
    return account_instructions(account=account, offer=offer).first()


def live_instruction(*, account: ClientAccount, offer: ExchangeOffer) -> Instruction | None:
    """The account's instruction for the offer that counts (received, submitted or accepted):
    at most one, which a database constraint repeats."""
    return (
        Instruction.objects.filter(account=account, offer=offer, status__in=sorted(LIVE))
        .select_related("entered_by")
        .first()
    )
