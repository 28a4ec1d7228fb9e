"""The client's page and its projection read the offer and its terms from the cache under the
data version (`tenders.data_version.cache`): the same for every client, moved only by writes
the database's triggers count. These tests commit (transactional database), so that a write
bumps the version as in production."""

from datetime import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tenders.links.models import ClientLink
from tenders.models import DataVersion
from tenders.offers.lifecycle import offer_extend
from tenders.online.selectors import client_link_token
from tenders.online.services import client_link_issue
from tests.tenders.conftest import NY

pytestmark = pytest.mark.django_db(transaction=True)

NEW_EXPIRATION = datetime(2001, 9, 17, 17, 0, tzinfo=NY)


@pytest.fixture(autouse=True)
def version_row() -> None:
    """A transactional test database is flushed between tests, the version row with it."""
    DataVersion.objects.get_or_create(name="tabulation")
    cache.clear()


@pytest.fixture
def link(offer: Any, account: Any) -> ClientLink:
    return client_link_issue(offer=offer, account=account)


@pytest.fixture
def client_in(link: ClientLink) -> Client:
    """The client, past the identity check (TIN ending 6789, ZIP 10004)."""
    client = Client()
    page = reverse("client_page", args=[client_link_token(link)])
    answer = client.post(page, {"step": "identity", "tin_last4": "6789", "postal_code": "10004"})
    assert answer.status_code == 302
    return client


def _terms_read(client: Client, path: str) -> bool:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return any('FROM "notes_feeinstallment"' in query["sql"] for query in queries)


def _extend(offer: Any, ops: Any) -> None:
    offer_extend(
        offer=offer,
        new_expiration=NEW_EXPIRATION,
        announcement="Extended to Sep 17, 2001",
        reason="More time for holders",
        by=ops,
    )


def test_the_clients_page_reads_the_offer_once_while_nothing_changes(
    link: ClientLink, client_in: Client
) -> None:
    page = reverse("client_page", args=[client_link_token(link)])
    assert _terms_read(client_in, page)
    assert not _terms_read(client_in, page)


def test_the_clients_page_states_an_extension_at_once(
    offer: Any, link: ClientLink, client_in: Client, ops: Any
) -> None:
    page = reverse("client_page", args=[client_link_token(link)])
    before = client_in.get(page).content.decode()
    assert "September 17, 2001" not in before
    _extend(offer, ops)
    after = client_in.get(page).content.decode()
    assert "September 17, 2001" in after  # the letter's points: the offer read afresh


def test_the_projection_follows_an_extension_at_once(
    offer: Any, link: ClientLink, client_in: Client, ops: Any
) -> None:
    projection = reverse("client_projection", args=[client_link_token(link)]) + "?amount=50000"
    before = client_in.get(projection).json()["consummation_date"]
    assert not _terms_read(client_in, projection)  # from the cache the second time
    _extend(offer, ops)
    after = client_in.get(projection).json()["consummation_date"]
    assert after != before
