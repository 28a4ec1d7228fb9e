"""Writes on the issuer's side."""

from django.db import transaction

from notes.models import (
    ExchangeOffer,
    FeeInstallment,
    Issuer,
    OfferCondition,
    RateStep,
    Security,
)
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
