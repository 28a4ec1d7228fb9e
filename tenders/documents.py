"""Writes for the client's documents: issuing PDFs once, e-mailing them through an outbox,
and bulk runs that issue exchange confirmations by the thousand.

Rendering is slow (WeasyPrint) and happens outside any transaction; storing is quick and
idempotent per (instruction, kind): a task that runs twice finds the document issued.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse

from exchange_office import clock
from tenders.models import (
    BulkItemStatus,
    BulkRun,
    BulkRunItem,
    BulkRunStatus,
    Document,
    DocumentKind,
    Instruction,
    InstructionStatus,
    OutboxMessage,
    OutboxStatus,
)

log = logging.getLogger(__name__)

_KIND_CODES = {
    DocumentKind.RECEIPT: "R",
    DocumentKind.WITHDRAWAL_RECEIPT: "W",
    DocumentKind.CONFIRMATION: "C",
}
LINK_SALT = "tenders.document-link"


def document_number(instruction: Instruction, kind: str, revision: int) -> str:
    """LEXINGTON-2001-C000042-1: offer, kind, instruction row and revision."""
    code = _KIND_CODES[DocumentKind(kind)]
    return f"{instruction.offer.slug.upper()}-{code}{instruction.pk:06d}-{revision}"


def _render(instruction: Instruction, kind: str, number: str) -> tuple[object, object, object]:
    from tenders import pdf  # imports WeasyPrint: only where documents are rendered

    business, wall = clock.now(), clock.wall_now()
    render = pdf.render_confirmation if kind == DocumentKind.CONFIRMATION else pdf.render_receipt
    rendered = render(
        instruction, document_number=number, generated_at=business, generated_wall_at=wall
    )
    return rendered, business, wall


def _instruction(instruction_id: int) -> Instruction:
    return Instruction.objects.select_related(
        "account__firm", "offer__old_security", "offer__new_security", "offer__issuer"
    ).get(pk=instruction_id)


def _render_and_store(
    instruction: Instruction,
    kind: str,
    *,
    revision: int,
    by: AbstractBaseUser | None,
    also: Callable[[Document], object] = lambda document: None,
) -> Document:
    """Render a revision (slow, outside any transaction), then store its bytes with their
    hash and do `also` in the same transaction. IntegrityError if the revision is taken."""
    number = document_number(instruction, kind, revision)
    rendered, business, wall = _render(instruction, kind, number)
    with transaction.atomic():
        document = Document.objects.create(
            instruction=instruction,
            kind=kind,
            revision=revision,
            number=number,
            content=rendered.content,
            sha256=rendered.sha256,
            size=len(rendered.content),
            pages=rendered.pages,
            generated_at=business,
            generated_wall_at=wall,
            generated_by=by,
        )
        also(document)
    return document


def document_issue(
    *, instruction_id: int, kind: str, by: AbstractBaseUser | None = None
) -> Document:
    """The document of this kind for this instruction version: rendered and stored the first
    time, then e-mailed to the client; any later call returns the stored one unchanged."""
    existing = Document.objects.filter(instruction_id=instruction_id, kind=kind).first()
    if existing is not None:
        return existing
    instruction = _instruction(instruction_id)
    try:
        document = _render_and_store(
            instruction,
            kind,
            revision=1,
            by=by,
            also=lambda document: _queue_email(document, instruction, by=by),
        )
    except IntegrityError:
        # Another worker stored it first: theirs is the document, and it has its e-mail.
        return Document.objects.get(instruction_id=instruction_id, kind=kind, revision=1)
    return document


def document_regenerate(*, document: Document, by: AbstractBaseUser) -> Document:
    """A new revision from today's data; the old one is kept, and nothing is re-sent."""
    instruction = _instruction(document.instruction_id)
    latest = Document.objects.filter(instruction=instruction, kind=document.kind).aggregate(
        m=Max("revision")
    )["m"]
    try:
        # Two people regenerating at once: the unique revision lets only one through.
        return _render_and_store(instruction, document.kind, revision=latest + 1, by=by)
    except IntegrityError:
        raise ValidationError(
            "Someone regenerated this document at the same moment: reload to see it."
        ) from None


# Links clients can open without logging in


def document_link(document: Document) -> str:
    token = signing.dumps({"document": document.pk}, salt=LINK_SALT)
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("document_link", args=[token])


class LinkExpired(Exception):
    pass


