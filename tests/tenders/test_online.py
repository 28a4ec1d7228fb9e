"""Clients instruct online: the signed link, the identity check, the client's page, and the
representative's review (issue 14, items 1 to 3).

The account holds $125,000 of the Old Notes; its TIN on file ends 6789 and its ZIP is 10004.
Figures from domain.md: $267.04 accrued per $1,000 on a Sep 5, 2001 consummation, so $50,000
tendered gets $13,352.00 of accrued interest and $63,352.00 of New Notes; 5.45 warrants per
$1,000 gives 272.5, rounded up to 273 whole warrants; the 3% fee is $1,500.00 in three $500.00
installments. The firm's cutoff is Aug 31, 2001, 5:00 p.m.; the offer expires at midnight ending
Sep 4.
"""

import io
import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import pdfplumber
import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tenders.documents.models import Document, DocumentKind, DocumentSnapshot
from tenders.documents.selectors import LINK_SALT as DOCUMENT_LINK_SALT
from tenders.documents.services import document_issue
from tenders.intake.services import instruction_submit
from tenders.links.selectors import current_link, link_deadlines
from tenders.models import (
    ClientCheck,
    ClientLink,
    ClientSubmission,
    Instruction,
    InstructionStatus,
    OutboxMessage,
    ReviewStatus,
)
from tenders.online.selectors import client_link_token, client_link_url
from tenders.online.services import (
    OnlineInput,
    client_identity_check,
    client_link_issue,
    client_link_unlock,
    client_page_digest,
    client_submission_approve,
    client_submission_create,
    client_submission_reject,
)
from tests import factories
from tests.tenders.conftest import CUTOFF, EXPIRATION, NY, ONE_SECOND, make_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(offer: Any, account: Any) -> ClientLink:
    return client_link_issue(offer=offer, account=account)


def _path(link: ClientLink) -> str:
    return reverse("client_page", args=[client_link_token(link)])


def _tender(account: Any, **overrides: Any) -> OnlineInput:
    values: dict[str, Any] = {
        "kind": "tender",
        "choice": "AMOUNT",
        "amount": Decimal("50000"),
        "names": {owner.pk: owner.name for owner in account.owners.all()},
        "address": "12 Elm Street\nScarsdale, NY 10583",
        "phone": "+19145550121",
        "esign_consent": True,
        "ip_address": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (iPhone)",
    }
    values.update(overrides)
    return OnlineInput(**values)


def _check(link: ClientLink) -> ClientCheck:
    """The identity check of the link's account for its offer."""
    return ClientCheck.objects.get(account=link.account, offer=link.offer)


def _verified_client(link: ClientLink) -> Client:
    client = Client()
    response = client.post(
        _path(link), {"step": "identity", "tin_last4": "6789", "postal_code": "10004"}
    )
    assert response.status_code == 302
    return client


def _shown(account: Any) -> str:
    """The digest the client's page posts back, as the page stands now."""
    link = ClientLink.objects.filter(account=account).order_by("-pk").first()
    return client_page_digest(link=link) if link is not None else ""


def _page_post(account: Any, **overrides: Any) -> dict[str, str]:
    data = {
        "step": "submit",
        "submission_token": str(uuid.uuid4()),
        "kind": "tender",
        "shown": _shown(account),
        "choice": "AMOUNT",
        "amount": "50,000",
        "address": "12 Elm Street\nScarsdale, NY 10583",
        "phone": "+19145550121",
        "esign_consent": "on",
    }
    for index, owner in enumerate(account.owners.all()):
        data[f"signature_{index}"] = owner.name
    data.update(overrides)
    return data


def _pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)


# The link


def test_a_link_is_bound_to_one_account_and_offer_and_valid_until_the_firms_cutoff(
    link: ClientLink, account: Any, offer: Any
) -> None:
    assert (link.account, link.offer) == (account, offer)
    assert link_deadlines(account=account, offer=offer).firm_cutoff == CUTOFF


