"""The issuer's side: securities, the exchange offer and its terms, all as data.

Every term that the documents state or leave to convention lives here, so that operations
staff can read and change it in the admin. The arithmetic lives in `notes.domain`.
"""

from decimal import Decimal
from typing import Any, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from localflavor.us.models import USStateField
from localflavor.us.us_states import US_STATES
from stdnum import bic as stdnum_bic
from stdnum import cusip as stdnum_cusip
from stdnum.exceptions import ValidationError as StdnumValidationError

from exchange_office.audit import audit_trail
from exchange_office.stamps import Stamped


class DecimalSize(TypedDict):
    """A DecimalField's size, spread into the field: `models.DecimalField(**AMOUNT)`."""

    max_digits: int
    decimal_places: int


AMOUNT: DecimalSize = {"max_digits": 15, "decimal_places": 2}
RATE: DecimalSize = {"max_digits": 8, "decimal_places": 6}


def validate_cusip(value: str) -> None:
    try:
        stdnum_cusip.validate(value)
    except StdnumValidationError as exc:
        raise ValidationError(f"{value} is not a valid CUSIP: {exc}.") from None


# The exchange agent's identifier of the offer as a corporate action event: 16 characters at most
# (MT565's `:20C::CORP//` is 16x; seev.033's CorpActnEvtId allows 35), letters, digits and hyphens.
validate_agent_event_id = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9-]{0,15}$",
    "Up to 16 letters, digits or hyphens, starting with a letter or digit.",
)

# ISO 20022's and ISO 15022's event reference for an instruction sent before the account
# servicer has announced its own.
NO_EVENT_REFERENCE = "NONREF"


def validate_bic(value: str) -> None:
    """A business identifier code (ISO 9362): 8 or 11 characters, checked by python-stdnum."""
    try:
        stdnum_bic.validate(value)
    except StdnumValidationError:
        raise ValidationError(
            "A BIC is 8 or 11 letters and digits: bank (4 letters), country (2), location (2) "
            "and optionally a branch (3), e.g. EXOFUS33XXX.",
            code="invalid_bic",
        ) from None


validate_interest_dates = RegexValidator(
    r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(,\s*(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))*$",
    "Write month-day pairs separated by commas, e.g. 03-31, 06-30, 09-30, 12-31.",
)


class DayCount(models.TextChoices):
    THIRTY_360_US = "30/360 US", "30/360 US bond basis"


class BankingCalendar(models.TextChoices):
    XFED = "XFED", "New York banking days (Federal Reserve holidays and weekends closed)"


class Issuer(models.Model):
    name = models.CharField(max_length=200, unique=True)
    state_of_incorporation = models.CharField(max_length=100, blank=True)
    shares_outstanding = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Common shares outstanding, to put the warrants in scale."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Security(models.Model):
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="securities")
    name = models.CharField(max_length=200, help_text="As in the offering documents.")
    short_name = models.CharField(max_length=50, help_text='How people say it: "Old Notes".')
    cusip = models.CharField(
        "CUSIP",
        max_length=9,
        unique=True,
        validators=[validate_cusip],
        help_text="Nine characters.",
    )
    maturity_date = models.DateField()
    interest_dates = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_interest_dates],
        help_text="Month-day of each interest payment date, e.g. 03-31, 06-30, 09-30, 12-31.",
    )
    last_interest_paid_on = models.DateField(null=True, blank=True)
    day_count = models.CharField(
        max_length=20, choices=DayCount.choices, default=DayCount.THIRTY_360_US
    )
    minimum_denomination = models.DecimalField(
        **AMOUNT, default=Decimal("1000"), validators=[MinValueValidator(Decimal("0.01"))]
    )
    denomination_increment = models.DecimalField(
        **AMOUNT,
        default=Decimal("1000"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Amounts above the minimum go up in integral multiples of this.",
    )

    class Meta:
        ordering = ["issuer__name", "maturity_date"]
        verbose_name_plural = "securities"

    def __str__(self) -> str:
        return f"{self.name} (CUSIP {self.cusip})"

    def interest_month_days(self) -> tuple[tuple[int, int], ...]:
        """The interest dates as (month, day) pairs, in calendar order."""
        pairs = []
        for part in self.interest_dates.split(","):
            if part.strip():
                month, day = part.strip().split("-")
                pairs.append((int(month), int(day)))
        return tuple(sorted(pairs))


class RateStep(models.Model):
    """One step of a security's coupon: periods ending on or before `applies_through`."""

    security = models.ForeignKey(Security, on_delete=models.CASCADE, related_name="rate_steps")
    rate = models.DecimalField(
        **RATE, help_text="Per annum, as a decimal fraction: 0.14 means 14%."
    )
    applies_through = models.DateField(
        null=True,
        blank=True,
        help_text="Periods ending on or before this date accrue at this rate. "
        "Leave blank for the last step (until maturity).",
    )

    class Meta:
        ordering = [models.F("applies_through").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["security", "applies_through"], name="rate_step_unique_end"
            ),
            models.UniqueConstraint(
                fields=["security"],
                condition=Q(applies_through__isnull=True),
                name="rate_step_one_open_ended",
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0) & Q(rate__lt=1), name="rate_step_rate_is_a_fraction"
            ),
        ]

    def __str__(self) -> str:
        through = self.applies_through.isoformat() if self.applies_through else "maturity"
        return f"{self.rate * 100:.4g}% through {through}"


class OfferStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONSUMMATED = "consummated", "Consummated"
    TERMINATED = "terminated", "Terminated"


class WarrantRounding(models.TextChoices):
    UP = "up", "Round a fraction up to a whole warrant"
    DOWN = "down", "Round a fraction down"
    HALF_UP = "half_up", "Round half up"


class ExchangeOffer(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=300)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="offers")
    old_security = models.ForeignKey(
        Security, on_delete=models.PROTECT, related_name="offers_as_old"
    )
    new_security = models.ForeignKey(
        Security, on_delete=models.PROTECT, related_name="offers_as_new"
    )
    exchange_agent = models.CharField(max_length=200, blank=True)
    agent_event_id = models.CharField(
        "corporate action event ID",
        max_length=16,
        default=NO_EVENT_REFERENCE,
        db_default=NO_EVENT_REFERENCE,  # so that code written before this field can add an offer
        validators=[validate_agent_event_id],
        help_text="The account servicer's reference of the offer as a corporate action event "
        "(CORP in MT565, CorpActnEvtId in seev.033). NONREF, ISO's word for none, until "
        "operations enter the servicer's.",
    )
    servicer_bic = models.CharField(
        "account servicer's BIC",
        max_length=11,
        blank=True,
        validators=[validate_bic],
        help_text="The BIC of the account servicer (DTC) the participants send their "
        "instructions to: the receiver of every file for the agent (the AppHdr's To, MT565's "
        "block 2).",
    )
    outstanding_principal = models.DecimalField(
        **AMOUNT, validators=[MinValueValidator(Decimal("0.01"))]
    )
    record_date = models.DateField()
    commencement_date = models.DateField()
    expiration = models.DateTimeField(
        help_text="The instant the offer and withdrawal rights expire (New York time). "
        "12 midnight on Sep 4 is Sep 5 at 00:00."
    )
    status = models.CharField(max_length=20, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    consummation_date = models.DateField(null=True, blank=True)
    banking_calendar = models.CharField(
        max_length=10, choices=BankingCalendar.choices, default=BankingCalendar.XFED
    )
    # Consideration per unit ("for each $1,000 principal amount").
    unit_principal = models.DecimalField(
        **AMOUNT,
        default=Decimal("1000"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="The consideration is stated per this principal amount of Old Notes.",
    )
    accrual_start = models.DateField(help_text="Accrued interest runs from this date.")
    accrual_rate = models.DecimalField(
        **RATE, help_text="Per annum, as a decimal fraction: 0.1275 means 12 3/4%."
    )
    accrual_day_count = models.CharField(
        max_length=20, choices=DayCount.choices, default=DayCount.THIRTY_360_US
    )
    warrants_per_unit = models.DecimalField(
        max_digits=12, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    warrant_exercise_price = models.DecimalField(
        max_digits=12, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    warrant_expiry = models.DateField()
    warrant_rounding = models.CharField(
        max_length=10, choices=WarrantRounding.choices, default=WarrantRounding.UP
    )
    participation_fee_per_unit = models.DecimalField(
        **AMOUNT, validators=[MinValueValidator(Decimal("0"))]
    )
    minimum_tender_percent = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        help_text="Minimum condition: percent of the outstanding principal validly tendered.",
    )

    history = audit_trail()

    class Meta:
        ordering = ["-commencement_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_tender_percent__gte=0) & Q(minimum_tender_percent__lte=100),
                name="offer_minimum_percent_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(old_security=models.F("new_security")),
                name="offer_old_and_new_security_differ",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.old_security_id and self.old_security_id == self.new_security_id:
            raise ValidationError({"new_security": "The New Notes must differ from the Old Notes."})
        if (
            self.commencement_date
            and self.expiration
            and self.expiration.date() < self.commencement_date
        ):
            raise ValidationError({"expiration": "The offer cannot expire before it commences."})


class FeeInstallment(models.Model):
    offer = models.ForeignKey(
        ExchangeOffer, on_delete=models.CASCADE, related_name="fee_installments"
    )
    sequence = models.PositiveSmallIntegerField()
    scheduled_date = models.DateField(
        null=True,
        blank=True,
        help_text="Leave blank for an installment paid on the consummation date.",
    )
    amount_per_unit = models.DecimalField(**AMOUNT, validators=[MinValueValidator(Decimal("0.01"))])

    history = audit_trail()

    class Meta:
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "sequence"], name="fee_installment_sequence"),
            models.CheckConstraint(
                condition=Q(amount_per_unit__gt=0), name="fee_installment_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        when = self.scheduled_date.isoformat() if self.scheduled_date else "on consummation"
        return f"Installment {self.sequence}: {self.amount_per_unit} per unit, {when}"


class OfferCondition(models.Model):
    """A condition besides the minimum tender (which is judged from the tabulation)."""

    offer = models.ForeignKey(ExchangeOffer, on_delete=models.CASCADE, related_name="conditions")
    sequence = models.PositiveSmallIntegerField(default=1)
    description = models.CharField(max_length=300)
    is_satisfied = models.BooleanField("met", default=False)
    satisfied_on = models.DateField("met on", null=True, blank=True)
    note = models.TextField(blank=True)
    is_waived = models.BooleanField("waived", default=False)
    waiver_reason = models.TextField(blank=True)

    history = audit_trail()

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(is_satisfied=True) & Q(is_waived=True)),
                name="offer_condition_met_or_waived_not_both",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_cleared(self) -> bool:
        """Met or waived: it no longer stands in the way of consummation."""
        return self.is_satisfied or self.is_waived


class ExcludedJurisdiction(models.Model):
    """A state whose statute prohibits the offer: accounts domiciled there cannot tender."""

    offer = models.ForeignKey(
        ExchangeOffer, on_delete=models.CASCADE, related_name="excluded_jurisdictions"
    )
    state = USStateField(choices=US_STATES)
    reason = models.CharField(max_length=300, blank=True, help_text="The statute, if known.")
    added_at = models.DateTimeField(auto_now_add=True)

    history = audit_trail()

    class Meta:
        ordering = ["state"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "state"], name="excluded_jurisdiction_once")
        ]

    def __str__(self) -> str:
        return self.get_state_display()


