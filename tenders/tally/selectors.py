"""The tabulation's kept lines added up (`tenders.tally`): a few grouped queries whatever the
number of accounts. Fold the notes in first (`tenders.tally.services.tally_fold`)."""

from datetime import datetime
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from notes.models import ExchangeOffer
from tenders.accounts.models import AccountOwner, ClientAccount
from tenders.domain.ledger import to_amount
from tenders.domain.lifecycle import LIVE
from tenders.domain.submission import Standing
from tenders.domain.tabulation import FirmTotal, StatusGroup, instant_from_microseconds
from tenders.tally.models import TallyAccount, TallyLine

WARRANT_SCALE = 10  # TallyLine.warrants_exact_e10


def _amount(cents: int | None) -> Decimal:
    return to_amount(int(cents or 0), scale=2)


def status_groups(*, offer: ExchangeOffer) -> tuple[StatusGroup, ...]:
    """The offer's instructions added up by status and whether the agent holds them."""
    rows = (
        TallyLine.objects.filter(offer_id=offer.pk)
        .values("status", "held_by_agent")
        .annotate(
            instructions=Count("instruction_id"),
            tendered=Sum("tendered_cents"),
            exact=Sum("warrants_exact_e10"),
            warrants=Sum("warrants"),
        )
        .order_by("status", "held_by_agent")
        .values_list("status", "held_by_agent", "instructions", "tendered", "exact", "warrants")
    )
    return tuple(
        StatusGroup(
            status=status,
            held_by_agent=held,
            instructions=instructions,
            tendered=_amount(tendered),
            warrants_exact=Decimal(int(exact or 0)).scaleb(-WARRANT_SCALE),
            warrants=int(warrants or 0),
        )
        for status, held, instructions, tendered, exact, warrants in rows
    )


def firm_totals(*, offer: ExchangeOffer) -> tuple[FirmTotal, ...]:
    """The by-firm breakdown, by firm id."""
    unanswered = Q(holds=True, answered=False)
    rows = (
        TallyAccount.objects.filter(offer_id=offer.pk)
        .values("firm_id")
        .annotate(
            accounts=Count("account_id"),
            answered_count=Count("account_id", filter=Q(answered=True)),
            tendering_count=Count("account_id", filter=Q(tendering=True)),
            held=Sum("position_cents", filter=Q(holds=True)),
            tendered=Sum("tendered_cents"),
            not_answered=Count("account_id", filter=unanswered),
            not_answered_principal=Sum("position_cents", filter=unanswered),
        )
        .order_by("firm_id")
        .values_list(
            "firm_id",
            "accounts",
            "answered_count",
            "tendering_count",
            "held",
            "tendered",
            "not_answered",
            "not_answered_principal",
        )
    )
    return tuple(
        FirmTotal(
            firm=firm,
            accounts=accounts,
            answered=answered,
            tendering=tendering,
            held=_amount(held),
            tendered=_amount(tendered),
            not_answered=not_answered,
            not_answered_principal=_amount(principal),
        )
        for firm, accounts, answered, tendering, held, tendered, not_answered, principal in rows
    )


def unanswered_accounts(
    *, offer: ExchangeOffer, limit: int | None = None
) -> QuerySet[TallyAccount, tuple[int, int, int, str, str | None]]:
    """(account id, firm id, position in cents, account number, first owner) of the holders who
    have not answered, largest position first (then by firm and account, as the reference
    orders them); the first `limit` of them, or all."""
    first_owner = (
        AccountOwner.objects.filter(account=OuterRef("account_id"))
        .order_by("sequence")
        .values("name")[:1]
    )
    number = ClientAccount.objects.filter(pk=OuterRef("account_id")).values("account_number")[:1]
    rows = (
        TallyAccount.objects.filter(offer_id=offer.pk, holds=True, answered=False)
        .order_by("-position_cents", "firm_id", "account_id")
        .annotate(number=Subquery(number), client=Subquery(first_owner))
        .values_list("account_id", "firm_id", "position_cents", "number", "client")
    )
    return rows[:limit] if limit is not None else rows


def counted_moves(*, offer: ExchangeOffer) -> list[tuple[datetime, Decimal]]:
    """What each instant added to the office's tendered total (tenders that started counting
    then, less those that stopped), in time order: `history_from_moves`' input."""
    lines = TallyLine.objects.filter(offer_id=offer.pk, counted_from_us__isnull=False)
    changes: dict[int, int] = {}
    started = (
        lines.values("counted_from_us")
        .annotate(cents=Sum("tendered_cents"))
        .values_list("counted_from_us", "cents")
    )
    for at, cents in started:
        if at is not None:  # filtered out above; for the type checker
            changes[at] = changes.get(at, 0) + int(cents)
    stopped = (
        lines.filter(counted_until_us__isnull=False)
        .values("counted_until_us")
        .annotate(cents=Sum("tendered_cents"))
        .values_list("counted_until_us", "cents")
    )
    for at, cents in stopped:
        if at is not None:
            changes[at] = changes.get(at, 0) - int(cents)
    return [(instant_from_microseconds(at), _amount(changes[at])) for at in sorted(changes)]


def standing_counts(*, offer: ExchangeOffer) -> dict[tuple[int, Standing], tuple[int, Decimal]]:
    """The offer's live instructions added up by firm and standing with the agent: what
    `tenders.submissions.reconciliation.live_standing_counts` reads from every row."""
    rows = (
        TallyLine.objects.filter(offer_id=offer.pk, status__in=sorted(LIVE))
        .values("firm_id", "standing")
        .annotate(instructions=Count("instruction_id"), tendered=Sum("tendered_cents"))
        .order_by("firm_id", "standing")
        .values_list("firm_id", "standing", "instructions", "tendered")
    )
    return {
        (firm, Standing(standing)): (instructions, _amount(tendered))
        for firm, standing, instructions, tendered in rows
    }
