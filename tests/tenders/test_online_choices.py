"""What the client means is what gets recorded (issue 20, items 1, 2 and 8): nothing on the
client's page is ticked for them; "tender all" with an amount typed is refused at the field,
keeping the amount; the page says what signing records; a post is taken only as what the page
offered, while that still stands.

The account holds $125,000; the firm's cutoff is Aug 31, 2001, 5:00 p.m.; the offer expires at
midnight ending Sep 4 (tests/tenders/test_online.py).
"""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tenders.models import ClientLink, ClientSubmission, InstructionStatus, ReviewStatus
from tenders.online.selectors import client_link_token
from tenders.online.services import (
    PageChanged,
    client_link_issue,
    client_submission_approve,
    client_submission_create,
)
from tests.tenders.conftest import CUTOFF, NY
from tests.tenders.test_online import _page_post, _path, _shown, _tender, _verified_client

pytestmark = pytest.mark.django_db

ONE_MINUTE = timedelta(minutes=1)


@pytest.fixture
def link(offer: Any, account: Any) -> ClientLink:
    return client_link_issue(offer=offer, account=account)


@pytest.fixture
def live(link: ClientLink, account: Any, rep: Any) -> Any:
    """The client's tender of $50,000, approved: an open instruction to change or withdraw."""
    return client_submission_approve(
        submission=client_submission_create(link=link, data=_tender(account)), by=rep
    )


def _checked(page: str) -> list[str]:
    """The inputs of the client's form that are ticked when the page opens."""
    form = page[page.index('id="client-form"') :]
    return re.findall(r'<input[^>]*name="(\w+)"[^>]*checked', form)


# Nothing is chosen for the client


def test_the_clients_page_ticks_neither_box(link: ClientLink) -> None:
    page = _verified_client(link).get(_path(link)).content.decode()
    assert 'name="choice"' in page
    assert _checked(page) == []


def test_with_an_instruction_to_change_neither_tender_nor_withdraw_is_ticked(
    link: ClientLink, live: Any
) -> None:
    page = _verified_client(link).get(_path(link)).content.decode()
    kinds = re.findall(r'<input type="radio"[^>]*name="kind" value="(\w+)"', page)
    assert kinds == ["tender", "withdrawal"]
    assert _checked(page) == []


def test_a_post_without_a_kind_is_refused_at_the_field_not_taken_as_a_tender(
    link: ClientLink, account: Any, live: Any
) -> None:
    client = _verified_client(link)
    response = client.post(_path(link), _page_post(account, kind=""))
    assert "Choose to tender or to withdraw your instruction." in response.content.decode()
    assert ClientSubmission.objects.count() == 1  # only the approved tender of the fixture
    with pytest.raises(ValidationError, match="Choose to tender or to withdraw"):
        client_submission_create(link=link, data=_tender(account, kind=""))


# "Tender all" with an amount typed


def test_tender_all_with_an_amount_typed_is_refused_at_the_field_keeping_the_amount(
    link: ClientLink, account: Any
) -> None:
    client = _verified_client(link)
    response = client.post(_path(link), _page_post(account, choice="ALL", amount="50,000"))
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<p id="error_1_id_amount"><strong>You chose to tender all and typed $50,000: choose '
        "to tender only the amount you typed, or clear the amount to tender all.</strong></p>"
    ) in page
    assert 'name="amount" value="50,000"' in page
    assert not ClientSubmission.objects.exists()


def test_the_service_refuses_tender_all_with_an_amount(link: ClientLink, account: Any) -> None:
    with pytest.raises(ValidationError, match="You chose to tender all and typed \\$50,000"):
        client_submission_create(
            link=link, data=_tender(account, choice="ALL", amount=Decimal("50000"))
        )
    assert not ClientSubmission.objects.exists()


def test_the_projection_of_tender_all_is_the_whole_position(link: ClientLink) -> None:
    client = _verified_client(link)
    figures = client.get(
        reverse("client_projection", args=[client_link_token(link)]), {"amount": ""}
    ).json()
    assert figures["new_notes_principal"] == "$158,380.00"


# What signing records, said before signing


def test_the_page_says_before_signing_what_is_recorded_even_without_javascript(
    link: ClientLink,
) -> None:
    page = _verified_client(link).get(_path(link)).content.decode()
    sentence = re.search(r'data-testid="will-record"[^>]*>([^<]*)</p>', page)
    assert sentence is not None
    assert sentence[1].startswith(
        "When you sign, we record exactly what you chose above: to tender all the Old Notes "
        "we hold for you ($125,000 today), or only the amount you type. Nothing is chosen for you"
    )
    assert 'data-position="$125,000"' in page
    assert "js/client_choice.js" in page


def test_the_withdrawal_page_says_it_records_the_withdrawal(
    link: ClientLink, live: Any, at: Any
) -> None:
    at(CUTOFF - ONE_MINUTE)
    client = _verified_client(link)
    at(CUTOFF)
    page = client.get(_path(link)).content.decode()
    assert (
        "When you sign, we record the withdrawal of your instruction (tender only $50,000 "
        "principal amount of Old Notes): your Old Notes stay as they are, not tendered."
    ) in " ".join(page.split())


