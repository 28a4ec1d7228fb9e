"""The trial balance's arithmetic (issue 23, docs/rules.md "Books"): the offer's figures from the
client legs summed by entry kind and asset, the keys of the ledger accounts in `totals`, and
what is off. Pure Python over whole units (cents, single warrants): the selector
`tenders.ledger.trial_balance` reads the sums in a few queries and hands them here.

Entry kinds are passed as their stored values ("exchange", "fee", ...), so this module needs
nothing of the models."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

EXCHANGE, FEE, NONTENDER, COUPON = "exchange", "fee", "nontender", "coupon"


@dataclass(frozen=True, slots=True)
class BookFigures:
    """What the books say the offer moved, in whole units of each asset (cents, warrants)."""

    old_notes_exchanged: int
    new_notes_issued: int
    warrants_issued: int
    fees_paid: int
    nontender_paid: int
    coupons_paid: int


def book_figures(
    client_sums: Mapping[tuple[str, str], int],
    *,
    old_notes: str,
    new_notes: str,
    warrants: str,
    cash: str,
) -> BookFigures:
    """The figures from the client legs' sums by (entry kind, asset code). A reversal keeps its
    entry's kind, so it nets out of the same figure. Old Notes leave the clients (their legs
    are negative): the figure is what was exchanged, sign flipped."""

    def total(kind: str, asset: str) -> int:
        return client_sums.get((kind, asset), 0)

    return BookFigures(
        old_notes_exchanged=-total(EXCHANGE, old_notes),
        new_notes_issued=total(EXCHANGE, new_notes),
        warrants_issued=total(EXCHANGE, warrants),
        fees_paid=total(FEE, cash),
        nontender_paid=total(NONTENDER, cash),
        coupons_paid=total(COUPON, cash),
    )


@dataclass(frozen=True, slots=True)
class ClientAccountKey:
    """A client's ledger account as the trial balance names it."""

    number: str  # the client account's number, e.g. HB-100007
    participant: str  # its firm's DTC participant number, e.g. 0901


def client_key(account: ClientAccountKey, *, numbers_at_two_firms: set[str]) -> str:
    """The account number ("HB-100007"); "0901:HB-100007" when the same number is an
    account's at another firm too (a number is unique only within its firm), so that no two
    accounts share a key."""
    if account.number in numbers_at_two_firms:
        return f"{account.participant}:{account.number}"
    return account.number


def dtc_key(participant: str) -> str:
    return f"dtc:{participant}"


def cash_key(participant: str) -> str:
    return f"cash:{participant}"


AGENT_KEY = "agent"


def assets_off_zero(totals: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    """The assets whose balances, over every ledger account, do not sum to zero: empty when
    the books balance."""
    sums = {asset: sum(balances.values()) for asset, balances in totals.items()}
    return {asset: units for asset, units in sums.items() if units}


def is_balanced(
    *, assets_off: Mapping[str, int], entries_off: int, positions_off: Iterable[object]
) -> bool:
    """Balanced: no asset and no entry off zero, and no Position that disagrees with the
    ledger (of those compared)."""
    return not assets_off and not entries_off and not list(positions_off)
