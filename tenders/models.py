"""The broker's side: firms (DTC participants), their representatives, client accounts and
positions in the securities of an offer."""

from datetime import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django_countries.fields import CountryField
from localflavor.us.models import USStateField, USZipCodeField
from localflavor.us.us_states import US_STATES
from phonenumber_field.modelfields import PhoneNumberField

from exchange_office.audit import audit_trail
from exchange_office.encryption import EncryptedTextField
from notes.models import AMOUNT, ExchangeOffer, Security
from tenders.domain.lifecycle import LIVE, Status
from tenders.domain.tin import TinType, mask_tin


class TinTypeChoice(models.TextChoices):
    SSN = TinType.SSN, "Social security number (person)"
    ITIN = TinType.ITIN, "Individual taxpayer ID (person)"
    EIN = TinType.EIN, "Employer ID (entity)"


class BrokerFirm(models.Model):
    """A broker firm: one DTC participant, many client accounts."""

    name = models.CharField(max_length=200, unique=True)
    dtc_participant_number = models.CharField(
        "DTC participant number",
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{3,8}$", "A DTC participant number is 3 to 8 digits.")],
    )
    address = models.TextField(blank=True, help_text="For the letterhead.")
    phone = PhoneNumberField(blank=True)
    email = models.EmailField(blank=True)
    # The internal cutoff rule: "in ample time" before the offer expires.
    cutoff_banking_days_before = models.PositiveSmallIntegerField(
        default=1,
        help_text="Banking days before the expiration day on which the firm stops taking "
        "instructions (0 = the expiration day itself).",
    )
    cutoff_time = models.TimeField(default=time(17, 0), help_text="New York time on that day.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (DTC {self.dtc_participant_number})"


class Representative(models.Model):
    """A user's membership of a broker firm: what makes them a broker representative."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representative"
    )
    firm = models.ForeignKey(BrokerFirm, on_delete=models.PROTECT, related_name="representatives")

    class Meta:
        ordering = ["firm__name", "user__username"]
        verbose_name = "firm membership"

    def __str__(self) -> str:
        return f"{self.user.get_username()} of {self.firm.name}"


class ClientAccount(models.Model):
    """A client (nominee) account the firm holds Old Notes for."""

    firm = models.ForeignKey(BrokerFirm, on_delete=models.PROTECT, related_name="accounts")
    account_number = models.CharField(max_length=30)
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = USStateField(
        "state of domicile", choices=US_STATES, blank=True, help_text="Blank outside the US."
    )
    postal_code = USZipCodeField("ZIP code", blank=True)
    country = CountryField(default="US")
    phone = PhoneNumberField(blank=True)
    email = models.EmailField(blank=True)
    # The TIN is encrypted; the last four digits are kept for masking and an HMAC for lookup.
    tin_type = models.CharField(
        "taxpayer ID type", max_length=4, choices=TinTypeChoice.choices, blank=True
    )
    tin = EncryptedTextField("taxpayer ID", blank=True)
    tin_last4 = models.CharField(max_length=4, blank=True, editable=False)
    tin_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    history = audit_trail()

    class Meta:
        ordering = ["firm__name", "account_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "account_number"], name="account_number_unique_in_firm"
            )
        ]
        permissions = [("reveal_tin", "Can reveal a client's full taxpayer ID (recorded)")]

    def __str__(self) -> str:
        return f"{self.account_number} ({self.firm.name})"

    @property
    def masked_tin(self) -> str:
        return mask_tin(self.tin_type, self.tin_last4) if self.tin_type else ""


class TinReveal(models.Model):
    """Every time someone asked to see a full taxpayer ID."""

    account = models.ForeignKey("ClientAccount", on_delete=models.PROTECT, related_name="reveals")
    instruction = models.ForeignKey(
        "Instruction", on_delete=models.PROTECT, null=True, blank=True, related_name="reveals"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    business_at = models.DateTimeField()
    wall_at = models.DateTimeField()

    class Meta:
        ordering = ["-wall_at"]
        verbose_name = "taxpayer ID reveal"

    def __str__(self) -> str:
        return f"{self.by} revealed the TIN of {self.account.account_number} at {self.wall_at}"


class AccountOwner(models.Model):
    """A beneficial owner; a joint account has several, and each signs its instructions."""

    account = models.ForeignKey(ClientAccount, on_delete=models.CASCADE, related_name="owners")
    sequence = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=200)

    history = audit_trail()

    class Meta:
        ordering = ["account", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["account", "sequence"], name="owner_sequence_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    """Principal amount of a security held for an account."""

    account = models.ForeignKey(ClientAccount, on_delete=models.PROTECT, related_name="positions")
    security = models.ForeignKey(Security, on_delete=models.PROTECT, related_name="positions")
    principal = models.DecimalField(**AMOUNT, validators=[MinValueValidator(Decimal("0"))])

    history = audit_trail()

    class Meta:
        ordering = ["account", "security"]
        constraints = [
            models.UniqueConstraint(fields=["account", "security"], name="position_once"),
            models.CheckConstraint(
                condition=Q(principal__gte=0), name="position_principal_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account.account_number}: {self.principal:,} {self.security.short_name}"

    def clean(self) -> None:
        # Denominations are the security's terms, so this check cannot be a fixed constraint.
        if self.principal and self.security_id:
            increment = self.security.denomination_increment
            if self.principal % increment:
                raise ValidationError(
                    {"principal": f"Must be a whole multiple of ${increment:,.0f}."}
                )


class InstructionChoice(models.TextChoices):
    ALL = "ALL", "Tender all Old Notes held for my account"
    AMOUNT = "AMOUNT", "Tender only the aggregate principal amount indicated"


class InstructionStatus(models.TextChoices):
    RECEIVED = Status.RECEIVED, "Received"
    SUBMITTED = Status.SUBMITTED, "Submitted to the exchange agent"
    ACCEPTED = Status.ACCEPTED, "Accepted on consummation"
    RETURNED = Status.RETURNED, "Returned on termination"
    WITHDRAWN = Status.WITHDRAWN, "Withdrawn"
    SUPERSEDED = Status.SUPERSEDED, "Superseded by an amendment"


LIVE_STATUSES = sorted(LIVE)


class Instruction(models.Model):
    """One version of a client's instruction for an offer, as written on the form.

    An amendment is a new version that supersedes the previous one; nothing is deleted.
    """

    account = models.ForeignKey(
        ClientAccount, on_delete=models.PROTECT, related_name="instructions"
    )
    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="instructions")
    version = models.PositiveIntegerField()
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    choice = models.CharField(max_length=6, choices=InstructionChoice.choices)
    amount = models.DecimalField(
        **AMOUNT, null=True, blank=True, help_text="The amount stated on the form (AMOUNT only)."
    )
    resolved_amount = models.DecimalField(
        **AMOUNT,
        null=True,
        blank=True,
        help_text="What the instruction tenders: the amount, or for ALL the position when it "
        "was submitted to the agent (or on consummation).",
    )
    status = models.CharField(
        max_length=10, choices=InstructionStatus.choices, default=InstructionStatus.RECEIVED
    )
    # As written on the form.
    form_date = models.DateField("dated")
    signed_address = models.TextField("address")
    signed_phone = PhoneNumberField("telephone")
    tin_type = models.CharField("taxpayer ID type", max_length=4, choices=TinTypeChoice.choices)
    tin = EncryptedTextField("taxpayer ID")
    tin_last4 = models.CharField(max_length=4, editable=False)
    # Who recorded it and when.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(help_text="Business clock.")
    received_wall_at = models.DateTimeField(help_text="Wall clock.")
    late_reason = models.TextField(
        blank=True, help_text="Why operations accepted it after the firm's cutoff."
    )
    # A double click posts the same form twice: the token makes the second post a no-op.
    submission_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    history = audit_trail()

    class Meta:
        ordering = ["account", "offer", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "offer", "version"], name="instruction_version_once"
            ),
            models.UniqueConstraint(
                fields=["account", "offer"],
                condition=Q(status__in=LIVE_STATUSES),
                name="instruction_one_live_per_account_and_offer",
            ),
            models.CheckConstraint(
                condition=(Q(choice="ALL") & Q(amount__isnull=True))
                | (
                    Q(choice="AMOUNT")
                    & Q(amount__gt=0)
                    & Exact(Mod("amount", Value(Decimal("1000"))), Value(Decimal("0")))
                ),
                name="instruction_amount_positive_whole_thousands",
            ),
            models.CheckConstraint(
                condition=Q(resolved_amount__isnull=True) | Q(resolved_amount__gt=0),
                name="instruction_resolved_amount_positive",
            ),
        ]
        permissions = [
            ("override_cutoff", "Can act on instructions after a firm's cutoff, with a reason"),
        ]

    def __str__(self) -> str:
        return f"{self.account.account_number} v{self.version} ({self.get_status_display()})"

    @property
    def masked_tin(self) -> str:
        return mask_tin(self.tin_type, self.tin_last4)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE


class InstructionSigner(models.Model):
    """An owner's signature on the form: the name typed as signed, and the attestation of the
    user who recorded it, stamped by both clocks."""

    instruction = models.ForeignKey(Instruction, on_delete=models.PROTECT, related_name="signers")
    owner = models.ForeignKey(AccountOwner, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=200)
    attested = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    business_at = models.DateTimeField()
    wall_at = models.DateTimeField()

    class Meta:
        ordering = ["instruction", "owner__sequence"]
        constraints = [
            models.UniqueConstraint(fields=["instruction", "owner"], name="signer_once"),
            models.CheckConstraint(condition=Q(attested=True), name="signer_attested"),
        ]

    def __str__(self) -> str:
        return self.typed_name


class InstructionTransition(models.Model):
    """Every status change of an instruction: who, when (both clocks), from and to."""

    instruction = models.ForeignKey(
        Instruction, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(max_length=10, choices=InstructionStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=InstructionStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    business_at = models.DateTimeField()
    wall_at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["instruction", "wall_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status}"


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", "Instruction receipt"
    WITHDRAWAL_RECEIPT = "withdrawal", "Withdrawal receipt"
    CONFIRMATION = "confirmation", "Exchange confirmation"


class Document(models.Model):
    """A PDF issued to a client, stored once: the bytes are never changed. Regenerating makes
    a new revision and keeps the old one."""

    instruction = models.ForeignKey(Instruction, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    revision = models.PositiveSmallIntegerField(default=1)
    number = models.CharField("document id", max_length=40, unique=True)
    content = models.BinaryField(editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    size = models.PositiveIntegerField(editable=False)
    pages = models.PositiveSmallIntegerField(editable=False)
    generated_at = models.DateTimeField(help_text="Business clock.")
    generated_wall_at = models.DateTimeField(help_text="Wall clock.")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank when issued in the background.",
    )

    class Meta:
        ordering = ["instruction", "kind", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["instruction", "kind", "revision"], name="document_revision_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Issued documents are evidence: once stored, their bytes are never rewritten.
        if self.pk is not None:
            raise ValueError("An issued document is never changed: regenerate a new revision.")
        super().save(*args, **kwargs)

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"


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


class BulkRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"


class BulkRun(models.Model):
    """Issue exchange confirmations for every accepted instruction of an offer. Its items,
    each with a lease, are the source of truth: a run can be resumed after a worker died."""

    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="bulk_runs")
    kind = models.CharField(
        max_length=12, choices=DocumentKind.choices, default=DocumentKind.CONFIRMATION
    )
    status = models.CharField(
        max_length=10, choices=BulkRunStatus.choices, default=BulkRunStatus.RUNNING
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
        return (
            f"{self.get_kind_display()}s for {self.offer.slug} ({self.created_at:%Y-%m-%d %H:%M})"
        )


class BulkItemStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    WORKING = "working", "Working"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BulkRunItem(models.Model):
    run = models.ForeignKey(BulkRun, on_delete=models.PROTECT, related_name="items")
    instruction = models.ForeignKey(Instruction, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=8, choices=BulkItemStatus.choices, default=BulkItemStatus.PENDING
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "instruction"], name="bulk_item_once")
        ]
        indexes = [models.Index(fields=["run", "status"], name="bulk_item_run_status")]

    def __str__(self) -> str:
        return f"{self.instruction} ({self.get_status_display()})"
