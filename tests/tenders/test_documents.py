"""Documents are stored once and never changed; e-mails go through an outbox that never
sends twice by itself; client links are signed and expire."""

import hashlib
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from tenders.documents.selectors import document_link
from tenders.documents.services import document_issue, document_regenerate
from tenders.intake.services import instruction_submit
from tenders.models import Document, DocumentKind, OutboxMessage, OutboxStatus
from tenders.outbox.actions import outbox_message_resend
from tenders.outbox.services import outbox_send
from tests.tenders.conftest import make_input, notice_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def instruction(account: Any, offer: Any, rep: Any) -> Any:
    return instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)


def issue(instruction: Any, capture: Any) -> Document:
    with capture(execute=True):
        return document_issue(instruction_id=instruction.pk, kind=DocumentKind.RECEIPT)


def test_document_is_stored_with_its_hash(
    instruction, fake_pdf, django_capture_on_commit_callbacks
):
    document = issue(instruction, django_capture_on_commit_callbacks)
    stored = Document.objects.get(pk=document.pk)
    number = f"LEXINGTON-2001-R{instruction.pk:06d}-1"
    rendered = f"%PDF-1.7 {number}".encode()  # what the fake renderer returns, and nothing else
    assert stored.number == number
    assert bytes(stored.content) == rendered
    assert stored.sha256 == hashlib.sha256(rendered).hexdigest()
    assert stored.size == len(rendered)


def test_issuing_twice_renders_once(instruction, fake_pdf, django_capture_on_commit_callbacks):
    first = issue(instruction, django_capture_on_commit_callbacks)
    second = issue(instruction, django_capture_on_commit_callbacks)
    assert first == second
    assert fake_pdf == [(instruction.pk, DocumentKind.RECEIPT)]
    assert OutboxMessage.objects.count() == 1


def test_stored_document_cannot_be_changed(
    instruction, fake_pdf, django_capture_on_commit_callbacks
):
    document = issue(instruction, django_capture_on_commit_callbacks)
    document.content = b"%PDF-1.7 forged"
    with pytest.raises(ValueError, match="never changed"):
        document.save()


def test_regenerating_keeps_the_old_revision_and_sends_nothing(
    instruction, fake_pdf, ops, django_capture_on_commit_callbacks
):
    first = issue(instruction, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        second = document_regenerate(document=first, by=ops)
    assert (first.revision, second.revision) == (1, 2)
    assert second.number.endswith("-2")
    assert Document.objects.count() == 2
    assert len(mail.outbox) == 1


def test_receipt_is_e_mailed_with_the_pdf_attached(
    instruction, fake_pdf, django_capture_on_commit_callbacks
):
    document = issue(instruction, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == [instruction.account.email]
    assert document.number in message.subject
    filename, content, mimetype = message.attachments[0]
    assert (filename, content, mimetype) == (
        document.filename,
        bytes(document.content),
        "application/pdf",
    )
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


def test_account_without_e_mail_gets_no_message(
    instruction, fake_pdf, django_capture_on_commit_callbacks
):
    instruction.account.email = ""
    instruction.account.save()
    issue(instruction, django_capture_on_commit_callbacks)
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_attempt_of_unknown_outcome_is_never_sent_again_by_a_task(
    instruction, fake_pdf, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        document_issue(instruction_id=instruction.pk, kind=DocumentKind.RECEIPT)
    message = OutboxMessage.objects.get()
    # A worker marked it sending, then died before the SMTP server answered.
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.SENDING, attempts=1)
    outbox_send(message_id=message.pk)  # the task retried
    assert mail.outbox == []
    assert OutboxMessage.objects.get().status == OutboxStatus.SENDING


def test_sent_message_is_not_sent_again_by_a_retried_task(
    instruction, fake_pdf, django_capture_on_commit_callbacks
):
    issue(instruction, django_capture_on_commit_callbacks)
    outbox_send(message_id=OutboxMessage.objects.get().pk)
    assert len(mail.outbox) == 1


@override_settings(EMAIL_BACKEND="tests.tenders.test_documents.RefusingBackend")
def test_smtp_refusal_is_recorded_as_failed(
    instruction, fake_pdf, django_capture_on_commit_callbacks
):
    issue(instruction, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.FAILED
    assert "SMTPRecipientsRefused" in message.error
    assert "mailbox unavailable" in message.error


def test_operations_resend_a_message_by_hand(
    instruction, fake_pdf, ops, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        document_issue(instruction_id=instruction.pk, kind=DocumentKind.RECEIPT)
    first = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=first.pk).update(status=OutboxStatus.UNKNOWN)
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        again = outbox_message_resend(message=first, by=ops)
    again.refresh_from_db()
    assert (again.resend_of, again.status, again.queued_by) == (first, OutboxStatus.SENT, ops)
    assert len(mail.outbox) == 1


class RefusingBackend:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: list) -> int:
        import smtplib

        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"mailbox unavailable")})


