"""The trial balance of an offer's books as of a business date (issue 23, point 6;
docs/rules.md "Books"): the figures (`old_notes_exchanged`, `new_notes_issued`,
`warrants_issued`, `fees_paid`, `nontender_paid`, `coupons_paid`), each ledger account's balance
in each asset (`totals`), and whether the books balance. One reading feeds the admin page, its
CSV and `manage.py books`.

An offer's legs are those of its entries, and those of entries about no offer (an opening
balance from the positions feed) in its Old or New Notes. Entries posted on the as-of day
count; the next day's do not. The arithmetic is `tenders.domain.books`'."""

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from exchange_office import clock
from exchange_office.spreadsheet import SpreadsheetWriter
from notes.models import ExchangeOffer, OfferStatus
from tenders.accounts.models import ClientAccount, Position
from tenders.domain.books import (
    AGENT_KEY,
    BookFigures,
    ClientAccountKey,
    assets_off_zero,
    book_figures,
    cash_key,
    client_key,
    dtc_key,
    is_balanced,
)
from tenders.domain.ledger import to_amount
from tenders.ledger.models import (
    Asset,
    AssetKind,
    EntryKind,
    LedgerAccount,
    LedgerAccountKind,
    Leg,
)
from tenders.ledger.services import USD, WARRANTS

FIGURES = (
    "old_notes_exchanged",
    "new_notes_issued",
    "warrants_issued",
    "fees_paid",
    "nontender_paid",
    "coupons_paid",
)
# The order of the ledger accounts in each asset's totals: clients, then the firms' DTC
# positions, the agent, the firms' cash.
KIND_ORDER = {
    LedgerAccountKind.CLIENT: 0,
    LedgerAccountKind.DTC: 1,
    LedgerAccountKind.AGENT: 2,
    LedgerAccountKind.CASH: 3,
}


@dataclass(frozen=True, slots=True)
class EntryOff:
    """An entry of the offer whose legs in an asset do not sum to zero."""

    occasion: str
    asset_code: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PositionOff:
    """A client account whose Position in the offer's Old or New Notes is not what the ledger
    says it holds."""

    account: str  # its key in the totals
    position: Decimal
    ledger: Decimal
    asset_code: str = ""  # the notes' CUSIP


@dataclass(frozen=True, slots=True)
class TrialBalance:
    offer: ExchangeOffer
    on: date
    figures: dict[str, Decimal | int]  # by FIGURES' keys: amounts in dollars, warrants whole
    totals: dict[str, dict[str, Decimal | int]]  # asset code -> account key -> balance
    assets_off: dict[str, Decimal | int]  # asset code -> what its balances sum to, not zero
    entries_off: tuple[EntryOff, ...]
    positions_compared: bool  # only as of the business date or later (see `positions_off`)
    positions_off: tuple[PositionOff, ...]
    balanced: bool


def _offer_legs(*, offer: ExchangeOffer, on: date) -> QuerySet[Leg]:
    """The legs of the offer's books posted on or before `on`."""
    notes = Asset.objects.filter(
        security_id__in=[offer.old_security_id, offer.new_security_id]
    ).values("pk")
    return Leg.objects.filter(
        Q(entry__offer=offer) | Q(entry__offer__isnull=True, asset__in=notes),
        entry__posted_on__lte=on,
    )


def _count(units: int, asset: Asset) -> Decimal | int:
    """A quantity as the trial balance states it: warrants whole, the rest in dollars."""
    if asset.kind == AssetKind.WARRANTS:
        return units
    return asset.amount(units)


def _numbers_at_two_firms() -> set[str]:
    """Account numbers that accounts of more than one firm carry: one grouped query."""
    return set(
        ClientAccount.objects.values("account_number")
        .annotate(firms=Count("firm_id", distinct=True))
        .filter(firms__gt=1)
        .values_list("account_number", flat=True)
    )


def _account_keys(account_ids: set[int], *, offer: ExchangeOffer) -> dict[int, tuple[int, str]]:
    """Each ledger account's (order, key) in the totals."""
    clashing = _numbers_at_two_firms()
    keys: dict[int, tuple[int, str]] = {}
    rows = LedgerAccount.objects.filter(pk__in=account_ids).values_list(
        "pk",
        "kind",
        "client_account__account_number",
        "client_account__firm__dtc_participant_number",
        "firm__dtc_participant_number",
        "offer_id",
        "offer__slug",
    )
    for pk, kind, number, client_participant, participant, offer_id, slug in rows:
        if kind == LedgerAccountKind.CLIENT:
            key = client_key(
                ClientAccountKey(number=number, participant=client_participant),
                numbers_at_two_firms=clashing,
            )
        elif kind == LedgerAccountKind.DTC:
            key = dtc_key(participant)
        elif kind == LedgerAccountKind.CASH:
            key = cash_key(participant)
        else:  # another offer's agent can appear only through a mistaken entry: name it
            key = AGENT_KEY if offer_id == offer.pk else f"{AGENT_KEY}:{slug}"
        keys[pk] = (KIND_ORDER[LedgerAccountKind(kind)], key)
    return keys


