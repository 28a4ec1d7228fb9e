"""Rule 14e-1 counts the SEC's business days (Rule 14d-1(g)(3): not a Saturday, Sunday or
federal holiday, as observed); payments keep the New York banking (Federal Reserve) days. The
stance on Sep 11-14, 2001 and Dec 24, 2001 is docs/rules.md's."""

from datetime import date, datetime, timedelta

import pytest

from notes.domain.calendar import (
    BankingCalendar,
    SecBusinessDays,
    banking_calendar,
    sec_business_days,
)
from notes.domain.deadlines import NEW_YORK, announcement_deadline, earliest_expiration_after_change


@pytest.fixture
def sec() -> SecBusinessDays:
    return sec_business_days()


@pytest.fixture
def xfed() -> BankingCalendar:
    return banking_calendar("XFED")


@pytest.mark.parametrize(
    "friday",
    [
        date(2020, 7, 3),  # Independence Day, Sat Jul 4, 2020
        date(2021, 6, 18),  # Juneteenth, Sat Jun 19, 2021 (its first year)
        date(2021, 12, 24),  # Christmas, Sat Dec 25, 2021
        date(2021, 12, 31),  # New Year's Day, Sat Jan 1, 2022: observed in the year before
    ],
    ids=str,
)
def test_a_friday_observing_a_saturday_federal_holiday_is_no_business_day_but_a_banking_day(
    sec: SecBusinessDays, xfed: BankingCalendar, friday: date
) -> None:
    assert (sec.is_business_day(friday), xfed.is_banking_day(friday)) == (False, True)


@pytest.mark.parametrize("day", [date(2001, 9, d) for d in (11, 12, 13, 14)], ids=str)
def test_sep_11_to_14_2001_count_as_business_days_though_the_markets_were_closed(
    sec: SecBusinessDays, day: date
) -> None:
    assert sec.is_business_day(day)


def test_dec_24_2001_counts_as_a_business_day_though_an_executive_order_closed_federal_offices(
    sec: SecBusinessDays,
) -> None:
    assert sec.is_business_day(date(2001, 12, 24))


def test_an_extension_after_monday_sep_10_2001_is_announced_by_nine_on_tuesday_sep_11(
    sec: SecBusinessDays,
) -> None:
    expiration = datetime(2001, 9, 10, 17, 0, tzinfo=NEW_YORK)
    assert announcement_deadline(expiration, sec) == datetime(2001, 9, 11, 9, 0, tzinfo=NEW_YORK)


def test_an_extension_after_friday_dec_21_2001_is_announced_by_nine_on_monday_dec_24(
    sec: SecBusinessDays,
) -> None:
    expiration = datetime(2001, 12, 21, 17, 0, tzinfo=NEW_YORK)
    assert announcement_deadline(expiration, sec) == datetime(2001, 12, 24, 9, 0, tzinfo=NEW_YORK)


def test_a_statutory_federal_holiday_is_no_business_day(sec: SecBusinessDays) -> None:
    assert not sec.is_business_day(date(2001, 10, 8))  # Columbus Day


def test_the_calendars_differ_only_on_fridays_observing_a_saturday_holiday_2001_to_2030(
    sec: SecBusinessDays, xfed: BankingCalendar
) -> None:
    day, other_differences = date(2001, 1, 1), []
    while day <= date(2030, 12, 31):
        if sec.is_business_day(day) != xfed.is_banking_day(day):
            name = sec.holiday_name(day) or ""
            if not (day.weekday() == 4 and xfed.is_banking_day(day) and "observed" in name):
                other_differences.append(day)
        day += timedelta(days=1)
    assert other_differences == []


def test_an_extension_after_thursday_jul_2_2020_is_announced_by_monday_not_friday(
    sec: SecBusinessDays,
) -> None:
    expiration = datetime(2020, 7, 2, 17, 0, tzinfo=NEW_YORK)
    assert announcement_deadline(expiration, sec) == datetime(2020, 7, 6, 9, 0, tzinfo=NEW_YORK)


def test_five_business_days_from_dec_23_2021_skip_the_friday_christmas_is_observed_on(
    sec: SecBusinessDays,
) -> None:
    # Dec 23, 27, 28, 29, 30 (Fri Dec 24 does not count): open until midnight ending Dec 30.
    earliest = earliest_expiration_after_change(date(2021, 12, 23), 5, sec)
    assert earliest == datetime(2021, 12, 31, 0, 0, tzinfo=NEW_YORK)


def test_the_sec_calendar_is_shared() -> None:
    assert sec_business_days() is sec_business_days()
