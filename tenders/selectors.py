"""Reads for the broker's side, scoped by who asks."""

from decimal import Decimal
from enum import StrEnum

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from notes.models import ExchangeOffer, OfferStatus
from tenders.domain.lifecycle import LIVE
from tenders.models import (
    AccountOwner,
    BrokerFirm,
    ClientAccount,
    Document,
    Instruction,
    InstructionChoice,
    InstructionStatus,
    Position,
    Representative,
)

User = AbstractBaseUser | AnonymousUser


_NO_FIRM = object()


def firm_for_user(*, user: User) -> BrokerFirm | None:
    """The firm a user represents, or None (operations staff, anonymous users). Kept on the
    user object, so a request asks the database once."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_exchange_office_firm", _NO_FIRM)
    if cached is _NO_FIRM:
        membership = Representative.objects.select_related("firm").filter(user=user).first()
        cached = membership.firm if membership else None
        user._exchange_office_firm = cached  # type: ignore[union-attr]
    return cached


def sees_all_firms(*, user: User) -> bool:
    """Operations staff: staff users with no firm who may view client accounts."""
    return bool(
        user.is_authenticated
        and user.is_staff
        and user.has_perm("tenders.view_clientaccount")
        and firm_for_user(user=user) is None
    )


def accounts_for_user(*, user: User) -> QuerySet[ClientAccount]:
    """The accounts a user may see: their firm's, or every firm's for operations staff.
    Any other account is simply not there (a URL with its id answers 404)."""
    accounts = ClientAccount.objects.select_related("firm").prefetch_related(
        Prefetch("owners", queryset=AccountOwner.objects.order_by("sequence"))
    )
    firm = firm_for_user(user=user)
    if firm is not None:
        return accounts.filter(firm=firm)
    if sees_all_firms(user=user):
        return accounts
    return accounts.none()


def current_offer() -> ExchangeOffer | None:
    """The offer the representatives' pages are about: the newest open one, else the newest."""
    offers = ExchangeOffer.objects.select_related("old_security", "new_security")
    return (
        offers.filter(status=OfferStatus.OPEN).order_by("-commencement_date").first()
        or offers.order_by("-commencement_date").first()
    )


class AnswerFilter(StrEnum):
    """How the account list is filtered by the client's answer."""

    NOT_ANSWERED = "not-answered"
    TENDERED_ALL = "all"
    PARTIAL = "partial"
    WITHDRAWN = "withdrawn"


ANSWER_LABELS = {
    AnswerFilter.NOT_ANSWERED: "Has not answered",
    AnswerFilter.TENDERED_ALL: "Tendered all",
    AnswerFilter.PARTIAL: "Tendered a stated amount",
    AnswerFilter.WITHDRAWN: "Withdrawn",
}


def account_rows(
    *,
    user: User,
    offer: ExchangeOffer,
    search: str = "",
    answer: AnswerFilter | None = None,
) -> QuerySet[ClientAccount]:
    """The account list: each account with its position and its latest instruction for the
    offer, in a fixed number of queries whatever the number of rows."""
    latest = Instruction.objects.filter(account=OuterRef("pk"), offer=offer).order_by("-version")
    held = Position.objects.filter(account=OuterRef("pk"), security_id=offer.old_security_id)
    rows = accounts_for_user(user=user).annotate(
        position=Coalesce(Subquery(held.values("principal")[:1]), Value(Decimal(0))),
        instruction_id=Subquery(latest.values("pk")[:1]),
        instruction_version=Subquery(latest.values("version")[:1]),
        instruction_status=Subquery(latest.values("status")[:1]),
        instruction_choice=Subquery(latest.values("choice")[:1]),
        instruction_amount=Subquery(latest.values("amount")[:1]),
    )
    if search.strip():
        term = search.strip()
        rows = rows.filter(
            Q(account_number__icontains=term) | Q(owners__name__icontains=term)
        ).distinct()
    live = [s.value for s in LIVE]
    if answer is AnswerFilter.NOT_ANSWERED:
        rows = rows.filter(instruction_status__isnull=True)
    elif answer is AnswerFilter.TENDERED_ALL:
        rows = rows.filter(instruction_status__in=live, instruction_choice=InstructionChoice.ALL)
    elif answer is AnswerFilter.PARTIAL:
        rows = rows.filter(instruction_status__in=live, instruction_choice=InstructionChoice.AMOUNT)
    elif answer is AnswerFilter.WITHDRAWN:
        rows = rows.filter(instruction_status=InstructionStatus.WITHDRAWN)
    return rows.order_by("firm__name", "account_number")


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


def position_for(*, account: ClientAccount, offer: ExchangeOffer) -> Decimal:
    held = Position.objects.filter(account=account, security_id=offer.old_security_id).first()
    return held.principal if held else Decimal(0)


def account_documents(*, account: ClientAccount, offer: ExchangeOffer) -> QuerySet[Document]:
    """The account's issued documents, newest first, with their e-mails; without the bytes."""
    return (
        Document.objects.filter(instruction__account=account, instruction__offer=offer)
        .select_related("instruction")
        .prefetch_related("messages")
        .defer("content")
        .order_by("-generated_wall_at", "-id")
    )
