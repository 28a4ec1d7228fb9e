import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_representative_is_sent_to_the_firm_accounts(client, representative) -> None:
    client.force_login(representative.user)
    response = client.get("/")
    assert response["Location"] == "/accounts/"


def test_operations_staff_is_sent_to_the_admin(client, ops_user) -> None:
    client.force_login(ops_user)
    assert client.get("/")["Location"] == "/admin/"


def test_user_without_a_role_is_told_so(client, user_factory) -> None:
    client.force_login(user_factory())
    response = client.get("/")
    assert response.status_code == 403
    assert "not attached to a broker firm" in response.content.decode()


def test_login_page_uses_bootstrap_from_our_static_files(client) -> None:
    page = client.get("/login/").content.decode()
    assert "/static/vendor/bootstrap-5.3.9/bootstrap.min.css" in page
    assert "cdn" not in page.lower()
    assert finders.find("vendor/bootstrap-5.3.9/bootstrap.min.css")
    assert finders.find("vendor/bootstrap-5.3.9/bootstrap.bundle.min.js")


def test_representative_logs_in_with_the_form(client, representative) -> None:
    response = client.post("/login/", {"username": "rep-test", "password": "password"}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/"


def test_wrong_password_is_refused_and_keeps_the_username(client, representative) -> None:
    response = client.post("/login/", {"username": "rep-test", "password": "nope"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct username and password" in page
    assert 'value="rep-test"' in page


def test_logout_is_a_post_and_ends_the_session(client, representative) -> None:
    client.force_login(representative.user)
    client.post("/logout/")
    assert client.get("/")["Location"].startswith("/login/")


def test_account_list_says_when_there_is_no_offer_yet(client, representative) -> None:
    client.force_login(representative.user)
    assert "No exchange offer has been set up yet" in client.get("/accounts/").content.decode()


def test_representative_sees_only_own_firm_accounts(
    client, representative, account_factory, offer_factory
) -> None:
    offer_factory()
    account_factory(firm=representative.firm, account_number="MINE-1")
    account_factory(account_number="THEIRS-1")
    client.force_login(representative.user)
    page = client.get("/accounts/").content.decode()
    assert "MINE-1" in page
    assert "THEIRS-1" not in page


def _first_link_and_main(page: str) -> tuple[str, bool]:
    body = page[page.index("<body") :]
    return body[body.index("<a ") : body.index("</a>") + 4], '<main id="main" tabindex="-1"' in page


SKIP_LINK = '<a class="visually-hidden-focusable skip-link" href="#main">Skip to main content</a>'


def test_the_login_page_starts_with_a_skip_link_to_the_main_content(client) -> None:
    assert _first_link_and_main(client.get("/login/").content.decode()) == (SKIP_LINK, True)


def test_a_signed_in_page_starts_with_a_skip_link_to_the_main_content(
    client, representative
) -> None:
    client.force_login(representative.user)
    response = client.get("/accounts/")
    assert response.status_code == 200
    assert _first_link_and_main(response.content.decode()) == (SKIP_LINK, True)
