from datetime import date, timedelta

import holidays
import pytest
import QuantLib as ql

from notes.domain.calendar import BankingCalendar, UnknownCalendar, banking_calendar


@pytest.fixture
def xfed() -> BankingCalendar:
    return banking_calendar("XFED")


def test_sunday_sep_30_2001_rolls_to_monday_oct_1(xfed: BankingCalendar) -> None:
    assert xfed.following(date(2001, 9, 30)) == date(2001, 10, 1)


def test_following_keeps_a_banking_day(xfed: BankingCalendar) -> None:
    assert xfed.following(date(2001, 9, 5)) == date(2001, 9, 5)


def test_columbus_day_2001_is_closed(xfed: BankingCalendar) -> None:
    assert not xfed.is_banking_day(date(2001, 10, 8))


def test_labor_day_2001_is_closed(xfed: BankingCalendar) -> None:
    assert not xfed.is_banking_day(date(2001, 9, 3))


def test_christmas_2001_is_closed(xfed: BankingCalendar) -> None:
    assert not xfed.is_banking_day(date(2001, 12, 25))


def test_dec_31_2004_is_open_although_new_year_2005_is_a_saturday(
    xfed: BankingCalendar,
) -> None:
    assert xfed.is_banking_day(date(2004, 12, 31))


def test_weekends_are_closed(xfed: BankingCalendar) -> None:
    assert not xfed.is_banking_day(date(2001, 9, 1))
    assert not xfed.is_banking_day(date(2001, 9, 2))


def test_sep_11_2001_is_open_on_the_federal_reserve_calendar(xfed: BankingCalendar) -> None:
    # The markets closed, but the Fed calendar does not list it: the library decides.
    assert xfed.is_banking_day(date(2001, 9, 11))


def test_a_fresh_calendar_expands_2004_on_lookup() -> None:
    fresh = BankingCalendar("XFED", holidays.financial_holidays("XFED"))
    # Independence Day 2004 fell on a Sunday; the Fed closed on Monday Jul 5.
    assert not fresh.is_banking_day(date(2004, 7, 5))


def test_holiday_name_comes_from_the_library(xfed: BankingCalendar) -> None:
    assert xfed.holiday_name(date(2001, 10, 8)) == "Columbus Day"


def test_next_banking_day_after_is_strictly_after(xfed: BankingCalendar) -> None:
    assert xfed.next_banking_day_after(date(2001, 9, 5)) == date(2001, 9, 6)


def test_next_banking_day_after_friday_before_labor_day_is_tuesday(
    xfed: BankingCalendar,
) -> None:
    assert xfed.next_banking_day_after(date(2001, 8, 31)) == date(2001, 9, 4)


def test_one_banking_day_before_sep_4_2001_is_aug_31(xfed: BankingCalendar) -> None:
    assert xfed.banking_days_before(date(2001, 9, 4), 1) == date(2001, 8, 31)


def test_two_banking_days_before_sep_4_2001_is_aug_30(xfed: BankingCalendar) -> None:
    assert xfed.banking_days_before(date(2001, 9, 4), 2) == date(2001, 8, 30)


def test_zero_banking_days_before_is_the_day_itself(xfed: BankingCalendar) -> None:
    assert xfed.banking_days_before(date(2001, 9, 3), 0) == date(2001, 9, 3)


def test_negative_banking_days_are_refused(xfed: BankingCalendar) -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        xfed.banking_days_before(date(2001, 9, 4), -1)


def test_calendar_instances_are_shared() -> None:
    assert banking_calendar("XFED") is banking_calendar("XFED")


def test_unknown_calendar_code_is_refused() -> None:
    with pytest.raises(UnknownCalendar, match="NYSE"):
        banking_calendar("NYSE")


def test_unknown_calendar_is_a_value_error() -> None:
    assert issubclass(UnknownCalendar, ValueError)


def test_agrees_with_quantlib_federal_reserve_every_day_2001_to_2005(
    xfed: BankingCalendar,
) -> None:
    reference = ql.UnitedStates(ql.UnitedStates.FederalReserve)
    day, disagreements = date(2001, 1, 1), []
    while day <= date(2005, 12, 31):
        theirs = reference.isBusinessDay(ql.Date(day.day, day.month, day.year))
        if xfed.is_banking_day(day) != theirs:
            disagreements.append(day)
        day += timedelta(days=1)
    assert disagreements == []
