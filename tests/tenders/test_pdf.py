"""The client's PDF documents, read back as text with pdfplumber: what the client sees.

The confirmation and the plain receipt are rendered once for the module (inside a transaction
rolled back at once); each test then checks one thing in the text.
"""

import io
import logging
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pdfplumber
import pytest
from django.db import transaction
from django.template import Context, Template
from pypdf import PdfReader

from exchange_office import clock
from notes.models import OfferStatus
from tenders.accounts.services import account_set_tin
from tenders.documents import contexts, rendering
from tenders.intake.services import instruction_amend, instruction_withdraw
from tenders.models import DocumentSnapshot, InstructionStatus
from tests import factories
from tests.tenders.conftest import AUG_20, NY, amount_input, make_input, notice_for

pytestmark = pytest.mark.django_db

GENERATED_AT = datetime(2001, 9, 5, 11, 30, tzinfo=NY)
GENERATED_WALL_AT = datetime(2026, 3, 2, 19, 5, 9, tzinfo=UTC)
FULL_TIN = "123-45-6789"
EN_DASH = "\N{EN DASH}"  # between the dates of an interest period


@dataclass(frozen=True)
class ReadBack:
    rendered: rendering.RenderedPdf
    pages: list[str]  # each page's text, whitespace collapsed

    @property
    def text(self) -> str:
        return " ".join(self.pages)


def read_back(rendered: rendering.RenderedPdf) -> ReadBack:
    with pdfplumber.open(io.BytesIO(rendered.content)) as document:
        pages = [" ".join((page.extract_text() or "").split()) for page in document.pages]
    return ReadBack(rendered, pages)


def render(kind: str, instruction: Any, number: str = "R-2001-000001") -> ReadBack:
    """A confirmation from the rows, generated at GENERATED_AT; a receipt ("receipt" or
    "withdrawal") from the snapshot its instruction service took."""
    if kind == "confirmation":
        return read_back(
            rendering.render_confirmation(
                instruction,
                document_number=number,
                generated_at=GENERATED_AT,
                generated_wall_at=GENERATED_WALL_AT,
            )
        )
    snapshot = DocumentSnapshot.objects.get(instruction=instruction, kind=kind)
    return read_back(rendering.render_receipt(snapshot, document_number=number))


def _account(firm: Any, offer: Any, ops: Any, owners: list[str], number: str) -> Any:
    account = factories.ClientAccountFactory(firm=firm, owners=owners, account_number=number)
    factories.PositionFactory(
        account=account, security=offer.old_security, principal=Decimal("125000")
    )
    return account_set_tin(account=account, tin_type="SSN", tin=FULL_TIN, by=ops)


def _submit(account: Any, offer: Any, rep: Any, **overrides: Any) -> Any:
    from tenders.intake.services import instruction_submit

    with clock.frozen_at(AUG_20):
        return instruction_submit(
            account=account, offer=offer, data=make_input(account, **overrides), by=rep
        )


@pytest.fixture(scope="module")
def documents(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, ReadBack]]:
    """A $125,000 account of Hudson & Broad: its receipt, then its confirmation after the
    offer was consummated on Sep 5, 2001 (set directly: the consummation service is not
    under test here)."""
    with django_db_blocker.unblock(), transaction.atomic():
        offer = factories.ExchangeOfferFactory(
            slug="lexington-2001",
            old_security__cusip="529529AA7",
            new_security__cusip="529529AC3",
        )
        firm = factories.BrokerFirmFactory(
            name="Hudson & Broad Securities LLC",
            dtc_participant_number="0901",
            address="40 Broad Street, 12th Floor\nNew York, NY 10004",
            phone="+12125550101",
        )
        rep = factories.RepresentativeFactory(firm=firm, user__username="rep").user
        ops = factories.OperationsUserFactory(username="ops")
        account = _account(firm, offer, ops, ["Eleanor J. Whitfield"], "HB-100003")
        instruction = _submit(account, offer, rep)
        receipt = render("receipt", instruction)
        offer.status = OfferStatus.CONSUMMATED
        offer.consummation_date = date(2001, 9, 5)
        offer.save()
        instruction.status = InstructionStatus.ACCEPTED
        instruction.resolved_amount = Decimal("125000")
        instruction.save()
        confirmation = render("confirmation", instruction, number="C-2001-000001")
        transaction.set_rollback(True)
    yield {"receipt": receipt, "confirmation": confirmation}


