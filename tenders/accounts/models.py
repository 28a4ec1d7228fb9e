"""Firms (DTC participants), their representatives, client accounts, their owners and
positions, and the record of every full-TIN reveal."""

import functools
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django_countries.fields import CountryField
from localflavor.us.models import USStateField, USZipCodeField
from localflavor.us.us_states import US_STATES
from phonenumber_field.modelfields import PhoneNumberField

from exchange_office.audit import audit_trail
from exchange_office.encryption import EncryptedTextField
from exchange_office.formatting import dollars
from exchange_office.stamps import Stamped
from notes.models import AMOUNT, Security, validate_bic
from tenders.accounts.validators import (
    validate_account_number,
    validate_one_line,
    validate_owner_name,
)
from tenders.domain.account_fields import (
    ACCOUNT_NUMBER_LENGTH,
    ADDRESS_LINE_LENGTH,
    CITY_LENGTH,
    OWNER_NAME_LENGTH,
)
from tenders.domain.tin import TinType, mask_tin


class TinTypeChoice(models.TextChoices):
    SSN = TinType.SSN, "Social security number (person)"
    ITIN = TinType.ITIN, "Individual taxpayer ID (person)"
    EIN = TinType.EIN, "Employer ID (entity)"


class AgentChannelFormat(models.TextChoices):
    """The format a firm's files for the exchange agent are recorded in: one channel per
    participant, whatever format a preview is written in."""

    SEEV033 = "seev033", "ISO 20022 seev.033 (XML)"
    MT565 = "mt565", "ISO 15022 MT565"
    CSV = "csv", "CSV"


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
    # The firm's channel to the exchange agent (issue 21): its files go from the firm, by BIC,
    # to its account servicer (DTC), which passes the tenders to the agent.
    bic = models.CharField(
        "BIC",
        max_length=11,
        blank=True,
        validators=[validate_bic],
        help_text="The firm's business identifier code: the sender of its files to the agent "
        "(the AppHdr's From, MT565's block 1).",
    )
    safekeeping_account = models.CharField(
        max_length=35,
        blank=True,
        validators=[
            RegexValidator(r"^[A-Za-z0-9]{1,35}$", "Up to 35 letters and digits, no spaces.")
        ],
        help_text="The firm's account at its account servicer (its DTC account) holding the "
        "Old Notes. Blank: the DTC participant number.",
    )
    agent_format = models.CharField(
        "format recorded for the agent",
        max_length=8,
        choices=AgentChannelFormat.choices,
        default=AgentChannelFormat.SEEV033,
        help_text="The format the firm's files to the agent are recorded in. Any format can "
        "be previewed; an instruction is sent once, whatever the format.",
    )
    cutoff_time = models.TimeField(default=time(17, 0), help_text="New York time on that day.")
    # Four eyes (issue 14): what a supervisor of the firm approves before it counts.
    second_approval_threshold = models.DecimalField(
        "second approval above",
        **AMOUNT,
        null=True,
        blank=True,
        help_text="Instructions a representative enters above this principal amount, and late "
        "instructions operations take for the firm, wait for a supervisor of the firm. Blank: "
        "no second approval.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (DTC {self.dtc_participant_number})"


# A firm's controls: they move a deadline or a control, so once the firm exists they change only
# through a proposal a second operator approves (`tenders.approvals.firm_controls`).
FIRM_CONTROL_FIELDS = ("cutoff_banking_days_before", "cutoff_time", "second_approval_threshold")


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


@functools.cache
def _state_names(language: str) -> dict[str, str]:
    return {code: str(name) for code, name in US_STATES}


def state_name(code: str) -> str:
    """ "New York" for NY, in the active language. localflavor's US_STATES sorts its translated
    names again on every read: once per row made Admin > Client accounts spend about 18 ms a
    row, so the names are read once per language here."""
    return _state_names(translation.get_language() or "").get(code, code)


class ClientAccount(models.Model):
    """A client (nominee) account the firm holds Old Notes for."""

    firm = models.ForeignKey(BrokerFirm, on_delete=models.PROTECT, related_name="accounts")
    # The feed, the admin and the services refuse alike (tenders.domain.account_fields).
    account_number = models.CharField(
        max_length=ACCOUNT_NUMBER_LENGTH,
        validators=[validate_account_number],
        help_text="Letters and digits, with '-', '/' or '.' after the first (e.g. HB-100001).",
    )
    address_line1 = models.CharField(
        "address", max_length=ADDRESS_LINE_LENGTH, validators=[validate_one_line]
    )
    address_line2 = models.CharField(
        "address (line 2)",
        max_length=ADDRESS_LINE_LENGTH,
        blank=True,
        validators=[validate_one_line],
    )
    city = models.CharField(max_length=CITY_LENGTH, validators=[validate_one_line])
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

    # The audit trail keeps the type and last four digits of a TIN, never the number or its
    # hash: anyone who may read history could otherwise get around the recorded reveal.
    history = audit_trail(excluded_fields=["tin", "tin_hash"])

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

    @property
    def state_name(self) -> str:
        """The state of domicile's name (localflavor's get_state_display, read once)."""
        return state_name(self.state)


class TinReveal(Stamped):
    """Every time someone asked to see a full taxpayer ID."""

    account = models.ForeignKey("ClientAccount", on_delete=models.PROTECT, related_name="reveals")
    instruction = models.ForeignKey(
        "tenders.Instruction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reveals",
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["-wall_at"]
        verbose_name = "taxpayer ID reveal"

    def __str__(self) -> str:
        return f"{self.by} revealed the TIN of {self.account.account_number} at {self.wall_at}"


class AccountOwner(models.Model):
    """A beneficial owner; a joint account has several, and each signs its instructions."""

    account = models.ForeignKey(ClientAccount, on_delete=models.CASCADE, related_name="owners")
    sequence = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=OWNER_NAME_LENGTH, validators=[validate_owner_name])

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
                    {"principal": f"Must be a whole multiple of {dollars(increment)}."}
                )