def test_the_letter_and_a_reminder_of_one_occasion_carry_the_same_link(
    offer: Any, account: Any
) -> None:
    assert client_link_issue(offer=offer, account=account) == client_link_issue(
        offer=offer, account=account
    )
    assert ClientLink.objects.count() == 1


def test_a_forged_link_is_not_recognized(link: ClientLink) -> None:
    token = client_link_token(link)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = Client().get(reverse("client_page", args=[forged]))
    assert response.status_code == 404
    assert "We do not recognize this link" in response.content.decode()


def test_a_document_links_token_does_not_open_a_client_page(link: ClientLink) -> None:
    """Salted per purpose: the same payload signed for a document link is not a client link."""
    token = signing.Signer(salt=DOCUMENT_LINK_SALT).sign_object(
        {"l": link.pk, "a": link.account_id, "o": link.offer_id}
    )
    assert Client().get(reverse("client_page", args=[token])).status_code == 404


def test_a_link_no_longer_opens_at_the_firms_cutoff(link: ClientLink, at: Any) -> None:
    at(CUTOFF)
    response = Client().get(_path(link))
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_after_an_extension_the_next_letter_carries_a_new_link(
    offer: Any, account: Any, link: ClientLink, ops: Any
) -> None:
    from tenders.offers.lifecycle import offer_extend

    offer_extend(
        offer=offer,
        new_expiration=datetime(2001, 9, 17, 17, 0, tzinfo=NY),
        announcement="Extended to Sep 17, 2001",
        reason="More time for holders",
        by=ops,
    )
    offer.refresh_from_db()
    new = client_link_issue(offer=offer, account=account)
    assert new != link
    assert current_link(account=account, offer=offer) == new
    assert link_deadlines(account=account, offer=offer).firm_cutoff == datetime(
        2001, 9, 14, 17, 0, tzinfo=NY
    )


# The identity check


def test_the_page_asks_for_the_last_four_digits_and_the_zip_code_first(link: ClientLink) -> None:
    page = Client().get(_path(link)).content.decode()
    assert "Last four digits of your taxpayer ID" in page
    assert "ZIP code" in page
    assert "Sign and submit" not in page


def test_a_wrong_answer_says_how_many_tries_are_left(link: ClientLink) -> None:
    response = Client().post(
        _path(link), {"step": "identity", "tin_last4": "1234", "postal_code": "10004"}
    )
    assert "4 tries left before the link locks" in response.content.decode()
    assert _check(link).failed_checks == 1


def test_five_wrong_answers_lock_the_link_even_against_the_right_one(link: ClientLink) -> None:
    for _ in range(5):
        client_identity_check(link=link, tin_last4="0000", postal_code="10004")
    check = client_identity_check(link=link, tin_last4="6789", postal_code="10004")
    assert (check.passed, check.locked) == (False, True)
    response = Client().get(_path(link))
    assert response.status_code == 403
    assert "This link is locked" in response.content.decode()


def test_the_firms_representative_unlocks_a_locked_link(link: ClientLink, rep: Any) -> None:
    for _ in range(5):
        client_identity_check(link=link, tin_last4="0000", postal_code="99999")
    client_link_unlock(link=link, by=rep)
    check = _check(link)
    assert (check.is_locked, check.failed_checks, check.unlocked_by) == (False, 0, rep)
    assert client_identity_check(link=link, tin_last4="6789", postal_code="10004").passed


def test_another_firms_representative_cannot_unlock_a_link(link: ClientLink) -> None:
    stranger = factories.RepresentativeFactory().user
    client = Client()
    client.force_login(stranger)
    response = client.post(reverse("tenders:link_unlock", args=[link.account_id]))
    assert response.status_code == 404


def test_a_right_answer_clears_the_count_of_wrong_ones(link: ClientLink) -> None:
    client_identity_check(link=link, tin_last4="0000", postal_code="10004")
    assert client_identity_check(link=link, tin_last4="6789", postal_code="10004-1234").passed
    assert _check(link).failed_checks == 0


