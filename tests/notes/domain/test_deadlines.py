from datetime import UTC, date, datetime, time

import pytest

from notes.domain.calendar import (
    BankingCalendar,
    SecBusinessDays,
    banking_calendar,
    sec_business_days,
)
from notes.domain.deadlines import (
    NEW_YORK,
    CutoffRule,
    announcement_deadline,
    earliest_expiration_after_change,
    expected_consummation_date,
    expiration_day,
    firm_cutoff,
    validate_consummation_date,
)
from notes.domain.entitlement import InvalidConsummationDate
from tests.notes.domain.lexington import FIRST_EXTENSION, ORIGINAL_EXPIRATION

ONE_DAY_AT_FIVE = CutoffRule(banking_days_before=1, time_of_day=time(17, 0))


@pytest.fixture
def xfed() -> BankingCalendar:
    return banking_calendar("XFED")


@pytest.fixture
def sec() -> SecBusinessDays:
    return sec_business_days()


def test_midnight_expiration_belongs_to_the_previous_day() -> None:
    assert expiration_day(ORIGINAL_EXPIRATION) == date(2001, 9, 4)


def test_five_pm_expiration_belongs_to_its_own_day() -> None:
    assert expiration_day(FIRST_EXTENSION) == date(2001, 9, 17)


def test_one_microsecond_after_midnight_belongs_to_the_new_day() -> None:
    instant = datetime(2001, 9, 5, 0, 0, 0, 1, tzinfo=NEW_YORK)
    assert expiration_day(instant) == date(2001, 9, 5)


def test_expiration_day_is_judged_in_new_york_time() -> None:
    # 04:00 UTC on Sep 5, 2001 is midnight EDT.
    assert expiration_day(datetime(2001, 9, 5, 4, 0, tzinfo=UTC)) == date(2001, 9, 4)


def test_naive_expiration_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        expiration_day(datetime(2001, 9, 5, 0, 0))


def test_original_offer_is_expected_to_consummate_sep_5_2001(xfed: BankingCalendar) -> None:
    assert expected_consummation_date(ORIGINAL_EXPIRATION, xfed) == date(2001, 9, 5)


def test_first_extension_is_expected_to_consummate_sep_18_2001(xfed: BankingCalendar) -> None:
    assert expected_consummation_date(FIRST_EXTENSION, xfed) == date(2001, 9, 18)


def test_expiration_on_friday_consummates_the_next_monday(xfed: BankingCalendar) -> None:
    friday_five_pm = datetime(2001, 9, 28, 17, 0, tzinfo=NEW_YORK)
    assert expected_consummation_date(friday_five_pm, xfed) == date(2001, 10, 1)


def test_expected_consummation_skips_columbus_day(xfed: BankingCalendar) -> None:
    friday_five_pm = datetime(2001, 10, 5, 17, 0, tzinfo=NEW_YORK)
    assert expected_consummation_date(friday_five_pm, xfed) == date(2001, 10, 9)


def test_consummation_the_day_after_expiration_is_accepted(xfed: BankingCalendar) -> None:
    validate_consummation_date(ORIGINAL_EXPIRATION, date(2001, 9, 5), xfed)


def test_consummation_on_the_expiration_day_is_refused(xfed: BankingCalendar) -> None:
    with pytest.raises(InvalidConsummationDate, match="after the expiration day"):
        validate_consummation_date(ORIGINAL_EXPIRATION, date(2001, 9, 4), xfed)


def test_consummation_before_the_expiration_day_is_refused(xfed: BankingCalendar) -> None:
    with pytest.raises(InvalidConsummationDate, match="expiration day, September 17, 2001"):
        validate_consummation_date(FIRST_EXTENSION, date(2001, 9, 5), xfed)


def test_consummation_on_the_day_of_a_five_pm_expiration_is_refused(
    xfed: BankingCalendar,
) -> None:
    with pytest.raises(InvalidConsummationDate, match="must be after the expiration day"):
        validate_consummation_date(FIRST_EXTENSION, date(2001, 9, 17), xfed)


def test_consummation_on_a_holiday_is_refused(xfed: BankingCalendar) -> None:
    with pytest.raises(InvalidConsummationDate, match="not a New York banking day"):
        validate_consummation_date(
            datetime(2001, 10, 5, 17, 0, tzinfo=NEW_YORK), date(2001, 10, 8), xfed
        )


def test_consummation_on_a_weekend_is_refused(xfed: BankingCalendar) -> None:
    with pytest.raises(InvalidConsummationDate, match="banking day"):
        validate_consummation_date(ORIGINAL_EXPIRATION, date(2001, 9, 8), xfed)


def test_original_cutoff_is_friday_aug_31_2001_at_five_pm_before_labor_day(
    xfed: BankingCalendar,
) -> None:
    assert firm_cutoff(ORIGINAL_EXPIRATION, ONE_DAY_AT_FIVE, xfed) == datetime(
        2001, 8, 31, 17, 0, tzinfo=NEW_YORK
    )


def test_cutoff_is_an_edt_instant(xfed: BankingCalendar) -> None:
    cutoff = firm_cutoff(ORIGINAL_EXPIRATION, ONE_DAY_AT_FIVE, xfed)
    assert (cutoff.tzinfo, cutoff.tzname()) == (NEW_YORK, "EDT")


