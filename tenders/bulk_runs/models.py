"""Bulk runs: one document for each of many instructions or accounts, item by item, with
leases."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from exchange_office.formatting import timestamp
from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount
from tenders.documents.models import KEY_LENGTH, Document, DocumentKind, LetterDelivery
from tenders.instructions.models import Instruction


class BulkRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"


class BulkRun(models.Model):
    """Issue one kind of document for many clients of an offer: the exchange confirmations of
    the accepted instructions, the payment notices of the holders who did not tender. Its
    items, each with a lease, are the source of truth: a run can be resumed after a worker
    died."""

    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="bulk_runs")
    kind = models.CharField(
        max_length=20, choices=DocumentKind.choices, default=DocumentKind.CONFIRMATION
    )
    status = models.CharField(
        max_length=10, choices=BulkRunStatus.choices, default=BulkRunStatus.RUNNING
    )
    delivery = models.CharField(
        max_length=10,
        choices=LetterDelivery.choices,
        blank=True,
        help_text="Client letters: e-mailed (printed for clients without an address), or all "
        "printed for mailing.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "bulk run"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}s for {self.offer.slug} ({timestamp(self.created_at)})"


class BulkItemStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    WORKING = "working", "Working"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BulkRunItem(models.Model):
    """One document of a run: the document of `key`, for an account (and an instruction, for
    a confirmation)."""

    run = models.ForeignKey(BulkRun, on_delete=models.PROTECT, related_name="items")
    account = models.ForeignKey(ClientAccount, on_delete=models.PROTECT, related_name="+")
    instruction = models.ForeignKey(
        Instruction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    key = models.CharField(max_length=KEY_LENGTH, help_text="The document's key.")
    occasion = models.CharField(
        max_length=KEY_LENGTH,
        blank=True,
        help_text="What the item sends once, across runs (a client letter's or payment "
        "notice's key): a run started again, or racing this one, leaves it out. Blank where "
        "a run may issue again what is issued once anyway (confirmations).",
    )
    status = models.CharField(
        max_length=8, choices=BulkItemStatus.choices, default=BulkItemStatus.PENDING
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    holder = models.CharField(
        max_length=64, blank=True, help_text="The worker that claimed the item last."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="bulk_item_once"),
            models.UniqueConstraint(
                fields=["occasion"], condition=~Q(occasion=""), name="bulk_item_once_per_occasion"
            ),
        ]
        indexes = [models.Index(fields=["run", "status"], name="bulk_item_run_status")]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_status_display()})"
