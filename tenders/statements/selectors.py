"""Reads for account statements: what a client's ledger account held at the start and the end
of a calendar quarter, and each movement in it, from the books (`tenders.ledger`). Only the
legs of the client's own ledger account are read: a statement shows what the firm holds for
the client, by business date (`posted_on`), whatever day the entry was recorded."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Min, QuerySet

from tenders.accounts.models import ClientAccount
from tenders.domain.statements import quarter_bounds, quarter_of
from tenders.ledger.models import Asset, AssetKind, LedgerAccount, Leg


@dataclass(frozen=True, slots=True)
class PositionLine:
    """A security held for the client: its opening and closing quantity in the period
    (dollars of principal, or whole warrants)."""

    asset: Asset
    opening: Decimal
    closing: Decimal


@dataclass(frozen=True, slots=True)
class MovementLine:
    """One leg of the client's ledger account in the period: what it received (+) or gave."""

    posted_on: date
    entry_id: int
    description: str
    asset: Asset
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class StatementLines:
    """An account's statement for a quarter: the securities held (opening and closing), the
    movements of securities, and the cash received, with its total."""

    period: str
    first_day: date
    last_day: date
    positions: list[PositionLine]
    movements: list[MovementLine]
    cash: list[MovementLine]

    @property
    def cash_total(self) -> Decimal:
        return sum((line.quantity for line in self.cash), Decimal("0.00"))


def _order(asset: Asset, old_first: tuple[int | None, ...]) -> tuple[int, int, str]:
    """Notes before warrants; among notes, the securities named in `old_first` first (the
    offer's Old Notes, then its New Notes), the others by CUSIP."""
    kind = 0 if asset.kind == AssetKind.NOTES else 1
    rank = old_first.index(asset.security_id) if asset.security_id in old_first else 9
    return kind, rank, asset.code


def statement_lines(
    *, account: ClientAccount, period: str, securities_order: tuple[int | None, ...] = ()
) -> StatementLines:
    """The statement of `account` for `period` ("2001Q4"): InvalidPeriod if it is not one.
    `securities_order`: the security ids listed first, in this order (the offer's Old and New
    Notes)."""
    first, last = quarter_bounds(period)
    ledger = LedgerAccount.objects.filter(client_account=account).first()
    legs = Leg.objects.filter(account=ledger).select_related("entry", "asset")
    # One read of everything up to the period's end: a client account has few legs.
    before: dict[int, int] = defaultdict(int)
    after: dict[int, int] = defaultdict(int)
    assets: dict[int, Asset] = {}
    movements: list[MovementLine] = []
    cash: list[MovementLine] = []
    rows = (
        legs.filter(entry__posted_on__lte=last).order_by("entry__posted_on", "entry_id", "id")
        if ledger is not None
        else []
    )
    for leg in rows:
        assets[leg.asset_id] = leg.asset
        after[leg.asset_id] += leg.quantity
        if leg.entry.posted_on < first:
            before[leg.asset_id] += leg.quantity
            continue
        line = MovementLine(
            posted_on=leg.entry.posted_on,
            entry_id=leg.entry_id,
            description=leg.entry.description,
            asset=leg.asset,
            quantity=leg.asset.amount(leg.quantity),
        )
        (cash if leg.asset.kind == AssetKind.CASH else movements).append(line)
    positions = [
        PositionLine(
            asset=asset,
            opening=asset.amount(before[asset.pk]),
            closing=asset.amount(after[asset.pk]),
        )
        for asset in sorted(assets.values(), key=lambda a: _order(a, securities_order))
        if asset.kind != AssetKind.CASH
        and (before[asset.pk] or after[asset.pk] or any(m.asset == asset for m in movements))
    ]
    movements.sort(key=lambda m: (m.posted_on, m.entry_id, _order(m.asset, securities_order)))
    return StatementLines(
        period=period,
        first_day=first,
        last_day=last,
        positions=positions,
        movements=movements,
        cash=cash,
    )


def statement_periods(*, account: ClientAccount, until: date) -> list[str]:
    """The quarters, newest first, in which the account's ledger account moved, that have
    ended by `until` (a statement is issued once its quarter is over)."""
    days = (
        Leg.objects.filter(account__client_account=account, entry__posted_on__lte=until)
        .values_list("entry__posted_on", flat=True)
        .distinct()
    )
    periods = {quarter_of(day) for day in days}
    return sorted((p for p in periods if quarter_bounds(p)[1] < until), reverse=True)


def books_start(*, account: ClientAccount) -> date | None:
    """The business date of the account's first entry in the books (None: none yet)."""
    first: date | None = Leg.objects.filter(account__client_account=account).aggregate(
        first=Min("entry__posted_on")
    )["first"]
    return first


def accounts_with_movements(*, period: str) -> QuerySet[ClientAccount]:
    """The client accounts whose ledger account moved in `period`, by id."""
    first, last = quarter_bounds(period)
    moved = Leg.objects.filter(
        account__client_account__isnull=False, entry__posted_on__range=(first, last)
    ).values("account__client_account")
    return ClientAccount.objects.filter(pk__in=moved).select_related("firm").order_by("pk")