def positions_off(*, offer: ExchangeOffer, on: date) -> tuple[PositionOff, ...] | None:
    """The client accounts whose Position in the offer's Old or New Notes differs from their
    ledger balance as of `on`; None when `on` is before the business date. Position holds
    what an account holds now, not at a past date, so it is compared only as of the business
    date or later (it will follow the ledger's postings: until then a past date is not
    compared)."""
    if on < clock.today():
        return None
    off: list[tuple[int, str, Decimal, Decimal]] = []
    for security_id in (offer.old_security_id, offer.new_security_id):
        asset = Asset.objects.filter(security_id=security_id).first()
        held = dict(
            Position.objects.filter(security_id=security_id).values_list("account_id", "principal")
        )
        ledger: dict[int, Decimal] = {}
        if asset is not None:
            rows = (
                Leg.objects.filter(
                    asset=asset,
                    account__kind=LedgerAccountKind.CLIENT,
                    entry__posted_on__lte=on,
                )
                .values("account__client_account_id")
                .annotate(units=Sum("quantity"))
                .order_by()
            )
            for row in rows:
                ledger[row["account__client_account_id"]] = to_amount(
                    row["units"], scale=asset.scale
                )
        code = asset.code if asset is not None else ""
        off += [
            (client_id, code, held.get(client_id, Decimal(0)), ledger.get(client_id, Decimal(0)))
            for client_id in held.keys() | ledger.keys()
            if held.get(client_id, Decimal(0)) != ledger.get(client_id, Decimal(0))
        ]
    if not off:
        return ()
    who = {
        pk: ClientAccountKey(number=number, participant=participant)
        for pk, number, participant in ClientAccount.objects.filter(
            pk__in=[client_id for client_id, _, _, _ in off]
        ).values_list("pk", "account_number", "firm__dtc_participant_number")
    }
    clashing = _numbers_at_two_firms()
    return tuple(
        sorted(
            (
                PositionOff(
                    account=client_key(who[client_id], numbers_at_two_firms=clashing),
                    position=position,
                    ledger=balance,
                    asset_code=code,
                )
                for client_id, code, position, balance in off
            ),
            key=lambda line: (line.account, line.asset_code),
        )
    )


def trial_balance(*, offer: ExchangeOffer, on: date) -> TrialBalance:
    """The offer's books as of `on` (entries posted that day included): the figures from the
    client legs by entry kind, every ledger account's balance by asset, and whether they
    balance, in a fixed number of queries whatever the number of accounts."""
    legs = _offer_legs(offer=offer, on=on)
    assets = {asset.pk: asset for asset in Asset.objects.all()}
    by_code = {asset.code: asset for asset in assets.values()}

    client_sums = {
        (row["entry__kind"], row["asset__code"]): row["units"]
        for row in legs.filter(account__kind=LedgerAccountKind.CLIENT)
        .values("entry__kind", "asset__code")
        .annotate(units=Sum("quantity"))
        .order_by()
    }
    old = _asset_code(offer.old_security_id, assets)
    new = _asset_code(offer.new_security_id, assets)
    units = book_figures(client_sums, old_notes=old, new_notes=new, warrants=WARRANTS, cash=USD)
    figures = _figures(units)

    balances = list(
        legs.values("account_id", "asset_id").annotate(units=Sum("quantity")).order_by()
    )
    keys = _account_keys({row["account_id"] for row in balances}, offer=offer)
    raw: dict[str, list[tuple[tuple[int, str], int]]] = defaultdict(list)
    for row in balances:
        raw[assets[row["asset_id"]].code].append((keys[row["account_id"]], row["units"]))
    units_by_asset = {
        code: {key: units for (_, key), units in sorted(rows)} for code, rows in sorted(raw.items())
    }
    totals = {
        code: {key: _count(units, by_code[code]) for key, units in accounts.items()}
        for code, accounts in units_by_asset.items()
    }
    off_zero = assets_off_zero(units_by_asset)

    entries_off = tuple(
        EntryOff(
            occasion=row["entry__occasion"],
            asset_code=row["asset__code"],
            amount=to_amount(row["units"], scale=row["asset__scale"]),
        )
        for row in legs.values("entry_id", "entry__occasion", "asset__code", "asset__scale")
        .annotate(units=Sum("quantity"))
        .filter(~Q(units=0))
        .order_by("entry_id", "asset__code")
    )
    compared = positions_off(offer=offer, on=on)
    return TrialBalance(
        offer=offer,
        on=on,
        figures=figures,
        totals=totals,
        assets_off={code: _count(units, by_code[code]) for code, units in off_zero.items()},
        entries_off=entries_off,
        positions_compared=compared is not None,
        positions_off=compared or (),
        balanced=is_balanced(
            assets_off=off_zero, entries_off=len(entries_off), positions_off=compared or ()
        ),
    )


