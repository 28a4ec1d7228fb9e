"""Logins are throttled (django-axes): five failures for one user from one address lock that
user out from that address for 15 minutes, on the site's and the admin's login, and the login
page says so. Behind trusted proxies the address is the client's. Sessions end after 8 hours
and when the browser closes."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

SITE_LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"
LOCKED = "Too many failed logins for this user from your address"
OTHER_ADDRESS = "192.0.2.10"  # TEST-NET-1: a documentation address, never reached
ATTACKER = "198.51.100.66"  # TEST-NET-2
PROXY = "10.0.0.1"  # the proxy in front of the site, as the server sees the connection


def _fail(client: Client, url: str, username: str, times: int, **extra: str) -> None:
    for _ in range(times):
        client.post(url, {"username": username, "password": "wrong"}, **extra)


def _log_in(client: Client, url: str, username: str, **extra: str):
    return client.post(url, {"username": username, "password": "password"}, **extra)


def test_the_lockout_is_five_failures_for_fifteen_minutes_by_user_and_address() -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_four_failures_then_the_right_password_logs_in(client, representative) -> None:
    _fail(client, SITE_LOGIN, "rep-test", 4)
    response = _log_in(client, SITE_LOGIN, "rep-test")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_five_failed_logins_lock_the_sixth_even_with_the_right_password(
    client, representative
) -> None:
    _fail(client, SITE_LOGIN, "rep-test", 5)
    response = _log_in(client, SITE_LOGIN, "rep-test")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_site_login_page_says_plainly_that_the_user_is_locked_out(
    client, representative
) -> None:
    _fail(client, SITE_LOGIN, "rep-test", 5)
    page = _log_in(client, SITE_LOGIN, "rep-test").content.decode()
    assert LOCKED in page
    assert "locked for 15 minutes" in page
    assert 'id="id_password"' in page  # the login page itself, not an error page
    assert "Please enter a correct username and password" not in page


def test_five_failed_admin_logins_lock_the_admin_login_with_the_plain_message(
    client, ops_user
) -> None:
    _fail(client, ADMIN_LOGIN, "ops-test", 5)
    response = _log_in(client, ADMIN_LOGIN, "ops-test")
    page = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in page
    assert 'id="login-form"' in page  # the admin's login page, with the message on it
    assert "_auth_user_id" not in client.session


def test_failures_on_the_site_count_towards_the_admin_lockout(client, ops_user) -> None:
    _fail(client, SITE_LOGIN, "ops-test", 5)
    assert _log_in(client, ADMIN_LOGIN, "ops-test").status_code == 429


def test_another_address_is_not_locked_out(client, representative) -> None:
    _fail(client, SITE_LOGIN, "rep-test", 5)
    response = _log_in(client, SITE_LOGIN, "rep-test", REMOTE_ADDR=OTHER_ADDRESS)
    assert response.status_code == 302


def test_another_user_from_the_same_address_is_not_locked_out(
    client, representative, user_factory
) -> None:
    user_factory(username="colleague")
    _fail(client, SITE_LOGIN, "rep-test", 5)
    assert _log_in(client, SITE_LOGIN, "colleague").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, representative) -> None:
    _fail(client, SITE_LOGIN, "rep-test", 5)
    # Fifteen minutes and a second pass: the failures were recorded that long ago.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=15, seconds=1))
    response = _log_in(client, SITE_LOGIN, "rep-test")
    assert response.status_code == 302


def test_the_lock_holds_until_the_cool_off_has_passed(client, representative) -> None:
    _fail(client, SITE_LOGIN, "rep-test", 5)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
    assert _log_in(client, SITE_LOGIN, "rep-test").status_code == 429


def test_a_successful_login_clears_the_earlier_failures(client, representative) -> None:
    _fail(client, SITE_LOGIN, "rep-test", 4)
    _log_in(client, SITE_LOGIN, "rep-test")
    client.post("/logout/")
    _fail(client, SITE_LOGIN, "rep-test", 4)
    assert _log_in(client, SITE_LOGIN, "rep-test").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=timedelta(minutes=1))
def test_the_limit_and_the_wait_follow_the_settings(client, representative) -> None:
    _fail(client, SITE_LOGIN, "rep-test", 2)
    response = _log_in(client, SITE_LOGIN, "rep-test")
    assert response.status_code == 429
    assert "locked for 1 minute." in response.content.decode()


def test_a_session_lasts_eight_hours_and_ends_when_the_browser_closes(
    client, representative
) -> None:
    response = _log_in(client, SITE_LOGIN, "rep-test")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""  # a browser-session cookie: gone when the browser closes
    assert cookie["expires"] == ""
    assert client.session.get_expiry_age() == 8 * 60 * 60
    assert client.session.get_expire_at_browser_close()


@pytest.mark.parametrize("where", ["/login/", "/admin/login/"])
def test_an_overlong_username_is_refused_before_any_attempt_is_recorded(client, where) -> None:
    response = client.post(where, {"username": "a" * 1_000_000, "password": "x"})
    assert response.status_code == 200
    assert "That is not a username of this office." in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_an_overlong_password_is_refused_before_it_is_hashed(client, representative) -> None:
    username = representative.user.get_username()
    response = client.post("/login/", {"username": username, "password": "p" * 5000})
    assert "That password is too long to be one of ours." in response.content.decode()
    assert not AccessAttempt.objects.exists()


# Behind trusted proxies: every client reaches the site from the proxy's address.


def _through_proxy(client_address: str) -> dict[str, str]:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


def test_behind_a_trusted_proxy_a_user_lockout_hits_only_the_attacking_address(
    client, ops_user, settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    _fail(client, ADMIN_LOGIN, "ops-test", 5, **_through_proxy(ATTACKER))
    assert _log_in(client, ADMIN_LOGIN, "ops-test", **_through_proxy(ATTACKER)).status_code == 429
    colleague = Client()
    assert (
        _log_in(colleague, ADMIN_LOGIN, "ops-test", **_through_proxy(OTHER_ADDRESS)).status_code
        == 302
    )


def test_the_failures_are_recorded_under_the_clients_address_not_the_proxys(
    client, settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    _fail(client, SITE_LOGIN, "rep-test", 1, **_through_proxy(ATTACKER))
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]
