"""Writes for the client's documents: issuing each PDF once and e-mailing it through the outbox.

Rendering is slow (WeasyPrint) and happens outside any transaction; storing is quick and
idempotent per (instruction, kind): a task that runs twice finds the document issued. A receipt
is rendered from the snapshot taken when its instruction was recorded, never from the live
rows; the sweep (`tenders.workers.sweep`) issues any snapshot left without its document.
"""

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from exchange_office import clock
from tenders import permissions
from tenders.documents import rendering
from tenders.documents.contexts import DocumentNotAvailable
from tenders.documents.models import Document, DocumentKind, DocumentSnapshot
from tenders.documents.selectors import document_link
from tenders.instructions.models import Instruction
from tenders.outbox import services as outbox
from tenders.outbox import tasks as outbox_tasks

log = logging.getLogger(__name__)

_KIND_CODES = {
    DocumentKind.RECEIPT: "R",
    DocumentKind.WITHDRAWAL_RECEIPT: "W",
    DocumentKind.CONFIRMATION: "C",
}


def document_number(instruction: Instruction, kind: str, revision: int) -> str:
    """LEXINGTON-2001-C000042-1: offer, kind, instruction row and revision."""
    code = _KIND_CODES[DocumentKind(kind)]
    return f"{instruction.offer.slug.upper()}-{code}{instruction.pk:06d}-{revision}"


def _snapshot(instruction: Instruction, kind: str) -> DocumentSnapshot:
    try:
        return DocumentSnapshot.objects.get(instruction=instruction, kind=kind)
    except DocumentSnapshot.DoesNotExist:
        raise DocumentNotAvailable(
            f"Instruction {instruction.pk} has no snapshot for its "
            f"{DocumentKind(kind).label.lower()}: it was not recorded by the instruction "
            "services, and a receipt is never rendered from the live rows."
        ) from None


def _render(
    instruction: Instruction, kind: str, number: str
) -> tuple[rendering.RenderedPdf, datetime, datetime]:
    """The PDF, and when it was rendered (business and wall clocks, for the stored row)."""
    business, wall = clock.now(), clock.wall_now()
    if kind == DocumentKind.CONFIRMATION:
        rendered = rendering.render_confirmation(
            instruction, document_number=number, generated_at=business, generated_wall_at=wall
        )
    else:
        rendered = rendering.render_receipt(_snapshot(instruction, kind), document_number=number)
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
    by: User | None,
    also: Callable[[Document], object] = lambda document: None,
) -> Document:
    """Render a revision (slow, outside any transaction), then store its bytes with their
    SHA-256 and do `also` in the same transaction. IntegrityError if the revision is taken."""
    number = document_number(instruction, kind, revision)
    rendered, business, wall = _render(instruction, kind, number)
    with transaction.atomic():
        document = Document.objects.create(
            instruction=instruction,
            kind=kind,
            revision=revision,
            number=number,
            content=rendered.content,
            # The digest of exactly the bytes stored: downloads are checked against it.
            sha256=hashlib.sha256(rendered.content).hexdigest(),
            size=len(rendered.content),
            pages=rendered.pages,
            generated_at=business,
            generated_wall_at=wall,
            generated_by=by,
        )
        also(document)
    return document


def document_issue(*, instruction_id: int, kind: str, by: User | None = None) -> Document:
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


def document_regenerate(*, document: Document, by: User) -> Document:
    """A new revision (a confirmation from today's data, a receipt from its snapshot); the old
    one is kept, and nothing is re-sent."""
    permissions.require(permissions.may_issue_documents(user=by), "You may not issue documents.")
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


def _queue_email(document: Document, instruction: Instruction, *, by: User | None) -> None:
    """The document's e-mail to the client, recorded in the outbox and sent once this commits."""
    account = instruction.account
    if not account.email:
        log.info("No e-mail address for account %s: %s not sent", account, document.number)
        return
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
    message = outbox.outbox_message_create(
        document=document, to=account.email, subject=subject, body=body, by=by
    )
    outbox_tasks.enqueue_send(message_id=message.pk)