class OfferEventKind(models.TextChoices):
    EXTENDED = "extended", "Extended"
    TERMS_AMENDED = "terms_amended", "Terms amended"
    CONDITION_MET = "condition_met", "Condition met"
    CONDITION_WAIVED = "condition_waived", "Condition waived"
    AGENT_REPORT = "agent_report", "Exchange agent's total recorded"
    TERMINATED = "terminated", "Terminated"
    CONSUMMATED = "consummated", "Consummated"


class OfferEvent(Stamped):
    """One step in the offer's life, as operations took it: who, why, when by both clocks, and
    what changed. The offer's own fields hold where it stands now (its current expiration);
    these rows are how it got there, shown as a timeline on the offer's page. Never changed."""

    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=OfferEventKind.choices)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # An extension: the expiration it replaced and the one it set, and its public announcement
    # (Rule 14e-1(d): by 9:00 a.m. Eastern on the next business day after the old expiration).
    previous_expiration = models.DateTimeField(null=True, blank=True)
    new_expiration = models.DateTimeField(null=True, blank=True)
    announcement = models.TextField(blank=True)
    announcement_deadline = models.DateTimeField(null=True, blank=True)
    # Anything else the step changed: {"accrual_rate": ["0.127500", "0.130000"], ...}
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["offer", "business_at", "id"]
        verbose_name = "offer event"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.offer.slug}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The offer's record of what happened: written once, never rewritten.
        if self.pk is not None:
            raise ValueError("An offer event is never changed.")
        super().save(*args, **kwargs)


class AgentReport(Stamped):
    """The exchange agent's reported total tendered for the whole issue (holders outside the
    office included), as operations entered it: the tabulation shows it beside the office's own
    total held by the agent and judges the minimum condition on the latest report (the
    office's figure never overrides a lower one). Never changed; a new report is entered
    instead."""

    offer = models.ForeignKey(ExchangeOffer, on_delete=models.PROTECT, related_name="agent_reports")
    as_of = models.DateField("as of", help_text="The date the agent's figure is as of.")
    tendered_principal = models.DecimalField(
        **AMOUNT,
        help_text="Principal tendered and not withdrawn, for the whole issue: whole units.",
    )
    source = models.CharField(
        max_length=300,
        help_text="Where the figure comes from, e.g. the agent's tender report by fax.",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["offer", "-as_of", "-business_at", "-id"]
        verbose_name = "exchange agent's report"
        verbose_name_plural = "exchange agent's reports"
        constraints = [
            models.CheckConstraint(
                condition=Q(tendered_principal__gt=0), name="agent_report_tendered_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer.slug}: {self.tendered_principal:,} as of {self.as_of.isoformat()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # What the agent reported on a day: written once, never rewritten.
        if self.pk is not None:
            raise ValueError("An agent's report is never changed.")
        super().save(*args, **kwargs)
