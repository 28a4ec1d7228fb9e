"""The notices of the offer's steps (`tenders.notices`): whom each addresses, what its e-mail
says, that each is written once per occasion, and that the sweep issues one whose task was
lost. The PDF stand-in (`fake_pdf`) is used: test_notice_pdfs.py reads the real PDFs.

Figures, worked by hand from domain.md:
- the rest of Ferris's partial tender: $480,000 - $400,000 = $80,000, paid on Sep 5, 2001
  80 x ($1,000 + $267.04) = $101,363.20 ($21,363.20 of it accrued interest);
- Adeyemi tendered nothing: 5 x $1,267.04 = $6,335.20;
- extended to Sep 17: consummation expected Tuesday, Sep 18, 2001; 767 days (30/360) at
  12.75% = $271.65 per $1,000, so $125,000 becomes 125 x $1,271.65 = $158,956.25 of New Notes;
- the rate amended to 13%: 754 days = $272.28 per $1,000, 125 x $1,272.28 = $159,035.00.
"""

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from notes.models import OfferEventKind, OfferStatus
from tenders.documents.services import document_issue
from tenders.instructions.services import instruction_transition
from tenders.intake.services import instruction_withdraw
from tenders.models import (
    BulkRun,
    BulkRunStatus,
    Document,
    DocumentKind,
    DocumentSnapshot,
    Instruction,
    InstructionStatus,
    OutboxMessage,
)
from tenders.notices.services import (
    extension_notices_queue,
    payment_notices_queue,
    termination_notices_queue,
    terms_amended_documents_queue,
)
from tenders.offers.consummation import offer_consummate
from tenders.sweep import sweep
from tests.tenders.conftest import NY, notice_for, send_to_agent
from tests.tenders.notices_scene import SEP_5, SEP_5_MORNING, event, extension, set_the_scene

pytestmark = pytest.mark.django_db

AUG_27 = datetime(2001, 8, 27, 9, 30, tzinfo=NY)


@pytest.fixture
def scene(offer, firm, rep, ops, account) -> dict[str, Any]:
    return set_the_scene(offer, firm, rep, ops, account)


@pytest.fixture
def no_grace(settings: Any) -> None:
    settings.SWEEP_GRACE_SECONDS = 0


def _body(to: str, subject: str = "") -> str:
    """The text of the one e-mail to `to` whose subject starts with `subject`, on one line."""
    (message,) = [m for m in mail.outbox if m.to == [to] and m.subject.startswith(subject)]
    return " ".join(message.body.split())


def _consummate(offer, ops, at, capture, *, execute: bool = True) -> Any:
    send_to_agent(offer, ops)  # consummation accepts what the agent holds
    at(SEP_5_MORNING)
    mail.outbox.clear()
    with capture(execute=execute):
        return offer_consummate(offer=offer, on=SEP_5, by=ops)


# Payment notices, on consummation


