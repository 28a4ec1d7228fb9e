"""Time rules of an offer: expiration day, expected consummation, broker cutoffs, and Rule
14e-1's periods.

All instants are aware; calendar days are New York days, because the offer's deadlines are
stated in New York City time. Payments and the firms' cutoffs count New York banking days;
Rule 14e-1 counts the SEC's business days (`notes.domain.calendar`).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from exchange_office.formatting import NEW_YORK, in_new_york, long_date
from notes.domain.calendar import BankingCalendar, SecBusinessDays
from notes.domain.entitlement import InvalidConsummationDate

__all__ = [
    "ANNOUNCEMENT_TIME",
    "CONSIDERATION_CHANGE_DAYS",
    "NEW_YORK",
    "OTHER_MATERIAL_CHANGE_DAYS",
    "CutoffRule",
    "announcement_deadline",
    "earliest_expiration_after_change",
    "expected_consummation_date",
    "expiration_day",
    "firm_cutoff",
    "validate_consummation_date",
]


def expiration_day(expiration: datetime) -> date:
    """The New York day the offer expires on.

    "12 midnight on Sep 4" is the instant Sep 5 00:00, which ends Sep 4: an expiration at
    exactly midnight belongs to the previous day.
    """
    local = in_new_york(expiration)
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
            f"The consummation date {long_date(consummation_date)} must be after the "
            f"expiration day, {long_date(last_day)}."
        )
    if not calendar.is_banking_day(consummation_date):
        raise InvalidConsummationDate(
            f"The consummation date {long_date(consummation_date)} is not a New York banking day."
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
    expires_at = in_new_york(expiration)
    day = calendar.banking_days_before(expiration_day(expiration), rule.banking_days_before)
    cutoff = datetime.combine(day, rule.time_of_day, tzinfo=NEW_YORK)
    return min(cutoff, expires_at)


# SEC Rule 14e-1, which governs every tender offer (debt included). Its business days are the
# SEC's (Rule 14d-1(g)(3)), not the banking days: a Saturday federal holiday observed on the
# Friday closes that Friday for the rule although the Fed is open.

ANNOUNCEMENT_TIME = time(9, 0)  # Rule 14e-1(d): 9:00 a.m. Eastern


def announcement_deadline(expiration: datetime, calendar: SecBusinessDays) -> datetime:
    """Rule 14e-1(d): an extension is announced no later than 9:00 a.m. Eastern on the next
    business day after the scheduled expiration (after the expiration day)."""
    day = calendar.next_business_day_after(expiration_day(expiration))
    return datetime.combine(day, ANNOUNCEMENT_TIME, tzinfo=NEW_YORK)


CONSIDERATION_CHANGE_DAYS = 10  # Rule 14e-1(b): consideration or percentage sought changed
OTHER_MATERIAL_CHANGE_DAYS = 5  # convention, following SEC guidance (e.g. the minimum lowered)


def earliest_expiration_after_change(
    announced_on: date, business_days: int, calendar: SecBusinessDays
) -> datetime:
    """The earliest expiration once a change is first announced on `announced_on`: the offer
    stays open at least `business_days` business days from that day, counting it (when it is
    a business day), so until 12 midnight at the end of the last of them."""
    if business_days < 1:
        raise ValueError("a change keeps the offer open at least one business day")
    day = calendar.following(announced_on)
    for _ in range(business_days - 1):
        day = calendar.next_business_day_after(day)
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=NEW_YORK)
