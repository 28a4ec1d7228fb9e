"""Time rules of an offer: expiration day, expected consummation, broker cutoffs.

All instants are aware; calendar days are New York days, because the offer's deadlines are
stated in New York City time.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from notes.domain.calendar import BankingCalendar
from notes.domain.entitlement import InvalidConsummationDate

NEW_YORK = ZoneInfo("America/New_York")


def _long(d: date) -> str:
    """Format as September 4, 2001 (without the platform-specific %-d)."""
    return f"{d:%B} {d.day}, {d.year}"


def _in_new_york(instant: datetime) -> datetime:
    if not isinstance(instant, datetime):
        raise TypeError("an expiration must be a datetime")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("an expiration must be an aware datetime, not a naive one")
    return instant.astimezone(NEW_YORK)


def expiration_day(expiration: datetime) -> date:
    """The New York day the offer expires on.

    "12 midnight on Sep 4" is the instant Sep 5 00:00, which ends Sep 4: an expiration at
    exactly midnight belongs to the previous day.
    """
    local = _in_new_york(expiration)
    if local.time() == time(0, 0):
        return local.date() - timedelta(days=1)
    return local.date()


def expected_consummation_date(expiration: datetime, calendar: BankingCalendar) -> date:
    """The first banking day after the expiration day (for projected figures)."""
    return calendar.next_banking_day_after(expiration_day(expiration))


def validate_consummation_date(
    expiration: datetime, consummation_date: date, calendar: BankingCalendar
) -> None:
    """Refuse a consummation date on or before the expiration day, or on a closed day."""
    if isinstance(consummation_date, datetime) or not isinstance(consummation_date, date):
        raise TypeError("the consummation date must be a date")
    last_day = expiration_day(expiration)
    if consummation_date <= last_day:
        raise InvalidConsummationDate(
            f"The consummation date {_long(consummation_date)} must be after the "
            f"expiration day, {_long(last_day)}."
        )
    if not calendar.is_banking_day(consummation_date):
        raise InvalidConsummationDate(
            f"The consummation date {_long(consummation_date)} is not a New York banking day."
        )


@dataclass(frozen=True, slots=True)
class CutoffRule:
    """A broker firm's internal deadline: a New York time of day, some banking days early."""

    banking_days_before: int
    time_of_day: time

    def __post_init__(self) -> None:
        if isinstance(self.banking_days_before, bool) or not isinstance(
            self.banking_days_before, int
        ):
            raise TypeError("banking_days_before must be a whole number")
        if self.banking_days_before < 0:
            raise ValueError("a cutoff cannot be after the expiration day")
        if not isinstance(self.time_of_day, time) or self.time_of_day.tzinfo is not None:
            raise ValueError("the cutoff time of day is New York local time, without a zone")


def firm_cutoff(expiration: datetime, rule: CutoffRule, calendar: BankingCalendar) -> datetime:
    """The firm's cutoff instant, never later than the expiration itself."""
    expires_at = _in_new_york(expiration)
    day = calendar.banking_days_before(expiration_day(expiration), rule.banking_days_before)
    cutoff = datetime.combine(day, rule.time_of_day, tzinfo=NEW_YORK)
    return min(cutoff, expires_at)


def describe_instant(instant: datetime) -> str:
    """A deadline as people say it, in New York time: "5:00 p.m. EDT on Friday, August 31,
    2001"; midnight reads as the end of the day before, as the offer documents put it."""
    local = _in_new_york(instant)
    zone = local.tzname()
    if local.time() == time(0, 0):
        day = local.date() - timedelta(days=1)
        return f"12 midnight {zone} at the end of {day:%A}, {_long(day)}"
    hour = local.hour % 12 or 12
    meridiem = "a.m." if local.hour < 12 else "p.m."
    return f"{hour}:{local:%M} {meridiem} {zone} on {local:%A}, {_long(local.date())}"