def test_consummation_starts_a_payment_notice_for_each_account_that_kept_old_notes_out(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    result = _consummate(offer, ops, at, django_capture_on_commit_callbacks)
    run = result.payment_run
    assert run is not None and run.kind == DocumentKind.PAYMENT_NOTICE
    run.refresh_from_db()
    assert run.status == BulkRunStatus.FINISHED
    notices = Document.objects.filter(kind=DocumentKind.PAYMENT_NOTICE)
    assert sorted(notices.values_list("account__account_number", flat=True)) == [
        "HB-100005", "HB-100007",
    ]  # fmt: skip
    assert set(notices.values_list("instruction", flat=True)) == {None}


def test_a_payment_notice_e_mail_states_the_rest_of_a_partial_tender_and_its_payout(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    _consummate(offer, ops, at, django_capture_on_commit_callbacks)
    body = _body("hb-100007@example.com", "Payment notice")
    assert "tendered $400,000 of the $480,000 of Old Notes held for your account" in body
    assert "the rest, $80,000, was not tendered" in body
    assert "on September 5, 2001 we pay $101,363.20 into your account" in body
    assert "($80,000 principal plus $21,363.20 accrued interest, 80 x $1,267.04)" in body


def test_a_holder_who_tendered_nothing_is_paid_the_whole_position(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    _consummate(offer, ops, at, django_capture_on_commit_callbacks)
    body = _body("hb-100005@example.com", "Payment notice")
    assert "The $5,000 of Old Notes held for your account were not tendered" in body
    assert "we pay $6,335.20 into your account" in body


def test_a_payment_notice_is_e_mailed_with_its_pdf_attached(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    _consummate(offer, ops, at, django_capture_on_commit_callbacks)
    notice = Document.objects.get(
        kind=DocumentKind.PAYMENT_NOTICE, account=scene["ferris"], offer=offer
    )
    assert notice.number == f"LEXINGTON-2001-P{scene['ferris'].pk:06d}-1"
    (message,) = [m for m in mail.outbox if m.subject.startswith(f"Payment notice {notice.number}")]
    assert message.to == ["hb-100007@example.com"]
    assert message.subject == f"Payment notice {notice.number} — account HB-100007"
    assert message.attachments == [(notice.filename, bytes(notice.content), "application/pdf")]


def test_the_payment_notice_is_taken_as_of_the_consummation(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    _consummate(offer, ops, at, django_capture_on_commit_callbacks, execute=False)
    snapshot = DocumentSnapshot.objects.get(
        kind=DocumentKind.PAYMENT_NOTICE, account=scene["ferris"]
    )
    assert snapshot.taken_at == SEP_5_MORNING
    assert snapshot.instruction is None


def test_payment_notices_are_queued_once(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    _consummate(offer, ops, at, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        again = payment_notices_queue(offer=offer, by=ops)
    assert again is None
    assert BulkRun.objects.filter(kind=DocumentKind.PAYMENT_NOTICE).count() == 1
    assert Document.objects.filter(kind=DocumentKind.PAYMENT_NOTICE).count() == 2
    assert len([m for m in mail.outbox if m.subject.startswith("Payment notice")]) == 2


def test_payment_notices_need_a_consummated_offer(scene, offer, ops) -> None:
    with pytest.raises(ValidationError, match="is not consummated: no payment is due"):
        payment_notices_queue(offer=offer, by=ops)


def test_a_payment_notice_run_whose_drains_were_lost_is_drained_by_the_sweep(
    scene, offer, ops, at, fake_pdf, no_grace, django_capture_on_commit_callbacks
) -> None:
    result = _consummate(offer, ops, at, django_capture_on_commit_callbacks, execute=False)
    with django_capture_on_commit_callbacks(execute=True):
        report = sweep()
    assert result.payment_run.pk in report.runs_drained
    # Left to the run, not issued one by one (the receipts' snapshots are, their tasks never ran).
    assert [n for n in report.documents_issued if "-P" in n] == []
    assert Document.objects.filter(kind=DocumentKind.PAYMENT_NOTICE).count() == 2


# Extension: an e-mail alone


def test_an_extension_e_mails_each_client_with_a_live_instruction_the_new_dates(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    at(AUG_27)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        count = extension_notices_queue(offer=offer, event=extension(offer, ops, AUG_27), by=ops)
    assert count == 2
    assert {m.to[0] for m in mail.outbox} == {"hb-100007@example.com", scene["whitfield"].email}
    body = _body(scene["whitfield"].email)
    assert "now expire at 5:00 p.m. EDT on Monday, September 17, 2001" in body
    assert "Our deadline for instructions, amendments and withdrawals: 5:00 p.m. EDT on " in body
    assert "Friday, September 14, 2001" in body
    assert "Consummation is now expected on: September 18, 2001" in body
    assert "Your instruction stays live" in body
    assert "You can still amend or withdraw it until the offer expires at 5:00 p.m." in body
    assert "$26,601,000 (97%) had been tendered" in body


def test_an_extension_notice_projects_the_figures_on_the_new_consummation_date(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    at(AUG_27)
    with django_capture_on_commit_callbacks(execute=True):
        extension_notices_queue(offer=offer, event=extension(offer, ops, AUG_27), by=ops)
    body = _body(scene["whitfield"].email)
    assert "with consummation on September 18, 2001" in body
    assert "(767 days), so New Notes of $158,956.25" in body


def test_an_extension_notice_is_an_e_mail_without_a_document(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    at(AUG_27)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        extension_notices_queue(offer=offer, event=extension(offer, ops, AUG_27), by=ops)
    message = OutboxMessage.objects.get(account=scene["whitfield"])
    assert (message.document, message.offer, message.status) == (None, offer, "sent")
    assert all(m.attachments == [] for m in mail.outbox)
    assert not Document.objects.exclude(kind=DocumentKind.RECEIPT).exists()


def test_a_client_who_withdrew_gets_no_extension_notice(
    scene, offer, ops, rep, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    ferris = scene["ferris_instruction"]
    instruction_withdraw(
        notice=notice_for(ferris), instruction=ferris, expected_version=ferris.version, by=rep
    )
    at(AUG_27)
    with django_capture_on_commit_callbacks(execute=True):
        count = extension_notices_queue(offer=offer, event=extension(offer, ops, AUG_27), by=ops)
    assert count == 1
    assert not OutboxMessage.objects.filter(account=scene["ferris"], document=None).exists()


def test_an_extension_notice_is_sent_once_however_often_it_is_queued(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    at(AUG_27)
    extended = extension(offer, ops, AUG_27)
    mail.outbox.clear()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            extension_notices_queue(offer=offer, event=extended, by=ops)
    assert OutboxMessage.objects.filter(document=None).count() == 2
    assert len(mail.outbox) == 2


def test_an_extension_notice_whose_sending_was_lost_is_sent_by_the_sweep(
    scene, offer, ops, at, fake_pdf, no_grace, django_capture_on_commit_callbacks
) -> None:
    at(AUG_27)
    with django_capture_on_commit_callbacks(execute=False):  # the sending tasks were lost
        extension_notices_queue(offer=offer, event=extension(offer, ops, AUG_27), by=ops)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = sweep()
    assert len(report.messages_queued) == 2
    assert {m.to[0] for m in mail.outbox} == {"hb-100007@example.com", scene["whitfield"].email}


# Amendment of the terms: a new receipt


def _amend_the_rate(offer: Any, ops: Any) -> Any:
    offer.accrual_rate = Decimal("0.13")
    offer.save()
    return event(
        offer,
        OfferEventKind.TERMS_AMENDED,
        ops,
        AUG_27,
        reason="The company raised the rate to attract tenders.",
        changes={"accrual_rate": ["0.1275", "0.13"]},
    )


def test_amended_terms_give_each_live_instruction_a_new_receipt_and_keep_the_old(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    instruction = scene["whitfield_instruction"]
    with django_capture_on_commit_callbacks(execute=True):
        document_issue(instruction_id=instruction.pk, kind=DocumentKind.RECEIPT)
    old = list(Document.objects.filter(instruction=instruction).values_list("number", "sha256"))
    at(AUG_27)
    with django_capture_on_commit_callbacks(execute=True):
        count = terms_amended_documents_queue(
            offer=offer, event=_amend_the_rate(offer, ops), by=ops
        )
    assert count == 2
    documents = Document.objects.filter(instruction=instruction).order_by("pk")
    assert list(documents.values_list("kind", flat=True)) == [
        DocumentKind.RECEIPT, DocumentKind.AMENDED_TERMS_RECEIPT,
    ]  # fmt: skip
    assert list(documents.filter(kind=DocumentKind.RECEIPT).values_list("number", "sha256")) == old


def test_a_receipt_under_amended_terms_says_what_changed_and_projects_the_new_terms(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    at(AUG_27)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        terms_amended_documents_queue(offer=offer, event=_amend_the_rate(offer, ops), by=ops)
    body = _body(scene["whitfield"].email)
    assert "The terms of the exchange offer were amended on August 27, 2001." in body
    assert "Interest accrued on the Old Notes (per annum): 12.75% → 13%" in body
    assert "Your instruction stays in force" in body
    assert "New Notes of $159,035.00" in body
    assert mail.outbox[0].subject.startswith("Receipt under amended terms LEXINGTON-2001-A")


def test_a_receipt_under_amended_terms_is_issued_once_per_amendment(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    at(AUG_27)
    amended = _amend_the_rate(offer, ops)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            terms_amended_documents_queue(offer=offer, event=amended, by=ops)
    assert Document.objects.filter(kind=DocumentKind.AMENDED_TERMS_RECEIPT).count() == 2
    assert DocumentSnapshot.objects.filter(kind=DocumentKind.AMENDED_TERMS_RECEIPT).count() == 2


def test_a_second_amendment_gives_another_receipt(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    at(AUG_27)
    for amended in (_amend_the_rate(offer, ops), _amend_the_rate(offer, ops)):
        with django_capture_on_commit_callbacks(execute=True):
            terms_amended_documents_queue(offer=offer, event=amended, by=ops)
    mine = Document.objects.filter(
        kind=DocumentKind.AMENDED_TERMS_RECEIPT, instruction=scene["whitfield_instruction"]
    )
    assert mine.count() == 2


# Termination: a notice for each instruction returned


def _terminate(offer: Any, ops: Any) -> tuple[Any, list[Instruction]]:
    returned = list(Instruction.objects.filter(offer=offer, status=InstructionStatus.RECEIVED))
    for instruction in returned:
        instruction_transition(instruction, InstructionStatus.RETURNED, by=ops, reason="Terminated")
    offer.status = OfferStatus.TERMINATED
    offer.save()
    terminated = event(
        offer,
        OfferEventKind.TERMINATED,
        ops,
        AUG_27,
        reason="The senior secured financing could not be obtained.",
    )
    return terminated, returned


def test_a_termination_notice_e_mail_says_the_instruction_was_returned_and_the_notes_stay(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    at(AUG_27)
    terminated, returned = _terminate(offer, ops)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        count = termination_notices_queue(
            offer=offer, event=terminated, instructions=returned, by=ops
        )
    assert count == 2
    body = _body(scene["whitfield"].email)
    assert "terminated the exchange offer on August 27, 2001" in body
    assert "Reason: The senior secured financing could not be obtained." in body
    assert "has been returned. Your Old Notes stay in your account ($125,000 held)" in body
    assert "nothing was exchanged, and no payment is made under the offer" in body
    notice = Document.objects.get(kind=DocumentKind.TERMINATION_NOTICE, account=scene["whitfield"])
    assert notice.number == f"LEXINGTON-2001-T{scene['whitfield_instruction'].pk:06d}-1"


def test_termination_notices_are_issued_once(
    scene, offer, ops, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    at(AUG_27)
    terminated, returned = _terminate(offer, ops)
    mail.outbox.clear()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            termination_notices_queue(offer=offer, event=terminated, instructions=returned, by=ops)
    assert Document.objects.filter(kind=DocumentKind.TERMINATION_NOTICE).count() == 2
    assert len(mail.outbox) == 2


def test_a_termination_notice_whose_task_was_lost_is_issued_by_the_sweep(
    scene, offer, ops, at, fake_pdf, no_grace, django_capture_on_commit_callbacks
) -> None:
    at(AUG_27)
    terminated, returned = _terminate(offer, ops)
    with django_capture_on_commit_callbacks(execute=False):  # the tasks were lost
        termination_notices_queue(offer=offer, event=terminated, instructions=returned, by=ops)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = sweep()
    notices = Document.objects.filter(kind=DocumentKind.TERMINATION_NOTICE)
    issued = sorted(n for n in report.documents_issued if "-T" in n)
    assert issued == sorted(notices.values_list("number", flat=True))
    assert notices.count() == 2
    assert len([m for m in mail.outbox if m.subject.startswith("Termination notice")]) == 2


def test_a_notice_for_another_step_is_refused(scene, offer, ops) -> None:
    wrong = event(offer, OfferEventKind.CONDITION_MET, ops, AUG_27, reason="Met.")
    with pytest.raises(ValueError, match="is not an event of kind extended"):
        extension_notices_queue(offer=offer, event=wrong, by=ops)


def test_the_account_page_lists_the_payment_notice_as_the_accounts(
    client, scene, offer, ops, rep, at, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    _consummate(offer, ops, at, django_capture_on_commit_callbacks)
    notice = Document.objects.get(kind=DocumentKind.PAYMENT_NOTICE, account=scene["ferris"])
    client.force_login(rep)
    page = client.get(reverse("tenders:account_detail", args=[scene["ferris"].pk]))
    row = re.search(rf"{notice.number}.*?</tr>", page.content.decode(), re.DOTALL)
    assert row is not None
    assert "Payment notice" in page.content.decode()
    assert "the account" in row.group(0)
    assert f"Sent to {scene['ferris'].email}" in row.group(0)
