"""What clients are told is complete (issue 20, point 6, and two of point 8): what the Old Notes
not tendered receive, termination notices to every client sent the letter, installment dates
kept, the conditions as the letter states them, a one-page withdrawal receipt, a readable
online-submission PDF with its figures, the letter's form, warrants and telephone numbers as
people write them.

Figures from domain.md: consummation on Sep 5, 2001 accrues 754 days, $267.04 per $1,000, so
$1,267.04 per $1,000 not tendered: $125,000 held -> $158,380.00; $80,000 left out of a
$400,000 tender of $480,000 -> $101,363.20; $5,000 -> $6,335.20. Consummated on Nov 1, 2001,
installment 2 (scheduled Sep 30, 2001) is paid on Nov 1. $2,000,000 tendered -> 10,900 warrants.
"""

import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pdfplumber
import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from exchange_office import clock
from notes.domain.entitlement import compute_entitlement
from notes.models import OfferEventKind, OfferStatus
from notes.selectors import offer_terms, offers_with_terms
from tenders.documents import rendering
from tenders.documents.contexts import fee_rows_for
from tenders.documents.models import Document, DocumentKind, DocumentSnapshot
from tenders.documents.services import document_issue
from tenders.instructions.services import instruction_transition
from tenders.intake.services import instruction_submit, instruction_withdraw
from tenders.letters.contexts import client_letter_context, conditions_text
from tenders.models import Instruction, InstructionStatus
from tenders.notices.contexts import amended_terms_receipt_context
from tenders.notices.services import termination_notices_queue
from tenders.online import agreement
from tenders.online.letters import client_letter_issue
from tenders.online.selectors import client_link_token
from tenders.online.services import OnlineInput, client_link_issue, client_submission_create
from tests.tenders.conftest import AUG_20, NY, amount_input, make_input, notice_for
from tests.tenders.notices_scene import event, holder

pytestmark = pytest.mark.django_db

AUG_27 = datetime(2001, 8, 27, 10, 0, tzinfo=NY)


