"""Clients who answer online: what they submit through the signed link in their letter
(`tenders.links`) for their representative's review."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from phonenumber_field.modelfields import PhoneNumberField

from exchange_office.audit import audit_trail
from notes.models import AMOUNT, ExchangeOffer
from tenders.accounts.models import AccountOwner, ClientAccount
from tenders.instructions.models import Instruction, InstructionChoice
from tenders.links.models import ClientLink


class SubmissionKind(models.TextChoices):
    TENDER = "tender", "Tender"
    WITHDRAWAL = "withdrawal", "Withdrawal"


class ReviewStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    REPLACED = "replaced", "Replaced by a later submission"
    # Still awaiting review when the offer expired: it can no longer be approved, and nothing
    # is backdated. The sweep marks it and the client is told (`tenders.online.alerts`).
    MISSED = "missed", "Missed: not reviewed before the offer expired"


class ClientSubmission(models.Model):
    """What a client submitted online, exactly as submitted: the choice, each owner's typed
    signature, the address and telephone as corrected, the consent to sign electronically and
    the text agreed to, when (both clocks) and from where. It becomes an instruction only when
    a representative approves it, through the same services and rules as a paper form."""

    link = models.ForeignKey(ClientLink, on_delete=models.PROTECT, related_name="submissions")
    account = models.ForeignKey(
        ClientAccount, on_delete=models.PROTECT, related_name="online_submissions"
    )
    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=SubmissionKind.choices)
    choice = models.CharField(max_length=6, choices=InstructionChoice.choices, blank=True)
    amount = models.DecimalField(**AMOUNT, null=True, blank=True)
    address = models.TextField(blank=True)
    phone = PhoneNumberField(blank=True)
    esign_consent = models.BooleanField(
        "consented to electronic records and signatures",
        help_text="ESIGN: the client consented, with the right to ask for paper.",
    )
    agreed_text = models.TextField(help_text="The exact text the client agreed to.")
    submitted_at = models.DateTimeField(help_text="Business clock.")
    submitted_wall_at = models.DateTimeField(help_text="Wall clock.")
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.AWAITING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, help_text="Business clock.")
    reviewed_wall_at = models.DateTimeField(null=True, blank=True, help_text="Wall clock.")
    rejection_reason = models.TextField(blank=True)
    instruction = models.ForeignKey(
        Instruction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="online_submissions",
        help_text="The instruction it became (a tender), or the one it withdrew.",
    )
    # A double tap posts the page twice: the token makes the second post a no-op.
    submission_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    history = audit_trail()

    class Meta:
        ordering = ["submitted_wall_at", "id"]
        verbose_name = "online submission"
        constraints = [
            models.CheckConstraint(condition=Q(esign_consent=True), name="submission_consented"),
            models.UniqueConstraint(
                fields=["account", "offer"],
                condition=Q(status="awaiting"),
                name="submission_one_awaiting_per_account",
            ),
            models.CheckConstraint(
                condition=Q(kind="withdrawal")
                | Q(choice="ALL", amount__isnull=True)
                | Q(choice="AMOUNT", amount__gt=0),
                name="submission_tender_choice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} online for {self.account.account_number}"


class ClientSubmissionSigner(models.Model):
    """An owner's name typed as a signature on the client's page."""

    submission = models.ForeignKey(
        ClientSubmission, on_delete=models.PROTECT, related_name="signers"
    )
    owner = models.ForeignKey(AccountOwner, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["submission", "owner__sequence"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "owner"], name="online_signer_once")
        ]

    def __str__(self) -> str:
        return self.typed_name


class AlertOccasion(models.TextChoices):
    RECEIVED = "received", "Received: the firm flagged at once"
    DAY_BEFORE = "24h", "24 hours before the expiration"
    HOURS_BEFORE = "2h", "2 hours before the expiration"
    MISSED = "missed", "Missed at the expiration: the client told"


class SubmissionAlert(models.Model):
    """An e-mail about a client's submission, once per occasion: to the firm's representatives
    and supervisors when it arrives and 24 and 2 hours before the expiration while it still
    waits; to the client when it was missed. The unique constraint is what makes a second
    sweep, or one running at the same moment, send nothing: the row is written in the
    transaction that queues the e-mails. An extension is a new expiration: new reminders."""

    submission = models.ForeignKey(
        ClientSubmission, on_delete=models.PROTECT, related_name="alerts"
    )
    occasion = models.CharField(max_length=10, choices=AlertOccasion.choices)
    expiration = models.DateTimeField(help_text="The offer's expiration it counted down to.")
    sent_to = models.TextField(
        blank=True, help_text="The addresses e-mailed, one a line; blank: nobody had one."
    )
    created_at = models.DateTimeField(help_text="Business clock.")
    created_wall_at = models.DateTimeField(help_text="Wall clock.")

    class Meta:
        ordering = ["submission", "created_wall_at", "id"]
        verbose_name = "online submission alert"
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "occasion", "expiration"], name="submission_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_occasion_display()} ({self.submission})"
