"""Reads of the books: balances as of a business date (`posted_on`, not when the entry was
recorded: a consummation may be recorded after its date), and the entries that do not balance
(none, while every entry goes through the service and, on PostgreSQL, the database's check)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from tenders.domain.ledger import to_amount
from tenders.ledger.models import Asset, LedgerAccount, Leg


@dataclass(frozen=True, slots=True)
class Balance:
    """What a ledger account holds of an asset: in its smallest unit, and as people count it."""

    account_id: int
    asset_code: str
    units: int
    amount: Decimal


def balances_as_of(
    *,
    on: date,
    accounts: Iterable[LedgerAccount] | None = None,
    assets: Iterable[Asset] | None = None,
) -> list[Balance]:
    """The balance of each ledger account in each asset it has moved, adding up the legs of
    entries posted on or before `on` (every account and asset unless narrowed), by account
    and asset code. A balance that came back to zero is listed, as zero."""
    legs = Leg.objects.filter(entry__posted_on__lte=on)
    if accounts is not None:
        legs = legs.filter(account__in=list(accounts))
    if assets is not None:
        legs = legs.filter(asset__in=list(assets))
    rows = (
        legs.values("account_id", "asset__code", "asset__scale")
        .annotate(units=Sum("quantity"))
        .order_by("account_id", "asset__code")
    )
    return [
        Balance(
            account_id=row["account_id"],
            asset_code=row["asset__code"],
            units=row["units"],
            amount=to_amount(row["units"], scale=row["asset__scale"]),
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class Unbalanced:
    """An entry whose legs in an asset do not sum to zero, and by how much (smallest unit)."""

    entry_id: int
    occasion: str
    asset_code: str
    units: int


def unbalanced_entries() -> list[Unbalanced]:
    """Every entry and asset whose legs do not sum to zero: empty in books that are right."""
    rows = (
        Leg.objects.values("entry_id", "entry__occasion", "asset__code")
        .annotate(units=Sum("quantity"))
        .filter(~Q(units=0))
        .order_by("entry_id", "asset__code")
    )
    return [
        Unbalanced(
            entry_id=row["entry_id"],
            occasion=row["entry__occasion"],
            asset_code=row["asset__code"],
            units=row["units"],
        )
        for row in rows
    ]