@pytest.fixture
def confirmation(documents: dict[str, ReadBack]) -> ReadBack:
    return documents["confirmation"]


@pytest.fixture
def receipt(documents: dict[str, ReadBack]) -> ReadBack:
    return documents["receipt"]


# The confirmation: the actual figures


@pytest.mark.slow
def test_confirmation_states_accrual_days_and_accrued_interest(confirmation: ReadBack) -> None:
    text = confirmation.text
    assert "754 days" in text
    assert "$267.04" in text
    assert "$33,380.00" in text


@pytest.mark.slow
def test_confirmation_states_the_new_notes_principal(confirmation: ReadBack) -> None:
    assert re.search(r"New Notes principal amount: .*\$158,380\.00", confirmation.text)


@pytest.mark.slow
def test_confirmation_states_exact_and_issued_warrants_with_price_and_expiry(
    confirmation: ReadBack,
) -> None:
    text = confirmation.text
    assert "= 681.25 exactly; issued as 682 whole warrants" in text
    assert "682 warrants" in text
    assert "at $2.273 per share, on or before December 31, 2004" in text


@pytest.mark.slow
def test_confirmation_schedules_the_three_fee_installments(confirmation: ReadBack) -> None:
    text = confirmation.text
    assert "1 On consummation September 5, 2001 $1,250.00" in text
    assert "2 September 30, 2001 October 1, 2001 (next banking day) $1,250.00" in text
    assert "3 December 31, 2001 December 31, 2001 $1,250.00" in text
    assert "Participation fee $3,750.00" in text


@pytest.mark.slow
def test_confirmation_schedules_the_coupons_to_maturity(confirmation: ReadBack) -> None:
    text = confirmation.text.replace(EN_DASH, "-")
    assert "Sep 5, 2001 - Sep 30, 2001 25 14% Oct 1, 2001 * $1,539.81" in text
    assert "Sep 30, 2001 - Dec 31, 2001 90 14% Dec 31, 2001 $5,543.30" in text
    assert "Sep 30, 2004 - Dec 31, 2004 90 15% Dec 31, 2004 $5,939.25" in text
    assert len(re.findall(r"\w{3} \d{1,2}, \d{4} - \w{3} \d{1,2}, \d{4} \d+ 1[45]%", text)) == 14


@pytest.mark.slow
def test_confirmation_repays_the_principal_at_maturity(confirmation: ReadBack) -> None:
    assert "December 31, 2004 (maturity) $158,380.00" in confirmation.text


@pytest.mark.slow
def test_confirmation_totals_all_cash_to_be_received(confirmation: ReadBack) -> None:
    # $3,750.00 fee + $78,354.11 interest ($7,083.11 at 14%, 12 x $5,939.25 at 15%)
    # + $158,380.00 principal
    text = confirmation.text
    assert "Interest on the New Notes $78,354.11" in text
    assert "Total of all cash to be received $240,484.11" in text


@pytest.mark.slow
def test_confirmation_numbers_its_pages(confirmation: ReadBack) -> None:
    count = confirmation.rendered.pages
    assert count == len(confirmation.pages) >= 2
    assert f"Page 1 of {count}" in confirmation.pages[0]
    assert f"Page {count} of {count}" in confirmation.pages[-1]


@pytest.mark.slow
def test_every_page_carries_the_document_number_the_date_and_the_page(
    confirmation: ReadBack,
) -> None:
    count = len(confirmation.pages)
    for number, page in enumerate(confirmation.pages, start=1):
        assert f"Document C-2001-000001 · September 5, 2001 Page {number} of {count}" in page
        assert "clock" not in page  # both clocks are in the metadata and the admin
        assert "2026" not in page  # the wall clock's year means nothing to the client


