"""The statement's calendar: a statement covers one calendar quarter, named as "2001Q4".

Pure Python. Hand-written rather than taken from a library: a quarter's bounds are four fixed
month ranges, and the name "2001Q4" is the office's own (the key of the statement's document).
"""

import re
from datetime import date, timedelta

from exchange_office.formatting import long_date

_PERIOD = re.compile(r"(\d{4})Q([1-4])")


class InvalidPeriod(ValueError):
    """Not a calendar quarter written as YYYYQn."""


def quarter_bounds(period: str) -> tuple[date, date]:
    """The first and last day of the quarter: "2001Q4" is Oct 1 to Dec 31, 2001."""
    match = _PERIOD.fullmatch(period.strip()) if isinstance(period, str) else None
    if match is None or int(match.group(1)) < 1:
        raise InvalidPeriod(
            f"{period!r} is not a calendar quarter: write the year and the quarter, as 2001Q4."
        )
    year, quarter = int(match.group(1)), int(match.group(2))
    first = date(year, 3 * quarter - 2, 1)
    # The day before the next quarter's first day (the year 9999's Q4 ends on Dec 31).
    last = date(year, 12, 31) if quarter == 4 else date(year, 3 * quarter + 1, 1) - timedelta(1)
    return first, last


def quarter_of(day: date) -> str:
    """The quarter a day falls in: Nov 1, 2001 is "2001Q4"."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_label(period: str) -> str:
    """How a statement names its period: "October 1 to December 31, 2001"."""
    first, last = quarter_bounds(period)
    # "October 1, 2001" without its year, then the last day in full: the office's one way.
    return f"{long_date(first).rsplit(',', 1)[0]} to {long_date(last)}"
