"""The PDFs issued to clients, stored once, and the snapshots they are rendered from.

A document belongs to a client account and an offer. Most also concern one instruction (a
receipt, a confirmation, a termination notice); a payment notice to a holder who did not
tender concerns the account alone. Each is issued for one occasion, named by its `key`
(`tenders.documents.keys`): one snapshot and one document (with its revisions) per key.
"""

from typing import Any

from django.conf import settings
from django.db import models

from exchange_office.formatting import timestamp
from exchange_office.stamps import Stamped
from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount
from tenders.instructions.models import Instruction

KEY_LENGTH = 100


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", "Instruction receipt"
    WITHDRAWAL_RECEIPT = "withdrawal", "Withdrawal receipt"
    CONFIRMATION = "confirmation", "Exchange confirmation"
    AMENDED_TERMS_RECEIPT = "amended_receipt", "Receipt under amended terms"
    TERMINATION_NOTICE = "termination", "Termination notice"
    PAYMENT_NOTICE = "payment", "Payment notice"
    CLIENT_LETTER = "client_letter", "Client letter"
    ONLINE_SUBMISSION = "online_submission", "Online submission received"
    STATEMENT = "statement", "Account statement"
    PAYMENT_ADVICE = "payment_advice", "Payment advice"


class LetterDelivery(models.TextChoices):
    EMAIL = "email", "By e-mail"
    PRINT = "print", "Printed for mailing"


class Document(models.Model):
    """A PDF issued to a client, stored once: the bytes are never changed. Regenerating makes
    a new revision and keeps the old one."""

    key = models.CharField(
        max_length=KEY_LENGTH,
        help_text="The occasion it was issued for (kind, instruction or account, event): "
        "one document, with its revisions, per key.",
    )
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    account = models.ForeignKey(ClientAccount, on_delete=models.PROTECT, related_name="documents")
    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="documents")
    instruction = models.ForeignKey(
        Instruction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        help_text="Blank for a document about the account alone (a payment notice).",
    )
    revision = models.PositiveSmallIntegerField(default=1)
    number = models.CharField("document id", max_length=80, unique=True)
    content = models.BinaryField(editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    size = models.PositiveIntegerField(editable=False)
    pages = models.PositiveSmallIntegerField(editable=False)
    generated_at = models.DateTimeField(help_text="Business clock.")
    generated_wall_at = models.DateTimeField(help_text="Wall clock.")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank when issued in the background.",
    )

    class Meta:
        ordering = ["account_id", "key", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["key", "revision"], name="document_key_revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Issued documents are evidence: once stored, their bytes are never rewritten.
        if self.pk is not None:
            raise ValueError("An issued document is never changed: regenerate a new revision.")
        super().save(*args, **kwargs)

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"


class SnapshotDataField(models.JSONField):
    """A JSONField inserted with one placeholder a value. Django 5.2 bulk-inserts on
    PostgreSQL through UNNEST of arrays, and psycopg escapes each text element of an array
    with a regular expression: a consummation's 100,000 snapshots, a few kilobytes of quoted
    JSON each, spent most of their time there (bench/consummation.py). A field with its own
    placeholder makes Django insert VALUES rows instead, each JSON value sent as itself. (The
    snapshots' own service now copies them in bulk, `document_snapshots_record`; this keeps
    any bulk_create of them off the arrays.)"""

    def get_placeholder(self, value: object, compiler: object, connection: object) -> str:
        return "%s"


class DocumentSnapshot(models.Model):
    """What a document says, taken in the transaction that records the moment it describes:
    a receipt's snapshot is written with the instruction (or its withdrawal) it acknowledges,
    a notice's with the offer's step it reports (an amendment of the terms, a termination, the
    consummation). The document is rendered from it, whenever that happens, so it reads the
    same rendered at once or a week later, after amendments, withdrawals or new terms. Never
    changed."""

    key = models.CharField(
        max_length=KEY_LENGTH, unique=True, help_text="The occasion: its document has this key."
    )
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    account = models.ForeignKey(ClientAccount, on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="+")
    instruction = models.ForeignKey(
        Instruction, on_delete=models.PROTECT, null=True, blank=True, related_name="snapshots"
    )
    taken_at = models.DateTimeField(help_text="Business clock: the moment the document describes.")
    taken_wall_at = models.DateTimeField(help_text="Wall clock.")
    data = SnapshotDataField(
        editable=False,
        help_text="The template's values as of that moment (tagged JSON: tenders.documents"
        ".snapshots).",
    )

    class Meta:
        ordering = ["account_id", "key"]
        indexes = [models.Index(fields=["taken_wall_at"], name="document_snapshot_taken")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.key}) as of {timestamp(self.taken_at)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A document snapshot is never changed.")
        super().save(*args, **kwargs)


class LetterDispatch(Stamped):
    """A client letter sent to a client: e-mailed through the outbox, or printed for mailing
    (a client without an e-mail address, or by choice). Who was sent which letter, and when:
    once per occasion (the letter's key: its account and the offer as it stands), whichever
    run or drain gets there first; the database refuses a second (`letter_sent_once`)."""

    key = models.CharField(
        max_length=KEY_LENGTH,
        help_text="The occasion: the letter's key (client_letter:o3:a17:e7). One sending per "
        "key; a new letter after an extension or a change of terms is a new occasion.",
    )
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="dispatches")
    account = models.ForeignKey(ClientAccount, on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=LetterDelivery.choices)
    # By name: the bulk runs and the outbox refer to documents, not the other way round.
    run = models.ForeignKey(
        "tenders.BulkRun", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        "tenders.OutboxMessage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The e-mail, for a letter sent by e-mail.",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-wall_at", "-id"]
        verbose_name = "client letter sent"
        verbose_name_plural = "client letters sent"
        constraints = [
            models.UniqueConstraint(
                fields=["run", "account"],
                condition=models.Q(run__isnull=False),
                name="letter_dispatch_once_per_run",
            ),
            models.UniqueConstraint(fields=["key"], name="letter_sent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.document.number} {self.get_channel_display().lower()}"
