"""The notices' PDFs and the confirmation of a partial tender, read back with pdfplumber: what
the client sees. Rendered once for the module (inside a transaction rolled back at once) from
the snapshots the notice services take; each test then checks one thing.

Figures worked by hand (domain.md): Ferris (HB-100007) tendered $400,000 of $480,000, so
$80,000 stays out, paid 80 x $1,267.04 = $101,363.20 on Sep 5, 2001, of which 80 x $267.04 =
$21,363.20 accrued interest (754 days). Under the rate amended to 13%: 754 days give $272.28 per
$1,000, so $125,000 becomes 125 x $1,272.28 = $159,035.00 of New Notes.
"""

import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from exchange_office import clock
from notes.models import OfferEventKind, OfferStatus
from tenders.documents import rendering
from tenders.instructions.services import instruction_transition
from tenders.models import DocumentKind, DocumentSnapshot, InstructionStatus
from tenders.notices.services import termination_notices_queue, terms_amended_documents_queue
from tenders.offers.consummation import offer_consummate
from tests import factories
from tests.tenders.conftest import AUG_20, NY, send_to_agent
from tests.tenders.notices_scene import SEP_5, SEP_5_MORNING, event, set_the_scene
from tests.tenders.test_pdf import ReadBack, read_back

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

AUG_27 = datetime(2001, 8, 27, 9, 30, tzinfo=NY)


def _scene() -> tuple[Any, dict[str, Any], Any]:
    offer = factories.ExchangeOfferFactory(slug="lexington-2001")
    firm = factories.BrokerFirmFactory(
        name="Hudson & Broad Securities LLC",
        dtc_participant_number="0901",
        address="40 Broad Street, 12th Floor\nNew York, NY 10004",
        phone="+12125550101",
    )
    rep = factories.RepresentativeFactory(firm=firm, user__username="rep").user
    ops = factories.OperationsUserFactory(username="ops")
    whitfield = factories.ClientAccountFactory(
        firm=firm, owners=["Eleanor J. Whitfield"], account_number="HB-100003"
    )
    factories.PositionFactory(
        account=whitfield, security=offer.old_security, principal=Decimal("125000")
    )
    from tenders.accounts.services import account_set_tin

    account_set_tin(account=whitfield, tin_type="SSN", tin="123-45-6789", by=ops)
    with clock.frozen_at(AUG_20):
        scene = set_the_scene(offer, firm, rep, ops, whitfield)
        send_to_agent(offer, ops)  # consummation accepts what the agent holds
    return offer, scene, ops


def _snapshot(kind: str, account: Any) -> ReadBack:
    snapshot = DocumentSnapshot.objects.get(kind=kind, account=account)
    return read_back(rendering.render_snapshot(snapshot, document_number=f"TEST-{kind}-1"))


@pytest.fixture(scope="module")
def documents(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, ReadBack]]:
    rendered: dict[str, ReadBack] = {}
    with django_db_blocker.unblock():
        # Consummated on Sep 5: the payment notices, and the partial tender's confirmation.
        with transaction.atomic():
            offer, scene, ops = _scene()
            with clock.frozen_at(SEP_5_MORNING):
                offer_consummate(offer=offer, on=SEP_5, by=ops)
                rendered["payment"] = _snapshot(DocumentKind.PAYMENT_NOTICE, scene["ferris"])
                rendered["payment_of_all"] = _snapshot(
                    DocumentKind.PAYMENT_NOTICE, scene["adeyemi"]
                )
                scene["ferris_instruction"].refresh_from_db()
                rendered["partial_confirmation"] = read_back(
                    rendering.render_confirmation(
                        scene["ferris_instruction"],
                        document_number="TEST-C-1",
                        generated_at=clock.now(),
                        generated_wall_at=clock.wall_now(),
                    )
                )
            transaction.set_rollback(True)
        # Still open on Aug 27: the rate amended, then the offer terminated.
        with transaction.atomic():
            offer, scene, ops = _scene()
            with clock.frozen_at(AUG_27):
                offer.accrual_rate = Decimal("0.13")
                offer.save()
                amended = event(
                    offer,
                    OfferEventKind.TERMS_AMENDED,
                    ops,
                    AUG_27,
                    reason="The company raised the rate to attract tenders.",
                    changes={"accrual_rate": ["0.1275", "0.13"]},
                )
                terms_amended_documents_queue(offer=offer, event=amended, by=ops)
                rendered["amended"] = _snapshot(
                    DocumentKind.AMENDED_TERMS_RECEIPT, scene["whitfield"]
                )
                returned = [scene["whitfield_instruction"], scene["ferris_instruction"]]
                for instruction in returned:
                    instruction.refresh_from_db()
                    instruction_transition(instruction, InstructionStatus.RETURNED, by=ops)
                offer.status = OfferStatus.TERMINATED
                offer.save()
                terminated = event(
                    offer,
                    OfferEventKind.TERMINATED,
                    ops,
                    AUG_27,
                    reason="The senior secured financing could not be obtained.",
                )
                termination_notices_queue(
                    offer=offer, event=terminated, instructions=returned, by=ops
                )
                rendered["termination"] = _snapshot(
                    DocumentKind.TERMINATION_NOTICE, scene["whitfield"]
                )
            transaction.set_rollback(True)
    yield rendered


