"""The office's two calendars, from the ``holidays`` library; no holiday is written by hand.

- New York banking days (the Federal Reserve's XFED calendar) date every payment: fee
  installments, coupons, principal, consummation. Per offer (``OfferTerms.calendar_code``).
- The SEC's business days (Rule 14d-1(g)(3): not a Saturday, Sunday or federal holiday) count
  Rule 14e-1's periods: how long an offer stays open after a change, and the next business
  day's 9:00 a.m. announcement deadline. They are the law's, not the offer's.

The two differ when a federal holiday falls on a Saturday: it is observed on the Friday
(federal offices closed) while the Fed stays open, e.g. Jul 3, 2020 and Dec 31, 2021. The
rest of the code asks this module, never the library, and speaks ``date``.
"""

import threading
from datetime import date, timedelta
from functools import cache

import holidays

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


class UnknownCalendar(ValueError):
    """The calendar code names no calendar this office knows."""


class _Weekdays:
    """Weekends and the wrapped holiday calendar are closed; every other day is open. Two
    subclasses, so that the type says which calendar a rule needs (mypy refuses the other)."""

    __slots__ = ("_holidays", "_lock", "code")

    def __init__(self, code: str, closed_days: holidays.HolidayBase) -> None:
        self.code = code
        self._holidays = closed_days
        # The holidays object fills in a year on first lookup (it mutates itself), and a
        # cached calendar is shared by every thread of the web server.
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r})"

    def _is_open(self, d: date) -> bool:
        if d.weekday() >= _SATURDAY:
            return False
        with self._lock:
            return d not in self._holidays

    def holiday_name(self, d: date) -> str | None:
        """The library's name for a closed weekday, for messages and screens."""
        with self._lock:
            return self._holidays.get(d)

    def following(self, d: date) -> date:
        """``d`` if it is open, else the next open day."""
        while not self._is_open(d):
            d += _ONE_DAY
        return d


class BankingCalendar(_Weekdays):
    """New York banking days: the days payments are made on."""

    __slots__ = ()

    def is_banking_day(self, d: date) -> bool:
        return self._is_open(d)

    def next_banking_day_after(self, d: date) -> date:
        """The first banking day strictly after ``d``."""
        return self.following(d + _ONE_DAY)

    def banking_days_before(self, d: date, n: int) -> date:
        """The ``n``-th banking day strictly before ``d``; ``n == 0`` returns ``d`` itself."""
        if n < 0:
            raise ValueError("the number of banking days must not be negative")
        while n > 0:
            d -= _ONE_DAY
            if self.is_banking_day(d):
                n -= 1
        return d


class SecBusinessDays(_Weekdays):
    """The SEC's business days (Rule 14d-1(g)(3)), which Rule 14e-1's periods count."""

    __slots__ = ()

    def is_business_day(self, d: date) -> bool:
        return self._is_open(d)

    def next_business_day_after(self, d: date) -> date:
        """The first business day strictly after ``d``."""
        return self.following(d + _ONE_DAY)


_FACTORIES = {
    # Federal Reserve holidays: the New York banking days of domain.md.
    "XFED": lambda: holidays.financial_holidays("XFED"),
}


@cache
def banking_calendar(code: str) -> BankingCalendar:
    """The shared calendar for ``code`` (only "XFED" today)."""
    try:
        factory = _FACTORIES[code]
    except (KeyError, TypeError):
        raise UnknownCalendar(f"unknown banking calendar {code!r}; known: XFED") from None
    return BankingCalendar(code, factory())


@cache
def sec_business_days() -> SecBusinessDays:
    """The shared SEC business-day calendar: the federal holidays fixed by statute (5 U.S.C.
    6103), as observed, from the library's US public calendar. Not its "government" category
    (days an executive order closes federal offices, such as Dec 24, 2001), and no market
    closure (Sep 11-14, 2001): neither is a federal holiday. docs/rules.md says why."""
    return SecBusinessDays("US-FEDERAL", holidays.US(observed=True, categories=(holidays.PUBLIC,)))
