"""The files sent to the exchange agent: one per DTC participant (firm) and format each time,
stored with the messages they hold. Never changed."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from exchange_office.stamps import Stamped
from notes.models import AMOUNT, ExchangeOffer
from tenders.accounts.models import BrokerFirm
from tenders.domain.submission import MessageKind
from tenders.instructions.models import Instruction, InstructionChoice, InstructionStatus


class SubmissionFormat(models.TextChoices):
    SEEV033 = "seev033", "ISO 20022 seev.033 (XML)"
    MT565 = "mt565", "ISO 15022 MT565"
    CSV = "csv", "CSV"


# The file name's extension and the media type each format is served as.
FILE_TYPES = {
    SubmissionFormat.SEEV033: ("xml", "application/xml"),
    SubmissionFormat.MT565: ("fin", "text/plain; charset=us-ascii"),
    SubmissionFormat.CSV: ("csv", "text/csv; charset=utf-8"),
}


class SubmissionItemKind(models.TextChoices):
    INSTRUCT = MessageKind.INSTRUCT, "Instruction"
    CANCEL = MessageKind.CANCEL, "Cancellation"


class AgentSubmission(Stamped):
    """One file for the exchange agent: a participant's new instructions and cancellations in
    one format, stored as sent (its bytes and their SHA-256), with who recorded it and when."""

    offer = models.ForeignKey(
        ExchangeOffer, on_delete=models.PROTECT, related_name="agent_submissions"
    )
    firm = models.ForeignKey(BrokerFirm, on_delete=models.PROTECT, related_name="agent_submissions")
    participant = models.CharField(
        "DTC participant number", max_length=8, help_text="As written in the file."
    )
    format = models.CharField(max_length=8, choices=SubmissionFormat.choices)
    holds_all = models.BooleanField(
        "every live instruction",
        default=False,
        help_text="Sent again with every live instruction, not only what changed.",
    )
    event_id = models.CharField(
        "corporate action event ID", max_length=16, help_text="As written in the file."
    )
    content = models.BinaryField(editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    size = models.PositiveIntegerField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-wall_at", "-id"]
        verbose_name = "submission to the agent"
        verbose_name_plural = "submissions to the agent"
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="agent_submission_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Submission {self.pk} of {self.participant} ({self.get_format_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # What was sent to the agent is evidence: once stored, it is never rewritten.
        if self.pk is not None:
            raise ValueError("A submission to the agent is never changed.")
        super().save(*args, **kwargs)

    @property
    def filename(self) -> str:
        extension = FILE_TYPES[SubmissionFormat(self.format)][0]
        return f"{self.offer.slug}-{self.participant}-{self.format}-{self.pk}.{extension}"


class AgentSubmissionItem(models.Model):
    """One message of a submission: an instruction sent, with the amount it tendered, or the
    cancellation of one sent before."""

    submission = models.ForeignKey(AgentSubmission, on_delete=models.PROTECT, related_name="items")
    sequence = models.PositiveIntegerField(help_text="Its place in the file, from 1.")
    instruction = models.ForeignKey(
        Instruction, on_delete=models.PROTECT, related_name="agent_submission_items"
    )
    kind = models.CharField(max_length=8, choices=SubmissionItemKind.choices)
    reference = models.CharField(
        max_length=16, help_text="The message's reference (BizMsgIdr, :20C::SEME)."
    )
    cancels_reference = models.CharField(
        max_length=16, blank=True, help_text="For a cancellation: the instruction it cancels."
    )
    choice = models.CharField(max_length=6, choices=InstructionChoice.choices)
    face_amount = models.DecimalField(
        **AMOUNT, help_text="What it tenders: for ALL, the position it resolved to."
    )
    status = models.CharField(
        max_length=10,
        choices=InstructionStatus.choices,
        help_text="The instruction's status as the file states it.",
    )

    class Meta:
        ordering = ["submission", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "sequence"], name="agent_submission_item_place_once"
            ),
            models.UniqueConstraint(
                fields=["submission", "instruction", "kind"],
                name="agent_submission_item_message_once",
            ),
            models.CheckConstraint(
                condition=Q(face_amount__gt=0), name="agent_submission_item_amount_positive"
            ),
            models.CheckConstraint(
                condition=(Q(kind="instruct") & Q(cancels_reference=""))
                | (Q(kind="cancel") & ~Q(cancels_reference="")),
                name="agent_submission_item_cancel_names_original",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A message sent to the agent is never changed.")
        super().save(*args, **kwargs)
