"""The confirmation e-mail through a real SMTP server on loopback (aiosmtpd)."""

import email
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from tenders.documents.services import document_issue
from tenders.intake.services import instruction_submit
from tenders.models import DocumentKind, OutboxMessage, OutboxStatus
from tests.tenders.conftest import make_input

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content or envelope.content)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        DEFAULT_FROM_EMAIL="Hudson & Broad <confirmations@hudsonbroad.example>",
    ):
        yield mailbox
    controller.stop()


def test_smtp_server_receives_the_message_and_the_exact_pdf(
    smtp_server: Mailbox, account, offer, rep, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    with django_capture_on_commit_callbacks(execute=True):
        document = document_issue(instruction_id=instruction.pk, kind=DocumentKind.RECEIPT)

    ((sender, recipients, message),) = smtp_server.messages
    assert sender == "confirmations@hudsonbroad.example"
    assert recipients == [account.email]
    assert document.number in message["Subject"]
    attachments = [part for part in message.walk() if part.get_filename()]
    assert [part.get_filename() for part in attachments] == [document.filename]
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_payload(decode=True) == bytes(document.content)
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


def test_smtp_server_down_leaves_the_message_failed(
    account, offer, rep, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=free_port(),  # nobody listens there
            EMAIL_TIMEOUT=2,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        document_issue(instruction_id=instruction.pk, kind=DocumentKind.RECEIPT)
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.FAILED
    assert "ConnectionRefusedError" in message.error
