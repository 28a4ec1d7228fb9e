"""Sessions are read from the cache: a signed-in page does not query the session table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _session_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]


def test_a_signed_in_page_reads_the_session_from_the_cache(client) -> None:
    user = factories.StaffUserFactory(username="reader")
    client.force_login(user)
    url = reverse("admin:index")
    _session_queries(client, url)  # the first request may fill the cache
    assert _session_queries(client, url) == []


def test_a_session_survives_a_cleared_cache(client) -> None:
    """Written through to the database: another process (or a restart) still finds it."""
    from django.core.cache import cache

    client.force_login(factories.StaffUserFactory(username="survivor"))
    cache.clear()
    assert client.get(reverse("admin:index")).status_code == 200
