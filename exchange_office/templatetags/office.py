"""Template filters that format figures the same way on every page and document."""

from datetime import datetime
from decimal import Decimal

from django import template

from notes.domain.deadlines import describe_instant

register = template.Library()


@register.filter
def money(value: Decimal | int | None) -> str:
    """$1,267.04; negative amounts as -$5.00; empty for None."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


@register.filter
def dollars(value: Decimal | int | None) -> str:
    """Whole dollars for principal amounts: $27,412,000."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if value != value.to_integral_value():
        return money(value)
    return f"${value:,.0f}"


@register.filter
def percent(value: Decimal | None) -> str:
    """A rate stored as a fraction, as people read it: 0.1275 -> 12.75%."""
    if value is None or value == "":
        return ""
    text = format((Decimal(value) * 100).normalize(), "f")
    return f"{text}%"


@register.filter
def exact(value: Decimal | None) -> str:
    """An exact count with thousands separators and no trailing zeros: 149,395.4."""
    if value is None or value == "":
        return ""
    value = Decimal(value).normalize()
    whole, _, fraction = format(value, "f").partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


@register.filter
def deadline(value: datetime | None) -> str:
    """A deadline in New York time, as the offer documents say it."""
    if value is None:
        return ""
    return describe_instant(value)


@register.simple_tag
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
