"""Writes on the issuer's side."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from exchange_office import clock
from exchange_office.formatting import dollars, long_date
from exchange_office.stamps import stamped
from notes.models import (
    AgentReport,
    ExchangeOffer,
    FeeInstallment,
    Issuer,
    OfferCondition,
    OfferEvent,
    OfferEventKind,
    RateStep,
    Security,
)
from notes.permissions import may_record_agent_report
from notes.seed_offers import SEED_OFFERS


class UnknownSeedOffer(LookupError):
    pass


def _security_get_or_create(*, issuer: Issuer, spec: dict) -> Security:
    fields = {k: v for k, v in spec.items() if k not in {"cusip", "rate_steps"}}
    security, created = Security.objects.get_or_create(
        cusip=spec["cusip"], defaults={"issuer": issuer, **fields}
    )
    if created:
        for rate, applies_through in spec["rate_steps"]:
            RateStep.objects.create(security=security, rate=rate, applies_through=applies_through)
    return security


@transaction.atomic
def offer_load_seed(*, slug: str) -> ExchangeOffer:
    """Load a known offer's terms as data; existing rows are left as operations edited them."""
    try:
        spec = SEED_OFFERS[slug]
    except KeyError:
        known = ", ".join(sorted(SEED_OFFERS))
        raise UnknownSeedOffer(f"no seed offer {slug!r}; known: {known}") from None

    issuer_spec = spec["issuer"]
    issuer, _ = Issuer.objects.get_or_create(
        name=issuer_spec["name"],
        defaults={k: v for k, v in issuer_spec.items() if k != "name"},
    )
    old_security = _security_get_or_create(issuer=issuer, spec=spec["old_security"])
    new_security = _security_get_or_create(issuer=issuer, spec=spec["new_security"])
    offer_fields = {k: v for k, v in spec["offer"].items() if k != "slug"}
    offer, created = ExchangeOffer.objects.get_or_create(
        slug=spec["offer"]["slug"],
        defaults={
            "issuer": issuer,
            "old_security": old_security,
            "new_security": new_security,
            **offer_fields,
        },
    )
    if not created:
        # Terms added after the offer was first loaded: filled in once, never overwritten.
        added = [
            name
            for name in ("agent_event_id", "servicer_bic")
            if not getattr(offer, name) and offer_fields.get(name)
        ]
        for name in added:
            setattr(offer, name, offer_fields[name])
        if added:
            offer.save(update_fields=added)
    if created:
        offer.full_clean()
        FeeInstallment.objects.bulk_create(
            FeeInstallment(
                offer=offer, sequence=sequence, scheduled_date=scheduled, amount_per_unit=amount
            )
            for sequence, scheduled, amount in spec["fee_installments"]
        )
        OfferCondition.objects.bulk_create(
            OfferCondition(offer=offer, sequence=number, description=description)
            for number, description in enumerate(spec["conditions"], start=1)
        )
    return offer


def _agent_report_errors(
    offer: ExchangeOffer, as_of: date, tendered_principal: Decimal, source: str
) -> dict[str, str]:
    errors = {}
    if not source:
        errors["source"] = "Say where the figure comes from (the agent's report, and how it came)."
    unit, outstanding = offer.unit_principal, offer.outstanding_principal
    if not isinstance(tendered_principal, Decimal) or not tendered_principal.is_finite():
        errors["tendered_principal"] = "Give the principal amount the agent reports, in dollars."
    elif tendered_principal <= 0 or tendered_principal % unit:
        errors["tendered_principal"] = (
            f"Give a positive whole multiple of {dollars(unit)}, not {dollars(tendered_principal)}."
        )
    elif tendered_principal > outstanding:
        errors["tendered_principal"] = (
            f"{dollars(tendered_principal)} is more than the {dollars(outstanding)} outstanding."
        )
    if as_of > clock.today():
        errors["as_of"] = (
            f"{long_date(as_of)} is still to come: the business clock says "
            f"{long_date(clock.today())}."
        )
    elif as_of < offer.commencement_date:
        errors["as_of"] = (
            f"The offer commenced on {long_date(offer.commencement_date)}: nothing was tendered "
            f"on {long_date(as_of)}."
        )
    return errors


@transaction.atomic
def agent_report_record(
    *, offer: ExchangeOffer, as_of: date, tendered_principal: Decimal, source: str, by: User
) -> AgentReport:
    """Record the exchange agent's reported total tendered for the whole issue (holders outside
    the office included), and put it on the offer's timeline. The tabulation judges the minimum
    condition on it when it is larger than the office's own total."""
    if not may_record_agent_report(user=by):
        raise PermissionDenied("Only operations staff record the exchange agent's totals.")
    offer = ExchangeOffer.objects.select_for_update().get(pk=offer.pk)
    source = source.strip()
    errors = _agent_report_errors(offer, as_of, tendered_principal, source)
    if errors:
        raise ValidationError(errors)
    at = stamped()  # the report and its event, one moment
    report = AgentReport(
        offer=offer,
        as_of=as_of,
        tendered_principal=tendered_principal,
        source=source,
        entered_by=by,
        **at,
    )
    report.full_clean()
    report.save()
    OfferEvent.objects.create(
        offer=offer,
        kind=OfferEventKind.AGENT_REPORT,
        reason=f"The exchange agent reports {dollars(tendered_principal)} tendered as of "
        f"{long_date(as_of)} ({source}).",
        by=by,
        **at,
        changes={
            "tendered_principal": f"{tendered_principal:.2f}",
            "as_of": as_of.isoformat(),
            "source": source,
        },
    )
    return report
