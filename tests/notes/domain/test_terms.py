import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from notes.domain.terms import (
    FeeInstallmentTerm,
    InvalidTerms,
    RateStep,
    WarrantRounding,
)
from tests.notes.domain.lexington import FEE_INSTALLMENTS, NEW_NOTES, QUARTERLY, lexington_terms

FOURTEEN = RateStep(rate=Decimal("0.14"), applies_through=date(2001, 12, 31))
FIFTEEN = RateStep(rate=Decimal("0.15"), applies_through=None)


def test_lexington_terms_are_valid() -> None:
    assert lexington_terms().unit_principal == Decimal("1000")


def test_zero_unit_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="unit principal must be positive"):
        lexington_terms(unit_principal=Decimal("0"))


def test_float_amount_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="Decimal"):
        lexington_terms(accrual_rate=0.1275)


def test_outstanding_not_a_multiple_of_the_unit_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="whole multiple"):
        lexington_terms(outstanding_principal=Decimal("27412500"))


def test_rate_written_as_a_percent_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="fraction"):
        lexington_terms(accrual_rate=Decimal("12.75"))


def test_installments_not_adding_up_to_the_fee_are_refused() -> None:
    with pytest.raises(InvalidTerms, match="add up to 30 per unit"):
        lexington_terms(participation_fee_per_unit=Decimal("31"))


def test_installments_out_of_sequence_are_refused() -> None:
    with pytest.raises(InvalidTerms, match="sequence order"):
        lexington_terms(fee_installments=tuple(reversed(FEE_INSTALLMENTS)))


def test_installment_with_fractions_of_a_cent_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="cents"):
        FeeInstallmentTerm(sequence=1, scheduled_date=None, amount_per_unit=Decimal("10.005"))


def test_minimum_percent_above_100_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="at most 100"):
        lexington_terms(minimum_tender_percent=Decimal("101"))


def test_unknown_calendar_code_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="unknown banking calendar"):
        lexington_terms(calendar_code="TARGET")


def test_warrant_rounding_accepts_its_stored_value() -> None:
    assert lexington_terms(warrant_rounding="half_up").warrant_rounding is WarrantRounding.HALF_UP


def test_unknown_warrant_rounding_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="warrant rounding"):
        lexington_terms(warrant_rounding="nearest")


def test_empty_rate_steps_are_refused() -> None:
    with pytest.raises(InvalidTerms, match="at least one rate step"):
        dataclasses.replace(NEW_NOTES, rate_steps=())


def test_rate_steps_out_of_order_are_refused() -> None:
    later = RateStep(rate=Decimal("0.15"), applies_through=date(2004, 12, 31))
    with pytest.raises(InvalidTerms, match="date order"):
        dataclasses.replace(NEW_NOTES, rate_steps=(later, FOURTEEN))


def test_two_open_ended_rate_steps_are_refused() -> None:
    with pytest.raises(InvalidTerms, match="at most one"):
        dataclasses.replace(NEW_NOTES, rate_steps=(FIFTEEN, FIFTEEN))


def test_open_ended_rate_step_before_a_dated_one_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="must come last"):
        dataclasses.replace(NEW_NOTES, rate_steps=(FIFTEEN, FOURTEEN))


def test_rate_steps_ending_before_maturity_are_refused() -> None:
    with pytest.raises(InvalidTerms, match="cover every period"):
        dataclasses.replace(NEW_NOTES, rate_steps=(FOURTEEN,))


def test_impossible_interest_date_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="interest date"):
        dataclasses.replace(NEW_NOTES, interest_dates=((6, 31),))


def test_interest_dates_out_of_order_are_refused() -> None:
    with pytest.raises(InvalidTerms, match="calendar order"):
        dataclasses.replace(NEW_NOTES, interest_dates=tuple(reversed(QUARTERLY)))


def test_rate_for_period_ending_on_the_step_date_is_that_step() -> None:
    assert NEW_NOTES.rate_for_period_ending(date(2001, 12, 31)) == Decimal("0.14")


def test_rate_for_period_ending_after_the_step_date_is_the_open_step() -> None:
    assert NEW_NOTES.rate_for_period_ending(date(2002, 1, 1)) == Decimal("0.15")


def test_terms_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        lexington_terms().accrual_rate = Decimal("0.2")  # type: ignore[misc]  # frozen, on purpose


@pytest.mark.parametrize(
    ("rule", "exact", "issued"),
    [
        (WarrantRounding.UP, Decimal("681.25"), 682),
        (WarrantRounding.DOWN, Decimal("681.75"), 681),
        (WarrantRounding.HALF_UP, Decimal("681.5"), 682),
        (WarrantRounding.HALF_UP, Decimal("681.45"), 681),
        (WarrantRounding.UP, Decimal("681.00"), 681),
    ],
)
def test_warrant_rounding_rule_turns_exact_into_whole_warrants(
    rule: WarrantRounding, exact: Decimal, issued: int
) -> None:
    assert rule.apply(exact) == issued
