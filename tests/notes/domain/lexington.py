"""The Lexington Precision 2001 exchange offer terms, as the tests use them."""

import dataclasses
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from notes.domain.deadlines import NEW_YORK
from notes.domain.terms import (
    FeeInstallmentTerm,
    NewNotesTerms,
    OfferTerms,
    RateStep,
    WarrantRounding,
)

QUARTERLY = ((3, 31), (6, 30), (9, 30), (12, 31))

NEW_NOTES = NewNotesTerms(
    rate_steps=(
        RateStep(rate=Decimal("0.14"), applies_through=date(2001, 12, 31)),
        RateStep(rate=Decimal("0.15"), applies_through=None),
    ),
    interest_dates=QUARTERLY,
    maturity=date(2004, 12, 31),
)

FEE_INSTALLMENTS = (
    FeeInstallmentTerm(sequence=1, scheduled_date=None, amount_per_unit=Decimal("10")),
    FeeInstallmentTerm(sequence=2, scheduled_date=date(2001, 9, 30), amount_per_unit=Decimal("10")),
    FeeInstallmentTerm(
        sequence=3, scheduled_date=date(2001, 12, 31), amount_per_unit=Decimal("10")
    ),
)

# 12 midnight New York time on Sep 4, 2001, and the first extension.
ORIGINAL_EXPIRATION = datetime(2001, 9, 5, 0, 0, tzinfo=NEW_YORK)
FIRST_EXTENSION = datetime(2001, 9, 17, 17, 0, tzinfo=NEW_YORK)
ORIGINAL_CONSUMMATION = date(2001, 9, 5)
ONE_DAY_BEFORE_AT_FIVE = time(17, 0)


def lexington_terms(**overrides: Any) -> OfferTerms:
    """The 2001 offer's terms; keyword overrides replace single fields."""
    terms = OfferTerms(
        unit_principal=Decimal("1000"),
        outstanding_principal=Decimal("27412000"),
        accrual_start=date(1999, 8, 1),
        accrual_rate=Decimal("0.1275"),
        warrants_per_unit=Decimal("5.45"),
        warrant_rounding=WarrantRounding.UP,
        participation_fee_per_unit=Decimal("30"),
        fee_installments=FEE_INSTALLMENTS,
        minimum_tender_percent=Decimal("99"),
        new_notes=NEW_NOTES,
    )
    return dataclasses.replace(terms, **overrides) if overrides else terms


LEXINGTON = lexington_terms()