# Downloads


def test_download_returns_exactly_the_stored_bytes(
    client, rep, instruction, fake_pdf, django_capture_on_commit_callbacks
):
    document = issue(instruction, django_capture_on_commit_callbacks)
    client.force_login(rep)
    response = client.get(reverse("tenders:document_download", args=[document.pk]))
    assert response.content == bytes(document.content)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-SHA256"] == document.sha256
    assert f'filename="{document.number}.pdf"' in response["Content-Disposition"]


def test_account_page_lists_the_documents(
    client, rep, instruction, fake_pdf, django_capture_on_commit_callbacks
):
    document = issue(instruction, django_capture_on_commit_callbacks)
    client.force_login(rep)
    page = client.get(reverse("tenders:account_detail", args=[instruction.account.pk]))
    text = page.content.decode()
    assert document.number in text
    assert f"Sent to {instruction.account.email}" in text


def test_signed_link_serves_the_document_without_login(
    client, instruction, fake_pdf, django_capture_on_commit_callbacks
):
    document = issue(instruction, django_capture_on_commit_callbacks)
    path = document_link(document).removeprefix("http://127.0.0.1:8000")
    response = client.get(path)
    assert response.content == bytes(document.content)


def test_signed_link_expires(
    client, instruction, fake_pdf, django_capture_on_commit_callbacks, monkeypatch
):
    document = issue(instruction, django_capture_on_commit_callbacks)
    path = document_link(document).removeprefix("http://127.0.0.1:8000")
    later = __import__("time").time() + timedelta(days=31).total_seconds()
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.get(path)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_tampered_link_is_not_found(
    client, instruction, fake_pdf, django_capture_on_commit_callbacks
):
    document = issue(instruction, django_capture_on_commit_callbacks)
    path = document_link(document).removeprefix("http://127.0.0.1:8000")
    assert client.get(path[:-3] + "xx/").status_code == 404


def test_e_mail_carries_the_signed_link(instruction, fake_pdf, django_capture_on_commit_callbacks):
    document = issue(instruction, django_capture_on_commit_callbacks)
    assert document_link(document).split("/d/")[0] in mail.outbox[0].body
    assert "/d/" in mail.outbox[0].body


def test_every_instruction_gets_a_receipt_once_committed(
    account, offer, rep, fake_pdf, django_capture_on_commit_callbacks
):
    from tenders.intake.services import instruction_amend, instruction_withdraw

    with django_capture_on_commit_callbacks(execute=True):
        first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    with django_capture_on_commit_callbacks(execute=True):
        second = instruction_amend(
            instruction=first,
            expected_version=1,
            data=make_input(account, choice="AMOUNT", amount=50000),
            by=rep,
        )
    with django_capture_on_commit_callbacks(execute=True):
        instruction_withdraw(
            notice=notice_for(second), instruction=second, expected_version=2, by=rep
        )
    issued = list(Document.objects.order_by("id").values_list("instruction__version", "kind"))
    assert issued == [
        (1, DocumentKind.RECEIPT),
        (2, DocumentKind.RECEIPT),
        (2, DocumentKind.WITHDRAWAL_RECEIPT),
    ]
    assert len(mail.outbox) == 3


def test_refused_instruction_issues_nothing(
    account, offer, rep, fake_pdf, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError, match=r"positive whole multiple of \$1,000"),
    ):
        instruction_submit(
            account=account,
            offer=offer,
            data=make_input(account, choice="AMOUNT", amount=1500),
            by=rep,
        )
    assert fake_pdf == []


def test_issuing_a_document_logs_one_line_and_nothing_from_weasyprint(
    instruction, django_capture_on_commit_callbacks, caplog
):
    """A real render: WeasyPrint's seven steps per PDF stay out of the worker's terminal."""
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=False):
        document_issue(instruction_id=instruction.pk, kind=DocumentKind.RECEIPT)
    lines = [(r.name, r.getMessage()) for r in caplog.records if r.levelno >= logging.INFO]
    assert len(lines) == 1, lines
    name, message = lines[0]
    assert name == "tenders.documents.services"
    assert re.fullmatch(
        rf"Issued instruction receipt LEXINGTON-2001-R{instruction.pk:06d}-1 for "
        rf"{instruction.account.account_number}: \d page\(s\), [\d,]+ bytes in \d+\.\d\d s",
        message,
    ), message