# The payment notice


def test_a_payment_notice_states_the_rest_of_a_partial_tender_and_its_payout(
    documents: dict[str, ReadBack],
) -> None:
    text = documents["payment"].text
    assert "Payment notice" in text
    assert "tendered $400,000 of the $480,000 of Old Notes held for your account" in text
    assert "the rest, $80,000, was not tendered" in text
    assert "on September 5, 2001 we pay you $101,363.20" in text


def test_a_payment_notice_shows_how_the_payout_adds_up(documents: dict[str, ReadBack]) -> None:
    text = documents["payment"].text
    assert "754 days at 12.75% (30/360), $267.04 per $1,000" in text
    assert "$21,363.20" in text
    assert re.search(r"80 \N{MULTIPLICATION SIGN} .*\$1,267\.04", text)


def test_a_payment_notice_is_dated_at_the_consummation_with_the_letterhead(
    documents: dict[str, ReadBack],
) -> None:
    text = documents["payment"].text
    assert "Date September 5, 2001" in text
    assert "Hudson & Broad Securities LLC" in text and "DTC participant no. 0901" in text
    assert "· September 5, 2001 Page 1 of 1" in text  # the footer's date
    assert "Account HB-100007" in text and "***-**-7890" in text


def test_a_payment_notice_to_a_holder_who_tendered_nothing_pays_the_whole_position(
    documents: dict[str, ReadBack],
) -> None:
    text = documents["payment_of_all"].text
    assert "The $5,000 of Old Notes held for your account were not tendered" in text
    assert "we pay you $6,335.20" in text


# The confirmation of a partial tender


def test_the_confirmation_of_a_partial_tender_states_the_rest_and_its_payout(
    documents: dict[str, ReadBack],
) -> None:
    text = documents["partial_confirmation"].text
    assert "The Old Notes you did not tender" in text
    assert "The rest, $80,000, was not tendered" in text
    assert "$101,363.20, on September 5, 2001" in text


# The receipt under amended terms


def test_a_receipt_under_amended_terms_says_what_changed(documents: dict[str, ReadBack]) -> None:
    text = documents["amended"].text
    assert "Receipt under amended terms" in text
    assert "The terms of the offer were amended on August 27, 2001" in text
    # The label wraps in its column: pdfplumber reads the cells' lines side by side.
    assert re.search(r"What changed Interest accrued on the Old 12\.75% → 13% Notes", text)


def test_a_receipt_under_amended_terms_projects_the_new_terms(
    documents: dict[str, ReadBack],
) -> None:
    text = documents["amended"].text
    assert "$159,035.00" in text
    assert "Date August 27, 2001" in text


# The termination notice


def test_a_termination_notice_says_the_offer_was_terminated_and_why(
    documents: dict[str, ReadBack],
) -> None:
    text = documents["termination"].text
    assert "Termination notice" in text
    assert "terminated the exchange offer on August 27, 2001" in text
    assert "The senior secured financing could not be obtained." in text


def test_a_termination_notice_says_the_notes_stay_and_nothing_is_paid(
    documents: dict[str, ReadBack],
) -> None:
    text = documents["termination"].text
    assert "Returned on termination" in text
    assert "Held for your account $125,000" in text
    assert "Nothing: you receive no New Notes, warrants or participation fee" in text
    assert "Paid Nothing under the offer" in text
