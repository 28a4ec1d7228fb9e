from decimal import Decimal

import pytest

from notes.domain.money import quantize_cents


def test_half_a_cent_rounds_up() -> None:
    assert quantize_cents(Decimal("267.045")) == Decimal("267.05")


def test_just_under_half_a_cent_rounds_down() -> None:
    assert quantize_cents(Decimal("267.0416666")) == Decimal("267.04")


def test_negative_half_a_cent_rounds_away_from_zero() -> None:
    assert quantize_cents(Decimal("-0.005")) == Decimal("-0.01")


def test_result_has_exactly_two_places() -> None:
    assert str(quantize_cents(Decimal("30"))) == "30.00"


def test_float_is_refused() -> None:
    with pytest.raises(TypeError, match="must be Decimal, not float"):
        quantize_cents(0.1)  # type: ignore[arg-type]  # a float, on purpose
