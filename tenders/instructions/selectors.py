"""Reads about client instructions, and the account list that shows each account with its
latest instruction (its answer to the offer)."""

from decimal import Decimal
from enum import StrEnum

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from notes.models import ExchangeOffer
from tenders.accounts import permissions
from tenders.accounts.models import AccountOwner, ClientAccount, Position
from tenders.accounts.permissions import User
from tenders.domain.lifecycle import LIVE
from tenders.instructions.models import (
    Instruction,
    InstructionChoice,
    InstructionSigner,
    InstructionStatus,
    InstructionTransition,
)


def account_instructions(*, account: ClientAccount, offer: ExchangeOffer) -> QuerySet[Instruction]:
    """Every version of the account's instruction for the offer, newest first, with what the
    history page shows."""
    return (
        Instruction.objects.filter(account=account, offer=offer)
        .select_related("entered_by")
        # Each with its user in the same query: two queries fewer on the account page. Each
        # in its models' order within one instruction: their Meta ordering begins with the
        # instruction's own (firm, account number, offer), whose joins led PostgreSQL to
        # read every instruction at 100,000 accounts (40-90 ms a page).
        .prefetch_related(
            Prefetch(
                "signers",
                queryset=InstructionSigner.objects.select_related("recorded_by").order_by(
                    "owner__sequence"
                ),
            ),
            Prefetch(
                "transitions",
                queryset=InstructionTransition.objects.select_related("by").order_by(
                    "wall_at", "id"
                ),
            ),
        )
        .order_by("-version")
    )


def live_instruction(*, account: ClientAccount, offer: ExchangeOffer) -> Instruction | None:
    """The account's instruction for the offer that counts (received, submitted or accepted):
    at most one, which a database constraint repeats."""
    return (
        Instruction.objects.filter(account=account, offer=offer, status__in=sorted(LIVE))
        .select_related("entered_by")
        # Not the model's ordering: it joins firm, account and offer to sort one row (their
        # planning cost more than the query on every request of the client's page).
        .order_by("-version")
        .first()
    )


# The account list


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
    """The account list, every row with its columns (`with_list_columns`), in a fixed number
    of queries whatever the number of rows. The page cuts `account_keys` first."""
    return with_list_columns(
        account_keys(user=user, offer=offer, search=search, answer=answer), offer=offer
    )


def account_keys(
    *,
    user: User,
    offer: ExchangeOffer,
    search: str = "",
    answer: AnswerFilter | None = None,
) -> QuerySet[ClientAccount]:
    """The accounts the list shows, filtered and in order, without the list's columns: a page
    is cut from these, then `page_with_list_columns` reads the columns of its accounts only
    (cut after, the columns' subqueries ran for every account skipped before the page)."""
    rows = permissions.visible_accounts(user=user, accounts=ClientAccount.objects.all())
    if search.strip():
        term = search.strip()
        # The matching numbers and owners as one UNION subquery: each side is answered by its
        # trigram index on PostgreSQL (migration 0023), where "number LIKE … OR id IN owners"
        # tested the number of every account of the firm. Not a join either: a join repeats
        # an account once per matching owner and needs DISTINCT over every column.
        numbers = ClientAccount.objects.filter(account_number__icontains=term).order_by()
        owners = AccountOwner.objects.filter(name__icontains=term).order_by()
        rows = rows.filter(pk__in=numbers.values("pk").union(owners.values("account_id")))
    # An account has at most one live instruction for the offer, and it is its latest version:
    # "has not answered", "tendered all" and "tendered a stated amount" are (anti-)joins, not
    # a latest-version subquery run for every account of the firm.
    answered = Instruction.objects.filter(account=OuterRef("pk"), offer=offer)
    live = answered.filter(status__in=[s.value for s in LIVE])
    if answer is AnswerFilter.NOT_ANSWERED:
        rows = rows.filter(~Exists(answered))
    elif answer is AnswerFilter.TENDERED_ALL:
        rows = rows.filter(Exists(live.filter(choice=InstructionChoice.ALL)))
    elif answer is AnswerFilter.PARTIAL:
        rows = rows.filter(Exists(live.filter(choice=InstructionChoice.AMOUNT)))
    elif answer is AnswerFilter.WITHDRAWN:
        # Withdrawn and not instructed again: the latest version is the withdrawn one.
        latest_status = Subquery(answered.order_by("-version").values("status")[:1])
        rows = rows.filter(Exists(answered.filter(status=InstructionStatus.WITHDRAWN))).alias(
            latest_status=latest_status
        )
        rows = rows.filter(latest_status=InstructionStatus.WITHDRAWN)
    if permissions.firm_for_user(user=user) is not None:
        # One firm: the (firm, account number) index gives the page without sorting the firm.
        return rows.order_by("account_number")
    return rows.order_by("firm__name", "account_number")


def with_list_columns(
    accounts: QuerySet[ClientAccount], *, offer: ExchangeOffer
) -> QuerySet[ClientAccount]:
    """The list's columns: the firm, the owners, `position` (the Old Notes held) and the
    latest instruction for the offer (`instruction_id`, `_version`, `_status`, `_choice`,
    `_amount`), without the taxpayer ID (encrypted, not shown: 0.2 ms an account)."""
    latest = Instruction.objects.filter(account=OuterRef("pk"), offer=offer).order_by("-version")
    held = Position.objects.filter(account=OuterRef("pk"), security_id=offer.old_security_id)
    return (
        accounts.defer("tin")
        .select_related("firm")
        .prefetch_related(Prefetch("owners", queryset=AccountOwner.objects.order_by("sequence")))
        .annotate(
            position=Coalesce(Subquery(held.values("principal")[:1]), Value(Decimal(0))),
            instruction_id=Subquery(latest.values("pk")[:1]),
            instruction_version=Subquery(latest.values("version")[:1]),
            instruction_status=Subquery(latest.values("status")[:1]),
            instruction_choice=Subquery(latest.values("choice")[:1]),
            instruction_amount=Subquery(latest.values("amount")[:1]),
        )
    )


def page_with_list_columns(
    keys: QuerySet[ClientAccount], page_keys: list[int], *, offer: ExchangeOffer
) -> list[ClientAccount]:
    """One page's accounts (cut from `keys`) with the list's columns, in the keys' order."""
    page = ClientAccount.objects.filter(pk__in=page_keys).order_by(*keys.query.order_by)
    return list(with_list_columns(page, offer=offer))
