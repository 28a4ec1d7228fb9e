"""The tabulation's kept lines and sums read (`tenders.tally`): the figures from the kept sums
(a few dozen rows), the unanswered holders and the chart's history from the lines. Fold the
notes in first (`tenders.tally.services.tally_fold`)."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Case,
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Floor

from notes.models import ExchangeOffer
from tenders.accounts.models import AccountOwner, ClientAccount
from tenders.domain.ledger import to_amount
from tenders.domain.lifecycle import LIVE
from tenders.domain.submission import Standing
from tenders.domain.tabulation import (
    MICROSECOND,
    FirmTotal,
    StatusGroup,
    instant_from_microseconds,
    microseconds_since_epoch,
)
from tenders.tally.models import TallyAccount, TallyFirm, TallyGroup, TallyLine

WARRANT_SCALE = 10  # TallyLine.warrants_exact_e10


def _amount(cents: int | None) -> Decimal:
    return to_amount(int(cents or 0), scale=2)


def status_groups(*, offer: ExchangeOffer) -> tuple[StatusGroup, ...]:
    """The offer's instructions added up by status and whether the agent holds them, from the
    kept sums (a few dozen rows)."""
    sums: dict[tuple[str, bool], list[int]] = {}
    rows = TallyGroup.objects.filter(offer_id=offer.pk).values_list(
        "status",
        "held_by_agent",
        "instructions",
        "tendered_cents",
        "warrants_exact_e10",
        "warrants",
    )
    for status, held, *amounts in rows:
        total = sums.setdefault((status, held), [0, 0, 0, 0])
        for index, amount in enumerate(amounts):
            total[index] += amount
    return tuple(
        StatusGroup(
            status=status,
            held_by_agent=held,
            instructions=instructions,
            tendered=_amount(tendered),
            warrants_exact=Decimal(exact).scaleb(-WARRANT_SCALE),
            warrants=warrants,
        )
        for (status, held), (instructions, tendered, exact, warrants) in sorted(sums.items())
    )


def firm_totals(*, offer: ExchangeOffer) -> tuple[FirmTotal, ...]:
    """The by-firm breakdown, by firm id, from the kept sums."""
    rows = (
        TallyFirm.objects.filter(offer_id=offer.pk)
        .order_by("firm_id")
        .values_list(
            "firm_id",
            "accounts",
            "answered",
            "tendering",
            "held_cents",
            "tendered_cents",
            "not_answered",
            "not_answered_cents",
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


def counted_lines(*, offer: ExchangeOffer) -> int:
    """How many instructions the offer has, from the kept sums."""
    return sum(TallyGroup.objects.filter(offer_id=offer.pk).values_list("instructions", flat=True))


def last_counted_instant(*, offer: ExchangeOffer) -> datetime | None:
    """The latest instant an instruction started or stopped counting, if any did."""
    latest = TallyLine.objects.filter(offer_id=offer.pk).aggregate(
        started=Max("counted_from_us"), stopped=Max("counted_until_us")
    )
    instants = [us for us in latest.values() if us is not None]
    return instant_from_microseconds(max(instants)) if instants else None


def counted_moves(
    *, offer: ExchangeOffer, start: datetime | None = None, step: timedelta | None = None
) -> list[tuple[datetime, Decimal]]:
    """What each instant added to the office's tendered total (tenders that started counting
    then, less those that stopped), in time order: `history_from_moves`' input. With a `step`,
    the instants are taken together in steps from `start` (all those before it in one), each
    step at its last instant: the chart's resolution (`tenders.domain.tabulation.thinned`)."""
    lines = TallyLine.objects.filter(offer_id=offer.pk, counted_from_us__isnull=False)
    changes: dict[int, tuple[int, int]] = {}  # {step or instant: (last instant, cents)}
    for field, sign in (("counted_from_us", 1), ("counted_until_us", -1)):
        moved = lines.filter(**{f"{field}__isnull": False})
        if step is None or start is None:
            rows = (
                moved.values(field)
                .annotate(at=Max(field), cents=Sum("tendered_cents"))
                .values_list(field, "at", "cents")
            )
        else:
            start_us = microseconds_since_epoch(start)
            bucket = Case(
                When(**{f"{field}__lt": start_us}, then=Value(-1)),
                default=Floor((F(field) - Value(start_us)) / Value(step // MICROSECOND)),
                output_field=BigIntegerField(),
            )
            rows = (
                moved.annotate(bucket=bucket)
                .values("bucket")
                .annotate(at=Max(field), cents=Sum("tendered_cents"))
                .values_list("bucket", "at", "cents")
            )
        for key, at, cents in rows:
            last, total = changes.get(int(key), (at, 0))
            changes[int(key)] = (max(last, at), total + sign * int(cents))
    return [
        (instant_from_microseconds(at), _amount(cents))
        for _, (at, cents) in sorted(changes.items())
    ]


def standing_counts(*, offer: ExchangeOffer) -> dict[tuple[int, Standing], tuple[int, Decimal]]:
    """The offer's live instructions added up by firm and standing with the agent, from the
    kept sums: what `tenders.submissions.reconciliation.live_standing_counts` reads from every
    row."""
    sums: dict[tuple[int, Standing], tuple[int, int]] = {}
    rows = TallyGroup.objects.filter(offer_id=offer.pk, status__in=sorted(LIVE)).values_list(
        "firm_id", "standing", "instructions", "tendered_cents"
    )
    for firm, standing, instructions, tendered in rows:
        count, cents = sums.get((firm, Standing(standing)), (0, 0))
        sums[(firm, Standing(standing))] = (count + instructions, cents + tendered)
    return {key: (count, _amount(cents)) for key, (count, cents) in sums.items()}
