"""The business clock: the one place business code asks for "now".

Every deadline check (firm cutoff, expiration, withdrawal rights) goes through `now()`.
It is the real time unless the `EXCHANGE_OFFICE_NOW` setting pins it to a fixed instant,
for demonstrations, training, tests and replay of the 2001 offer.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


def parse_pinned_instant(text: str) -> datetime | None:
    """Parse `EXCHANGE_OFFICE_NOW` (ISO 8601 with an offset); empty means the clock runs."""
    text = text.strip()
    if not text:
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ImproperlyConfigured(
            f"EXCHANGE_OFFICE_NOW={text!r} is not an ISO 8601 instant, "
            "e.g. 2001-08-20T10:00:00-04:00"
        ) from None
    if timezone.is_naive(instant):
        # A naive time would be read in some machine's zone: refuse rather than guess.
        raise ImproperlyConfigured(
            f"EXCHANGE_OFFICE_NOW={text!r} has no UTC offset, e.g. 2001-08-20T10:00:00-04:00"
        )
    return instant


def pinned_instant() -> datetime | None:
    """The instant the clock is pinned to, or None when it runs with real time."""
    value = settings.EXCHANGE_OFFICE_NOW
    if isinstance(value, str):  # e.g. override_settings(EXCHANGE_OFFICE_NOW="...")
        return parse_pinned_instant(value)
    return value


def is_pinned() -> bool:
    return pinned_instant() is not None


def now() -> datetime:
    """The business "now": aware, in UTC like `timezone.now()`."""
    pinned = pinned_instant()
    if pinned is None:
        return timezone.now()
    return pinned.astimezone(UTC)


def wall_now() -> datetime:
    """The real time, for audit stamps kept next to the business time."""
    return timezone.now()
