"""The business clock: the one place business code asks for "now".

Every deadline check (firm cutoff, expiration, withdrawal rights) goes through `now()`.
It is the real time unless the `EXCHANGE_OFFICE_NOW` setting pins it to a fixed instant,
for demonstrations, training, tests and replay of the 2001 offer.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

# Set by `frozen_at` for a block of code (loading the demo's history); wins over the setting.
_frozen: ContextVar[datetime | None] = ContextVar("business_clock_frozen", default=None)


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


@contextmanager
def frozen_at(instant: datetime) -> Iterator[None]:
    """Business time stands at `instant` inside the block, e.g. to record the demo's
    instructions on the 2001 dates they would have been taken."""
    if timezone.is_naive(instant):
        raise ValueError("the business clock needs an aware instant")
    token = _frozen.set(instant)
    try:
        yield
    finally:
        _frozen.reset(token)


def now() -> datetime:
    """The business "now": aware, in UTC like `timezone.now()`."""
    pinned = _frozen.get() or pinned_instant()
    if pinned is None:
        return timezone.now()
    return pinned.astimezone(UTC)


def today() -> date:
    """The business date in New York (the project's TIME_ZONE)."""
    return timezone.localdate(now())


def wall_now() -> datetime:
    """The real time, for audit stamps kept next to the business time."""
    return timezone.now()
