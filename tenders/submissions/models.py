"""The files sent to the exchange agent: one per DTC participant (firm) each time, in the
firm's format (one channel per participant), stored with the messages they hold. Never
changed."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from exchange_office.stamps import Stamped
from notes.models import AMOUNT, ExchangeOffer
from tenders.accounts.models import AgentChannelFormat, BrokerFirm
from tenders.domain.submission import MessageKind
from tenders.instructions.models import Instruction, InstructionChoice, InstructionStatus

# The formats a file for the agent is written in: the firm's channel records one of them.
SubmissionFormat = AgentChannelFormat


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
    """One file for the exchange agent: a participant's new instructions and cancellations (or
    a resend of messages sent before, `possible_duplicate`) in its format, stored as sent (its
    bytes and their SHA-256), with who recorded it and when."""

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
    possible_duplicate = models.BooleanField(
        "resend",
        default=False,
        help_text="Repeats references sent before, flagged as possible duplicates (the "
        "AppHdr's PssblDplct, MT565's PDE trailer).",
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


# What the agent answers (issue 21): imported from its files, matched to what was sent


class AgentReplyFormat(models.TextChoices):
    SEEV = "seev", "ISO 20022 (seev.034, seev.041, seev.036)"
    MT = "mt", "ISO 15022 (MT567, MT566)"


class AgentReplyFile(Stamped):
    """One file the agent (through the account servicer) sent back, as imported: its bytes, who
    imported it and what it matched. A file is imported once."""

    offer = models.ForeignKey(
        ExchangeOffer, on_delete=models.PROTECT, related_name="agent_reply_files"
    )
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=8, choices=AgentReplyFormat.choices)
    content = models.BinaryField(editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    size = models.PositiveIntegerField(editable=False)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-wall_at", "-id"]
        verbose_name = "file from the agent"
        verbose_name_plural = "files from the agent"
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "sha256"], name="agent_reply_file_imported_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_format_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A file from the agent is never changed.")
        super().save(*args, **kwargs)


class AgentReplyKind(models.TextChoices):
    STATUS = "status", "Status advice"  # seev.034 / seev.041 / MT567
    MOVEMENT = "movement", "Movement confirmation"  # seev.036 / MT566


class AgentStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    PENDING = "pending", "Pending"


class AgentReply(Stamped):
    """One message of the agent's about one message the office sent (matched by its
    reference): a status advice (accepted, rejected with the reason, pending), or after
    consummation a movement confirmation with its movements. `business_at` is when it was
    imported; `advised_at` when the agent wrote it."""

    file = models.ForeignKey(AgentReplyFile, on_delete=models.PROTECT, related_name="replies")
    item = models.ForeignKey(AgentSubmissionItem, on_delete=models.PROTECT, related_name="replies")
    instruction = models.ForeignKey(
        Instruction, on_delete=models.PROTECT, related_name="agent_replies"
    )
    kind = models.CharField(max_length=10, choices=AgentReplyKind.choices)
    message_type = models.CharField(
        max_length=16, help_text="As read: seev.034.001.14, seev.041.001.13, MT567, …"
    )
    agent_reference = models.CharField(
        max_length=35, blank=True, help_text="The agent's own reference of its message."
    )
    reference = models.CharField(
        max_length=16, help_text="The reference of the office's message it answers."
    )
    status = models.CharField(max_length=10, choices=AgentStatus.choices)
    reason_code = models.CharField(max_length=8, blank=True)
    reason = models.CharField(max_length=350, blank=True)
    advised_at = models.DateTimeField(
        null=True, blank=True, help_text="When the agent wrote it, as its message states."
    )

    class Meta:
        ordering = ["-business_at", "-id"]
        verbose_name = "reply from the agent"
        verbose_name_plural = "replies from the agent"
        indexes = [models.Index(fields=["instruction", "kind"], name="agent_reply_instruction")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason_code="") | ~Q(reason=""),
                name="agent_reply_rejection_has_reason",
            ),
            # The agent's message, by its own reference, is taken once: the same message in
            # another file (bytes that differ) would count its movements twice.
            models.UniqueConstraint(
                fields=["item", "agent_reference"],
                condition=~Q(agent_reference=""),
                name="agent_reply_message_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_type} {self.get_status_display().lower()} for {self.reference}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A reply from the agent is never changed.")
        super().save(*args, **kwargs)


class MovementAsset(models.TextChoices):
    OLD_NOTES = "old_notes", "Old Notes (principal)"
    NEW_NOTES = "new_notes", "New Notes (principal)"
    WARRANTS = "warrants", "Warrants"
    CASH = "cash", "Cash (USD)"


class AgentMovement(models.Model):
    """One movement a movement confirmation states: a security debited or credited, or cash
    paid, with its amount and date."""

    reply = models.ForeignKey(AgentReply, on_delete=models.PROTECT, related_name="movements")
    asset = models.CharField(max_length=10, choices=MovementAsset.choices)
    credit = models.BooleanField(help_text="Credited to the participant (else debited).")
    amount = models.DecimalField(**AMOUNT)
    posted_on = models.DateField(help_text="The posting (or payment) date the agent states.")
    label = models.CharField(
        max_length=100, blank=True, help_text="What it is, e.g. fee installment 1."
    )

    class Meta:
        ordering = ["reply", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="agent_movement_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{'+' if self.credit else '-'}{self.amount} {self.asset}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A movement from the agent is never changed.")
        super().save(*args, **kwargs)
