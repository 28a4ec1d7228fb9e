"""Operations staff read and change the offer's terms here, grouped as the press release reads,
with a worked example per $1,000 computed by the engine from the saved terms."""

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from exchange_office.admin_mixins import ReadOnlyAdminMixin, ReadOnlyHistoryAdmin
from exchange_office.formatting import money
from notes.domain.calendar import banking_calendar
from notes.domain.deadlines import expected_consummation_date, expiration_day
from notes.domain.entitlement import (
    InvalidConsummationDate,
    compute_entitlement,
    minimum_condition,
    warrants_if_all_tendered,
)
from notes.domain.terms import FeeInstallmentTerm, InvalidTerms, NewNotesTerms, RateStep
from notes.models import (
    AgentReport,
    ExchangeOffer,
    ExcludedJurisdiction,
    FeeInstallment,
    Issuer,
    OfferCondition,
    Security,
)
from notes.models import RateStep as RateStepRow
from notes.selectors import offer_consummation_date, offer_terms, offers_with_terms


def _live_forms(formset: BaseInlineFormSet) -> list:
    return [
        form
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
    ]


class RateStepFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        security = self.instance
        steps = sorted(
            (
                RateStep(
                    rate=f.cleaned_data["rate"],
                    applies_through=f.cleaned_data.get("applies_through"),
                )
                for f in _live_forms(self)
            ),
            key=lambda s: (s.applies_through is None, s.applies_through),
        )
        try:
            NewNotesTerms(
                rate_steps=tuple(steps),
                interest_dates=security.interest_month_days() or ((12, 31),),
                maturity=security.maturity_date,
            )
        except InvalidTerms as exc:
            raise ValidationError(str(exc).capitalize() + ".") from None


class TermsInline(admin.TabularInline):
    """An inline that is part of the terms: read-only once its parent's terms are locked (the
    parent's admin says when, through `terms_locked`)."""

    def _locked(self, obj: Any) -> bool:
        terms_locked = getattr(
            self.admin_site._registry.get(self.parent_model), "terms_locked", None
        )
        return obj is not None and terms_locked is not None and bool(terms_locked(obj))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class RateStepInline(TermsInline):
    model = RateStepRow
    formset = RateStepFormSet
    extra = 0
    min_num = 1


@admin.register(Issuer)
class IssuerAdmin(admin.ModelAdmin):
    list_display = ["name", "state_of_incorporation", "shares_outstanding"]
    search_fields = ["name"]


# A security's coupon and denominations are terms of the offers it is part of.
SECURITY_TERMS = [
    "issuer",
    "cusip",
    "maturity_date",
    "interest_dates",
    "last_interest_paid_on",
    "day_count",
    "minimum_denomination",
    "denomination_increment",
]


# Registered once, by the broker's side (`tenders.offers.admin`): it says when terms are locked
# (`terms_locked`) and adds the offer's actions, and `notes` does not import `tenders`.
class SecurityAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "cusip", "maturity_date", "issuer"]
    list_select_related = ["issuer"]
    search_fields = ["name", "cusip"]
    inlines = [RateStepInline]
    fieldsets = [
        (None, {"fields": ["issuer", "name", "short_name", "cusip"]}),
        (
            "Interest",
            {
                "fields": ["maturity_date", "interest_dates", "last_interest_paid_on", "day_count"],
                "description": "Rate steps are below: a period ending on or before a step's "
                "date accrues at its rate.",
            },
        ),
        ("Denominations", {"fields": ["minimum_denomination", "denomination_increment"]}),
    ]

    def terms_locked(self, security: Security) -> bool:
        """Whether an offer's terms that use this security are locked (the broker side says;
        here nothing is)."""
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        locked = obj is not None and self.terms_locked(obj)
        return [*super().get_readonly_fields(request, obj), *(SECURITY_TERMS if locked else [])]


