"""E-mails to clients (a document attached, or a notice on its own), recorded before and after
each attempt."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Outcome unknown: the worker stopped mid-send"


class OutboxMessage(models.Model):
    """One e-mail to a client: a document attached, or a notice on its own (an extension),
    once per occasion (its key).
    The attempt is recorded before the SMTP call, with the worker that holds it and a lease,
    so a retried task never sends twice by itself: a message whose worker is gone, or whose
    lease ran out, while `sending` becomes `unknown` (the sweep), and operations decide: mark
    it as sent, or send it again."""

    account = models.ForeignKey(
        ClientAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
        help_text="Blank for an e-mail to the office's own staff (operations).",
    )
    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="+")
    # By name: documents are e-mailed through the outbox, which knows nothing about them.
    document = models.ForeignKey(
        "tenders.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        help_text="Blank for a notice sent as an e-mail alone.",
    )
    key = models.CharField(
        max_length=100,
        help_text="The occasion it is sent for (a document's key, or a notice's such as "
        "extension:e7:a17, reminder:o3:a17:d2001-08-20): one message per occasion; a copy sent "
        "again by a person keeps the key and names the message it resends.",
    )
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField()
    attempted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    holder = models.CharField(
        max_length=64, blank=True, help_text="The worker that made the last attempt."
    )
    lease_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Wall clock: an attempt still sending after this has an unknown outcome.",
    )
    marked_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="Wall clock: when a person recorded that it was sent."
    )
    resend_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="resends"
    )
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = "outbox message"
        permissions = [
            ("mark_outboxmessage_sent", "Can record that an e-mail of unknown outcome was sent")
        ]
        indexes = [models.Index(fields=["status"], name="outbox_status")]
        constraints = [
            # Every e-mail names its occasion, and only a person's resend repeats one: a run
            # repeated or racing another finds the occasion taken and sends nothing.
            models.CheckConstraint(condition=~Q(key=""), name="outbox_message_has_occasion"),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(resend_of__isnull=True),
                name="outbox_once_per_occasion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to} ({self.get_status_display()})"
