"""Template filters that format figures the same way on every page and document."""

from decimal import Decimal

from django import template

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
