"""How the office writes dates, instants and money, on every page, PDF, e-mail and message.

Pure Python (no Django): the domain's refusal messages use it too, and the template filters in
`exchange_office.templatetags.office` are thin wrappers around it. Instants are always shown in
New York time, the time the offer documents state their deadlines in. The month and day names
are English whatever the locale: the documents are English.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


# Dates


def long_date(day: date) -> str:
    """September 5, 2001: the one way a date is written in full."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def short_date(day: date) -> str:
    """Sep 5, 2001: for tables and lists."""
    return f"{_MONTHS[day.month - 1][:3]} {day.day}, {day.year}"


def month_day(day: date) -> str:
    """Sep 5: where the year is given once nearby, as on a chart's axis."""
    return f"{_MONTHS[day.month - 1][:3]} {day.day}"


def weekday_date(day: date) -> str:
    """Wednesday, September 5, 2001."""
    return f"{_WEEKDAYS[day.weekday()]}, {long_date(day)}"


def short_weekday_date(day: date) -> str:
    """Wed, Sep 5, 2001."""
    return f"{_WEEKDAYS[day.weekday()][:3]}, {short_date(day)}"


# Instants


def in_new_york(instant: datetime) -> datetime:
    """The instant in New York time; naive datetimes are refused (their zone is a guess)."""
    if not isinstance(instant, datetime):
        raise TypeError("an instant must be a datetime")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("an instant must be an aware datetime, not a naive one")
    return instant.astimezone(NEW_YORK)


def _clock(local: datetime, *, seconds: bool) -> str:
    hour = local.hour % 12 or 12
    meridiem = "a.m." if local.hour < 12 else "p.m."
    minutes = f"{local:%M:%S}" if seconds else f"{local:%M}"
    return f"{hour}:{minutes} {meridiem} {local.tzname()}"


def describe_instant(instant: datetime) -> str:
    """A deadline as people say it: "5:00 p.m. EDT on Friday, August 31, 2001"; midnight reads
    as the end of the day before, as the offer documents put it."""
    local = in_new_york(instant)
    if local.time() == time(0, 0):
        day = local.date() - timedelta(days=1)
        return f"12 midnight {local.tzname()} at the end of {weekday_date(day)}"
    return f"{_clock(local, seconds=False)} on {weekday_date(local.date())}"


def timestamp(instant: datetime) -> str:
    """Aug 20, 2001, 10:00:00 a.m. EDT: when something happened, to the second."""
    local = in_new_york(instant)
    return f"{short_date(local.date())}, {_clock(local, seconds=True)}"


def weekday_timestamp(instant: datetime) -> str:
    """Mon, Aug 20, 2001, 10:00:00 a.m. EDT: the business clock's pin."""
    local = in_new_york(instant)
    return f"{short_weekday_date(local.date())}, {_clock(local, seconds=True)}"


def long_timestamp(instant: datetime) -> str:
    """August 20, 2001, 10:00:00 a.m. EDT: the same, written out (documents)."""
    local = in_new_york(instant)
    return f"{long_date(local.date())}, {_clock(local, seconds=True)}"


def iso_timestamp(instant: datetime) -> str:
    """2001-08-20T10:00:05-04:00: ISO 8601 in New York time to the second, with its offset,
    for spreadsheets and machines (a CSV column sorts and parses as written)."""
    return in_new_york(instant).isoformat(timespec="seconds")


def digits_timestamp(instant: datetime) -> str:
    """20010820100000: New York date and time of day as digits, for files that want them so
    (MT565's :98C:, 8!n6!n)."""
    local = in_new_york(instant)
    return f"{local:%Y%m%d%H%M%S}"


def digits_date(day: date) -> str:
    """20010905: a date as digits, for files that want it so (MT56x's :98A:, 8!n)."""
    return f"{day:%Y%m%d}"


def fin_date_and_time(instant: datetime) -> tuple[str, str]:
    """('010905', '1000'): New York date (YYMMDD) and time (HHMM), as FIN's headers write
    them (block 2's input and output times)."""
    local = in_new_york(instant)
    return f"{local:%y%m%d}", f"{local:%H%M}"


def utc_digits(instant: datetime) -> str:
    """20010905T0400: the UTC date and time to the minute, for keys that must not depend on
    the time zone."""
    return f"{instant.astimezone(UTC):%Y%m%dT%H%M}"


def parse_digits_timestamp(text: str) -> datetime:
    """The instant a New York `digits_timestamp` (20010820100000) names."""
    return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=NEW_YORK)


def clock_time(instant: datetime) -> str:
    """10:02:30 a.m. EDT: a time later today."""
    return _clock(in_new_york(instant), seconds=True)


def time_left(until: datetime, now: datetime) -> str:
    """ "3 days, 7 hours" from `now` to `until`; "passed" once it is reached."""
    seconds = int((until - now).total_seconds())
    if seconds <= 0:
        return "passed"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    text = ", ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n)
    return text or "less than a minute"


# Money and counts


def money(value: Decimal | int) -> str:
    """$1,267.04; negative amounts as -$5.00."""
    value = Decimal(value)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def dollars(value: Decimal | int) -> str:
    """Whole dollars for principal amounts: $27,412,000 (cents only where there are some)."""
    value = Decimal(value)
    if value != value.to_integral_value():
        return money(value)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.0f}"


def percent(fraction: Decimal) -> str:
    """A rate stored as a fraction, as people read it: 0.1275 -> 12.75%."""
    return format((Decimal(fraction) * 100).normalize(), "f") + "%"


def exact(value: Decimal | int) -> str:
    """An exact count with thousands separators and no trailing zeros: 149,395.4."""
    text = format(Decimal(value).normalize(), "f")
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, fraction = text.partition(".")
    return f"{sign}{int(whole):,}" + (f".{fraction}" if fraction else "")
