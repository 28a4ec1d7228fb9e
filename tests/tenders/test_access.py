"""Who sees what: a representative sees and acts only on the firm's own accounts (another firm's
account id answers 404, as if it did not exist), operations staff see every firm's, anonymous
users are sent to log in, and anyone else sees nothing.

The URLs come from `tenders.urls`, so an account page added later is checked without a change
here."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, reverse

from notes.models import ExchangeOffer
from tenders import urls as tenders_urls
from tenders.models import (
    ClientAccount,
    Document,
    Representative,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _name(pattern: URLPattern) -> str:
    return f"{tenders_urls.app_name}:{pattern.name}"


# Every tenders URL, and those that take an account id in their path.
ALL_URL_NAMES = [_name(p) for p in tenders_urls.urlpatterns]
ACCOUNT_PATH_URL_NAMES = [
    _name(p) for p in tenders_urls.urlpatterns if "pk" in p.pattern.converters
]
# URLs whose id is one of the account's documents rather than the account itself.
DOCUMENT_URL_NAMES = {"tenders:document_download"}
# URLs that take an account id in the query string instead: `?account=<id>`.
ACCOUNT_QUERY_URL_NAMES = ["tenders:blank_form"]
ACCOUNT_URL_NAMES = ACCOUNT_PATH_URL_NAMES + ACCOUNT_QUERY_URL_NAMES
# A GET there is refused with 405 before the account is looked up, so it tells nothing about
# the account (test_post_only_url_answers_get_with_405_whoever_owns_the_account).
POST_ONLY_URL_NAMES = {
    "tenders:reveal_tin",
    "tenders:client_letter",
    "tenders:statement",
    "tenders:submission_approve",
    "tenders:submission_reject",
    "tenders:link_unlock",
    "tenders:held_approve",
    "tenders:held_reject",
}

ACCOUNT_REQUESTS = [
    pytest.param(name, method, id=f"{method.upper()} {name}")
    for name in ACCOUNT_URL_NAMES
    for method in ("get", "post")
    if not (method == "get" and name in POST_ONLY_URL_NAMES)
]


def account_url(name: str, account: ClientAccount) -> str:
    if name in ACCOUNT_QUERY_URL_NAMES:
        return f"{reverse(name)}?account={account.pk}"
    if name in DOCUMENT_URL_NAMES:
        return reverse(name, args=[Document.objects.get(instruction__account=account).pk])
    return reverse(name, args=[account.pk])


def url_for(name: str, account: ClientAccount) -> str:
    return account_url(name, account) if name in ACCOUNT_PATH_URL_NAMES else reverse(name)


def with_open_instruction(
    account: ClientAccount, offer: ExchangeOffer, by: AbstractBaseUser
) -> None:
    """A received instruction with its receipt, so that the amend, withdraw and document
    pages have something to show."""
    instruction = factories.InstructionFactory(account=account, offer=offer, entered_by=by)
    factories.DocumentFactory(instruction=instruction)


@pytest.fixture
def open_offer(offer_factory: type) -> ExchangeOffer:
    """The offer the representatives' pages are about."""
    return offer_factory()


def _account(
    account_factory: type, offer: ExchangeOffer, by: AbstractBaseUser, **fields: object
) -> ClientAccount:
    account = account_factory(owners=["Pat Client", "Sam Client"], **fields)
    account.positions.create(security=offer.old_security, principal=Decimal("125000"))
    with_open_instruction(account, offer, by)
    return account


@pytest.fixture
def own_account(
    account_factory: type, open_offer: ExchangeOffer, representative: Representative
) -> ClientAccount:
    return _account(
        account_factory,
        open_offer,
        representative.user,
        firm=representative.firm,
        account_number="OWN-1",
    )


@pytest.fixture
def other_account(
    account_factory: type,
    firm_factory: type,
    open_offer: ExchangeOffer,
    representative_factory: type,
) -> ClientAccount:
    """An account of another firm, in the same state as the representative's own account."""
    other = representative_factory(firm=firm_factory())
    return _account(
        account_factory, open_offer, other.user, firm=other.firm, account_number="OTHER-1"
    )


@pytest.fixture
def operations(ops_user: AbstractBaseUser) -> AbstractBaseUser:
    """Operations staff: staff, no firm, the Operations group's permissions."""
    return factories.OperationsUserFactory(username="ops-access", reveal_tin=True)


