"""Links follow the offer (issue 20, point 4): a client's link is valid until the offer's
CURRENT deadlines, an older link forwards to the newest one after the identity check and records
nothing itself, and the identity check counts per account and offer, across links.

The account holds $125,000; its TIN on file ends 6789 and its ZIP is 10004. The offer expires at
12 midnight ending Sep 4, 2001, so the firm's cutoff (one banking day before, 5:00 p.m.) is
Friday, Aug 31. Extended to 5:00 p.m. on Monday, Sep 17, the cutoff becomes 5:00 p.m. on Friday,
Sep 14 (Sep 14 is the banking day before Sep 17).
"""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tenders.intake.services import instruction_submit
from tenders.links.selectors import client_link_token, client_link_url, current_link
from tenders.models import ClientCheck, ClientLink, ClientSubmission
from tenders.offers.lifecycle import offer_extend
from tenders.online.services import (
    OnlineInput,
    client_identity_check,
    client_link_issue,
    client_page_digest,
    client_submission_create,
)
from tests.tenders.conftest import CUTOFF, NY, ONE_SECOND, make_input

pytestmark = pytest.mark.django_db

NEW_EXPIRATION = datetime(2001, 9, 17, 17, 0, tzinfo=NY)
NEW_CUTOFF_TEXT = "5:00 p.m. EDT on Friday, September 14, 2001"
OLD_CUTOFF_TEXT = "5:00 p.m. EDT on Friday, August 31, 2001"
SEP_5 = datetime(2001, 9, 5, 10, 0, tzinfo=NY)  # after the first cutoff, before the new one


def _extend(offer: Any, ops: Any) -> None:
    offer_extend(
        offer=offer,
        new_expiration=NEW_EXPIRATION,
        announcement="Extended to Sep 17, 2001",
        reason="More time for holders",
        by=ops,
    )
    offer.refresh_from_db()


def _path(link: ClientLink, view: str = "client_page") -> str:
    return reverse(view, args=[client_link_token(link)])


def _answer(client: Client, link: ClientLink, tin_last4: str = "6789") -> Any:
    return client.post(
        _path(link), {"step": "identity", "tin_last4": tin_last4, "postal_code": "10004"}
    )


def _page_post(account: Any) -> dict[str, str]:
    """The form as the client's page posts it, with the digest of the page as it stands now."""
    link = ClientLink.objects.filter(account=account).order_by("-pk").first()
    data = {
        "step": "submit",
        "submission_token": str(uuid.uuid4()),
        "kind": "tender",
        "shown": client_page_digest(link=link) if link is not None else "",
        "choice": "AMOUNT",
        "amount": "50,000",
        "address": "12 Elm Street\nScarsdale, NY 10583",
        "phone": "+19145550121",
        "esign_consent": "on",
    }
    for index, owner in enumerate(account.owners.all()):
        data[f"signature_{index}"] = owner.name
    return data


def _tender(account: Any) -> OnlineInput:
    return OnlineInput(
        kind="tender",
        choice="AMOUNT",
        amount=Decimal("50000"),
        names={owner.pk: owner.name for owner in account.owners.all()},
        address="12 Elm Street\nScarsdale, NY 10583",
        phone="+19145550121",
        esign_consent=True,
    )


@pytest.fixture
def old_link(offer: Any, account: Any) -> ClientLink:
    """The link of the first letter."""
    return client_link_issue(offer=offer, account=account)


@pytest.fixture
def new_link(offer: Any, account: Any, old_link: ClientLink, ops: Any) -> ClientLink:
    """The link of the letter sent after the extension."""
    _extend(offer, ops)
    return client_link_issue(offer=offer, account=account)


# Validity follows the offer


def test_after_an_extension_the_original_link_opens_past_the_old_cutoff_with_the_new_one(
    offer: Any, account: Any, old_link: ClientLink, ops: Any, at: Any
) -> None:
    _extend(offer, ops)
    at(SEP_5)
    client = Client()
    assert _answer(client, old_link).status_code == 302
    page = client.get(_path(old_link)).content.decode()
    assert f"We must receive your instructions by <strong>{NEW_CUTOFF_TEXT}</strong>" in page
    assert OLD_CUTOFF_TEXT not in page
    assert client.post(_path(old_link), _page_post(account)).status_code == 302
    assert ClientSubmission.objects.get().link == old_link


def test_after_an_extension_the_original_link_closes_at_the_new_cutoff(
    offer: Any, old_link: ClientLink, ops: Any, at: Any
) -> None:
    _extend(offer, ops)
    at(datetime(2001, 9, 14, 17, 0, tzinfo=NY) - ONE_SECOND)
    assert Client().get(_path(old_link)).status_code == 200
    at(datetime(2001, 9, 14, 17, 0, tzinfo=NY))
    response = Client().get(_path(old_link))
    assert response.status_code == 410
    assert NEW_CUTOFF_TEXT in response.content.decode()


def test_a_link_whose_cutoff_passed_opens_again_when_the_offer_is_extended(
    offer: Any, old_link: ClientLink, ops: Any, at: Any
) -> None:
    at(CUTOFF + ONE_SECOND)
    assert Client().get(_path(old_link)).status_code == 410
    _extend(offer, ops)
    assert Client().get(_path(old_link)).status_code == 200


