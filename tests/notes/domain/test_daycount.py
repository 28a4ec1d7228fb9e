from datetime import date, datetime

import pytest
import QuantLib as ql
from hypothesis import given, settings
from hypothesis import strategies as st

from notes.domain.daycount import days_30_360_bond_basis

BOND_BASIS = ql.Thirty360(ql.Thirty360.BondBasis)


def quantlib_days(start: date, end: date) -> int:
    return BOND_BASIS.dayCount(
        ql.Date(start.day, start.month, start.year), ql.Date(end.day, end.month, end.year)
    )


@st.composite
def awkward_dates(draw: st.DrawFn) -> date:
    """Month ends, 30ths and February ends: where 30/360 variants differ."""
    year = draw(st.integers(1995, 2010))
    month = draw(st.integers(1, 12))
    day = draw(st.sampled_from([1, 28, 29, 30, 31]))
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


any_dates = st.one_of(st.dates(date(1995, 1, 1), date(2010, 12, 31)), awkward_dates())


def test_lexington_accrual_to_sep_5_2001_is_754_days() -> None:
    assert days_30_360_bond_basis(date(1999, 8, 1), date(2001, 9, 5)) == 754


def test_start_on_the_31st_counts_as_the_30th() -> None:
    assert days_30_360_bond_basis(date(2001, 12, 31), date(2002, 3, 31)) == 90


def test_end_on_the_31st_stays_31_when_start_is_before_the_30th() -> None:
    assert days_30_360_bond_basis(date(2001, 10, 1), date(2001, 10, 31)) == 30


def test_end_on_the_31st_counts_as_30_when_start_is_the_30th() -> None:
    assert days_30_360_bond_basis(date(2001, 9, 30), date(2001, 12, 31)) == 90


def test_february_end_has_no_special_rule() -> None:
    assert days_30_360_bond_basis(date(2002, 2, 28), date(2002, 3, 31)) == 33


def test_end_before_start_is_negative() -> None:
    assert days_30_360_bond_basis(date(2001, 9, 30), date(2001, 9, 5)) == -25


def test_datetime_is_refused() -> None:
    with pytest.raises(TypeError, match="needs dates, not datetime"):
        days_30_360_bond_basis(datetime(2001, 9, 5), date(2001, 9, 30))


@settings(max_examples=400, deadline=None)
@given(any_dates, any_dates)
def test_matches_quantlib_bond_basis(start: date, end: date) -> None:
    assert days_30_360_bond_basis(start, end) == quantlib_days(start, end)
