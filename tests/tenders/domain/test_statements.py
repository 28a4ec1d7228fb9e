"""A statement's period is a calendar quarter, written as 2001Q4."""

from datetime import date

import pytest

from tenders.domain.statements import InvalidPeriod, quarter_bounds, quarter_label, quarter_of


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("2001Q1", date(2001, 1, 1), date(2001, 3, 31)),
        ("2000Q1", date(2000, 1, 1), date(2000, 3, 31)),
        ("2001Q2", date(2001, 4, 1), date(2001, 6, 30)),
        ("2001Q3", date(2001, 7, 1), date(2001, 9, 30)),
        ("2001Q4", date(2001, 10, 1), date(2001, 12, 31)),
    ],
)
def test_quarter_bounds_are_its_first_and_last_day(period: str, first: date, last: date) -> None:
    assert quarter_bounds(period) == (first, last)


@pytest.mark.parametrize("period", ["2001Q5", "2001Q0", "2001-Q4", "Q4 2001", "2001q4", "", "01Q4"])
def test_a_malformed_period_is_refused_saying_how_to_write_it(period: str) -> None:
    with pytest.raises(InvalidPeriod, match="as 2001Q4"):
        quarter_bounds(period)


def test_a_day_falls_in_its_quarter() -> None:
    assert [quarter_of(date(2001, m, 15)) for m in (1, 3, 4, 9, 10, 12)] == [
        "2001Q1",
        "2001Q1",
        "2001Q2",
        "2001Q3",
        "2001Q4",
        "2001Q4",
    ]


def test_a_quarter_is_named_by_its_first_and_last_day() -> None:
    assert quarter_label("2001Q4") == "October 1 to December 31, 2001"
