"""Money helpers: one rounding rule for amounts, named where it is used."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def quantize_cents(x: Decimal) -> Decimal:
    """Round an amount half-up to the cent (the offer's rule for every cash figure)."""
    if not isinstance(x, Decimal):
        # A float here would already carry a binary rounding error; refuse it loudly.
        raise TypeError(f"amounts must be Decimal, not {type(x).__name__}")
    return x.quantize(CENT, rounding=ROUND_HALF_UP)
