"""Writes for the outbox: the e-mails to clients, of documents and of notices sent alone.

Every attempt is committed before the SMTP call, with the worker that holds it and a lease
(`OUTBOX_SEND_LEASE_SECONDS`), so a retried task never sends twice by itself. A message whose
worker is gone, or whose lease ran out, while `sending` may or may not have reached the client:
the sweep marks it `unknown`, and a person decides whether it was sent or must be sent again.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction

from exchange_office import clock
from exchange_office.formatting import timestamp
from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount
from tenders.outbox.models import OutboxMessage, OutboxStatus
from tenders.workers.identity import current_worker_id
from tenders.workers.selectors import workers_gone

if TYPE_CHECKING:
    from tenders.documents.models import Document

log = logging.getLogger(__name__)


def outbox_message_create(
    *,
    document: "Document | None" = None,
    account: ClientAccount | None = None,
    offer: ExchangeOffer | None = None,
    to: str,
    subject: str,
    body: str,
    by: User | None,
    key: str = "",
    resend_of: OutboxMessage | None = None,
) -> OutboxMessage:
    """Record an e-mail to send for its occasion, `key` (a document's: its account, offer and
    key are the document's), in the caller's transaction; the caller queues its sending once
    this commits. IntegrityError if the occasion has its e-mail already (a racing run: the
    caller's transaction skips it), unless this is a person's resend (`resend_of`)."""
    account_id: int | None
    if document is not None:
        account_id, offer_id = document.account_id, document.offer_id
        key = key or document.key
    elif offer is not None:  # without an account: to the office's own staff
        account_id, offer_id = (account.pk if account is not None else None), offer.pk
    else:
        raise TypeError("an e-mail without a document needs its offer")
    if not key:
        raise TypeError("an e-mail without a document needs its occasion's key")
    return OutboxMessage.objects.create(
        key=key,
        account_id=account_id,
        offer_id=offer_id,
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
    attempt of unknown outcome), recorded as a resend of its occasion (same key, `resend_of`);
    the old one stays as it was."""
    if message.status == OutboxStatus.QUEUED:
        raise ValidationError(f"Message {message.pk} is still queued: it will be sent.")
    if message.status == OutboxStatus.SENDING:
        raise ValidationError(
            f"Message {message.pk} is being sent right now. If its worker stopped, it will "
            "show as of unknown outcome within a minute: decide then."
        )
    return outbox_message_create(
        document=message.document,
        account=message.account,
        offer=message.offer,
        to=message.to,
        subject=message.subject,
        body=message.body,
        by=by,
        key=message.key,
        resend_of=message,
    )


@transaction.atomic
def outbox_message_record_sent(*, message: OutboxMessage, by: User) -> OutboxMessage:
    """A person checked that a message of unknown outcome reached the client (the SMTP
    server's log, the client): it is sent, and who said so, when, is kept on it."""
    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if locked.status != OutboxStatus.UNKNOWN:
        raise ValidationError(
            f"Message {locked.pk} is {locked.get_status_display().lower()}: only a message "
            "whose outcome is unknown can be marked as sent."
        )
    now = clock.wall_now()
    locked.status = OutboxStatus.SENT
    locked.marked_sent_by, locked.marked_sent_at, locked.finished_at = by, now, now
    locked.save(update_fields=["status", "marked_sent_by", "marked_sent_at", "finished_at"])
    return locked


def outbox_send(*, message_id: int) -> OutboxMessage:
    """Send one queued message. The attempt is committed before the SMTP call: a message
    found in any other state is never sent again by a task, only by a person."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.status != OutboxStatus.QUEUED:
            return message
        now = clock.wall_now()
        message.status = OutboxStatus.SENDING
        message.attempts += 1
        message.attempted_at = now
        message.holder = current_worker_id()
        message.lease_expires_at = now + timedelta(seconds=settings.OUTBOX_SEND_LEASE_SECONDS)
        message.save(
            update_fields=["status", "attempts", "attempted_at", "holder", "lease_expires_at"]
        )
    document = message.document
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
    )
    if document is not None:
        email.attach(document.filename, bytes(document.content), "application/pdf")
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # the SMTP server refused: known not delivered
        status, error = OutboxStatus.FAILED, f"{type(exc).__name__}: {exc}"
        log.warning("E-mail %s to %s failed: %s", message.pk, message.to, error)
    else:
        status, error = OutboxStatus.SENT, ""
    # The outcome is known now, even if the sweep judged it unknown meanwhile; a person who
    # already decided (marked it as sent) is not contradicted.
    OutboxMessage.objects.filter(
        pk=message.pk, status__in=[OutboxStatus.SENDING, OutboxStatus.UNKNOWN]
    ).update(status=status, error=error, finished_at=clock.wall_now(), lease_expires_at=None)
    message.refresh_from_db()
    return message


def _unknown_reason(
    message: OutboxMessage, gone: set[str], now: datetime, lease_seconds: int
) -> str | None:
    """Why a message still `sending` has an outcome nobody will record, or None if its worker
    may still record it."""
    doubt = (
        "The SMTP server may or may not have accepted the message: check, then mark it as "
        "sent or send it again."
    )
    if message.holder in gone:
        return f"Worker {message.holder} stopped during the attempt. {doubt}"
    lease = message.lease_expires_at
    if lease is None and message.attempted_at is not None:  # attempted before leases existed
        lease = message.attempted_at + timedelta(seconds=lease_seconds)
    if lease is not None and lease < now:
        return f"No outcome was recorded by the end of its lease ({timestamp(lease)}). {doubt}"
    return None


@dataclass(frozen=True, slots=True)
class NoticeEmail:
    """A notice sent as an e-mail alone, about one account (None: to the office's own staff),
    for one occasion (its key)."""

    key: str
    account: ClientAccount | None
    to: str
    subject: str
    body: str


def outbox_notices_create(
    *, offer: ExchangeOffer, notices: Sequence[NoticeEmail], by: User | None, batch_size: int = 500
) -> list[OutboxMessage]:
    """Record notices sent as e-mails alone, in the caller's transaction, except those whose
    key already has a message: one per account and occasion, however often this is called.
    Returns the messages recorded now; the caller queues their sending once this commits."""
    keys = [notice.key for notice in notices]
    taken: set[str] = set()
    for start in range(0, len(keys), batch_size):
        taken.update(
            OutboxMessage.objects.filter(key__in=keys[start : start + batch_size]).values_list(
                "key", flat=True
            )
        )
    now = clock.wall_now()
    new = [
        OutboxMessage(
            key=notice.key,
            account=notice.account,
            offer=offer,
            to=notice.to,
            subject=notice.subject,
            body=notice.body,
            queued_at=now,
            queued_by=by,
        )
        for notice in notices
        if notice.key not in taken
    ]
    # One row at a time where ids are not returned by a bulk insert: the sends need them.
    if connection.features.can_return_rows_from_bulk_insert:
        return OutboxMessage.objects.bulk_create(new, batch_size=batch_size)
    for message in new:
        message.save()
    return new


def outbox_messages_mark_unknown() -> list[OutboxMessage]:
    """Messages left `sending` by a worker that is gone, or past their lease, become
    `unknown`: shown to operations, never sent again by a task."""
    now = clock.wall_now()
    sending = list(OutboxMessage.objects.filter(status=OutboxStatus.SENDING))
    gone = workers_gone(worker_ids={message.holder for message in sending})
    marked = []
    for message in sending:
        reason = _unknown_reason(message, gone, now, settings.OUTBOX_SEND_LEASE_SECONDS)
        if reason is None:
            continue
        if OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.UNKNOWN, error=reason, lease_expires_at=None
        ):
            log.warning("E-mail %s to %s: %s", message.pk, message.to, reason)
            marked.append(message)
    return marked


def outbox_messages_waiting(*, queued_before: datetime) -> list[int]:
    """Messages still queued since before `queued_before`: their sending task may have been
    lost (a process killed between a commit and the queueing). The caller queues those that
    are not on their way; sending twice is impossible, a queued message is claimed once."""
    return list(
        OutboxMessage.objects.filter(
            status=OutboxStatus.QUEUED, queued_at__lt=queued_before
        ).values_list("pk", flat=True)
    )