class FeeInstallmentFormSet(BaseInlineFormSet):
    """The installments must add up to the participation fee per unit."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        fee = self.instance.participation_fee_per_unit
        installments = sorted(
            (
                FeeInstallmentTerm(
                    sequence=f.cleaned_data["sequence"],
                    scheduled_date=f.cleaned_data.get("scheduled_date"),
                    amount_per_unit=f.cleaned_data["amount_per_unit"],
                )
                for f in _live_forms(self)
            ),
            key=lambda i: i.sequence,
        )
        total = sum((i.amount_per_unit for i in installments), Decimal(0))
        if fee is not None and total != fee:
            raise ValidationError(
                f"The installments add up to {money(total)} per unit, but the participation fee "
                f"is {money(fee)} per unit."
            )


class FeeInstallmentInline(TermsInline):
    model = FeeInstallment
    formset = FeeInstallmentFormSet
    extra = 0
    verbose_name = "participation-fee installment"


class OfferConditionInline(admin.TabularInline):
    model = OfferCondition
    extra = 0
    fields = ["sequence", "description", "is_satisfied", "satisfied_on", "note"]
    verbose_name = "other condition"
    verbose_name_plural = "other conditions (besides the minimum tender)"


class ExcludedJurisdictionInline(admin.TabularInline):
    model = ExcludedJurisdiction
    extra = 0
    fields = ["state", "reason", "added_at"]
    readonly_fields = ["added_at"]
    verbose_name_plural = "excluded jurisdictions (accounts domiciled there cannot tender)"


# Where the offer stands: changed only by its lifecycle actions (consummate; extend and
# terminate come with the lifecycle issue), never typed into the form.
OFFER_LIFECYCLE = ["status", "consummation_date"]
# The terms every projection and receipt rests on: locked once an instruction exists (an
# audited "amend the terms" action with a reason comes with the lifecycle issue).
OFFER_TERMS = [
    "issuer",
    "old_security",
    "new_security",
    "outstanding_principal",
    "unit_principal",
    "accrual_start",
    "accrual_rate",
    "accrual_day_count",
    "warrants_per_unit",
    "warrant_rounding",
    "warrant_exercise_price",
    "warrant_expiry",
    "participation_fee_per_unit",
    "minimum_tender_percent",
    "record_date",
    "commencement_date",
    "banking_calendar",
]


# Registered once, by the broker's side (`tenders.offers.admin`), with its actions.
class ExchangeOfferAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "slug", "status", "expiration", "consummation_date"]
    list_filter = ["status"]
    list_select_related = ["issuer"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FeeInstallmentInline, OfferConditionInline, ExcludedJurisdictionInline]
    readonly_fields = ["worked_example", "timeline"]
    fieldsets = [
        (
            "Timeline",
            {
                "fields": ["timeline"],
                "description": "Extensions, amendments, conditions, termination and "
                "consummation, as operations recorded them (the actions on the offer list).",
            },
        ),
        (
            "Worked example per $1,000",
            {
                "fields": ["worked_example"],
                "description": "Computed from the saved terms: save to see a change here.",
            },
        ),
        (
            "Securities",
            {
                "fields": [
                    "name",
                    "slug",
                    "issuer",
                    "old_security",
                    "new_security",
                    "outstanding_principal",
                    "exchange_agent",
                    "servicer_bic",
                    "agent_event_id",
                ]
            },
        ),
        (
            "Consideration per unit",
            {
                "fields": [
                    "unit_principal",
                    ("accrual_start", "accrual_rate", "accrual_day_count"),
                    ("warrants_per_unit", "warrant_rounding"),
                    ("warrant_exercise_price", "warrant_expiry"),
                ],
                "description": "New Notes for the unit plus accrued interest from the accrual "
                "start through the day before consummation, warrants, and the fee below.",
            },
        ),
        (
            "Participation fee",
            {
                "fields": ["participation_fee_per_unit"],
                "description": "Paid in the installments listed below; an installment "
                "scheduled on or before consummation is paid on the consummation date.",
            },
        ),
        ("Minimum condition", {"fields": ["minimum_tender_percent"]}),
        (
            "Dates",
            {
                "fields": [
                    "record_date",
                    "commencement_date",
                    "expiration",
                    "status",
                    "consummation_date",
                    "banking_calendar",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExchangeOffer]:
        return offers_with_terms()

    def terms_locked(self, offer: ExchangeOffer) -> bool:
        """Whether instructions rest on the offer's terms (the broker side says; here none)."""
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = [*super().get_readonly_fields(request, obj), *OFFER_LIFECYCLE]
        if obj is not None:
            fields.append("expiration")  # set when the offer is created; then only extended
            if self.terms_locked(obj):
                fields += OFFER_TERMS
        return fields

    @admin.display(description="Timeline")
    def timeline(self, offer: ExchangeOffer) -> SafeString | str:
        if offer.pk is None:
            return "Nothing yet."
        events = offer.events.select_related("by").order_by("business_at", "id")
        rows = [(event, _change_lines(event.changes)) for event in events]
        return render_to_string("admin/notes/timeline.html", {"offer": offer, "rows": rows})

    @admin.display(description="Worked example")
    def worked_example(self, offer: ExchangeOffer) -> SafeString | str:
        if offer.pk is None:
            return "Save the offer to see its worked example."
        return render_to_string("admin/notes/worked_example.html", worked_example_context(offer))


def _change_lines(changes: dict[str, Any]) -> list[str]:
    """An event's changes as lines: "accrual_rate: 0.1275 → 0.13", "condition: …"."""
    lines = []
    for name, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            lines.append(f"{name}: {value[0]} → {value[1]}")
        else:
            lines.append(f"{name}: {value}")
    return lines


def worked_example_context(offer: ExchangeOffer) -> dict[str, object]:
    """What one unit of Old Notes brings, and the offer-level figures, from the engine."""
    try:
        terms = offer_terms(offer=offer)
        consummation, projected = offer_consummation_date(offer=offer)
        entitlement = compute_entitlement(terms, terms.unit_principal, consummation)
    except (InvalidTerms, InvalidConsummationDate) as exc:
        return {"error": str(exc)}
    calendar = banking_calendar(terms.calendar_code)
    return {
        "offer": offer,
        "terms": terms,
        "e": entitlement,
        "projected": projected,
        "expiration_day": expiration_day(offer.expiration),
        "expected_consummation": expected_consummation_date(offer.expiration, calendar),
        "minimum": minimum_condition(terms),
        "warrant_totals": warrants_if_all_tendered(terms),
        "first_coupons": entitlement.coupons[:3],
    }


@admin.register(AgentReport)
class AgentReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The exchange agent's reported totals, as operations entered them on the offer's
    tabulation page (where a new one is recorded): never changed or deleted."""

    list_display = ["offer", "as_of", "tendered_principal", "source", "entered_by", "business_at"]
    list_filter = ["offer"]
    list_select_related = ["offer", "entered_by"]
    date_hierarchy = "as_of"
    fields = [
        "offer",
        "as_of",
        "tendered_principal",
        "source",
        "entered_by",
        "business_at",
        "wall_at",
    ]
