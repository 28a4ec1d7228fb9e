"""Writes for the client's documents: issuing each PDF once and e-mailing it through the outbox.

Rendering is slow (WeasyPrint) and happens outside any transaction; storing is quick and
idempotent per key (`tenders.documents.keys`: the occasion a document is issued for, such as
an instruction's receipt or an account's payment notice): a task that runs twice finds the
document issued. A receipt or a notice is rendered from the snapshot taken at the moment it
describes, never from the live rows; the sweep (`tenders.sweep`) issues any snapshot
left without its document. A confirmation is rendered from the rows of the consummated offer.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from exchange_office import clock
from exchange_office.stamps import stamped
from notes.models import ExchangeOffer
from tenders.accounts import permissions
from tenders.accounts.models import ClientAccount
from tenders.documents import rendering
from tenders.documents.contexts import DocumentNotAvailable
from tenders.documents.keys import DocumentKey
from tenders.documents.models import (
    Document,
    DocumentKind,
    DocumentSnapshot,
    LetterDelivery,
    LetterDispatch,
)
from tenders.documents.permissions import may_issue_documents
from tenders.documents.selectors import document_link
from tenders.documents.snapshots import snapshot_context
from tenders.instructions.models import Instruction
from tenders.outbox import services as outbox
from tenders.outbox import tasks as outbox_tasks
from tenders.outbox.models import OutboxMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Occasion:
    """What a key names, loaded: whom the document is for, and what it is rendered from."""

    key: DocumentKey
    account: ClientAccount
    offer: ExchangeOffer
    instruction: Instruction | None
    snapshot: DocumentSnapshot | None  # None for a confirmation (rendered from the rows)

    @property
    def kind(self) -> DocumentKind:
        return self.key.kind

    @property
    def instruction_id(self) -> int | None:
        return self.key.instruction_id


def document_number(occasion: Occasion, revision: int) -> str:
    """LEXINGTON-2001-C000042-1: offer, kind, instruction (or account) and revision."""
    return occasion.key.number(offer_slug=occasion.offer.slug, revision=revision)


def _instruction(instruction_id: int) -> Instruction:
    return Instruction.objects.select_related(
        "account__firm", "offer__old_security", "offer__new_security", "offer__issuer"
    ).get(pk=instruction_id)


def _occasion(key: DocumentKey) -> Occasion:
    snapshot = (
        DocumentSnapshot.objects.select_related("account__firm", "offer", "instruction")
        .filter(key=str(key))
        .first()
    )
    if snapshot is not None:
        return Occasion(key, snapshot.account, snapshot.offer, snapshot.instruction, snapshot)
    if key.kind == DocumentKind.CONFIRMATION and key.instruction_id is not None:
        instruction = _instruction(key.instruction_id)
        return Occasion(key, instruction.account, instruction.offer, instruction, None)
    about = (
        f"Instruction {key.instruction_id}"
        if key.instruction_id is not None
        else f"Account {key.account_id}"
    )
    raise DocumentNotAvailable(
        f"{about} has no snapshot for its {key.kind.label.lower()} ({key}): it was not "
        "recorded by the services, and a receipt or notice is never rendered from the live rows."
    )


def _render(occasion: Occasion, number: str) -> tuple[rendering.RenderedPdf, datetime, datetime]:
    """The PDF, and when it was rendered (business and wall clocks, for the stored row)."""
    business, wall = clock.now(), clock.wall_now()
    if occasion.snapshot is not None:
        rendered = rendering.render_snapshot(occasion.snapshot, document_number=number)
    else:
        assert occasion.instruction is not None, "only a confirmation has no snapshot"
        rendered = rendering.render_confirmation(
            occasion.instruction,
            document_number=number,
            generated_at=business,
            generated_wall_at=wall,
        )
    return rendered, business, wall


def _render_and_store(
    occasion: Occasion,
    *,
    revision: int,
    by: User | None,
    also: Callable[[Document], object] = lambda document: None,
) -> Document:
    """Render a revision (slow, outside any transaction), then store its bytes with their
    SHA-256 and do `also` in the same transaction. IntegrityError if the revision is taken."""
    number = document_number(occasion, revision)
    started = time.perf_counter()
    rendered, business, wall = _render(occasion, number)
    seconds = time.perf_counter() - started
    with transaction.atomic():
        document = Document.objects.create(
            key=str(occasion.key),
            kind=occasion.kind,
            account=occasion.account,
            offer=occasion.offer,
            instruction=occasion.instruction,
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
    # One line per document in the worker's log (WeasyPrint's own steps are silenced).
    log.info(
        "Issued %s %s for %s: %d page(s), %s bytes in %.2f s",
        DocumentKind(occasion.kind).label.lower(),
        number,
        occasion.account.account_number,
        rendered.pages,
        f"{len(rendered.content):,}",
        seconds,
    )
    return document


def _key(
    key: str | DocumentKey | None, instruction_id: int | None, kind: str | None
) -> DocumentKey:
    if key is not None:
        return key if isinstance(key, DocumentKey) else DocumentKey.parse(key)
    if instruction_id is None or kind is None:
        raise TypeError("give the document's key, or its instruction and kind")
    return DocumentKey.for_instruction(kind, instruction_id)


def document_issue(
    *,
    key: str | DocumentKey | None = None,
    instruction_id: int | None = None,
    kind: str | None = None,
    by: User | None = None,
) -> Document:
    """The document for this occasion (its key; or, for a receipt, withdrawal receipt or
    confirmation, its instruction and kind): rendered and stored the first time, then
    e-mailed to the client; any later call returns the stored one unchanged."""
    document_key = _key(key, instruction_id, kind)
    existing = Document.objects.filter(key=str(document_key)).order_by("revision").first()
    if existing is not None:
        return existing
    occasion = _occasion(document_key)
    try:
        document = _render_and_store(
            occasion,
            revision=1,
            by=by,
            also=lambda document: _queue_email(document, occasion, by=by),
        )
    except IntegrityError:
        # Another worker stored it first: theirs is the document, and it has its e-mail.
        return Document.objects.get(key=str(document_key), revision=1)
    return document


def document_regenerate(*, document: Document, by: User) -> Document:
    """A new revision (a confirmation from today's data, a receipt or notice from its
    snapshot); the old one is kept, and nothing is re-sent."""
    permissions.require(may_issue_documents(user=by), "You may not issue documents.")
    occasion = _occasion(DocumentKey.parse(document.key))
    latest = Document.objects.filter(key=document.key).aggregate(m=Max("revision"))["m"]
    try:
        # Two people regenerating at once: the unique revision lets only one through.
        return _render_and_store(occasion, revision=latest + 1, by=by)
    except IntegrityError:
        raise ValidationError(
            "Someone regenerated this document at the same moment: reload to see it."
        ) from None


def _queue_email(document: Document, occasion: Occasion, *, by: User | None) -> None:
    """The document's e-mail to the client, recorded in the outbox and sent once this commits.
    A client letter is not e-mailed on issue: it is sent (or printed) by `letter_dispatch`; nor
    is a statement, which a representative may issue to read it: the quarterly run sends it
    (`document_email_once`)."""
    if occasion.kind in (DocumentKind.CLIENT_LETTER, DocumentKind.STATEMENT):
        return
    _email_document(document, occasion, by=by)


def _email_document(
    document: Document, occasion: Occasion, *, by: User | None
) -> OutboxMessage | None:
    """A notice's snapshot holds what its e-mail says besides the attachment
    ("email_paragraphs", written at the notice's moment)."""
    account = occasion.account
    if not account.email:
        log.info("No e-mail address for account %s: %s not sent", account, document.number)
        return None
    paragraphs: list[str] = []
    if occasion.snapshot is not None:
        paragraphs = list(snapshot_context(occasion.snapshot).get("email_paragraphs", []))
    names = " and ".join(owner.name for owner in account.owners.all())
    subject = f"{document.get_kind_display()} {document.number} — account {account.account_number}"
    body = (
        f"Dear {names},\n\n"
        f"Attached is your {document.get_kind_display().lower()} for the "
        f"{occasion.offer.name}, account {account.account_number}.\n\n"
        + "".join(f"{paragraph}\n\n" for paragraph in paragraphs)
        + f"You can also download it here until the link expires "
        f"({settings.DOCUMENT_LINK_MAX_AGE_DAYS} days):\n{document_link(document)}\n\n"
        f"{account.firm.name}\n{account.firm.address}\n"
    )
    message = outbox.outbox_message_create(
        document=document, to=account.email, subject=subject, body=body, by=by
    )
    outbox_tasks.enqueue_send(message_id=message.pk)
    return message


def document_email_once(*, document: Document, by: User | None = None) -> OutboxMessage | None:
    """E-mail an issued document to the client, once per occasion (its key, which its e-mail
    carries: the outbox refuses a second). A later call, or one racing it, sends nothing and
    returns None; so does an account without an e-mail address."""
    if OutboxMessage.objects.filter(key=document.key).exists():
        return None
    occasion = _occasion(DocumentKey.parse(document.key))
    try:
        with transaction.atomic():
            return _email_document(document, occasion, by=by)
    except IntegrityError:
        return None  # e-mailed at the same moment by another drain: theirs is the one


def letter_dispatch(
    *, document: Document, delivery: str, run_id: int | None = None, by: User | None = None
) -> LetterDispatch:
    """Send an issued client letter: e-mailed with the PDF attached (delivery "email", when
    the account has an address), otherwise recorded as printed for mailing. Once per occasion
    (the letter's key), whichever run or drain comes first: a later call, or one racing it,
    returns the sending recorded, and sends nothing."""
    if document.kind != DocumentKind.CLIENT_LETTER:
        raise ValueError(f"{document} is not a client letter")
    sent = LetterDispatch.objects.filter(key=document.key).first()
    if sent is not None:
        return sent
    occasion = _occasion(DocumentKey.parse(document.key))
    try:
        with transaction.atomic():
            message = None
            if delivery == LetterDelivery.EMAIL:
                message = _email_document(document, occasion, by=by)
            return LetterDispatch.objects.create(
                key=document.key,
                document=document,
                account_id=document.account_id,
                offer_id=document.offer_id,
                channel=LetterDelivery.EMAIL if message is not None else LetterDelivery.PRINT,
                run_id=run_id,
                message=message,
                **stamped(),
                by=by,
            )
    except IntegrityError:
        # Sent at the same moment by another drain (its e-mail, or its record, came first):
        # theirs is the one recorded, and this transaction's e-mail was never queued.
        return LetterDispatch.objects.get(key=document.key)
