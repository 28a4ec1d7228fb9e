"""Reminders to clients who have not answered the offer."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from exchange_office.formatting import short_date
from exchange_office.stamps import Stamped
from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount
from tenders.documents.models import KEY_LENGTH, Document
from tenders.outbox.models import OutboxMessage


class Reminder(Stamped):
    """One reminder e-mailed to a client who has not answered: at most one per account, offer
    and business day (the constraint holds when two runs race). A reminder whose letter was not
    issued yet waits for it (no letter, no e-mail): the letter is rendered in the background,
    and the reminder's e-mail goes out once it exists (`letter_key` names it)."""

    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(ClientAccount, on_delete=models.PROTECT, related_name="reminders")
    business_day = models.DateField(help_text="The New York day of the business clock.")
    firm_cutoff = models.DateTimeField(help_text="The firm's cutoff the reminder gave.")
    letter_key = models.CharField(
        max_length=KEY_LENGTH,
        blank=True,
        help_text="The key of the client letter the e-mail links to (client_letter:o3:a17:e7).",
    )
    letter = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The client letter the e-mail links to; blank while the reminder waits for it.",
    )
    message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank while the reminder waits for its letter.",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-business_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "account", "business_day"], name="reminder_once_a_day"
            ),
            # Sent with its letter, or waiting for it: never an e-mail without the letter.
            models.CheckConstraint(
                condition=Q(letter__isnull=True, message__isnull=True)
                | Q(letter__isnull=False, message__isnull=False),
                name="reminder_sent_with_its_letter",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder to {self.account} on {short_date(self.business_day)}"