# The client's page


def test_the_page_shows_the_position_the_offer_and_the_projection_for_tender_all(
    link: ClientLink,
) -> None:
    page = _verified_client(link).get(_path(link)).content.decode()
    assert "$125,000" in page
    assert "5.45 shares" in page
    assert "We must receive your instructions by" in page
    # $125,000 tendered: 125 x $267.04 = $33,380.00 accrued; $158,380.00 of New Notes.
    assert "$158,380.00" in page
    assert "$33,380.00" in page


def test_the_projection_for_a_typed_amount_comes_from_the_same_engine(link: ClientLink) -> None:
    client = _verified_client(link)
    figures = client.get(reverse("client_projection", args=[client_link_token(link)]), {
        "amount": "50,000"
    }).json()  # fmt: skip
    assert figures["accrued_interest"] == "$13,352.00"
    assert figures["new_notes_principal"] == "$63,352.00"
    assert figures["warrants"] == "273"
    assert figures["participation_fee"] == "$1,500.00"
    assert [i["amount"] for i in figures["installments"]] == ["$500.00"] * 3


def test_the_projection_refuses_an_amount_above_the_position(link: ClientLink) -> None:
    client = _verified_client(link)
    figures = client.get(
        reverse("client_projection", args=[client_link_token(link)]), {"amount": "126000"}
    ).json()
    assert figures["error"] == "You hold $125,000: the amount cannot be more than that."


def test_the_projection_needs_the_identity_check(link: ClientLink) -> None:
    response = Client().get(
        reverse("client_projection", args=[client_link_token(link)]), {"amount": "50000"}
    )
    assert response.status_code == 403


