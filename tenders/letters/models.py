"""Reminders to clients who have not answered the offer."""

from django.conf import settings
from django.db import models

from exchange_office.formatting import short_date
from exchange_office.stamps import Stamped
from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount
from tenders.documents.models import Document
from tenders.outbox.models import OutboxMessage


class Reminder(Stamped):
    """One reminder e-mailed to a client who has not answered: at most one per account, offer
    and business day (the constraint holds when two runs race)."""

    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(ClientAccount, on_delete=models.PROTECT, related_name="reminders")
    business_day = models.DateField(help_text="The New York day of the business clock.")
    firm_cutoff = models.DateTimeField(help_text="The firm's cutoff the reminder gave.")
    letter = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The client letter the e-mail links to.",
    )
    message = models.ForeignKey(OutboxMessage, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-business_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "account", "business_day"], name="reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder to {self.account} on {short_date(self.business_day)}"