@pytest.mark.slow
def test_the_pdf_metadata_keeps_both_clocks(confirmation: ReadBack) -> None:
    metadata = PdfReader(io.BytesIO(confirmation.rendered.content)).metadata
    assert metadata is not None
    assert metadata["/Keywords"] == (
        "document C-2001-000001, business clock 2001-09-05T11:30:00-04:00, "
        "wall clock 2026-03-02T14:05:09-05:00"
    )


@pytest.mark.slow
def test_the_document_number_is_never_broken_across_lines(confirmation: ReadBack) -> None:
    with pdfplumber.open(io.BytesIO(confirmation.rendered.content)) as document:
        words = [w["text"] for w in document.pages[0].extract_words(x_tolerance=1.5)]
    # On the first page: in the reference box, in the footer; whole each time.
    assert words.count("C-2001-000001") == 2, words


@pytest.mark.slow
def test_a_long_document_number_stays_on_one_line(account: Any, offer: Any, rep: Any) -> None:
    number = "LEXINGTON-2001-R000123-12"
    rendered = render("receipt", _submit(account, offer, rep), number=number).rendered
    with pdfplumber.open(io.BytesIO(rendered.content)) as document:
        words = [w["text"] for w in document.pages[0].extract_words(x_tolerance=1.5)]
    assert words.count(number) == 2, words


@pytest.mark.slow
def test_the_confirmation_says_how_the_new_notes_and_warrants_reach_the_account(
    confirmation: ReadBack,
) -> None:
    assert (
        "Wilmington Trust Company, the exchange agent, delivers the New Notes and the warrants "
        "through The Depository Trust Company (DTC) to Hudson & Broad Securities LLC's DTC "
        "participant account no. 0901, and we credit them to your account HB-100003."
    ) in confirmation.text
    assert "call Hudson & Broad Securities LLC at (212) 555-0101" in confirmation.text


@pytest.mark.slow
def test_a_receipt_shows_the_cusips_of_both_notes(receipt: ReadBack) -> None:
    assert "CUSIP 529529 AA 7" in receipt.text  # the Old Notes, 529529AA7
    assert "CUSIP 529529 AC 3" in receipt.text  # the New Notes, 529529AC3


@pytest.mark.slow
def test_a_withdrawal_receipt_fits_on_one_page(account: Any, offer: Any, rep: Any) -> None:
    instruction = _submit(account, offer, rep)
    with clock.frozen_at(AUG_20):
        withdrawn = instruction_withdraw(
            notice=notice_for(instruction), instruction=instruction, expected_version=1, by=rep
        )
    document = render("withdrawal", withdrawn)
    assert document.rendered.pages == 1
    assert "Withdrawn, at 10:00 a.m. EDT on Monday, August 20, 2001" in document.text


@pytest.mark.slow
def test_a_withdrawal_receipt_states_the_clients_notice(account: Any, offer: Any, rep: Any) -> None:
    instruction = _submit(account, offer, rep)
    notice = notice_for(instruction, method="fax", received_on=date(2001, 8, 19))
    with clock.frozen_at(AUG_20):
        withdrawn = instruction_withdraw(
            instruction=instruction, expected_version=1, by=rep, notice=notice
        )
    text = render("withdrawal", withdrawn).text
    assert (
        "Your notice of withdrawal Fax, dated August 19, 2001, signed by Eleanor J. Whitfield"
        in text
    )
    assert (
        "who attested that you gave this notice, at 10:00 a.m. EDT on Monday, August 20, 2001"
        in text
    )


@pytest.mark.slow
def test_confirmation_has_the_firm_letterhead(confirmation: ReadBack) -> None:
    first = confirmation.pages[0]
    assert "Hudson & Broad Securities LLC" in first
    assert "40 Broad Street, 12th Floor" in first
    assert "(212) 555-0101" in first
    assert "DTC participant no. 0901" in first


@pytest.mark.slow
def test_confirmation_shows_the_masked_tin_only(confirmation: ReadBack) -> None:
    text = confirmation.text
    assert "***-**-6789" in text
    assert FULL_TIN not in text
    assert FULL_TIN.replace("-", "") not in text


