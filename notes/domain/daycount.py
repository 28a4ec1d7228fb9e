"""30/360 US bond basis, in integer arithmetic.

Matches QuantLib's ``Thirty360(Thirty360.BondBasis)``: a start on the 31st counts as the 30th;
an end on the 31st counts as the 30th only when the (adjusted) start is the 30th; there is no
February rule, so Feb 28 -> Mar 31 is 33 days.
"""

from datetime import date, datetime


def days_30_360_bond_basis(start: date, end: date) -> int:
    """Days from ``start`` to ``end`` (negative if ``end`` is earlier)."""
    for value in (start, end):
        # A datetime is a date subclass, but its time of day would be silently dropped.
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(f"30/360 needs dates, not {type(value).__name__}")
    d1 = 30 if start.day == 31 else start.day
    d2 = 30 if end.day == 31 and d1 == 30 else end.day
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)
