"""Logins are throttled (django-axes): five failures for one user from one address lock that
user out from that address for 15 minutes, and 25 failures from one address, whatever the
usernames, lock that address for everyone, on the site's and the admin's login; the login page
says so. Behind trusted proxies the address is the client's. The records of logins go after
90 days. Sessions end after 8 hours and when the browser closes."""

import functools
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.test import Client, override_settings
from django.utils import timezone

from tenders.sweep import sweep
from tests.test_settings import run_django

pytestmark = pytest.mark.django_db

SITE_LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"
LOCKED = "Too many failed logins for this user from your address"
ADDRESS_LOCKED = "Too many failed logins from your address"
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


# Password spraying: one address trying many usernames.


def _spray(client: Client, url: str, usernames: int, **extra: str) -> list[int]:
    """One wrong password for each of `usernames` usernames; the answers' status codes."""
    return [
        client.post(url, {"username": f"sprayed-{n}", "password": "wrong"}, **extra).status_code
        for n in range(usernames)
    ]


def _without_token(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page)


@pytest.fixture
def evaluated(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The usernames whose password the model backend checked."""
    checked: list[str] = []
    original = ModelBackend.authenticate

    @functools.wraps(original)
    def authenticate(self: Any, request: Any, username: Any = None, **kwargs: Any) -> Any:
        checked.append(username)
        return original(self, request, username=username, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", authenticate)
    return checked


def test_the_address_limit_is_twenty_five_failures_across_usernames() -> None:
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 25


def test_the_twenty_fifth_failure_from_one_address_locks_it_across_usernames(client) -> None:
    statuses = _spray(client, SITE_LOGIN, 30)
    assert statuses[:24] == [200] * 24
    assert statuses[24:] == [429] * 6  # locked out before the 30th, from the 25th answer on


def test_the_twenty_sixth_login_from_a_locked_address_is_refused_without_being_evaluated(
    client, evaluated
) -> None:
    _spray(client, SITE_LOGIN, 25)
    assert len(evaluated) == 25
    response = client.post(SITE_LOGIN, {"username": "sprayed-25", "password": "wrong"})
    assert response.status_code == 429
    assert len(evaluated) == 25


def test_a_locked_address_refuses_the_right_password_and_says_so_plainly(
    client, representative
) -> None:
    _spray(client, SITE_LOGIN, 25)
    response = _log_in(client, SITE_LOGIN, "rep-test")
    page = response.content.decode()
    assert response.status_code == 429
    assert ADDRESS_LOCKED in page
    assert "locked for 15 minutes, whoever logs in" in page
    assert 'id="id_password"' in page  # the login page itself, not an error page
    assert "_auth_user_id" not in client.session


def test_a_locked_address_answers_alike_for_a_username_that_exists_and_one_that_does_not(
    client, representative
) -> None:
    _spray(client, SITE_LOGIN, 25)
    known = client.post(SITE_LOGIN, {"username": "rep-test", "password": "wrong"})
    unknown = client.post(SITE_LOGIN, {"username": "nobody-here", "password": "wrong"})
    assert known.status_code == unknown.status_code == 429
    assert ADDRESS_LOCKED in known.content.decode()
    known_page = known.content.decode().replace("rep-test", "nobody-here")
    assert _without_token(known_page) == _without_token(unknown.content.decode())


def test_twenty_four_failures_from_one_address_then_the_right_password_logs_in(
    client, representative
) -> None:
    _spray(client, SITE_LOGIN, 24)
    assert _log_in(client, SITE_LOGIN, "rep-test").status_code == 302


def test_another_address_still_logs_in_while_one_is_locked(client, representative) -> None:
    _spray(client, SITE_LOGIN, 30)
    assert _log_in(client, SITE_LOGIN, "rep-test", REMOTE_ADDR=OTHER_ADDRESS).status_code == 302


def test_the_address_lock_holds_on_the_admin_login(client, ops_user) -> None:
    _spray(client, SITE_LOGIN, 25)
    response = _log_in(client, ADMIN_LOGIN, "ops-test")
    page = response.content.decode()
    assert response.status_code == 429
    assert ADDRESS_LOCKED in page
    assert 'id="login-form"' in page  # the admin's login page, with the message on it


def test_failures_on_the_admin_login_count_towards_the_address_lock(client, representative) -> None:
    _spray(client, ADMIN_LOGIN, 25)
    assert _log_in(client, SITE_LOGIN, "rep-test").status_code == 429


def test_the_address_lock_lifts_after_the_cool_off(client, representative) -> None:
    _spray(client, SITE_LOGIN, 25)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=15, seconds=1))
    assert _log_in(client, SITE_LOGIN, "rep-test").status_code == 302


@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=3)
def test_the_address_limit_follows_the_setting(client) -> None:
    assert _spray(client, SITE_LOGIN, 4) == [200, 200, 429, 429]


def test_without_a_proxy_a_forged_x_forwarded_for_does_not_escape_the_address_lock(
    client, representative, settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(25):
        forged = f"203.0.113.{n + 1}"
        client.post(
            SITE_LOGIN, {"username": f"sprayed-{n}", "password": "x"}, HTTP_X_FORWARDED_FOR=forged
        )
    response = _log_in(client, SITE_LOGIN, "rep-test", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429


# Behind trusted proxies: every client reaches the site from the proxy's address.


def _through_proxy(client_address: str) -> dict[str, str]:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


def test_behind_a_trusted_proxy_an_address_lockout_hits_only_the_attacking_address(
    client, representative, settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    _spray(client, SITE_LOGIN, 25, **_through_proxy(ATTACKER))
    assert _log_in(client, SITE_LOGIN, "rep-test", **_through_proxy(ATTACKER)).status_code == 429
    colleague = Client()
    assert (
        _log_in(colleague, SITE_LOGIN, "rep-test", **_through_proxy(OTHER_ADDRESS)).status_code
        == 302
    )


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


def test_behind_a_trusted_proxy_a_spoofed_left_most_entry_does_not_escape_the_lock(
    client, representative, settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(25):
        forwarded = f"203.0.113.{n + 1}, {ATTACKER}"  # the client's forgery, then the proxy's entry
        client.post(
            SITE_LOGIN,
            {"username": f"sprayed-{n}", "password": "x"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded,
        )
    response = _log_in(
        client, SITE_LOGIN, "rep-test", **_through_proxy(f"203.0.113.99, {ATTACKER}")
    )
    assert response.status_code == 429


def test_the_failures_are_recorded_under_the_clients_address_not_the_proxys(
    client, settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    _fail(client, SITE_LOGIN, "rep-test", 1, **_through_proxy(ATTACKER))
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]


# The records of logins are kept LOGIN_RECORDS_RETENTION_DAYS (90), then the sweep deletes them.


def _age_login_records(days: int) -> None:
    for model in (AccessLog, AccessAttempt):
        model.objects.update(attempt_time=F("attempt_time") - timedelta(days=days))


def test_the_sweep_deletes_records_of_logins_older_than_ninety_days(client, representative) -> None:
    _fail(client, SITE_LOGIN, "rep-test", 1, REMOTE_ADDR=OTHER_ADDRESS)
    _log_in(client, SITE_LOGIN, "rep-test")
    _age_login_records(91)
    report = sweep()
    assert not AccessLog.objects.exists()
    assert not AccessAttempt.objects.exists()
    assert "Records of logins older than 90 days deleted: 2" in report.lines()


def test_the_sweep_keeps_records_of_logins_within_ninety_days(client, representative) -> None:
    _log_in(client, SITE_LOGIN, "rep-test")
    _age_login_records(89)
    sweep()
    assert AccessLog.objects.get().username == "rep-test"


@override_settings(LOGIN_RECORDS_RETENTION_DAYS=7)
def test_the_retention_of_login_records_follows_the_setting(client, representative) -> None:
    _log_in(client, SITE_LOGIN, "rep-test")
    AccessLog.objects.update(attempt_time=timezone.now() - timedelta(days=8))
    sweep()
    assert not AccessLog.objects.exists()


@pytest.mark.slow
def test_the_address_limit_and_the_retention_are_configured_from_the_environment(
    tmp_path: Path,
) -> None:
    show = (
        "from django.conf import settings;"
        " print(settings.LOGIN_ADDRESS_FAILURE_LIMIT, settings.LOGIN_RECORDS_RETENTION_DAYS)"
    )
    assert run_django(show, {"DEBUG": "true"}, tmp_path).stdout.split() == ["25", "90"]
    configured = run_django(
        show,
        {
            "DEBUG": "true",
            "LOGIN_ADDRESS_FAILURE_LIMIT": "40",
            "LOGIN_RECORDS_RETENTION_DAYS": "30",
        },
        tmp_path,
    )
    assert configured.stdout.split() == ["40", "30"], configured.stderr