def test_a_signed_submission_is_recorded_as_submitted(link: ClientLink, account: Any) -> None:
    client = _verified_client(link)
    response = client.post(_path(link), _page_post(account), HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    assert response.status_code == 302
    submission = ClientSubmission.objects.get()
    assert submission.status == ReviewStatus.AWAITING
    assert (submission.choice, submission.amount) == ("AMOUNT", Decimal("50000"))
    assert [s.typed_name for s in submission.signers.all()] == ["Eleanor J. Whitfield"]
    assert submission.ip_address == "127.0.0.1"
    assert submission.user_agent == "Mozilla/5.0 (iPhone)"
    assert submission.submitted_at == datetime(2001, 8, 20, 10, 0, tzinfo=NY)
    assert submission.submitted_wall_at is not None
    assert "Tender only $50,000 principal amount of Old Notes." in submission.agreed_text
    assert "consent to receive records about this offer electronically" in (submission.agreed_text)
    assert "may instead ask for the paper form" in submission.agreed_text


def test_a_submission_is_no_instruction_until_reviewed(link: ClientLink, account: Any) -> None:
    client_submission_create(link=link, data=_tender(account))
    assert not Instruction.objects.exists()


def test_a_wrong_signer_name_is_refused_at_its_field_naming_the_owner(
    link: ClientLink, account: Any
) -> None:
    client = _verified_client(link)
    response = client.post(_path(link), _page_post(account, signature_0="E. Whitfield"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The printed name must be the owner&#x27;s as on file: Eleanor J. Whitfield." in page
    assert 'id="id_signature_0"' in page and 'value="E. Whitfield"' in page
    assert not ClientSubmission.objects.exists()


def test_without_the_consent_to_sign_electronically_nothing_is_recorded(
    link: ClientLink, account: Any
) -> None:
    with pytest.raises(ValidationError, match="Tick the box to agree to sign electronically"):
        client_submission_create(link=link, data=_tender(account, esign_consent=False))
    assert not ClientSubmission.objects.exists()


def test_an_amount_above_the_position_is_refused(link: ClientLink, account: Any) -> None:
    with pytest.raises(ValidationError, match=r"You hold \$125,000: the amount cannot be more"):
        client_submission_create(link=link, data=_tender(account, amount=Decimal("200000")))


def test_a_client_cannot_submit_after_the_firms_cutoff(
    link: ClientLink, account: Any, at: Any
) -> None:
    at(CUTOFF - ONE_SECOND)
    client = _verified_client(link)
    at(CUTOFF)
    assert client.post(_path(link), _page_post(account)).status_code == 410
    with pytest.raises(ValidationError, match="Our deadline for instructions passed at 5:00"):
        client_submission_create(link=link, data=_tender(account))


def test_a_second_submission_replaces_the_one_awaiting_review(
    link: ClientLink, account: Any
) -> None:
    first = client_submission_create(link=link, data=_tender(account))
    second = client_submission_create(link=link, data=_tender(account, choice="ALL", amount=None))
    first.refresh_from_db()
    assert first.status == ReviewStatus.REPLACED
    assert second.status == ReviewStatus.AWAITING


def test_the_client_is_emailed_a_pdf_of_what_they_submitted(
    link: ClientLink, account: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        submission = client_submission_create(link=link, data=_tender(account))
    document = document_issue(key=f"online_submission:a{account.pk}:s{submission.pk}")
    text = _pdf_text(bytes(document.content))
    assert "RECEIVED, AWAITING YOUR BROKER'S REVIEW" in text
    assert "Tender only $50,000 principal amount of Old Notes" in text
    assert "Signed electronically by Eleanor J. Whitfield" in text
    message = OutboxMessage.objects.get(document=document)
    assert "It is awaiting your broker's review" in message.body


# Review


def test_approval_makes_the_instruction_received_when_the_client_submitted(
    link: ClientLink, account: Any, rep: Any, at: Any
) -> None:
    submission = client_submission_create(link=link, data=_tender(account))
    at(datetime(2001, 8, 22, 9, 30, tzinfo=NY))
    instruction = client_submission_approve(submission=submission, by=rep)
    assert instruction.received_at == datetime(2001, 8, 20, 10, 0, tzinfo=NY)
    assert instruction.channel == "online"
    assert instruction.approved_by == rep
    assert instruction.approved_at == datetime(2001, 8, 22, 9, 30, tzinfo=NY)
    assert instruction.amount == Decimal("50000")
    signer = instruction.signers.get()
    assert (signer.typed_name, signer.signed_electronically) == ("Eleanor J. Whitfield", True)


def test_a_submission_before_the_cutoff_may_be_approved_after_it(
    link: ClientLink, account: Any, rep: Any, at: Any
) -> None:
    at(CUTOFF - ONE_SECOND)
    submission = client_submission_create(link=link, data=_tender(account))
    at(CUTOFF + ONE_SECOND)
    instruction = client_submission_approve(submission=submission, by=rep)
    assert instruction.status == InstructionStatus.RECEIVED


def test_approval_is_refused_at_the_expiration(
    link: ClientLink, account: Any, rep: Any, at: Any
) -> None:
    submission = client_submission_create(link=link, data=_tender(account))
    at(EXPIRATION)
    with pytest.raises(
        ValidationError, match="expired at 12 midnight EDT at the end of Tuesday, September 4, 2001"
    ):
        client_submission_approve(submission=submission, by=rep)
    submission.refresh_from_db()
    assert submission.status == ReviewStatus.AWAITING


def test_the_receipt_of_an_approved_submission_says_online(
    link: ClientLink, account: Any, rep: Any
) -> None:
    submission = client_submission_create(link=link, data=_tender(account))
    instruction = client_submission_approve(submission=submission, by=rep)
    receipt = document_issue(instruction_id=instruction.pk, kind=DocumentKind.RECEIPT)
    text = _pdf_text(bytes(receipt.content))
    assert "Online, signed electronically" in text
    assert "Paper instruction form" not in text


def test_the_receipt_of_a_paper_form_says_paper(offer: Any, account: Any, rep: Any) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    receipt = document_issue(instruction_id=instruction.pk, kind=DocumentKind.RECEIPT)
    assert "Paper instruction form, signed and returned to us" in _pdf_text(bytes(receipt.content))


def test_a_client_changing_an_approved_instruction_amends_it(
    link: ClientLink, account: Any, rep: Any
) -> None:
    first = client_submission_approve(
        submission=client_submission_create(link=link, data=_tender(account)), by=rep
    )
    second = client_submission_approve(
        submission=client_submission_create(
            link=link, data=_tender(account, choice="ALL", amount=None)
        ),
        by=rep,
    )
    first.refresh_from_db()
    assert (first.status, second.version, second.choice) == ("superseded", 2, "ALL")


def test_a_client_withdraws_online_and_the_notice_is_recorded_as_online(
    link: ClientLink, account: Any, rep: Any
) -> None:
    client_submission_approve(
        submission=client_submission_create(link=link, data=_tender(account)), by=rep
    )
    withdrawal = client_submission_create(
        link=link, data=_tender(account, kind="withdrawal", choice="", amount=None)
    )
    withdrawn = client_submission_approve(submission=withdrawal, by=rep)
    assert withdrawn.status == InstructionStatus.WITHDRAWN
    notice = withdrawn.withdrawal_notice
    assert notice.method == "online"
    assert [s.typed_name for s in notice.signers.all()] == ["Eleanor J. Whitfield"]


def test_a_client_cannot_withdraw_without_an_instruction(link: ClientLink, account: Any) -> None:
    with pytest.raises(ValidationError, match="no instruction of yours to withdraw"):
        client_submission_create(
            link=link, data=_tender(account, kind="withdrawal", choice="", amount=None)
        )


def test_a_representative_cannot_record_an_online_notice_on_paper(
    offer: Any, account: Any, rep: Any
) -> None:
    from tenders.instructions.services import WithdrawalNoticeInput
    from tenders.intake.services import instruction_withdraw

    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    with pytest.raises(ValidationError, match="only from the client's own page"):
        instruction_withdraw(
            instruction=instruction,
            expected_version=1,
            by=rep,
            notice=WithdrawalNoticeInput(method="online", received_on=None, attested=True),
        )


def test_rejection_tells_the_client_why_and_the_link_still_works(
    link: ClientLink, account: Any, rep: Any, django_capture_on_commit_callbacks: Any
) -> None:
    submission = client_submission_create(link=link, data=_tender(account))
    with django_capture_on_commit_callbacks(execute=True):
        client_submission_reject(
            submission=submission, by=rep, reason="Please call us about the address change."
        )
    submission.refresh_from_db()
    assert (submission.status, submission.reviewed_by) == (ReviewStatus.REJECTED, rep)
    body = mail.outbox[-1].body
    assert "Please call us about the address change." in body
    assert client_link_url(link) in body
    assert client_submission_create(link=link, data=_tender(account)).status == "awaiting"


def test_a_rejection_needs_a_reason(link: ClientLink, account: Any, rep: Any) -> None:
    submission = client_submission_create(link=link, data=_tender(account))
    with pytest.raises(ValidationError, match="Give the reason"):
        client_submission_reject(submission=submission, by=rep, reason="  ")


def test_a_submission_is_reviewed_once(link: ClientLink, account: Any, rep: Any) -> None:
    submission = client_submission_create(link=link, data=_tender(account))
    client_submission_approve(submission=submission, by=rep)
    with pytest.raises(ValidationError, match="already approved by rep"):
        client_submission_reject(submission=submission, by=rep, reason="Changed my mind")


def test_another_firms_representative_does_not_see_the_submission(
    link: ClientLink, account: Any
) -> None:
    submission = client_submission_create(link=link, data=_tender(account))
    client = Client()
    client.force_login(factories.RepresentativeFactory().user)
    assert "review-row" not in client.get(reverse("tenders:review_queue")).content.decode()
    response = client.post(
        reverse("tenders:submission_approve", args=[account.pk]), {"submission": submission.pk}
    )
    assert response.status_code == 404


def test_the_queue_lists_submissions_nearest_their_firms_cutoff_first(
    offer: Any, link: ClientLink, account: Any, ops: Any
) -> None:
    early_firm = factories.BrokerFirmFactory(cutoff_banking_days_before=3)
    early = factories.ClientAccountFactory(firm=early_firm, owners=["Ann Early"])
    factories.PositionFactory(account=early, security=offer.old_security, principal=10000)
    from tenders.accounts.services import account_set_tin

    account_set_tin(account=early, tin_type="SSN", tin="234-56-7890", by=ops)
    client_submission_create(link=link, data=_tender(account))
    early_link = client_link_issue(offer=offer, account=early)
    client_submission_create(
        link=early_link, data=_tender(early, amount=Decimal("10000"))
    )  # submitted later, but its firm's cutoff comes first
    client = Client()
    client.force_login(ops)
    page = client.get(reverse("tenders:review_queue")).content.decode()
    assert page.index(f"review-row-{early.account_number}") < page.index(
        f"review-row-{account.account_number}"
    )


def test_the_approve_button_makes_the_instruction(link: ClientLink, account: Any, rep: Any) -> None:
    submission = client_submission_create(link=link, data=_tender(account))
    client = Client()
    client.force_login(rep)
    response = client.post(
        reverse("tenders:submission_approve", args=[account.pk]),
        {"submission": submission.pk},
        follow=True,
    )
    assert "Approved: account HB-100003 now has instruction version 1" in (
        response.content.decode()
    )


# The letter, the reminder and the command


def test_the_letter_carries_the_clients_link(offer: Any, account: Any) -> None:
    from tenders.online.letters import client_letter_issue

    letter = client_letter_issue(offer=offer, account=account)
    link = ClientLink.objects.get(account=account)
    text = _pdf_text(bytes(letter.content)).replace(" ", "")
    assert client_link_url(link).replace(" ", "") in text


def test_the_client_link_command_prints_a_link_that_opens_the_page(
    offer: Any, account: Any
) -> None:
    out = io.StringIO()
    call_command("client_link", offer="lexington-2001", account="HB-100003", stdout=out)
    url = out.getvalue().strip()
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert Client().get("/" + path).status_code == 200


def test_the_client_link_command_refuses_an_unknown_account(offer: Any) -> None:
    with pytest.raises(CommandError, match="There is no account 'XX-1'"):
        call_command("client_link", offer="lexington-2001", account="XX-1")


def test_documents_of_submissions_are_stored_under_their_own_key(
    link: ClientLink, account: Any
) -> None:
    submission = client_submission_create(link=link, data=_tender(account))
    assert DocumentSnapshot.objects.filter(
        key=f"online_submission:a{account.pk}:s{submission.pk}"
    ).exists()
    assert not Document.objects.exists()  # rendered by the worker


def test_approving_a_submission_the_client_replaced_meanwhile_approves_nothing(
    link: ClientLink, account: Any, rep: Any
) -> None:
    seen = client_submission_create(link=link, data=_tender(account))
    client_submission_create(link=link, data=_tender(account, choice="ALL", amount=None))
    client = Client()
    client.force_login(rep)
    response = client.post(
        reverse("tenders:submission_approve", args=[account.pk]),
        {"submission": seen.pk},
        follow=True,
    )
    assert "the client submitted again" in response.content.decode()
    assert not Instruction.objects.exists()


def test_a_representative_unlocks_the_link_from_the_account_page(
    link: ClientLink, account: Any, rep: Any
) -> None:
    for _ in range(5):
        client_identity_check(link=link, tin_last4="0000", postal_code="10004")
    client = Client()
    client.force_login(rep)
    page = client.get(reverse("tenders:account_detail", args=[account.pk])).content.decode()
    assert "locked after 5 wrong answers" in page
    client.post(reverse("tenders:link_unlock", args=[account.pk]))
    assert not _check(link).is_locked


# After the firm's cutoff: withdrawal rights run until the expiration


def test_after_the_cutoff_a_client_with_an_instruction_may_still_withdraw_online(
    link: ClientLink, account: Any, rep: Any, at: Any
) -> None:
    client_submission_approve(
        submission=client_submission_create(link=link, data=_tender(account)), by=rep
    )
    at(CUTOFF - ONE_SECOND)
    client = _verified_client(link)
    at(CUTOFF + ONE_SECOND)
    page = client.get(_path(link)).content.decode()
    assert "You may still withdraw your instruction here until the offer expires" in page
    assert "Sign and withdraw" in page
    assert 'name="amount"' not in page
    response = client.post(
        _path(link),
        {
            "step": "submit",
            "submission_token": str(uuid.uuid4()),
            "kind": "withdrawal",
            "shown": _shown(account),
            "esign_consent": "on",
            "signature_0": account.owners.get().name,
        },
    )
    assert response.status_code == 302
    withdrawal = ClientSubmission.objects.get(status=ReviewStatus.AWAITING)
    assert withdrawal.kind == "withdrawal"
    withdrawn = client_submission_approve(submission=withdrawal, by=rep)
    assert withdrawn.status == InstructionStatus.WITHDRAWN


def test_after_the_cutoff_a_client_cannot_tender_online(
    link: ClientLink, account: Any, rep: Any, at: Any
) -> None:
    client_submission_approve(
        submission=client_submission_create(link=link, data=_tender(account)), by=rep
    )
    at(CUTOFF + ONE_SECOND)
    with pytest.raises(ValidationError, match="You may still withdraw your instruction here"):
        client_submission_create(link=link, data=_tender(account, choice="ALL", amount=None))


def test_at_the_expiration_the_link_closes_even_for_a_withdrawal(
    link: ClientLink, account: Any, rep: Any, at: Any
) -> None:
    client_submission_approve(
        submission=client_submission_create(link=link, data=_tender(account)), by=rep
    )
    at(EXPIRATION)
    assert Client().get(_path(link)).status_code == 410


def test_the_same_page_posted_twice_records_one_submission(link: ClientLink, account: Any) -> None:
    import uuid

    token = uuid.uuid4()
    first = client_submission_create(link=link, data=_tender(account, submission_token=token))
    second = client_submission_create(link=link, data=_tender(account, submission_token=token))
    assert first == second
    assert ClientSubmission.objects.count() == 1


def test_every_review_of_a_submission_is_in_its_audit_trail(
    link: ClientLink, account: Any, rep: Any
) -> None:
    submission = client_submission_create(link=link, data=_tender(account))
    client_submission_approve(submission=submission, by=rep)
    rows = list(submission.history.order_by("history_date"))
    assert [(row.status, row.history_user) for row in rows] == [
        ("awaiting", None),  # the client, who has no login
        ("approved", rep),
    ]


# Hostile input


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": "1e3"},
        {"amount": "50,000", "choice": "EVERYTHING"},
        {"choice": ""},  # an amount written, neither box ticked
        {"signature_0": "x" * 5000},
        {"submission_token": "not-a-uuid"},
        {"phone": "<script>alert(1)</script>"},
        {"esign_consent": "", "signature_0": ""},
    ],
    ids=lambda changes: ",".join(changes),
)
def test_a_bad_post_is_refused_on_the_page_and_records_nothing(
    link: ClientLink, account: Any, changes: dict[str, str]
) -> None:
    client = _verified_client(link)
    response = client.post(_path(link), _page_post(account, **changes))
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not ClientSubmission.objects.exists()


def test_garbage_in_the_identity_form_counts_as_nothing_but_a_wrong_answer(
    link: ClientLink,
) -> None:
    response = Client().post(
        _path(link), {"step": "identity", "tin_last4": "12345678", "postal_code": "x" * 500}
    )
    assert response.status_code == 200
    assert not ClientCheck.objects.exists()  # refused by the form before it is checked


def test_another_firms_supervisor_cannot_reach_a_held_instruction(
    link: ClientLink, account: Any
) -> None:
    client = Client()
    client.force_login(factories.RepresentativeFactory().user)
    response = client.post(reverse("tenders:held_approve", args=[account.pk]), {"held": "1"})
    assert response.status_code == 404


def test_an_unknown_kind_is_refused_at_its_field(link: ClientLink, account: Any, rep: Any) -> None:
    client_submission_approve(
        submission=client_submission_create(link=link, data=_tender(account)), by=rep
    )
    client = _verified_client(link)
    response = client.post(_path(link), _page_post(account, kind="steal"))
    assert "Select a valid choice. steal is not one of the available choices." in (
        response.content.decode()
    )
    assert ClientSubmission.objects.count() == 1


# Found in review


def test_a_large_online_tender_is_approved_by_a_supervisor_not_a_representative(
    link: ClientLink, account: Any, rep: Any, firm: Any
) -> None:
    """A representative could otherwise answer in the client's place and approve it alone."""
    from django.contrib.auth.models import Permission
    from django.core.exceptions import PermissionDenied

    firm.second_approval_threshold = Decimal("100000")
    firm.save()
    submission = client_submission_create(
        link=link, data=_tender(account, choice="ALL", amount=None)
    )
    with pytest.raises(PermissionDenied, match=r"above Hudson & Broad Securities LLC's \$100,000"):
        client_submission_approve(submission=submission, by=rep)
    sup = factories.RepresentativeFactory(firm=firm, user__username="sup").user
    sup.user_permissions.add(Permission.objects.get(codename="supervise_instructions"))
    sup = type(sup).objects.get(pk=sup.pk)
    assert client_submission_approve(submission=submission, by=sup).choice == "ALL"


@pytest.mark.parametrize("typed", ["NaN", "sNaN", "Infinity", "1e40", "-5000", "9" * 40])
def test_the_projection_answers_any_typed_text_without_failing(
    link: ClientLink, typed: str
) -> None:
    client = _verified_client(link)
    response = client.get(
        reverse("client_projection", args=[client_link_token(link)]), {"amount": typed}
    )
    assert response.status_code == 200
    assert "error" in response.json()


def test_a_page_read_before_the_terms_changed_is_not_signed_as_read(
    link: ClientLink, account: Any, offer: Any, ops: Any
) -> None:
    from tenders.offers.lifecycle import offer_amend_terms

    client = _verified_client(link)
    page = client.get(_path(link)).content.decode()
    shown = re.search(r'name="shown" value="(\w+)"', page)
    assert shown is not None
    offer_amend_terms(
        offer=offer,
        changes={"participation_fee_per_unit": Decimal("35")},
        reason="A higher fee",
        by=ops,
        extend_to=datetime(2001, 9, 17, 17, 0, tzinfo=NY),
        announcement="Extended to Sep 17, 2001",
    )
    response = client.post(_path(link), _page_post(account, shown=shown[1]))
    assert "What you sent does not match this page as it stands now" in (response.content.decode())
    assert not ClientSubmission.objects.exists()


def test_an_account_with_no_zip_code_on_file_cannot_be_checked_online(
    offer: Any, account: Any
) -> None:
    account.postal_code = ""
    account.save()
    link = client_link_issue(offer=offer, account=account)
    response = Client().get(_path(link))
    assert response.status_code == 403
    assert "We cannot confirm who you are online" in response.content.decode()


def test_behind_the_proxy_the_clients_address_is_the_one_the_proxy_appended(
    link: ClientLink, account: Any, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    client = _verified_client(link)
    client.post(_path(link), _page_post(account), HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.50")
    assert ClientSubmission.objects.get().ip_address == "203.0.113.50"