def test_extension_to_sep_17_moves_the_cutoff_to_friday_sep_14(xfed: BankingCalendar) -> None:
    assert firm_cutoff(FIRST_EXTENSION, ONE_DAY_AT_FIVE, xfed) == datetime(
        2001, 9, 14, 17, 0, tzinfo=NEW_YORK
    )


def test_same_day_cutoff_at_five_pm_before_a_midnight_expiration(xfed: BankingCalendar) -> None:
    rule = CutoffRule(banking_days_before=0, time_of_day=time(17, 0))
    assert firm_cutoff(ORIGINAL_EXPIRATION, rule, xfed) == datetime(
        2001, 9, 4, 17, 0, tzinfo=NEW_YORK
    )


def test_cutoff_is_capped_at_the_expiration_instant(xfed: BankingCalendar) -> None:
    rule = CutoffRule(banking_days_before=0, time_of_day=time(18, 0))
    assert firm_cutoff(FIRST_EXTENSION, rule, xfed) == FIRST_EXTENSION


def test_cutoff_in_winter_is_an_est_instant(xfed: BankingCalendar) -> None:
    expiration = datetime(2002, 1, 15, 17, 0, tzinfo=NEW_YORK)
    cutoff = firm_cutoff(expiration, ONE_DAY_AT_FIVE, xfed)
    assert (cutoff, cutoff.tzname()) == (datetime(2002, 1, 14, 17, 0, tzinfo=NEW_YORK), "EST")


def test_cutoff_for_a_utc_expiration_is_given_in_new_york(xfed: BankingCalendar) -> None:
    cutoff = firm_cutoff(datetime(2001, 9, 5, 4, 0, tzinfo=UTC), ONE_DAY_AT_FIVE, xfed)
    assert cutoff.tzinfo is NEW_YORK


def test_negative_cutoff_days_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot be after the expiration day"):
        CutoffRule(banking_days_before=-1, time_of_day=time(17, 0))


def test_cutoff_time_with_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="New York local"):
        CutoffRule(banking_days_before=1, time_of_day=time(17, 0, tzinfo=UTC))


def test_naive_expiration_for_a_cutoff_is_refused(xfed: BankingCalendar) -> None:
    with pytest.raises(ValueError, match="aware"):
        firm_cutoff(datetime(2001, 9, 5, 0, 0), ONE_DAY_AT_FIVE, xfed)


# Rule 14e-1: the extension's announcement deadline and the minimum time open after a change.


@pytest.mark.parametrize(
    ("expiration", "deadline"),
    [
        # 12 midnight ending Tue Sep 4 -> 9:00 a.m. Wed Sep 5, 2001 (the replay's first).
        (datetime(2001, 9, 5, 0, 0, tzinfo=NEW_YORK), datetime(2001, 9, 5, 9, 0, tzinfo=NEW_YORK)),
        # 5:00 p.m. Mon Sep 17 -> 9:00 a.m. Tue Sep 18.
        (
            datetime(2001, 9, 17, 17, 0, tzinfo=NEW_YORK),
            datetime(2001, 9, 18, 9, 0, tzinfo=NEW_YORK),
        ),
        # 5:00 p.m. Fri Aug 31 -> 9:00 a.m. Tue Sep 4 (Mon Sep 3 was Labor Day).
        (
            datetime(2001, 8, 31, 17, 0, tzinfo=NEW_YORK),
            datetime(2001, 9, 4, 9, 0, tzinfo=NEW_YORK),
        ),
        # 5:00 p.m. Fri Oct 5 -> 9:00 a.m. Tue Oct 9 (Mon Oct 8 was Columbus Day).
        (
            datetime(2001, 10, 5, 17, 0, tzinfo=NEW_YORK),
            datetime(2001, 10, 9, 9, 0, tzinfo=NEW_YORK),
        ),
    ],
)
def test_an_extension_is_announced_by_nine_on_the_next_business_day(
    sec: SecBusinessDays, expiration: datetime, deadline: datetime
) -> None:
    assert announcement_deadline(expiration, sec) == deadline


@pytest.mark.parametrize(
    ("announced_on", "days", "earliest"),
    [
        # Wed Sep 5 counts as day 1: ...Sep 14, 17, 18 is the 10th; open until midnight ending it.
        (date(2001, 9, 5), 10, datetime(2001, 9, 19, 0, 0, tzinfo=NEW_YORK)),
        # Five business days from Wed Sep 5: Sep 5, 6, 7, 10, 11.
        (date(2001, 9, 5), 5, datetime(2001, 9, 12, 0, 0, tzinfo=NEW_YORK)),
        # Announced on Saturday Sep 8: the count starts Monday Sep 10 (10, 11, 12, 13, 14).
        (date(2001, 9, 8), 5, datetime(2001, 9, 15, 0, 0, tzinfo=NEW_YORK)),
        # Fri Oct 5, then Oct 9, 10, 11, 12: Columbus Day (Oct 8) does not count.
        (date(2001, 10, 5), 5, datetime(2001, 10, 13, 0, 0, tzinfo=NEW_YORK)),
    ],
)
def test_a_change_keeps_the_offer_open_for_business_days_counting_the_announcement(
    sec: SecBusinessDays, announced_on: date, days: int, earliest: datetime
) -> None:
    assert earliest_expiration_after_change(announced_on, days, sec) == earliest


def test_a_change_cannot_ask_for_no_days_open(sec: SecBusinessDays) -> None:
    with pytest.raises(ValueError, match="at least one business day"):
        earliest_expiration_after_change(date(2001, 9, 5), 0, sec)