@pytest.mark.slow
def test_rendered_bytes_are_a_pdf(confirmation: ReadBack) -> None:
    assert confirmation.rendered.content.startswith(b"%PDF-")


@pytest.mark.slow
def test_documents_are_letter_size(confirmation: ReadBack) -> None:
    with pdfplumber.open(io.BytesIO(confirmation.rendered.content)) as document:
        assert {(round(p.width), round(p.height)) for p in document.pages} == {(612, 792)}


def test_no_confirmation_before_consummation(account: Any, offer: Any, rep: Any) -> None:
    instruction = _submit(account, offer, rep)
    with pytest.raises(contexts.DocumentNotAvailable, match="not been consummated"):
        contexts.confirmation_context(instruction)


# The receipt


@pytest.mark.slow
def test_receipt_projects_the_entitlement_on_the_expected_consummation(receipt: ReadBack) -> None:
    text = receipt.text
    assert "projected, assuming consummation on September 5, 2001" in text
    assert "$158,380.00" in text
    assert "682 warrants" in text


@pytest.mark.slow
def test_receipt_shows_the_three_installments(receipt: ReadBack) -> None:
    text = receipt.text
    assert "1 On consummation September 5, 2001 $1,250.00" in text
    assert "2 September 30, 2001 October 1, 2001 (next banking day) $1,250.00" in text
    assert "3 December 31, 2001 December 31, 2001 $1,250.00" in text


@pytest.mark.slow
def test_receipt_shows_the_deadlines_in_new_york_time(receipt: ReadBack) -> None:
    text = receipt.text
    assert "Our deadline for instructions 5:00 p.m. EDT on Friday, August 31, 2001" in text
    midnight = "12 midnight EDT at the end of Tuesday, September 4, 2001"
    assert f"The offer expires {midnight}" in text
    assert f"Withdrawal rights expire {midnight}" in text


@pytest.mark.slow
def test_receipt_states_what_was_instructed_and_when(receipt: ReadBack) -> None:
    text = receipt.text
    assert "Tender all Old Notes held for your account" in text
    assert "Form dated August 18, 2001" in text
    assert "Received 10:00 a.m. EDT on Monday, August 20, 2001" in text
    assert "Version 1" in text


@pytest.mark.slow
def test_receipt_states_the_conditions_in_plain_words(receipt: ReadBack) -> None:
    text = receipt.text
    assert (
        "At least 99% of the $27,412,000 outstanding principal amount of Old Notes is validly "
        "tendered and not withdrawn" in text
    )
    assert "Senior secured financing." in text
    assert "no brokerage fees or commissions" in text


@pytest.mark.slow
def test_receipt_shows_the_masked_tin_only(receipt: ReadBack) -> None:
    assert "***-**-6789" in receipt.text
    assert FULL_TIN not in receipt.text
    assert FULL_TIN.replace("-", "") not in receipt.text


@pytest.mark.slow
def test_receipt_numbers_its_pages(receipt: ReadBack) -> None:
    count = receipt.rendered.pages
    assert count == len(receipt.pages)
    assert f"Page 1 of {count}" in receipt.pages[0]


@pytest.mark.slow
def test_joint_account_receipt_names_both_owners(joint_account: Any, offer: Any, rep: Any) -> None:
    text = render("receipt", _submit(joint_account, offer, rep)).text
    assert "Robert A. Chen" in text
    assert "Linda M. Chen" in text


@pytest.mark.slow
def test_withdrawn_instruction_receipt_says_it_was_withdrawn(
    account: Any, offer: Any, rep: Any, at: Any
) -> None:
    instruction = _submit(account, offer, rep)
    at(datetime(2001, 8, 24, 15, 45, tzinfo=NY))
    withdrawn = instruction_withdraw(
        notice=notice_for(instruction), instruction=instruction, expected_version=1, by=rep
    )
    text = render("withdrawal", withdrawn).text
    assert "This instruction was withdrawn at 3:45 p.m. EDT on Friday, August 24, 2001" in text
    assert "It no longer tenders any Old Notes" in text
    assert "projected, assuming" not in text


