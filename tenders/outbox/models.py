"""E-mails of documents to clients, recorded before and after each attempt."""

from django.conf import settings
from django.db import models

from tenders.documents.models import Document


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending (outcome unknown if it stays here)"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboxMessage(models.Model):
    """One e-mail of a document to a client. The attempt is recorded before the SMTP call, so
    a retried task never sends twice by itself: a message left in `sending` had an attempt
    whose outcome is unknown, and operations decide whether to resend it."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="messages")
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
    resend_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="resends"
    )
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = "outbox message"

    def __str__(self) -> str:
        return f"{self.subject} to {self.to} ({self.get_status_display()})"
