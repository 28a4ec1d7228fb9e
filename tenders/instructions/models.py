"""A client's instruction for an offer, version by version, with its signatures and every
status change."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from phonenumber_field.modelfields import PhoneNumberField

from exchange_office.audit import audit_trail
from exchange_office.encryption import EncryptedTextField
from exchange_office.stamps import Stamped
from notes.models import AMOUNT, ExchangeOffer
from tenders.accounts.models import AccountOwner, ClientAccount, TinTypeChoice
from tenders.domain.lifecycle import LIVE, Status
from tenders.domain.tin import mask_tin


class InstructionChoice(models.TextChoices):
    ALL = "ALL", "Tender all Old Notes held for my account"
    AMOUNT = "AMOUNT", "Tender only the aggregate principal amount indicated"


class InstructionChannel(models.TextChoices):
    PAPER = "paper", "Paper form"
    ONLINE = "online", "Online, signed electronically"


class InstructionStatus(models.TextChoices):
    RECEIVED = Status.RECEIVED, "Received"
    SUBMITTED = Status.SUBMITTED, "Submitted to the exchange agent"
    ACCEPTED = Status.ACCEPTED, "Accepted on consummation"
    RETURNED = Status.RETURNED, "Returned on termination"
    WITHDRAWN = Status.WITHDRAWN, "Withdrawn"
    SUPERSEDED = Status.SUPERSEDED, "Superseded by an amendment"
    NOT_ACCEPTED = Status.NOT_ACCEPTED, "Not accepted on consummation"


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
    channel = models.CharField(
        max_length=6,
        choices=InstructionChannel.choices,
        default=InstructionChannel.PAPER,
        help_text="How the client gave it: the signed paper form, or online.",
    )
    # The second person: the representative who approved a client's online submission, or the
    # firm's supervisor who approved a large or late instruction. Blank: none was needed.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True, help_text="Business clock.")
    approved_wall_at = models.DateTimeField(null=True, blank=True, help_text="Wall clock.")
    no_box_ticked = models.BooleanField(
        "neither box ticked",
        default=False,
        help_text="The client signed without ticking either box: read as “tender all”, as the "
        "letter states.",
    )
    # A double click posts the same form twice: the token makes the second post a no-op.
    submission_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    # As for accounts: the TIN written on the form stays out of the audit trail (its type and
    # last four digits are kept).
    history = audit_trail(excluded_fields=["tin"])

    class Meta:
        ordering = ["account", "offer", "-version"]
        # Admin > Instructions filtered by the day received, among 100,000.
        indexes = [models.Index(fields=["received_at"], name="instruction_received_at")]
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
                    & Q(Exact(Mod("amount", Value(Decimal("1000"))), Value(Decimal("0"))))
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


class InstructionSigner(Stamped):
    """An owner's signature on the form: the name typed as signed, and the attestation of the
    user who recorded it, stamped by both clocks."""

    instruction = models.ForeignKey(Instruction, on_delete=models.PROTECT, related_name="signers")
    owner = models.ForeignKey(AccountOwner, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=200)
    attested = models.BooleanField()
    # Online: the owner typed the name as a signature, having consented to sign electronically
    # (the representative attests nothing they did not see).
    signed_electronically = models.BooleanField(default=False)
    mismatch_reason = models.TextField(
        blank=True,
        help_text="Why operations accepted a printed name that differs from the owner on file "
        "(e.g. a power of attorney).",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["instruction", "owner__sequence"]
        constraints = [
            models.UniqueConstraint(fields=["instruction", "owner"], name="signer_once"),
            models.CheckConstraint(
                condition=Q(attested=True) | Q(signed_electronically=True),
                name="signer_attested_or_signed_electronically",
            ),
        ]

    def __str__(self) -> str:
        return self.typed_name


class InstructionTransition(Stamped):
    """Every status change of an instruction: who, when (both clocks), from and to."""

    instruction = models.ForeignKey(
        Instruction, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(max_length=10, choices=InstructionStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=InstructionStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["instruction", "wall_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status}"


class NoticeMethodChoice(models.TextChoices):
    LETTER = "letter", "Signed letter"
    FAX = "fax", "Fax"
    TELEPHONE = "telephone", "Telephone, with a call-back"
    ONLINE = "online", "Online, signed electronically"


class WithdrawalNotice(Stamped):
    """The client's notice of withdrawal, recorded with the same care as a tender: when it is
    dated, how it came, each owner's signature for a written notice (the signers) or the
    call-back for a telephone one, and who attested it, stamped by both clocks."""

    instruction = models.OneToOneField(
        Instruction, on_delete=models.PROTECT, related_name="withdrawal_notice"
    )
    method = models.CharField("how it came", max_length=10, choices=NoticeMethodChoice.choices)
    received_on = models.DateField("dated")
    callback_number = models.CharField(
        "number called back", max_length=40, blank=True, help_text="Telephone notices only."
    )
    attested = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(attested=True), name="withdrawal_notice_attested"),
            models.CheckConstraint(
                condition=~Q(method="telephone") | ~Q(callback_number=""),
                name="withdrawal_notice_telephone_called_back",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} dated {self.received_on}"


class WithdrawalNoticeSigner(models.Model):
    """An owner's signature on a written notice of withdrawal, as printed."""

    notice = models.ForeignKey(WithdrawalNotice, on_delete=models.PROTECT, related_name="signers")
    owner = models.ForeignKey(AccountOwner, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=200)
    mismatch_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["notice", "owner__sequence"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "owner"], name="notice_signer_once")
        ]

    def __str__(self) -> str:
        return self.typed_name
