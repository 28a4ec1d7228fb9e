"""Reads on the issuer's side, and the bridge from the offer's rows to the pure engine."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from notes.domain.calendar import BankingCalendar, banking_calendar
from notes.domain.deadlines import expected_consummation_date
from notes.domain.entitlement import Entitlement, InvalidConsummationDate, compute_entitlement
from notes.domain.terms import (
    FeeInstallmentTerm,
    InvalidTerms,
    NewNotesTerms,
    OfferTerms,
    RateStep,
    WarrantRounding,
)
from notes.models import (
    AgentReport,
    ExchangeOffer,
    FeeInstallment,
    OfferEvent,
    OfferEventKind,
    OfferStatus,
)
from notes.models import RateStep as RateStepRow


def offers_with_terms() -> QuerySet[ExchangeOffer]:
    """Offers with everything `offer_terms` reads, in a fixed number of queries."""
    return ExchangeOffer.objects.select_related(
        "issuer", "old_security", "new_security"
    ).prefetch_related(
        Prefetch("fee_installments", queryset=FeeInstallment.objects.order_by("sequence")),
        Prefetch("new_security__rate_steps", queryset=RateStepRow.objects.all()),
    )


def offer_by_slug(*, slug: str) -> ExchangeOffer:
    return offers_with_terms().get(slug=slug)


def offer_terms(*, offer: ExchangeOffer) -> OfferTerms:
    """The offer's terms as the engine's frozen value (raises InvalidTerms if unusable)."""
    new_notes = offer.new_security
    return OfferTerms(
        unit_principal=offer.unit_principal,
        outstanding_principal=offer.outstanding_principal,
        accrual_start=offer.accrual_start,
        accrual_rate=offer.accrual_rate,
        warrants_per_unit=offer.warrants_per_unit,
        warrant_rounding=WarrantRounding(offer.warrant_rounding),
        participation_fee_per_unit=offer.participation_fee_per_unit,
        fee_installments=tuple(
            FeeInstallmentTerm(
                sequence=row.sequence,
                scheduled_date=row.scheduled_date,
                amount_per_unit=row.amount_per_unit,
            )
            for row in offer.fee_installments.all()
        ),
        minimum_tender_percent=offer.minimum_tender_percent,
        new_notes=NewNotesTerms(
            rate_steps=tuple(
                RateStep(rate=row.rate, applies_through=row.applies_through)
                for row in new_notes.rate_steps.all()
            ),
            interest_dates=new_notes.interest_month_days(),
            maturity=new_notes.maturity_date,
        ),
        calendar_code=offer.banking_calendar,
    )


def offer_calendar(*, offer: ExchangeOffer) -> BankingCalendar:
    return banking_calendar(offer.banking_calendar)


def offer_consummation_date(*, offer: ExchangeOffer) -> tuple[date, bool]:
    """The consummation date and whether it is only projected (not yet consummated)."""
    if offer.status == OfferStatus.CONSUMMATED and offer.consummation_date:
        return offer.consummation_date, False
    return expected_consummation_date(offer.expiration, offer_calendar(offer=offer)), True


def current_offer() -> ExchangeOffer | None:
    """The offer the representatives' pages are about: the newest open one, else the newest."""
    offers = ExchangeOffer.objects.select_related("issuer", "old_security", "new_security")
    return (
        offers.filter(status=OfferStatus.OPEN).order_by("-commencement_date").first()
        or offers.order_by("-commencement_date").first()
    )


@dataclass(frozen=True, slots=True)
class Projection:
    """The engine's figures for a principal, assuming consummation on the first banking day
    after the expiration day; or why they cannot be computed."""

    consummation_date: date
    entitlement: Entitlement | None
    error: str = ""


def offer_projected_entitlement(*, offer: ExchangeOffer, principal: Decimal) -> Projection:
    consummation = expected_consummation_date(offer.expiration, offer_calendar(offer=offer))
    try:
        entitlement = compute_entitlement(offer_terms(offer=offer), principal, consummation)
    except (InvalidTerms, InvalidConsummationDate, ValueError) as exc:
        return Projection(consummation, None, str(exc))
    return Projection(consummation, entitlement)


def agent_reports(*, offer: ExchangeOffer) -> QuerySet[AgentReport]:
    """The exchange agent's reported totals for the offer, the latest first (by the date the
    figure is as of, then by when it was entered)."""
    return (
        AgentReport.objects.filter(offer=offer)
        .select_related("entered_by")
        .order_by("-as_of", "-business_at", "-id")
    )


def latest_agent_report(*, offer: ExchangeOffer) -> AgentReport | None:
    return agent_reports(offer=offer).first()


# The steps after which the client letter is written again: the dates or the terms changed.
LETTER_EVENTS = (OfferEventKind.EXTENDED, OfferEventKind.TERMS_AMENDED)


def offer_last_change(offer: ExchangeOffer) -> OfferEvent | None:
    """The offer's last extension or amendment of the terms, if any: the occasion of the
    current client letter and of the link it carries."""
    return (
        OfferEvent.objects.filter(offer=offer, kind__in=LETTER_EVENTS)
        .order_by("-business_at", "-id")
        .first()
    )
