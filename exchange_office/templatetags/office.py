"""Template filters over `exchange_office.formatting`: pages and PDFs write every date, instant
and amount the same way. An empty value renders as an empty string."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django import template
from django.utils.html import format_html

from exchange_office import formatting

register = template.Library()


def _blank_if_empty(format_value: Callable[[Any], str]) -> Callable[[Any], str]:
    def filter_function(value: Any) -> str:
        if value is None or value == "":
            return ""
        return format_value(value)

    filter_function.__doc__ = format_value.__doc__
    return filter_function


for _name in (
    "long_date",
    "short_date",
    "weekday_date",
    "short_weekday_date",
    "timestamp",
    "weekday_timestamp",
    "long_timestamp",
    "clock_time",
    "money",
    "dollars",
    "percent",
    "exact",
):
    register.filter(_name, _blank_if_empty(getattr(formatting, _name)))

# A deadline as the offer documents say it: "5:00 p.m. EDT on Friday, August 31, 2001".
register.filter("deadline", _blank_if_empty(formatting.describe_instant))


@register.filter
def iso(value: date | datetime | None) -> str:
    """For machines (data attributes read by scripts): 2001-08-31T17:00:00-04:00."""
    return value.isoformat() if value is not None else ""


@register.simple_tag
def time_left(until: datetime, now: datetime) -> str:
    return formatting.time_left(until, now)


# An instruction's status as a badge: a filter, not an {% include %}, since the account list
# draws one per row (an include costs a template render each).
STATUS_BADGES = {
    "received": ("text-bg-primary", "Received"),
    "submitted": ("text-bg-info", "Submitted to agent"),
    "accepted": ("text-bg-success", "Accepted"),
    "returned": ("text-bg-secondary", "Returned"),
    "withdrawn": ("text-bg-warning", "Withdrawn"),
    "superseded": ("text-bg-light border", "Superseded"),
    "unaccepted": ("text-bg-danger", "Not accepted"),
}
NO_ANSWER_BADGE = ("text-bg-light border", "No answer")


@register.filter
def status_badge(status: str | None) -> str:
    css, label = STATUS_BADGES.get(status or "", NO_ANSWER_BADGE)
    return format_html('<span class="badge {} status-badge">{}</span>', css, label)