def send(client: Client, method: str, url: str) -> HttpResponse:
    return client.get(url) if method == "get" else client.post(url, {})


def test_every_account_url_is_checked() -> None:
    assert ACCOUNT_PATH_URL_NAMES
    assert "tenders:account_detail" in ACCOUNT_PATH_URL_NAMES
    assert ACCOUNT_REQUESTS


@pytest.mark.parametrize(("name", "method"), ACCOUNT_REQUESTS)
def test_another_firms_account_answers_404(
    client: Client,
    representative: Representative,
    other_account: ClientAccount,
    name: str,
    method: str,
) -> None:
    client.force_login(representative.user)
    assert send(client, method, account_url(name, other_account)).status_code == 404


@pytest.mark.parametrize(("name", "method"), ACCOUNT_REQUESTS)
def test_own_firms_account_is_served(
    client: Client,
    representative: Representative,
    own_account: ClientAccount,
    name: str,
    method: str,
) -> None:
    client.force_login(representative.user)
    response = send(client, method, account_url(name, own_account))
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        assert not response["Location"].startswith("/login/")


@pytest.mark.parametrize("name", sorted(POST_ONLY_URL_NAMES))
def test_post_only_url_answers_get_with_405_whoever_owns_the_account(
    client: Client,
    representative: Representative,
    own_account: ClientAccount,
    other_account: ClientAccount,
    name: str,
) -> None:
    client.force_login(representative.user)
    own = client.get(account_url(name, own_account))
    other = client.get(account_url(name, other_account))
    assert own.status_code == other.status_code == 405


@pytest.mark.parametrize("name", ALL_URL_NAMES)
def test_anonymous_user_is_sent_to_login(
    client: Client, own_account: ClientAccount, name: str
) -> None:
    url = url_for(name, own_account)
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("login")
    assert parse_qs(location.query)["next"] == [url]


def test_representatives_list_shows_no_other_firms_account(
    client: Client,
    representative: Representative,
    own_account: ClientAccount,
    other_account: ClientAccount,
) -> None:
    client.force_login(representative.user)
    page = client.get("/accounts/").content.decode()
    assert "OWN-1" in page
    assert "OTHER-1" not in page


def test_representatives_search_for_another_firms_account_finds_nothing(
    client: Client,
    representative: Representative,
    own_account: ClientAccount,
    other_account: ClientAccount,
) -> None:
    client.force_login(representative.user)
    response = client.get("/accounts/", {"q": "OTHER-1"})
    assert response.context["page"].paginator.count == 0
    page = response.content.decode()
    assert "No accounts match" in page
    assert reverse("tenders:account_detail", args=[other_account.pk]) not in page


def test_operations_staff_see_every_firms_accounts(
    client: Client,
    operations: AbstractBaseUser,
    own_account: ClientAccount,
    other_account: ClientAccount,
) -> None:
    client.force_login(operations)
    page = client.get("/accounts/").content.decode()
    assert "OWN-1" in page
    assert "OTHER-1" in page
    assert own_account.firm.name in page
    assert other_account.firm.name in page


@pytest.mark.parametrize("name", [n for n in ACCOUNT_URL_NAMES if n not in POST_ONLY_URL_NAMES])
def test_operations_staff_open_any_firms_account(
    client: Client,
    operations: AbstractBaseUser,
    own_account: ClientAccount,
    other_account: ClientAccount,
    name: str,
) -> None:
    client.force_login(operations)
    for account in (own_account, other_account):
        response = client.get(account_url(name, account))
        assert response.status_code in {200, 302}
        if response.status_code == 302:
            assert not response["Location"].startswith("/login/")


def test_user_without_a_firm_or_staff_status_gets_404_on_the_account_list(
    client: Client, user_factory: type, own_account: ClientAccount
) -> None:
    client.force_login(user_factory())
    assert client.get("/accounts/").status_code == 404


@pytest.mark.parametrize(("name", "method"), ACCOUNT_REQUESTS)
def test_user_without_a_firm_or_staff_status_gets_404_on_any_account(
    client: Client,
    user_factory: type,
    own_account: ClientAccount,
    other_account: ClientAccount,
    name: str,
    method: str,
) -> None:
    client.force_login(user_factory())
    for account in (own_account, other_account):
        assert send(client, method, account_url(name, account)).status_code == 404
