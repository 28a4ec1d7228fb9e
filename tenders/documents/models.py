"""The PDFs issued to clients, stored once."""

from typing import Any

from django.conf import settings
from django.db import models

from exchange_office.formatting import timestamp
from tenders.instructions.models import Instruction


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", "Instruction receipt"
    WITHDRAWAL_RECEIPT = "withdrawal", "Withdrawal receipt"
    CONFIRMATION = "confirmation", "Exchange confirmation"


class Document(models.Model):
    """A PDF issued to a client, stored once: the bytes are never changed. Regenerating makes
    a new revision and keeps the old one."""

    instruction = models.ForeignKey(Instruction, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    revision = models.PositiveSmallIntegerField(default=1)
    number = models.CharField("document id", max_length=40, unique=True)
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
        ordering = ["instruction", "kind", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["instruction", "kind", "revision"], name="document_revision_once"
            )
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


class DocumentSnapshot(models.Model):
    """What a document says, taken in the transaction that records the moment it describes:
    a receipt's snapshot is written with the instruction (or its withdrawal) it acknowledges.
    The document is rendered from it, whenever that happens, so it reads the same rendered at
    once or a week later, after amendments, withdrawals or new terms. Never changed."""

    instruction = models.ForeignKey(Instruction, on_delete=models.PROTECT, related_name="snapshots")
    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    taken_at = models.DateTimeField(help_text="Business clock: the moment the document describes.")
    taken_wall_at = models.DateTimeField(help_text="Wall clock.")
    data = models.JSONField(
        editable=False,
        help_text="The template's values as of that moment (tagged JSON: tenders.documents"
        ".snapshots).",
    )

    class Meta:
        ordering = ["instruction", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["instruction", "kind"], name="document_snapshot_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.instruction} as of {timestamp(self.taken_at)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A document snapshot is never changed.")
        super().save(*args, **kwargs)
