"""Reads of the books: balances as of a business date (`posted_on`, not when the entry was
recorded: a consummation may be recorded after its date), and the entries that do not balance
(none, while every entry goes through the service and, on PostgreSQL, the database's check)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount, Position
from tenders.domain.ledger import to_amount
from tenders.ledger.models import Asset, AssetKind, EntryKind, LedgerAccount, LedgerAccountKind, Leg


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


@dataclass(frozen=True, slots=True)
class PositionMismatch:
    """A client's position in a security that is not what the ledger's legs give it."""

    account_id: int
    security_id: int
    position: Decimal  # Position.principal (0 where there is no row)
    ledger: Decimal  # the client's legs in the security's principal, all dates


def ledger_position_mismatches() -> list[PositionMismatch]:
    """Every position whose principal is not the sum of its client's legs in the security (and
    every client balance in a security with no position for it): empty while Position is the
    ledger's cached balance, as `entries_post` keeps it (docs/ledger.md)."""
    positions = {
        (account_id, security_id): principal
        for account_id, security_id, principal in Position.objects.values_list(
            "account_id", "security_id", "principal"
        )
    }
    legs = (
        Leg.objects.filter(account__kind=LedgerAccountKind.CLIENT, asset__security__isnull=False)
        .values("account__client_account_id", "asset__security_id", "asset__scale")
        .annotate(units=Sum("quantity"))
    )
    ledger = {
        (row["account__client_account_id"], row["asset__security_id"]): to_amount(
            row["units"], scale=row["asset__scale"]
        )
        for row in legs
    }
    zero = Decimal("0")
    return [
        PositionMismatch(account_id, security_id, positions.get(key, zero), ledger.get(key, zero))
        for key in sorted(positions.keys() | ledger.keys())
        for account_id, security_id in [key]
        if positions.get(key, zero) != ledger.get(key, zero)
    ]


# The Old Notes an offer's consummation took out of the clients' positions


def _taken_by_consummation(offer: ExchangeOffer) -> QuerySet[Leg]:
    """The client legs in the offer's Old Notes of its consummation's entries: exchanged
    (EXCHANGE) or paid off (NONTENDER), reversals included (a reversal keeps its kind)."""
    return Leg.objects.filter(
        entry__offer=offer,
        entry__kind__in=[EntryKind.EXCHANGE, EntryKind.NONTENDER],
        account__kind=LedgerAccountKind.CLIENT,
        asset__security_id=offer.old_security_id,
    )


def old_notes_taken_by_consummation(
    *, offer: ExchangeOffer, accounts: Iterable[int] | None = None
) -> dict[int, Decimal]:
    """{client account id: Old Notes principal the offer's consummation took out of it}, of
    every account or of those named. Added to a position, it gives the position as the offer
    saw it: after consummation the position holds only what is left (docs/ledger.md
    "Consummation"). Empty before consummation; one grouped query."""
    if offer.consummation_date is None:
        return {}
    legs = _taken_by_consummation(offer)
    if accounts is not None:
        legs = legs.filter(account__client_account_id__in=list(accounts))
    rows = (
        legs.values("account__client_account_id")
        .annotate(units=Sum("quantity"))
        .values_list("account__client_account_id", "units")
    )
    return {account_id: -to_amount(units, scale=2) for account_id, units in rows if units}


def held_for_offer(*, offer: ExchangeOffer, prefix: str = "", account: str = "account_id") -> Q:
    """A filter on Position (or, with `prefix` such as "positions__", on a model that reaches
    it, whose client account is `account`) for the positions in the offer's Old Notes as the
    offer saw them: a principal above zero, or Old Notes its consummation took out."""
    held = Q(**{f"{prefix}security_id": offer.old_security_id, f"{prefix}principal__gt": 0})
    if offer.consummation_date is None:
        return held
    taken = _taken_by_consummation(offer).filter(account__client_account_id=OuterRef(account))
    return held | Q(Exists(taken), **{f"{prefix}security_id": offer.old_security_id})


@dataclass(frozen=True, slots=True)
class Holding:
    """What a client account holds of an asset by the business date, as its page states it."""

    code: str
    name: str
    kind: str  # AssetKind's value: notes, warrants, cash
    amount: Decimal


def client_holdings(*, account: ClientAccount, on: date) -> list[Holding]:
    """The account's balance in each asset it has moved by `on` (its Old and New Notes, its
    warrants, the cash paid into it), from its ledger account; none before anything posted.
    One query: the legs of its ledger account (one at most) summed with their asset's name,
    as `balances_as_of` sums them (a balance back to zero is listed, as zero)."""
    rows = (
        Leg.objects.filter(account__client_account=account, entry__posted_on__lte=on)
        .values("asset__code", "asset__name", "asset__kind", "asset__scale")
        .annotate(units=Sum("quantity"))
        .order_by("asset__code")
    )
    order = {AssetKind.NOTES: 0, AssetKind.WARRANTS: 1, AssetKind.CASH: 2}
    holdings = [
        Holding(
            code=row["asset__code"],
            name=row["asset__name"],
            kind=row["asset__kind"],
            amount=to_amount(row["units"], scale=row["asset__scale"]),
        )
        for row in rows
    ]
    return sorted(holdings, key=lambda h: (order.get(AssetKind(h.kind), 3), h.code))
