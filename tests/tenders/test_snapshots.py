"""A receipt describes its instruction as received: it is rendered from the snapshot taken in
the transaction that recorded the instruction (or its withdrawal), dated then, whatever
happened before the worker rendered it (amendments, withdrawals, new terms and deadlines)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from notes.domain.entitlement import FeePayment
from notes.models import ExchangeOffer
from tenders.documents import rendering
from tenders.documents.snapshots import decode, encode, snapshot_context
from tenders.intake.services import instruction_amend, instruction_submit, instruction_withdraw
from tenders.models import ClientAccount, DocumentKind, DocumentSnapshot, Instruction
from tests.tenders.conftest import NY, amount_input, make_input, notice_for
from tests.tenders.test_pdf import ReadBack, read_back

pytestmark = pytest.mark.django_db

AUG_22 = datetime(2001, 8, 22, 11, 0, tzinfo=NY)
AUG_24 = datetime(2001, 8, 24, 15, 45, tzinfo=NY)
SEP_5 = datetime(2001, 9, 5, 11, 30, tzinfo=NY)
# Received on Monday, Aug 20, 2001 at 10:00 (the pinned clock): the original offer's deadlines,
# and $125,000 + 754 days at 12.75% on $1,000 ($267.04 per unit) = $158,380.00 on Sep 5.
AS_RECEIVED = [
    "Date August 20, 2001",
    "Received 10:00 a.m. EDT on Monday, August 20, 2001",
    "Status Received",
    "projected, assuming consummation on September 5, 2001",
    "$158,380.00",
    "Our deadline for instructions 5:00 p.m. EDT on Friday, August 31, 2001",
    "The offer expires 12 midnight EDT at the end of Tuesday, September 4, 2001",
    "Document R-TEST-1 · August 20, 2001",  # the footer: dated when it was received
]


def receipt_of(instruction: Instruction, kind: str = DocumentKind.RECEIPT) -> ReadBack:
    snapshot = DocumentSnapshot.objects.get(instruction=instruction, kind=kind)
    return read_back(rendering.render_receipt(snapshot, document_number="R-TEST-1"))


def extend_the_offer_and_change_its_terms(offer: ExchangeOffer, account: ClientAccount) -> None:
    """What the next issue lets operations do: a later expiration, a new rate, a new cutoff."""
    offer.expiration = datetime(2001, 9, 17, 17, 0, tzinfo=NY)
    offer.accrual_rate = Decimal("0.13")
    offer.save()
    account.firm.cutoff_time = datetime(2001, 1, 1, 12, 0).time()
    account.firm.save()


@pytest.fixture
def received(account: ClientAccount, offer: ExchangeOffer, rep: Any) -> Instruction:
    return instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)


# The stored values


def test_tagged_values_come_back_exactly() -> None:
    values = {
        "amount": Decimal("158380.00"),
        "rate": Decimal("0.1275"),
        "day": date(2001, 9, 5),
        "instant": datetime(2001, 9, 5, 0, 0, tzinfo=NY),
        "rows": [FeePayment(1, date(2001, 9, 5), date(2001, 9, 5), Decimal("1250.00"))],
        "none": None,
        "count": 682,
        "flag": True,
    }
    back = decode(encode(values))
    assert back["amount"] == Decimal("158380.00") and str(back["amount"]) == "158380.00"
    assert str(back["rate"]) == "0.1275"
    assert back["day"] == date(2001, 9, 5)
    assert back["instant"] == datetime(2001, 9, 5, 4, 0, tzinfo=UTC)
    assert back["rows"] == [
        {
            "sequence": 1,
            "scheduled_date": date(2001, 9, 5),
            "payment_date": date(2001, 9, 5),
            "amount": Decimal("1250.00"),
        }
    ]
    assert (back["none"], back["count"], back["flag"]) == (None, 682, True)


def test_a_float_is_refused_in_a_snapshot() -> None:
    with pytest.raises(TypeError, match="cannot keep float"):
        encode({"amount": 158380.0})


def test_a_naive_instant_is_refused_in_a_snapshot() -> None:
    with pytest.raises(ValueError, match="aware instants only"):
        encode({"at": datetime(2001, 8, 20, 10, 0)})


def test_the_snapshot_is_taken_with_the_instruction(received: Instruction) -> None:
    snapshot = DocumentSnapshot.objects.get(instruction=received)
    context = snapshot_context(snapshot)
    assert snapshot.kind == DocumentKind.RECEIPT
    assert snapshot.taken_at == datetime(2001, 8, 20, 10, 0, tzinfo=NY)
    assert context["instruction"]["status_label"] == "Received"
    assert context["entitlement"]["new_notes_principal"] == Decimal("158380.00")
    assert context["firm_cutoff"] == datetime(2001, 8, 31, 17, 0, tzinfo=NY)


def test_a_snapshot_is_never_changed(received: Instruction) -> None:
    snapshot = DocumentSnapshot.objects.get(instruction=received)
    snapshot.data = {}
    with pytest.raises(ValueError, match="never changed"):
        snapshot.save()


def test_terms_the_engine_cannot_use_leave_the_figures_out_but_the_instruction_is_taken(
    account: ClientAccount, offer: ExchangeOffer, rep: Any
) -> None:
    ExchangeOffer.objects.filter(pk=offer.pk).update(accrual_rate=Decimal("12.75"))
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    context = snapshot_context(DocumentSnapshot.objects.get(instruction=instruction))
    assert context["entitlement"] is None
    assert "must be a fraction such as 0.1275, not 12.75" in context["projection_error"]


# The receipt as the client reads it


@pytest.mark.slow
def test_receipt_rendered_after_an_amendment_and_new_terms_shows_the_instruction_as_received(
    received: Instruction, account: ClientAccount, rep: Any, at: Any
) -> None:
    at(AUG_22)
    instruction_amend(
        instruction=received, expected_version=1, data=amount_input(account, "50000"), by=rep
    )
    extend_the_offer_and_change_its_terms(received.offer, account)
    at(SEP_5)  # the worker renders it two weeks later
    text = receipt_of(received).text
    for line in AS_RECEIVED:
        assert line in text
    assert "Tender all Old Notes held for your account" in text
    assert "Superseded" not in text
    assert "September 17" not in text and "September 18" not in text


@pytest.mark.slow
def test_receipt_rendered_after_a_withdrawal_still_shows_the_figures_as_received(
    received: Instruction, rep: Any, at: Any
) -> None:
    at(AUG_24)
    instruction_withdraw(
        notice=notice_for(received), instruction=received, expected_version=1, by=rep
    )
    at(SEP_5)
    text = receipt_of(received).text
    for line in AS_RECEIVED:
        assert line in text
    assert "This instruction was withdrawn" not in text


@pytest.mark.slow
def test_rendering_a_receipt_later_gives_the_same_text_as_rendering_it_at_once(
    received: Instruction, account: ClientAccount, rep: Any, at: Any
) -> None:
    at_once = receipt_of(received)
    at(AUG_22)
    amended = instruction_amend(
        instruction=received, expected_version=1, data=amount_input(account, "50000"), by=rep
    )
    instruction_withdraw(
        notice=notice_for(amended), instruction=amended, expected_version=2, by=rep
    )
    extend_the_offer_and_change_its_terms(received.offer, account)
    at(SEP_5)
    later = receipt_of(received)
    assert later.text == at_once.text
    assert later.rendered.content == at_once.rendered.content


@pytest.mark.slow
def test_a_withdrawal_receipt_says_so_in_its_title(
    received: Instruction, rep: Any, at: Any
) -> None:
    at(AUG_24)
    instruction_withdraw(
        notice=notice_for(received), instruction=received, expected_version=1, by=rep
    )
    receipt = receipt_of(received, DocumentKind.WITHDRAWAL_RECEIPT)
    first_page = receipt.pages[0]
    assert "Withdrawal receipt" in first_page
    assert "Instruction receipt" not in receipt.text
    assert "Date August 24, 2001" in first_page
    assert "This instruction was withdrawn at 3:45 p.m. EDT on Friday, August 24, 2001" in (
        receipt.text
    )


# The demo


@pytest.fixture
def demo() -> ExchangeOffer:
    call_command("load_demo", stdout=StringIO())
    return ExchangeOffer.objects.get(slug="lexington-2001")


def test_every_demo_receipt_describes_its_version_as_received(demo: ExchangeOffer) -> None:
    snapshots = DocumentSnapshot.objects.filter(kind=DocumentKind.RECEIPT).select_related(
        "instruction__account"
    )
    # 10 instructions and 1 amendment (tenders/demo.py), each tendering when received, and
    # HB-100013's, given online and approved.
    assert snapshots.count() == 12
    for snapshot in snapshots:
        context = snapshot_context(snapshot)
        instruction = snapshot.instruction
        assert context["instruction"]["status_label"] == "Received", instruction
        assert context["instruction"]["version"] == instruction.version
        assert snapshot.taken_at == instruction.received_at < datetime(2001, 8, 20, tzinfo=NY)
        assert context["entitlement"] is not None, instruction
        assert context["consummation_date"] == date(2001, 9, 5)


def test_demo_amendment_keeps_the_receipt_of_the_version_it_replaced(demo: ExchangeOffer) -> None:
    first, second = (
        snapshot_context(snapshot)
        for snapshot in DocumentSnapshot.objects.filter(
            kind=DocumentKind.RECEIPT, instruction__account__account_number="HB-100010"
        ).order_by("instruction__version")
    )
    # Albright Charitable Trust: all of its $310,000 on Aug 14, then $300,000 on Aug 16.
    assert (first["principal"], second["principal"]) == (Decimal("310000"), Decimal("300000"))
    assert first["instruction"]["status_label"] == second["instruction"]["status_label"]


@pytest.mark.slow
def test_demo_client_who_withdrew_has_a_receipt_of_what_was_received(demo: ExchangeOffer) -> None:
    # Pioneer Valley Savings Bank tendered all its $425,000 on Aug 15 and withdrew on Aug 17:
    # 425 x $1,267.04 = $538,492.00 of New Notes, as projected when received.
    instruction = Instruction.objects.get(account__account_number="MS-200007", version=1)
    receipt = receipt_of(instruction)
    assert "Date August 15, 2001" in receipt.text
    assert "Status Received" in receipt.text
    assert "$538,492.00" in receipt.text
    withdrawal = receipt_of(instruction, DocumentKind.WITHDRAWAL_RECEIPT)
    assert "Withdrawal receipt" in withdrawal.pages[0]
    assert "Date August 17, 2001" in withdrawal.text