def _pages(content: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [" ".join((page.extract_text() or "").split()) for page in pdf.pages]


def _text(content: bytes) -> str:
    return " ".join(_pages(content))


def _snapshot_pdf(**filters: Any) -> rendering.RenderedPdf:
    snapshot = DocumentSnapshot.objects.get(**filters)
    return rendering.render_snapshot(snapshot, document_number="X-2001-000001")


# What the Old Notes not tendered receive


@pytest.mark.slow
def test_the_letter_states_what_the_old_notes_not_tendered_receive(
    offer: Any, account: Any
) -> None:
    text = _text(bytes(client_letter_issue(offer=offer, account=account).content))
    assert (
        "the Company will pay holders of Old Notes who do not tender their Old Notes in the "
        "Exchange Offer the full principal of and accrued interest on their Old Notes" in text
    )
    assert "For the $125,000 held for your account, if none is tendered, that is $158,380.00" in (
        text
    )
    assert "projected for consummation on September 5, 2001" in text
    assert "754 days at 12.75% (30/360), $267.04 per $1,000" in text
    assert "125 \N{MULTIPLICATION SIGN} $1,267.04" in text and "$158,380.00" in text


def test_the_client_page_says_what_the_old_notes_not_tendered_receive(
    offer: Any, account: Any
) -> None:
    letter = client_letter_context(
        offer=offers_with_terms().prefetch_related("conditions").get(pk=offer.pk),
        account=account,
        position=Decimal("125000"),
        event=None,
        now=AUG_20,
    )
    points = agreement.offer_points(letter)
    assert not any("you need do nothing" in point for point in points)
    assert points[-1].endswith(
        "For the $125,000 we hold for you, that is $158,380.00 if it is completed on "
        "September 5, 2001 ($1,267.04 for each $1,000: $1,000 of principal and $267.04 of "
        "interest); if you tender only part, the rest is paid the same, $1,267.04 for each "
        "$1,000 you keep."
    )


def test_the_typed_projection_states_what_the_rest_of_a_partial_tender_receives(
    offer: Any, account: Any
) -> None:
    link = client_link_issue(offer=offer, account=account)
    client = _verified(link)
    url = reverse("client_projection", args=[client_link_token(link)])
    partial = client.get(url, {"amount": "45,000"}).json()
    assert partial["untendered"] == {
        "principal": "$80,000",
        "payout": "$101,363.20",
        "paid_on": "September 5, 2001",
    }
    assert client.get(url, {"amount": "125,000"}).json()["untendered"] is None


@pytest.mark.slow
def test_a_withdrawal_receipt_states_what_the_withdrawn_notes_receive_on_one_page(
    offer: Any, joint_account: Any, rep: Any
) -> None:
    """The longest withdrawal receipt: two owners, a telephone notice called back."""
    with clock.frozen_at(AUG_20):
        instruction = instruction_submit(
            account=joint_account, offer=offer, data=make_input(joint_account), by=rep
        )
        withdrawn = instruction_withdraw(
            instruction=instruction,
            expected_version=1,
            by=rep,
            notice=notice_for(
                instruction,
                method="telephone",
                callback_number="(203) 555-0142",
                called_back=True,
            ),
        )
    pdf = _snapshot_pdf(instruction=withdrawn, kind=DocumentKind.WITHDRAWAL_RECEIPT)
    text = _text(pdf.content)
    assert pdf.pages == 1
    assert "no exchange figures apply" not in text
    assert "Your $125,000 of Old Notes, not tendered" in text
    assert "pay holders who do not tender the full principal of and accrued interest" in text
    assert "Old Notes principal amount not tendered $125,000.00" in text
    assert "$33,380.00" in text
    assert "Projected: paid in cash on September 5, 2001" in text
    assert "125 \N{MULTIPLICATION SIGN} $1,267.04" in text and "$158,380.00" in text


@pytest.mark.slow
def test_a_partial_tenders_receipt_states_what_the_rest_receives(
    offer: Any, firm: Any, rep: Any, ops: Any
) -> None:
    ferris = holder(firm, offer, ops, "HB-100007", "Ferris Family Foundation", "480000")
    with clock.frozen_at(AUG_20):
        instruction = instruction_submit(
            account=ferris, offer=offer, data=amount_input(ferris, "400000"), by=rep
        )
    text = _text(_snapshot_pdf(instruction=instruction, kind=DocumentKind.RECEIPT).content)
    assert "The Old Notes you do not tender" in text
    assert (
        "Your instruction tenders $400,000 of the $480,000 held for your account. The other "
        "$80,000 are not tendered." in text
    )
    assert "$101,363.20, projected for September 5, 2001" in text
    assert "80 \N{MULTIPLICATION SIGN} $1,267.04" in text


# Termination notices


def _terminate(offer: Any, ops: Any) -> tuple[Any, list[Instruction]]:
    returned = list(Instruction.objects.filter(offer=offer, status=InstructionStatus.RECEIVED))
    for instruction in returned:
        instruction_transition(instruction, InstructionStatus.RETURNED, by=ops, reason="Ended")
    offer.status = OfferStatus.TERMINATED
    offer.save()
    terminated = event(
        offer, OfferEventKind.TERMINATED, ops, AUG_27, reason="The financing fell through."
    )
    return terminated, returned


def test_termination_notices_go_to_every_client_sent_the_letter(
    offer: Any, firm: Any, rep: Any, ops: Any, account: Any, fake_pdf: Any, at: Any
) -> None:
    at(AUG_20)
    ferris = holder(firm, offer, ops, "HB-100007", "Ferris Family Foundation", "480000")
    adeyemi = holder(firm, offer, ops, "HB-100005", "Samuel O. Adeyemi", "5000")
    holder(firm, offer, ops, "HB-100009", "Never Written To", "1000")  # no letter
    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    for sent in (account, ferris, adeyemi):
        client_letter_issue(offer=offer, account=sent)
    at(AUG_27)
    terminated, returned = _terminate(offer, ops)
    count = termination_notices_queue(offer=offer, event=terminated, instructions=returned, by=ops)
    letters = set(
        Document.objects.filter(kind=DocumentKind.CLIENT_LETTER).values_list("account", flat=True)
    )
    notices = set(
        DocumentSnapshot.objects.filter(kind=DocumentKind.TERMINATION_NOTICE).values_list(
            "account", flat=True
        )
    )
    assert count == 3
    assert notices == letters == {account.pk, ferris.pk, adeyemi.pk}
    key = f"termination:o{offer.pk}:a{adeyemi.pk}"
    assert document_issue(key=key).number == f"LEXINGTON-2001-TA{adeyemi.pk:06d}-1"


@pytest.mark.slow
def test_a_termination_notice_states_both_cusips_and_what_happens_to_the_old_notes(
    offer: Any, firm: Any, ops: Any, account: Any, at: Any
) -> None:
    offer.old_security.last_interest_paid_on = date(1999, 8, 1)
    offer.old_security.save()
    at(AUG_20)
    client_letter_issue(offer=offer, account=account)
    at(AUG_27)
    terminated, returned = _terminate(offer, ops)
    termination_notices_queue(offer=offer, event=terminated, instructions=returned, by=ops)
    text = _text(_snapshot_pdf(kind=DocumentKind.TERMINATION_NOTICE, account=account).content)
    old, new = offer.old_security.cusip, offer.new_security.cusip
    assert f"CUSIP {old[:6]} {old[6:8]} {old[8:]}" in text
    assert f"CUSIP {new[:6]} {new[6:8]} {new[8:]}: none is issued" in text
    assert "We held no instruction of yours to tender" in text
    assert (
        "They stay in your account as they were before the offer: they matured on February 1, "
        "2000" in text
    )
    assert "was due only if the offer was consummated, so it is not made either" in text


# Installment dates


def test_an_installment_paid_on_consummation_keeps_its_date_and_says_why(offer: Any) -> None:
    terms = offer_terms(offer=offers_with_terms().get(pk=offer.pk))
    entitlement = compute_entitlement(terms, Decimal("125000"), date(2001, 11, 1))
    rows = fee_rows_for(entitlement, terms)
    html = " ".join(
        render_to_string(
            "pdf/includes/fee_schedule.html",
            {"title": "Participation fee", "fee_rows": rows, "entitlement": entitlement},
        ).split()
    )
    assert [(r["unscheduled"], r["date_passed"]) for r in rows] == [
        (True, False),
        (False, True),
        (False, False),
    ]
    assert "<td>September 30, 2001</td> <td>November 1, 2001 <span" in html
    assert "(date passed)" in html
    assert (
        "Installment 2 was scheduled for September 30, 2001, a date before the consummation "
        "date, November 1, 2001: under the offer's terms an installment whose scheduled date "
        "has passed when the offer is consummated is paid on the consummation date" in html
    )


# The conditions, the letter's form


def test_the_conditions_read_as_one_sentence_of_the_letter() -> None:
    assert conditions_text(["Senior secured financing", "the completion of amendments"]) == (
        "(i) senior secured financing and (ii) the completion of amendments"
    )
    assert conditions_text(["the A", "the B", "the C"]) == "(i) the A; (ii) the B; and (iii) the C"


@pytest.mark.slow
def test_the_letters_form_says_how_to_return_it_and_leaves_the_tin_blank(
    offer: Any, account: Any
) -> None:
    text = _text(bytes(client_letter_issue(offer=offer, account=account).content))
    form = text[text.index("INSTRUCTIONS WITH RESPECT TO THE EXCHANGE OFFER") :]
    assert "an envelope in which to return your instructions to us is enclosed" in text
    assert "Return it to Hudson & Broad Securities LLC" in form
    assert "in the envelope enclosed with our letter if it came by mail" in form
    assert "TAXPAYER IDENTIFICATION OR SOCIAL SECURITY NUMBER (WRITE THE FULL NUMBER)" in form
    assert "***-**-6789" not in form


# The online submission's PDF


def _verified(link: Any) -> Client:
    client = Client()
    path = reverse("client_page", args=[client_link_token(link)])
    client.post(path, {"step": "identity", "tin_last4": "6789", "postal_code": "10004"})
    return client


@pytest.mark.slow
def test_the_online_submission_pdf_is_readable_and_states_the_figures(
    offer: Any, account: Any, at: Any
) -> None:
    at(AUG_20)
    submission = client_submission_create(
        link=client_link_issue(offer=offer, account=account),
        data=OnlineInput(
            kind="tender",
            choice="AMOUNT",
            amount=Decimal("50000"),
            names={owner.pk: owner.name for owner in account.owners.all()},
            address="12 Elm Street\nScarsdale, NY 10583",
            phone="+19145550121",
            esign_consent=True,
        ),
    )
    pdf = _snapshot_pdf(key=f"online_submission:a{account.pk}:s{submission.pk}")
    text = _text(pdf.content)
    assert "New Notes principal amount (principal plus accrued interest) $63,352.00" in text
    assert "273 warrants" in text
    assert "1 On consummation September 5, 2001 $500.00" in text
    assert "2 September 30, 2001 October 1, 2001 (next banking day) $500.00" in text
    assert "3 December 31, 2001 December 31, 2001 $500.00" in text
    assert "The other $75,000 are not tendered" in text and "$95,028.00" in text
    assert "Telephone you confirmed (914) 555-0121" in text
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        agreed = [
            char["size"]
            for page in document.pages
            for match in page.search(
                "I (we) consent to receive records about this offer electronically",
                regex=False,
                return_chars=True,
            )
            for char in match["chars"]
        ]
    assert agreed and round(min(agreed), 1) >= 9.5  # the agreed text, as readable as the page


# Warrants and telephone numbers as people write them


def test_the_client_page_writes_warrants_with_a_thousands_separator_and_the_phone_nationally(
    offer: Any, firm: Any, ops: Any
) -> None:
    big = holder(firm, offer, ops, "HB-100010", "Atlas Capital Partners", "2000000")
    big.phone = "+19145550121"
    big.postal_code = "10004"
    big.save()
    link = client_link_issue(offer=offer, account=big)
    client = Client()
    path = reverse("client_page", args=[client_link_token(link)])
    client.post(path, {"step": "identity", "tin_last4": "7890", "postal_code": "10004"})
    page = client.get(path).content.decode()
    assert ">10,900</dd>" in page
    assert 'value="(914) 555-0121"' in page
    assert "+19145550121" not in page
    projection = client.get(
        reverse("client_projection", args=[client_link_token(link)]), {"amount": "2,000,000"}
    ).json()
    assert projection["warrants"] == "10,900"


def test_notice_e_mails_write_warrants_with_a_thousands_separator(
    offer: Any, firm: Any, rep: Any, ops: Any
) -> None:
    big = holder(firm, offer, ops, "HB-100010", "Atlas Capital Partners", "2000000")
    with clock.frozen_at(AUG_20):
        instruction = instruction_submit(account=big, offer=offer, data=make_input(big), by=rep)
    amended = event(offer, OfferEventKind.TERMS_AMENDED, ops, AUG_27, reason="Fee", changes={})
    context = amended_terms_receipt_context(instruction=instruction, event=amended)
    assert "10,900 warrants" in " ".join(context["email_paragraphs"])
