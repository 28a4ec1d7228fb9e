from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from exchange_office import clock


def test_unpinned_clock_runs_with_real_time(settings: object) -> None:
    before = timezone.now()
    now = clock.now()
    assert before <= now <= timezone.now()
    assert not clock.is_pinned()


def test_pinned_clock_honours_the_offset(pin_clock) -> None:
    pin_clock(clock.parse_pinned_instant("2001-08-20T10:00:00-04:00"))
    assert clock.now() == datetime(2001, 8, 20, 14, 0, tzinfo=UTC)


def test_pinned_clock_is_aware(pin_clock) -> None:
    pin_clock(clock.parse_pinned_instant("2001-09-04T23:59:59-04:00"))
    assert timezone.is_aware(clock.now())
    assert clock.is_pinned()


def test_pinned_clock_stands_still(pin_clock) -> None:
    pin_clock(clock.parse_pinned_instant("2001-08-20T10:00:00-04:00"))
    assert clock.now() == clock.now()


def test_wall_clock_ignores_the_pin(pin_clock) -> None:
    pin_clock(clock.parse_pinned_instant("2001-08-20T10:00:00-04:00"))
    assert abs(clock.wall_now() - timezone.now()) < timedelta(seconds=5)


def test_pin_given_as_text_in_settings_is_parsed(pin_clock) -> None:
    pin_clock("2001-09-05T00:00:00-04:00")
    assert clock.now() == datetime(2001, 9, 5, 4, 0, tzinfo=UTC)


def test_empty_pin_means_real_time() -> None:
    assert clock.parse_pinned_instant("  ") is None


def test_pin_without_offset_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="no UTC offset"):
        clock.parse_pinned_instant("2001-08-20T10:00:00")


def test_unparsable_pin_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="not an ISO 8601 instant"):
        clock.parse_pinned_instant("August 20th")


@pytest.mark.django_db
def test_banner_shows_the_pinned_instant_on_every_page(client, pin_clock) -> None:
    pin_clock("2001-08-20T10:00:00-04:00")
    page = client.get("/login/").content.decode()
    assert 'data-testid="clock-banner"' in page
    assert "Mon, Aug 20, 2001, 10:00:00 a.m. EDT" in page


@pytest.mark.django_db
def test_banner_shows_in_the_admin(client, ops_user, pin_clock) -> None:
    pin_clock("2001-08-20T10:00:00-04:00")
    client.force_login(ops_user)
    page = client.get("/admin/").content.decode()
    assert "Business clock pinned at" in page


@pytest.mark.django_db
def test_no_banner_when_the_clock_runs(client) -> None:
    assert "Business clock pinned" not in client.get("/login/").content.decode()
