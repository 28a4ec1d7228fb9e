"""The client's address comes from one function (exchange_office.client_address): the
connection's with no proxy configured, X-Forwarded-For read from the right behind
TRUSTED_PROXY_COUNT proxies. django-axes asks it too."""

from pathlib import Path
from typing import Any

import pytest
from axes.helpers import get_client_ip_address
from django.test import RequestFactory

from exchange_office.client_address import client_address
from tests.test_settings import run_django

PROXY = "10.0.0.1"  # the proxy's address, as the server sees the connection
CLIENT = "198.51.100.7"  # TEST-NET-2: documentation addresses, never reached
SPOOFED = "203.0.113.66"
OTHER_PROXY = "10.0.0.2"


def _request(forwarded_for: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().post("/login/", **extra)


def test_without_a_proxy_configured_x_forwarded_for_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request(f"{SPOOFED}, {CLIENT}")) == PROXY


def test_behind_one_trusted_proxy_the_right_most_address_is_the_clients(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(CLIENT)) == CLIENT


def test_behind_one_trusted_proxy_a_spoofed_left_most_entry_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(f"{SPOOFED}, {CLIENT}")) == CLIENT


def test_an_unreadable_entry_written_by_the_client_does_not_hide_its_address(
    settings: Any,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(f"not-an-address, {CLIENT}")) == CLIENT


def test_behind_two_trusted_proxies_the_entry_left_of_the_outer_proxy_is_the_clients(
    settings: Any,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(_request(f"{SPOOFED}, {CLIENT}, {OTHER_PROXY}")) == CLIENT


def test_behind_a_proxy_a_request_without_the_header_has_the_connections_address(
    settings: Any,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request()) == PROXY


def test_a_header_shorter_than_the_proxies_gives_the_connections_address(settings: Any) -> None:
    # Two proxies append two entries: one entry did not come through both, and may be forged.
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(_request(SPOOFED)) == PROXY


def test_axes_reads_the_address_from_the_same_function(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert get_client_ip_address(_request(f"{SPOOFED}, {CLIENT}")) == CLIENT


@pytest.mark.slow
def test_the_trusted_proxies_are_counted_from_the_environment(tmp_path: Path) -> None:
    show = "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"
    assert run_django(show, {"DEBUG": "true"}, tmp_path).stdout.split() == ["0"]
    behind_tls = run_django(show, {"DEBUG": "true", "BEHIND_TLS_PROXY": "true"}, tmp_path)
    assert behind_tls.stdout.split() == ["1"], behind_tls.stderr
    two = run_django(show, {"DEBUG": "true", "TRUSTED_PROXY_COUNT": "2"}, tmp_path)
    assert two.stdout.split() == ["2"], two.stderr


@pytest.mark.slow
def test_a_negative_count_of_proxies_is_refused_at_start(tmp_path: Path) -> None:
    result = run_django("", {"DEBUG": "true", "TRUSTED_PROXY_COUNT": "-1"}, tmp_path)
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT is -1" in result.stderr
