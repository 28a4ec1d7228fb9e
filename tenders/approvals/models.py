"""Four eyes: what one person entered or proposed waits for a second person.

- A `HeldInstruction` is an instruction a representative entered above the firm's threshold,
  or one operations took after the firm's cutoff: it counts only once a supervisor of the firm
  approves it, and then as received when it was entered.
- A `Proposal` is one operator's decision about the offer (extend, amend the terms, terminate,
  consummate), a change of a firm's cutoff or threshold, or a request to see a full taxpayer
  ID, that another person approves.

Nobody approves their own. Each waits until the next deadline that would make it meaningless
(`expires_at`); every step is in the audit trail, by both clocks.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from exchange_office import clock
from exchange_office.audit import audit_trail
from exchange_office.encryption import EncryptedTextField
from exchange_office.tagged import decode
from notes.models import AMOUNT, ExchangeOffer
from tenders.accounts.models import BrokerFirm, ClientAccount
from tenders.instructions.models import Instruction


class ApprovalStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"


class SecondPersonDecision(models.Model):
    """What waits for a second person, and that person's decision (both clocks)."""

    status = models.CharField(
        max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.AWAITING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True, help_text="Business clock.")
    decided_wall_at = models.DateTimeField(null=True, blank=True, help_text="Wall clock.")
    decision_note = models.TextField(blank=True)

    class Meta:
        abstract = True

    def decide(self, status: str, *, by: Any, note: str = "") -> None:
        """Record the second person's decision (by both clocks); the caller saves it, in the
        transaction that holds the row's lock."""
        self.status = status
        self.decided_by = by
        self.decided_at = clock.now()
        self.decided_wall_at = clock.wall_now()
        self.decision_note = note
        self._history_user = by  # simple-history reads it


class HoldReason(models.TextChoices):
    OVER_THRESHOLD = "over_threshold", "Above the firm's threshold"
    LATE = "late", "Taken by operations after the firm's cutoff"


class HeldInstruction(SecondPersonDecision):
    """An instruction as entered, waiting for a supervisor of the firm. Its values are those
    of the form (`data`, the typed TIN encrypted apart); approval runs every rule again, as
    of when it was entered, and records the instruction."""

    account = models.ForeignKey(ClientAccount, on_delete=models.PROTECT, related_name="held")
    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=HoldReason.choices)
    tendered = models.DecimalField(**AMOUNT, help_text="What it tenders as entered.")
    amends = models.ForeignKey(
        Instruction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version it would replace (an amendment).",
    )
    data = models.JSONField(help_text="The form as entered, without the taxpayer ID.")
    tin = EncryptedTextField("taxpayer ID as typed", blank=True)
    submission_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(help_text="Business clock: it counts as received then.")
    entered_wall_at = models.DateTimeField(help_text="Wall clock.")
    expires_at = models.DateTimeField(
        help_text="The offer's expiration when it was entered (an extension moves the "
        "deadline for approving it: the offer's expiration as it is then)."
    )
    instruction = models.ForeignKey(
        Instruction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = audit_trail(excluded_fields=["tin"])

    class Meta:
        ordering = ["entered_wall_at", "id"]
        verbose_name = "instruction awaiting a supervisor"
        verbose_name_plural = "instructions awaiting a supervisor"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "offer"],
                condition=Q(status="awaiting"),
                name="held_instruction_one_awaiting_per_account",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(instruction__isnull=False),
                name="held_instruction_approved_has_instruction",
            ),
        ]
        permissions = [
            (
                "supervise_instructions",
                "Can approve the firm's large and late instructions (a supervisor)",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account.account_number}: {self.get_reason_display().lower()}"

    @property
    def form_values(self) -> dict[str, Any]:
        """What the representative typed from the form (no taxpayer ID): for the supervisor."""
        values = decode(self.data)
        assert isinstance(values, dict), "a held instruction keeps its form as a mapping"
        return values


class ProposalKind(models.TextChoices):
    EXTEND = "extend", "Extend the offer"
    AMEND_TERMS = "amend_terms", "Amend the terms"
    TERMINATE = "terminate", "Terminate the offer"
    CONSUMMATE = "consummate", "Consummate the offer"
    FIRM_CONTROLS = "firm_controls", "Change a firm's cutoff or threshold"
    REVEAL_TIN = "reveal_tin", "Reveal a full taxpayer ID"


class Proposal(SecondPersonDecision):
    """A decision proposed by one person for another to approve: the parameters as proposed
    (`params`, tagged JSON), who proposed it and when, who decided and when, and what the
    approval did (`outcome`)."""

    kind = models.CharField(max_length=20, choices=ProposalKind.choices)
    offer = models.ForeignKey(
        ExchangeOffer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The offer it decides on (an offer's decision, a reveal).",
    )
    firm = models.ForeignKey(
        BrokerFirm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose cutoff or threshold it changes.",
    )
    late_exception = models.BooleanField(
        default=False,
        help_text="A firm's change proposed as a late exception: only such a change may be "
        "approved when it would reopen a cutoff that has passed.",
    )
    account = models.ForeignKey(
        ClientAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose taxpayer ID (a reveal).",
    )
    params = models.JSONField(default=dict)
    summary = models.TextField(help_text="What it does, in words, as proposed.")
    reason = models.TextField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(help_text="Business clock.")
    proposed_wall_at = models.DateTimeField(help_text="Wall clock.")
    expires_at = models.DateTimeField(
        help_text="The next deadline that would make it meaningless (business clock)."
    )
    outcome = models.TextField(blank=True, help_text="What the approval did.")
    used_at = models.DateTimeField(
        null=True, blank=True, help_text="A reveal: when the approved request was used."
    )

    history = audit_trail()

    class Meta:
        ordering = ["-proposed_wall_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
                name="proposal_not_approved_by_its_proposer",
            ),
            # A firm's change names the firm and no offer (it moves the firm's cutoff in every
            # offer); every other proposal names its offer and no firm.
            models.CheckConstraint(
                condition=(
                    Q(kind="firm_controls", firm__isnull=False, offer__isnull=True)
                    | (
                        ~Q(kind="firm_controls")
                        & Q(offer__isnull=False, firm__isnull=True, late_exception=False)
                    )
                ),
                name="proposal_names_its_offer_or_its_firm",
            ),
            models.UniqueConstraint(
                fields=["firm"],
                condition=Q(kind="firm_controls", status="awaiting"),
                name="proposal_one_awaiting_firm_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"
