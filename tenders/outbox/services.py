"""Writes for the outbox: the e-mails of documents to clients.

Every attempt is committed before the SMTP call, so a retried task never sends twice by
itself: a message left in `sending` had an attempt whose outcome is unknown, and a person
decides whether to send it again.
"""

import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction

from exchange_office import clock
from tenders.documents.models import Document
from tenders.outbox.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


def outbox_message_create(
    *,
    document: Document,
    to: str,
    subject: str,
    body: str,
    by: User | None,
    resend_of: OutboxMessage | None = None,
) -> OutboxMessage:
    """Record an e-mail to send; the caller queues its sending once this commits."""
    return OutboxMessage.objects.create(
        document=document,
        to=to,
        subject=subject,
        body=body,
        queued_at=clock.wall_now(),
        queued_by=by,
        resend_of=resend_of,
    )


def outbox_message_copy(*, message: OutboxMessage, by: User) -> OutboxMessage:
    """A new queued copy of a message a person decided to send again (after a failure, or an
    attempt of unknown outcome); the old one stays as it was."""
    if message.status == OutboxStatus.QUEUED:
        raise ValidationError(f"Message {message.pk} is still queued: it will be sent.")
    return outbox_message_create(
        document=message.document,
        to=message.to,
        subject=message.subject,
        body=message.body,
        by=by,
        resend_of=message,
    )


def outbox_send(*, message_id: int) -> OutboxMessage:
    """Send one queued message. The attempt is committed before the SMTP call: a message
    found in `sending` is never sent again by a task, only by a person."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.status != OutboxStatus.QUEUED:
            return message
        message.status = OutboxStatus.SENDING
        message.attempts += 1
        message.attempted_at = clock.wall_now()
        message.save(update_fields=["status", "attempts", "attempted_at"])
    document = message.document
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
    )
    email.attach(document.filename, bytes(document.content), "application/pdf")
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # the SMTP server refused: known not delivered
        message.status, message.error = OutboxStatus.FAILED, f"{type(exc).__name__}: {exc}"
        log.warning("E-mail %s to %s failed: %s", message.pk, message.to, message.error)
    else:
        message.status, message.error = OutboxStatus.SENT, ""
    message.finished_at = clock.wall_now()
    message.save(update_fields=["status", "error", "finished_at"])
    return message