@pytest.mark.slow
def test_amended_instruction_receipt_names_the_version_it_amends(
    account: Any, offer: Any, rep: Any
) -> None:
    first = _submit(account, offer, rep)
    amended = instruction_amend(
        instruction=first, expected_version=1, data=amount_input(account, "50000"), by=rep
    )
    text = render("receipt", amended).text
    assert "Version 2 (amends version 1)" in text
    assert "Tender only $50,000 principal amount of Old Notes" in text
    assert "for $50,000 principal amount of Old Notes" in text


EVIL = '<b>Evil</b> <img src="http://example.com/x.png">'


@pytest.mark.slow
def test_markup_typed_in_a_name_appears_literally(
    firm: Any, offer: Any, ops: Any, rep: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = _account(firm, offer, ops, [EVIL], "HB-100666")
    monkeypatch.setattr(socket, "getaddrinfo", _no_network)
    text = render("receipt", _submit(account, offer, rep)).text
    assert "<b>Evil</b>" in text
    assert '<img src="http://example.com/x.png">' in text


# The URL fetcher: our static files, nothing else


def _no_network(*args: object, **kwargs: object) -> None:
    raise AssertionError(f"a PDF tried to reach the network: {args}")


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/style.css",
        "file:///etc/passwd",
        "file://example.com/static/pdf/documents.css",
        "data:text/css,body{color:red}",
        "ftp://example.com/x.png",
    ],
)
def test_fetcher_refuses_anything_but_static_files(url: str) -> None:
    with pytest.raises(rendering.ResourceRefused, match="static"):
        rendering.static_url_fetcher()(url)


def test_fetcher_refuses_a_way_out_of_the_static_folder() -> None:
    escape = rendering.static_dir().resolve().as_uri() + "/../manage.py"
    with pytest.raises(rendering.ResourceRefused, match="not a file in the project's static"):
        rendering.static_url_fetcher()(escape)


def test_fetcher_serves_the_stylesheet_from_disk() -> None:
    stylesheet = rendering.static_dir() / "pdf" / "documents.css"
    response = rendering.static_url_fetcher()(stylesheet.resolve().as_uri())
    try:
        assert response.content_type == "text/css"
        assert response.read() == stylesheet.read_bytes()
    finally:
        response.close()


@pytest.mark.slow
def test_a_remote_image_in_a_template_is_refused_not_fetched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)
    html = Template(
        '<link rel="stylesheet" href="pdf/documents.css"><p>{{ text }}</p>'
        '<img src="http://example.com/x.png">'
    ).render(Context({"text": "A one-line page."}))
    with pytest.raises(rendering.ResourceRefused, match=r"http://example\.com/x\.png"):
        rendering.render_html(html)


def test_missing_harfbuzz_subset_is_logged_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(rendering, "_engine", None)
    monkeypatch.setattr(rendering, "harfbuzz_subset_available", lambda: False)
    with caplog.at_level(logging.WARNING, logger="tenders.documents.rendering"):
        rendering.static_url_fetcher()
        rendering.static_url_fetcher()
    warnings = [r for r in caplog.records if "libharfbuzz-subset0" in r.getMessage()]
    assert len(warnings) == 1
    assert "twice as slow" in warnings[0].getMessage()


@pytest.mark.slow
def test_a_receipt_of_a_form_with_neither_box_ticked_says_all_are_tendered(
    account: Any, offer: Any, rep: Any
) -> None:
    text = render("receipt", _submit(account, offer, rep, choice="")).text
    assert "Tender all Old Notes held for your account" in text
    assert (
        "Neither box was ticked on your signed form: as our letter states, all Old Notes held "
        "for your account are tendered." in text
    )


@pytest.mark.slow
def test_a_receipt_names_the_reason_operations_accepted_a_different_signer(
    account: Any, offer: Any, ops: Any
) -> None:
    from tenders.instructions.services import SignatureInput

    (signature,) = make_input(account).signatures
    accepted = SignatureInput(signature.owner_id, "Daniel Whitfield", True, "Power of attorney")
    text = render("receipt", _submit(account, offer, ops, signatures=(accepted,))).text
    assert "Signed by Daniel Whitfield (accepted by operations: Power of attorney)" in text