# An older link forwards to the newest


def test_an_older_link_forwards_to_the_newer_one_only_after_the_identity_check(
    old_link: ClientLink, new_link: ClientLink
) -> None:
    client = Client()
    page = client.get(_path(old_link))
    assert page.status_code == 200
    assert "Last four digits of your taxpayer ID" in page.content.decode()
    assert client_link_token(new_link) not in page.content.decode()
    assert _answer(client, old_link).status_code == 302
    forwarded = client.get(_path(old_link))
    assert (forwarded.status_code, forwarded["Location"]) == (303, _path(new_link))
    # The check was for the account and offer: the newer link opens without a second one.
    assert "Sign and submit" in client.get(_path(new_link)).content.decode()


def test_a_post_to_an_older_link_records_nothing(
    account: Any, old_link: ClientLink, new_link: ClientLink
) -> None:
    client = Client()
    _answer(client, old_link)
    response = client.post(_path(old_link), _page_post(account))
    assert (response.status_code, response["Location"]) == (303, _path(new_link))
    assert not ClientSubmission.objects.exists()
    with pytest.raises(ValidationError, match="replaced by the one in our latest letter"):
        client_submission_create(link=old_link, data=_tender(account))
    assert not ClientSubmission.objects.exists()


def test_the_received_page_of_an_older_link_forwards_too(
    old_link: ClientLink, new_link: ClientLink
) -> None:
    client = Client()
    _answer(client, old_link)
    response = client.get(_path(old_link, "client_received"))
    assert (response.status_code, response["Location"]) == (303, _path(new_link, "client_received"))


# The identity check counts per account and offer


def test_wrong_answers_spread_over_two_links_lock_both(
    old_link: ClientLink, new_link: ClientLink
) -> None:
    for _ in range(3):
        _answer(Client(), old_link, tin_last4="0000")
    response = _answer(Client(), new_link, tin_last4="0000")
    assert "One try left before the link locks" in response.content.decode()
    locked = _answer(Client(), new_link, tin_last4="0000")
    assert locked.status_code == 403
    assert not client_identity_check(link=old_link, tin_last4="6789", postal_code="10004").passed
    for link in (old_link, new_link):
        response = Client().get(_path(link))
        assert response.status_code == 403
        assert "This link is locked" in response.content.decode()


def test_unlocking_the_account_unlocks_every_link(
    account: Any, old_link: ClientLink, new_link: ClientLink, rep: Any
) -> None:
    for link in (old_link, new_link, old_link, new_link, old_link):
        client_identity_check(link=link, tin_last4="0000", postal_code="10004")
    client = Client()
    client.force_login(rep)
    client.post(reverse("tenders:link_unlock", args=[account.pk]))
    check = ClientCheck.objects.get(account=account)
    assert (check.is_locked, check.failed_checks, check.unlocked_by) == (False, 0, rep)
    assert Client().get(_path(old_link)).status_code == 200
    assert client_identity_check(link=new_link, tin_last4="6789", postal_code="10004").passed


# What the representative and the client are told


def test_the_account_page_shows_the_current_link_and_its_validity_after_an_extension(
    account: Any, old_link: ClientLink, new_link: ClientLink, rep: Any
) -> None:
    client = Client()
    client.force_login(rep)
    page = " ".join(
        client.get(reverse("tenders:account_detail", args=[account.pk])).content.decode().split()
    )
    assert f"Valid for instructions until {NEW_CUTOFF_TEXT}" in page
    assert OLD_CUTOFF_TEXT not in page
    assert client_link_url(new_link) in page
    assert client_link_url(old_link) not in page
    assert "the 1 earlier link forwards to it" in page


def test_the_account_page_shows_the_first_link_valid_until_the_new_cutoff(
    offer: Any, account: Any, old_link: ClientLink, rep: Any, ops: Any
) -> None:
    _extend(offer, ops)  # no letter since: the first link is still the current one
    client = Client()
    client.force_login(rep)
    page = " ".join(
        client.get(reverse("tenders:account_detail", args=[account.pk])).content.decode().split()
    )
    assert f"Valid for instructions until {NEW_CUTOFF_TEXT}" in page
    assert client_link_url(old_link) in page


def test_the_extension_notice_carries_the_clients_current_link(
    offer: Any,
    account: Any,
    old_link: ClientLink,
    rep: Any,
    ops: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _extend(offer, ops)
    (notice,) = [m for m in mail.outbox if m.to == [account.email]]
    current = current_link(account=account, offer=offer)
    assert current is not None and current != old_link
    assert client_link_url(current) in notice.body
    assert client_link_url(old_link) not in notice.body
    # The letter sent after the extension carries the same link.
    assert client_link_issue(offer=offer, account=account) == current


def test_a_taxpayer_id_too_short_says_what_to_type_and_costs_no_try(
    old_link: ClientLink, account: Any
) -> None:
    response = _answer(Client(), old_link, tin_last4="12")
    assert response.context["form"].errors["tin_last4"] == [
        "Enter all four last digits of your taxpayer ID."
    ]
    assert not ClientCheck.objects.filter(account=account, failed_checks__gt=0).exists()
