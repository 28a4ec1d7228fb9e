from decimal import Decimal

import pytest

from notes.domain.entitlement import (
    is_minimum_met,
    minimum_condition,
    warrants_if_all_tendered,
)
from tests.notes.domain.lexington import LEXINGTON, lexington_terms


def test_99_percent_of_27412000_is_27137880_exactly() -> None:
    assert minimum_condition(LEXINGTON).required_exact == Decimal("27137880.00")


def test_required_principal_rounds_up_to_whole_units_27138000() -> None:
    assert minimum_condition(LEXINGTON).required_principal == Decimal("27138000")


def test_at_most_274000_may_remain_untendered() -> None:
    assert minimum_condition(LEXINGTON).maximum_untendered == Decimal("274000")


def test_condition_reports_the_outstanding_principal_and_percent() -> None:
    condition = minimum_condition(LEXINGTON)
    assert (condition.outstanding_principal, condition.percent) == (
        Decimal("27412000"),
        Decimal("99"),
    )


def test_27138000_tendered_meets_the_minimum() -> None:
    assert is_minimum_met(LEXINGTON, Decimal("27138000"))


def test_27137000_tendered_misses_the_minimum() -> None:
    assert not is_minimum_met(LEXINGTON, Decimal("27137000"))


def test_97_percent_tendered_on_sep_5_2001_misses_the_minimum() -> None:
    assert not is_minimum_met(LEXINGTON, Decimal("26601000"))


def test_the_whole_issue_tendered_meets_the_minimum() -> None:
    assert is_minimum_met(LEXINGTON, Decimal("27412000"))


def test_negative_tendered_total_is_refused() -> None:
    with pytest.raises(ValueError, match="tendered principal must not be negative"):
        is_minimum_met(LEXINGTON, Decimal("-1000"))


def test_percent_comes_from_the_terms_90_percent_requires_24671000() -> None:
    # 90% of 27,412,000 is 24,670,800, rounded up to whole $1,000 units.
    terms = lexington_terms(minimum_tender_percent=Decimal("90"))
    assert minimum_condition(terms).required_principal == Decimal("24671000")


def test_warrant_total_rounds_once_by_the_offer_rule() -> None:
    terms = lexington_terms(warrant_rounding="down")
    assert warrants_if_all_tendered(terms).rounded_exact_total == 149395


def test_whole_issue_warrants_are_149395_4_exactly() -> None:
    assert warrants_if_all_tendered(LEXINGTON).exact_total == Decimal("149395.4")


def test_whole_issue_warrants_round_up_once_to_149396() -> None:
    assert warrants_if_all_tendered(LEXINGTON).rounded_exact_total == 149396
