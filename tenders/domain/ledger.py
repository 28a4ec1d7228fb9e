"""The ledger's arithmetic (docs/ledger.md): quantities are whole numbers of an asset's smallest
unit (a cent of principal or of cash, one warrant), and each entry's legs sum to zero for each
asset. Pure Python: the ledger's service and its tests use it, and code outside the ledger
keeps speaking `Decimal`."""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from decimal import Decimal
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

# An asset's smallest unit is 10**-scale of what people count in: 2 for dollars and principal
# (cents), 0 for warrants. Six places is more than any asset the office holds needs.
MAX_SCALE = 6


class FractionOfAUnit(ValueError):
    """An amount that is not a whole number of the asset's smallest unit."""


def _check_scale(scale: int) -> None:
    if not 0 <= scale <= MAX_SCALE:
        raise ValueError(f"an asset's scale is 0 to {MAX_SCALE} decimal places, not {scale}")


def to_units(amount: Decimal, *, scale: int) -> int:
    """`amount` in the asset's smallest unit: Decimal("1250.00") at scale 2 is 125000 cents.
    Anything smaller than one unit is refused, never rounded: a ledger that rounded would
    hold amounts no document states."""
    if not isinstance(amount, Decimal):
        # A float here would already carry a binary rounding error; refuse it loudly.
        raise TypeError(f"amounts must be Decimal, not {type(amount).__name__}")
    _check_scale(scale)
    if not amount.is_finite():
        raise FractionOfAUnit(f"{amount} is not an amount")
    units = amount.scaleb(scale)
    if units != units.to_integral_value():
        smallest = Decimal(1).scaleb(-scale)
        raise FractionOfAUnit(f"{amount} is not a whole multiple of {smallest}")
    return int(units)


def to_amount(units: int, *, scale: int) -> Decimal:
    """What people count, from the smallest unit: 125000 cents at scale 2 is Decimal("1250.00")."""
    if isinstance(units, bool) or not isinstance(units, int):
        raise TypeError(f"units are int, not {type(units).__name__}")
    _check_scale(scale)
    return Decimal(units).scaleb(-scale)


def sums_off_zero(legs: Iterable[tuple[K, int]]) -> dict[K, int]:
    """The assets whose legs do not sum to zero, with their sums, from (asset, units) pairs:
    empty when the legs balance."""
    sums: dict[K, int] = defaultdict(int)
    for asset, units in legs:
        sums[asset] += units
    return {asset: total for asset, total in sums.items() if total}