def test_the_consent_error_is_short_and_does_not_repeat_the_consent(
    link: ClientLink, account: Any
) -> None:
    client = _verified_client(link)
    page = client.post(_path(link), _page_post(account, esign_consent="")).content.decode()
    summary = page[page.index('id="error-summary"') : page.index("</ul>")]
    assert "Tick the box to agree to sign electronically." in summary
    assert "consent to receive records about this offer electronically" not in summary


# A post means what the page showed


def test_a_tender_page_opened_before_the_cutoff_and_posted_at_it_records_nothing(
    link: ClientLink, account: Any, live: Any, at: Any
) -> None:
    """Opened at 4:59 p.m. on the cutoff day, posted at 5:00 p.m.: no tender, and never a
    withdrawal; the page again, offering what is still possible, with what was typed."""
    at(CUTOFF - ONE_MINUTE)
    client = _verified_client(link)
    page = client.get(_path(link)).content.decode()
    shown = re.search(r'name="shown" value="(\w+)"', page)
    assert shown is not None
    at(CUTOFF)
    response = client.post(
        _path(link), _page_post(account, shown=shown[1], choice="ALL", amount="")
    )
    page = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert ClientSubmission.objects.count() == 1  # the fixture's approved tender alone
    live.refresh_from_db()
    assert live.status == InstructionStatus.RECEIVED
    assert (
        "Nothing was recorded.</strong> Our deadline for instructions passed at 5:00 p.m. "
        "EDT on Friday, August 31, 2001, while this page was open: your instruction to tender "
        "was not recorded. You may still withdraw your instruction here, until the offer "
        "expires."
    ) in page
    assert "Sign and withdraw" in page
    assert 'name="kind" value="withdrawal"' in page
    assert 'name="amount"' not in page
    assert 'value="Eleanor J. Whitfield"' in page  # the typed signature, kept
    assert _checked(page) == []  # the consent is asked again


def test_the_service_never_records_a_tender_posted_after_the_cutoff_as_a_withdrawal(
    link: ClientLink, account: Any, live: Any, at: Any
) -> None:
    at(CUTOFF)
    with pytest.raises(PageChanged, match="your instruction to tender was not recorded"):
        client_submission_create(link=link, data=_tender(account, choice="ALL", amount=None))
    assert not ClientSubmission.objects.filter(status=ReviewStatus.AWAITING).exists()


def test_a_withdrawal_posted_from_a_page_that_offered_only_a_tender_is_not_recorded(
    link: ClientLink, account: Any
) -> None:
    client = _verified_client(link)
    response = client.post(_path(link), _page_post(account, kind="withdrawal"))
    assert "There is no instruction of yours to withdraw now" in response.content.decode()
    assert not ClientSubmission.objects.exists()


def test_a_page_read_before_an_extension_records_nothing_and_keeps_what_was_typed(
    link: ClientLink, account: Any, offer: Any, ops: Any
) -> None:
    from tenders.offers.lifecycle import offer_extend

    client = _verified_client(link)
    shown = _shown(account)
    offer_extend(
        offer=offer,
        new_expiration=datetime(2001, 9, 17, 17, 0, tzinfo=NY),
        announcement="Extended to Sep 17, 2001",
        reason="More time for holders",
        by=ops,
    )
    response = client.post(_path(link), _page_post(account, shown=shown, amount="75,000"))
    page = response.content.decode()
    assert "What you sent does not match this page as it stands now" in page
    assert 'name="amount" value="75,000"' in page
    assert not ClientSubmission.objects.exists()


def test_a_post_from_the_page_without_its_digest_is_taken_as_from_a_page_that_changed(
    link: ClientLink, account: Any
) -> None:
    client = _verified_client(link)
    response = client.post(_path(link), _page_post(account, shown=""))
    assert "does not match this page as it stands now" in response.content.decode()
    assert not ClientSubmission.objects.exists()


def test_a_post_without_the_pages_token_records_nothing_and_keeps_the_waiting_submission(
    link: ClientLink, account: Any
) -> None:
    client = _verified_client(link)
    assert client.post(_path(link), _page_post(account)).status_code == 302
    waiting = ClientSubmission.objects.get(status=ReviewStatus.AWAITING)
    response = client.post(_path(link), _page_post(account, amount="75,000", submission_token=""))
    assert response.status_code == 200
    assert "This form is incomplete: nothing was recorded." in response.content.decode()
    assert list(ClientSubmission.objects.all()) == [waiting]
    assert ClientSubmission.objects.get().status == ReviewStatus.AWAITING


def test_the_received_page_says_what_the_old_notes_not_tendered_receive(
    link: ClientLink, account: Any
) -> None:
    client = _verified_client(link)
    client.post(_path(link), _page_post(account))  # $50,000 of the $125,000
    page = client.get(reverse("client_received", args=[client_link_token(link)]))
    text = " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())
    assert (
        "The other $75,000 of Old Notes we hold for you are not tendered: they stay in your "
        "account, and if the exchange is completed on September 5, 2001, the company pays you "
        "their full principal and accrued interest, $95,028.00,"
    ) in text


def test_a_post_from_the_page_as_it_stands_is_recorded_as_its_kind(
    link: ClientLink, account: Any, live: Any
) -> None:
    client = _verified_client(link)
    response = client.post(_path(link), _page_post(account, kind="withdrawal"))
    assert response.status_code == 302
    assert ClientSubmission.objects.get(status=ReviewStatus.AWAITING).kind == "withdrawal"
