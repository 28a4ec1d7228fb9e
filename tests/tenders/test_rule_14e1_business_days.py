"""The offer's Rule 14e-1 deadlines count the SEC's business days, not the banking days: Fri
Dec 24, 2004 observed Christmas (a Saturday) for federal offices while the Fed was open."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from notes.models import ExchangeOffer
from tenders.offers.lifecycle import offer_extend, terms_change_check
from tests.tenders.conftest import NY

pytestmark = pytest.mark.django_db

THURSDAY_DEC_23_2004_AT_FIVE = datetime(2004, 12, 23, 17, 0, tzinfo=NY)


def test_an_extension_is_still_recorded_after_nine_on_a_friday_observing_a_federal_holiday(
    offer: ExchangeOffer, ops: Any, at: Any
) -> None:
    offer.expiration = THURSDAY_DEC_23_2004_AT_FIVE
    offer.save(update_fields=["expiration"])
    at(datetime(2004, 12, 24, 10, 0, tzinfo=NY))  # on banking days, too late since 9:00
    event = offer_extend(
        offer=offer,
        new_expiration=datetime(2004, 12, 27, 17, 0, tzinfo=NY),
        reason="r",
        announcement="a",
        by=ops,
    )
    assert event.announcement_deadline == datetime(2004, 12, 27, 9, 0, tzinfo=NY)


def test_a_change_announced_before_a_friday_observing_a_federal_holiday_does_not_count_it(
    offer: ExchangeOffer, at: Any
) -> None:
    at(datetime(2004, 12, 23, 10, 0, tzinfo=NY))
    change = terms_change_check(offer=offer, changes={"minimum_tender_percent": Decimal("95")})
    # Dec 23, 27, 28, 29, 30: open until 12 midnight ending Thursday Dec 30.
    assert change.earliest_expiration == datetime(2004, 12, 31, 0, 0, tzinfo=NY)
