"""The ledger's arithmetic: amounts as whole numbers of an asset's smallest unit, and the
balance of an entry's legs."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenders.domain.ledger import FractionOfAUnit, sums_off_zero, to_amount, to_units


def test_dollars_are_counted_in_cents() -> None:
    assert to_units(Decimal("1250.00"), scale=2) == 125000


def test_warrants_are_counted_one_by_one() -> None:
    assert to_units(Decimal("682"), scale=0) == 682


def test_a_fraction_of_a_cent_is_refused() -> None:
    with pytest.raises(FractionOfAUnit, match=r"0\.001 is not a whole multiple of 0\.01"):
        to_units(Decimal("0.001"), scale=2)


def test_a_fraction_of_a_warrant_is_refused() -> None:
    with pytest.raises(FractionOfAUnit, match=r"681\.25 is not a whole multiple of 1"):
        to_units(Decimal("681.25"), scale=0)


def test_trailing_zeros_below_the_unit_are_not_a_fraction() -> None:
    assert to_units(Decimal("158380.0000"), scale=2) == 15838000


def test_a_float_amount_is_refused() -> None:
    with pytest.raises(TypeError, match="must be Decimal"):
        to_units(1250.0, scale=2)  # type: ignore[arg-type]  # the mistake under test


def test_infinity_is_refused() -> None:
    with pytest.raises(FractionOfAUnit, match="not an amount"):
        to_units(Decimal("Infinity"), scale=2)


def test_units_read_back_as_the_amount_with_its_cents() -> None:
    assert str(to_amount(61770240, scale=2)) == "617702.40"


@given(cents=st.integers(min_value=-(10**15), max_value=10**15))
def test_units_to_amount_and_back_is_exact(cents: int) -> None:
    assert to_units(to_amount(cents, scale=2), scale=2) == cents


def test_legs_summing_to_zero_in_each_asset_balance() -> None:
    legs = [("OLD", -48000000), ("OLD", 48000000), ("USD", 960000), ("USD", -960000)]
    assert sums_off_zero(legs) == {}


def test_an_asset_off_zero_is_named_with_its_sum() -> None:
    legs = [("OLD", -48000000), ("OLD", 48000000), ("USD", 960000), ("USD", -900000)]
    assert sums_off_zero(legs) == {"USD": 60000}