def document_from_link(token: str) -> Document:
    """The document a signed link names; LinkExpired after its time, DoesNotExist if forged."""
    max_age = timedelta(days=settings.DOCUMENT_LINK_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise Document.DoesNotExist from None
    return Document.objects.get(pk=payload["document"])


# E-mail through the outbox


def _queue_email(
    document: Document, instruction: Instruction, *, by: AbstractBaseUser | None
) -> OutboxMessage | None:
    account = instruction.account
    if not account.email:
        log.info("No e-mail address for account %s: %s not sent", account, document.number)
        return None
    names = " and ".join(owner.name for owner in account.owners.all())
    subject = f"{document.get_kind_display()} {document.number} — account {account.account_number}"
    body = (
        f"Dear {names},\n\n"
        f"Attached is your {document.get_kind_display().lower()} for the "
        f"{instruction.offer.name}, account {account.account_number}.\n\n"
        f"You can also download it here until the link expires "
        f"({settings.DOCUMENT_LINK_MAX_AGE_DAYS} days):\n{document_link(document)}\n\n"
        f"{account.firm.name}\n{account.firm.address}\n"
    )
    message = OutboxMessage.objects.create(
        document=document,
        to=account.email,
        subject=subject,
        body=body,
        queued_at=clock.wall_now(),
        queued_by=by,
    )
    _enqueue_send(message)
    return message


def _enqueue_send(message: OutboxMessage) -> None:
    from tenders.tasks import send_outbox_message

    transaction.on_commit(lambda: send_outbox_message.enqueue(message.pk))


def outbox_send(*, message_id: int) -> OutboxMessage:
    """Send one queued message. The attempt is committed before the SMTP call: a message
    found in `sending` is never sent again by a task, only by a person (outbox_resend)."""
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


def outbox_resend(*, message: OutboxMessage, by: AbstractBaseUser) -> OutboxMessage:
    """A person decided to send again (after a failure, or an attempt of unknown outcome)."""
    if message.status == OutboxStatus.QUEUED:
        raise ValidationError(f"Message {message.pk} is still queued: it will be sent.")
    with transaction.atomic():
        again = OutboxMessage.objects.create(
            document=message.document,
            to=message.to,
            subject=message.subject,
            body=message.body,
            queued_at=clock.wall_now(),
            queued_by=by,
            resend_of=message,
        )
        _enqueue_send(again)
    return again


# Bulk runs


@dataclass(frozen=True, slots=True)
class BulkProgress:
    total: int
    done: int
    failed: int
    working: int
    pending: int
    status: str
    held_until: datetime | None = None  # the last lease of an item a worker holds

    @property
    def percent(self) -> int:
        return round(100 * (self.done + self.failed) / self.total) if self.total else 100

    @classmethod
    def from_annotated(cls, run: BulkRun) -> "BulkProgress":
        """From a run annotated with PROGRESS_ANNOTATIONS (a list of runs in one query)."""
        names = ("total", "done", "failed", "working", "pending", "held_until")
        return cls(status=run.status, **{name: getattr(run, name) for name in names})

    def as_dict(self) -> dict[str, int | str | None]:
        return {
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "working": self.working,
            "pending": self.pending,
            "percent": self.percent,
            "status": self.status,
            "held_until": self.held_until.isoformat() if self.held_until else None,
        }


# Counted in the database, on a run's items or (prefixed with items__) on a list of runs.
def _progress_counts(prefix: str = "") -> dict[str, Any]:
    status = f"{prefix}status"
    return {
        "total": Count(f"{prefix}id"),
        "done": Count(f"{prefix}id", filter=Q(**{status: BulkItemStatus.DONE})),
        "failed": Count(f"{prefix}id", filter=Q(**{status: BulkItemStatus.FAILED})),
        "working": Count(f"{prefix}id", filter=Q(**{status: BulkItemStatus.WORKING})),
        "pending": Count(f"{prefix}id", filter=Q(**{status: BulkItemStatus.PENDING})),
        "held_until": Max(
            f"{prefix}lease_expires_at", filter=Q(**{status: BulkItemStatus.WORKING})
        ),
    }


PROGRESS_ANNOTATIONS = _progress_counts("items__")


def bulk_run_progress(run: BulkRun) -> BulkProgress:
    counts = run.items.aggregate(**_progress_counts())
    status = BulkRun.objects.values_list("status", flat=True).get(pk=run.pk)
    return BulkProgress(status=status, **counts)


def _enqueue_drains(run: BulkRun) -> None:
    from tenders.tasks import drain_bulk_run

    drains = max(1, settings.BULK_RUN_DRAINS)
    transaction.on_commit(lambda: [drain_bulk_run.enqueue(run.pk) for _ in range(drains)])


@transaction.atomic
def bulk_run_start(*, offer_id: int, by: AbstractBaseUser) -> BulkRun:
    """Issue exchange confirmations for every accepted instruction of the offer."""
    run = BulkRun.objects.create(
        offer_id=offer_id,
        kind=DocumentKind.CONFIRMATION,
        created_by=by,
        created_at=clock.wall_now(),
    )
    accepted = Instruction.objects.filter(offer_id=offer_id, status=InstructionStatus.ACCEPTED)
    BulkRunItem.objects.bulk_create(
        BulkRunItem(run=run, instruction_id=pk)
        for pk in accepted.order_by("pk").values_list("pk", flat=True)
    )
    if not run.items.exists():
        run.status, run.finished_at = BulkRunStatus.FINISHED, clock.wall_now()
        run.save(update_fields=["status", "finished_at"])
    else:
        _enqueue_drains(run)
    return run


@transaction.atomic
def bulk_run_resume(*, run: BulkRun, retry_failed: bool = False) -> int:
    """Put back the items whose worker's lease ran out (a worker killed mid-run), and the
    failed ones if asked, then start drains again. Returns how many items were put back."""
    now = clock.wall_now()
    stale = Q(status=BulkItemStatus.WORKING, lease_expires_at__lt=now)
    if retry_failed:
        stale |= Q(status=BulkItemStatus.FAILED)
    requeued = run.items.filter(stale).update(status=BulkItemStatus.PENDING, lease_expires_at=None)
    if run.items.exclude(status__in=[BulkItemStatus.DONE, BulkItemStatus.FAILED]).exists():
        BulkRun.objects.filter(pk=run.pk).update(status=BulkRunStatus.RUNNING, finished_at=None)
        _enqueue_drains(run)
    return requeued


def _claim(run_id: int) -> BulkRunItem | None:
    """The next item nobody holds, leased to this worker (SKIP LOCKED lets workers share)."""
    now = clock.wall_now()
    with transaction.atomic():
        item = (
            BulkRunItem.objects.select_for_update(skip_locked=True)
            .filter(run_id=run_id)
            .filter(
                Q(status=BulkItemStatus.PENDING)
                | Q(status=BulkItemStatus.WORKING, lease_expires_at__lt=now)
            )
            .order_by("id")
            .first()
        )
        if item is None:
            return None
        item.status = BulkItemStatus.WORKING
        item.attempts += 1
        item.lease_expires_at = now + timedelta(seconds=settings.BULK_RUN_LEASE_SECONDS)
        item.save(update_fields=["status", "attempts", "lease_expires_at"])
    return item


def _finish_if_complete(run_id: int) -> None:
    open_items = BulkRunItem.objects.filter(
        run_id=run_id, status__in=[BulkItemStatus.PENDING, BulkItemStatus.WORKING]
    )
    if not open_items.exists():
        BulkRun.objects.filter(pk=run_id, status=BulkRunStatus.RUNNING).update(
            status=BulkRunStatus.FINISHED, finished_at=clock.wall_now()
        )


def bulk_run_drain(*, run_id: int) -> int:
    """Work through the run's items until none is left to take; returns how many this
    worker finished. Each item's document is issued idempotently, so an item taken over
    from a dead worker is never issued twice."""
    kind = BulkRun.objects.values_list("kind", flat=True).get(pk=run_id)
    handled = 0
    while (item := _claim(run_id)) is not None:
        try:
            document = document_issue(instruction_id=item.instruction_id, kind=kind)
        except Exception as exc:  # one bad document must not stop the run: record why
            log.exception("Bulk run %s: item %s failed", run_id, item.pk)
            BulkRunItem.objects.filter(pk=item.pk).update(
                status=BulkItemStatus.FAILED,
                error=f"{type(exc).__name__}: {exc}",
                finished_at=clock.wall_now(),
                lease_expires_at=None,
            )
        else:
            BulkRunItem.objects.filter(pk=item.pk).update(
                status=BulkItemStatus.DONE,
                document=document,
                error="",
                finished_at=clock.wall_now(),
                lease_expires_at=None,
            )
        handled += 1
    _finish_if_complete(run_id)
    _follow_up_held_items(run_id)
    return handled


def _follow_up_held_items(run_id: int) -> None:
    """Items still leased by another worker may be held by one that died: come back when
    the last lease runs out, so the run finishes without anyone pressing Resume."""
    from tenders.tasks import drain_bulk_run

    latest_lease = BulkRunItem.objects.filter(
        run_id=run_id, status=BulkItemStatus.WORKING
    ).aggregate(until=Max("lease_expires_at"))["until"]
    backend = drain_bulk_run.get_backend()
    if latest_lease is not None and backend.supports_defer:
        drain_bulk_run.using(run_after=latest_lease + timedelta(seconds=1)).enqueue(run_id)
