"""New York banking days, from the ``holidays`` library's Federal Reserve (XFED) calendar.

The rest of the code asks this module, never the library, so the calendar can be swapped per
offer (``OfferTerms.calendar_code``). No holiday is written by hand here: whatever the library
says is the convention (e.g. Sep 11-12, 2001 closed the markets but are not Fed holidays).
"""

import threading
from datetime import date, timedelta
from functools import cache

import holidays

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


class UnknownCalendar(ValueError):
    """The calendar code names no calendar this office knows."""


class BankingCalendar:
    """Weekends and the wrapped holiday calendar are closed; every other day is open."""

    __slots__ = ("_holidays", "_lock", "code")

    def __init__(self, code: str, closed_days: holidays.HolidayBase) -> None:
        self.code = code
        self._holidays = closed_days
        # The holidays object fills in a year on first lookup (it mutates itself), and a
        # cached calendar is shared by every thread of the web server.
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"BankingCalendar({self.code!r})"

    def is_banking_day(self, d: date) -> bool:
        if d.weekday() >= _SATURDAY:
            return False
        with self._lock:
            return d not in self._holidays

    def holiday_name(self, d: date) -> str | None:
        """The library's name for a closed weekday, for messages and screens."""
        with self._lock:
            return self._holidays.get(d)

    def following(self, d: date) -> date:
        """``d`` if it is a banking day, else the next banking day."""
        while not self.is_banking_day(d):
            d += _ONE_DAY
        return d

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