def _asset_code(security_id: int | None, assets: dict[int, Asset]) -> str:
    """The code of the security's asset ("" when nothing was ever posted in it)."""
    return next((a.code for a in assets.values() if a.security_id == security_id), "")


def _figures(units: BookFigures) -> dict[str, Decimal | int]:
    # Notes and dollars are held in cents (scale 2: `offer_assets_get_or_create`).
    return {
        "old_notes_exchanged": to_amount(units.old_notes_exchanged, scale=2),
        "new_notes_issued": to_amount(units.new_notes_issued, scale=2),
        "warrants_issued": units.warrants_issued,
        "fees_paid": to_amount(units.fees_paid, scale=2),
        "nontender_paid": to_amount(units.nontender_paid, scale=2),
        "coupons_paid": to_amount(units.coupons_paid, scale=2),
    }


# What the tabulation shows of the books


@dataclass(frozen=True, slots=True)
class Exchanged:
    """What the offer's EXCHANGE entries moved, to date: Old Notes accepted, warrants issued."""

    accepted_principal: Decimal
    warrants_issued: int


def offer_exchanged(*, offer: ExchangeOffer) -> Exchanged | None:
    """The Old Notes exchanged and the warrants issued by the offer's EXCHANGE entries (their
    reversals netted out), after consummation; None before it, when nothing is exchanged."""
    if offer.status != OfferStatus.CONSUMMATED:
        return None
    sums = Leg.objects.filter(
        entry__offer=offer,
        entry__kind=EntryKind.EXCHANGE,
        account__kind=LedgerAccountKind.CLIENT,
    ).aggregate(
        old_notes=Sum("quantity", filter=Q(asset__security_id=offer.old_security_id)),
        warrants=Sum("quantity", filter=Q(asset__kind=AssetKind.WARRANTS)),
    )
    return Exchanged(
        # Old Notes leave the clients: their legs are negative.
        accepted_principal=to_amount(-(sums["old_notes"] or 0), scale=2),
        warrants_issued=sums["warrants"] or 0,
    )


# As data: the command's JSON and CSV, and the page's download


def _text(value: Decimal | int) -> str | int:
    """An amount as the JSON writes it (two decimals, as the tabulation); warrants whole."""
    return value if isinstance(value, int) else f"{value:.2f}"


def trial_balance_as_dict(books: TrialBalance) -> dict[str, Any]:
    """The trial balance as JSON-ready values, the keys the issue names: `balanced`, the six
    figures (amounts as strings with two decimals, warrants an integer) and `totals`, by asset
    code, then ledger account key. Other tools read these keys: keep them stable."""
    return {
        "balanced": books.balanced,
        **{key: _text(books.figures[key]) for key in FIGURES},
        "totals": {
            code: {key: _text(balance) for key, balance in accounts.items()}
            for code, accounts in books.totals.items()
        },
    }


def trial_balance_csv(books: TrialBalance) -> str:
    """The same for a spreadsheet: `key,value` rows (balanced, then the figures), a blank row,
    then `asset,account,balance` rows. Amounts are numbers; text that starts like a formula is
    written as text (`exchange_office.spreadsheet`)."""
    out = io.StringIO()
    writer = SpreadsheetWriter(out)
    writer.writerow(["key", "value"])
    writer.writerow(["balanced", books.balanced])
    writer.writerows([key, books.figures[key]] for key in FIGURES)
    writer.writerow([])
    writer.writerow(["asset", "account", "balance"])
    writer.writerows(
        [code, key, balance]
        for code, accounts in books.totals.items()
        for key, balance in accounts.items()
    )
    return out.getvalue()
