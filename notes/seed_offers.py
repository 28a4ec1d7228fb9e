"""Offers known from their public documents, as data to load (`manage.py load_offer`).

Lexington Precision 2001: the broker's letter "To Our Clients" (seeds/000_...) and the issuer's
press release (seeds/002_...); conventions from ../shared/domain.md are marked as such.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")

LEXINGTON_2001: dict[str, Any] = {
    "issuer": {
        "name": "Lexington Precision Corporation",
        "state_of_incorporation": "Delaware",
        "shares_outstanding": 4_828_036,
    },
    "old_security": {
        "cusip": "529529AA7",
        "name": "12 3/4% Senior Subordinated Notes due February 1, 2000",
        "short_name": "Old Notes",
        "maturity_date": date(2000, 2, 1),
        "interest_dates": "02-01, 08-01",
        "last_interest_paid_on": date(1999, 8, 1),
        "minimum_denomination": Decimal("1000"),  # convention
        "denomination_increment": Decimal("1000"),  # convention
        "rate_steps": [(Decimal("0.1275"), None)],
    },
    "new_security": {
        "cusip": "529529AC3",
        "name": "Increasing Rate Senior Subordinated Notes due December 31, 2004",
        "short_name": "New Notes",
        "maturity_date": date(2004, 12, 31),
        "interest_dates": "03-31, 06-30, 09-30, 12-31",
        "last_interest_paid_on": None,
        "minimum_denomination": Decimal("1000"),
        "denomination_increment": Decimal("1000"),
        # 14% from consummation to Dec 31, 2001; 15% thereafter.
        "rate_steps": [(Decimal("0.14"), date(2001, 12, 31)), (Decimal("0.15"), None)],
    },
    "offer": {
        "slug": "lexington-2001",
        "name": "Lexington Precision exchange offer for its 12 3/4% Senior Subordinated Notes",
        "exchange_agent": "Wilmington Trust Company",
        # The documents give no event reference (the account servicer assigns it): NONREF,
        # ISO's word for none, until operations enter the servicer's in the admin.
        "agent_event_id": "NONREF",
        # The account servicer (DTC) the participants send to: a plainly fictional BIC (DEM...
        # for demo; a location code ending in 0 is SWIFT's mark of a test BIC).
        "servicer_bic": "DEMDUS30",
        "outstanding_principal": Decimal("27412000"),
        "record_date": date(2001, 8, 2),
        "commencement_date": date(2001, 8, 6),
        # 12 midnight New York City time on September 4, 2001.
        "expiration": datetime(2001, 9, 5, 0, 0, tzinfo=NEW_YORK),
        "banking_calendar": "XFED",
        "unit_principal": Decimal("1000"),
        "accrual_start": date(1999, 8, 1),
        "accrual_rate": Decimal("0.1275"),
        "accrual_day_count": "30/360 US",
        "warrants_per_unit": Decimal("5.45"),
        "warrant_exercise_price": Decimal("2.273"),
        "warrant_expiry": date(2004, 12, 31),
        "warrant_rounding": "up",  # convention
        "participation_fee_per_unit": Decimal("30"),
        "minimum_tender_percent": Decimal("99"),
    },
    # (sequence, scheduled date or None for "on the consummation date", amount per $1,000)
    "fee_installments": [
        (1, None, Decimal("10")),
        (2, date(2001, 9, 30), Decimal("10")),
        (3, date(2001, 12, 31), Decimal("10")),
    ],
    # As the letter "To Our Clients" states them (seed 000, point 3), the other debt broken
    # down as the press release does (seed 002): each reads as a clause of the letter's
    # sentence "conditioned upon, among other things, (i) ...; (ii) ...; and (iii) ...".
    "conditions": [
        "the Company's completion of senior, secured financing arrangements, on terms "
        "acceptable to the Company, that provide the Company with financing that it believes "
        "to be adequate for the operation of its business following the consummation of the "
        "Exchange Offer",
        "the Company's agreement, on terms satisfactory to it, with the holder of its senior, "
        "unsecured note on an extension of the maturity date of that note",
        "the Company's agreement, on terms satisfactory to it, with certain of its trade "
        "creditors on extensions of certain of its past-due accounts payable",
    ],
}

SEED_OFFERS: dict[str, dict[str, Any]] = {"lexington-2001": LEXINGTON_2001}
