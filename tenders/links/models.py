"""The client's signed link: one per account, offer and occasion of the client letter, and the
identity check that guards every link of an account for an offer.

A link stores no expiry: it is valid while the offer, as it stands now, lets the client act
(`tenders.links.selectors.link_deadlines`). An extension, a change of the firm's cutoff rule
or of the terms therefore moves every link of the offer at once, and nothing can be left
behind with an old date.
"""

from django.conf import settings
from django.db import models

from exchange_office.audit import audit_trail
from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount

# Five wrong answers to the identity check lock the account's links for the offer until a
# representative unlocks them: counted per account and offer, so a new letter's link gives
# no new guesses.
MAX_FAILED_CHECKS = 5


class ClientLink(models.Model):
    """The link a client letter or reminder (or the extension notice) carries: one account,
    one offer, one occasion of the letter (the first, or after an extension or amendment of
    the terms: a new link). The URL holds a signed token naming this row. The newest link of
    the account and offer is the current one; an older one forwards to it."""

    account = models.ForeignKey(ClientAccount, on_delete=models.PROTECT, related_name="links")
    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="+")
    event_id = models.PositiveIntegerField(
        default=0, help_text="The extension or amendment the letter follows (0: the first)."
    )
    issued_at = models.DateTimeField(help_text="Business clock.")
    issued_wall_at = models.DateTimeField(help_text="Wall clock.")

    history = audit_trail()

    class Meta:
        ordering = ["-issued_wall_at", "-id"]
        verbose_name = "client link"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "offer", "event_id"], name="client_link_once_per_occasion"
            )
        ]

    def __str__(self) -> str:
        return f"Link for {self.account.account_number} (letter e{self.event_id})"


class ClientCheck(models.Model):
    """The identity check of one account for one offer, whichever of its links the client
    opened: the wrong answers counted, the lock, and who unlocked it."""

    account = models.ForeignKey(ClientAccount, on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="+")
    failed_checks = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True, help_text="Wall clock.")
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unlocked_wall_at = models.DateTimeField(null=True, blank=True)

    history = audit_trail()

    class Meta:
        verbose_name = "client identity check"
        constraints = [
            models.UniqueConstraint(fields=["account", "offer"], name="client_check_per_offer")
        ]

    def __str__(self) -> str:
        return f"Identity check of {self.account.account_number}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None
