"""Which payments an offer makes after its consummation, on which dates, to whom of record,
and how much (docs/rules.md "Payment runs"): the worked figures of domain.md."""

from datetime import date
from decimal import Decimal

import pytest

from tenders.domain.payments import (
    NotAPaymentDate,
    coupon_paid_on,
    fees_paid_on,
    payment_date_of,
    payment_dates,
    payments_due,
    record_date,
    why_moved,
)
from tests.notes.domain.lexington import LEXINGTON

SEP_5 = date(2001, 9, 5)
NOV_1 = date(2001, 11, 1)
OCT_1 = date(2001, 10, 1)
DEC_31 = date(2001, 12, 31)


def test_the_first_coupon_after_a_sep_5_consummation_is_25_days_at_14_percent_paid_oct_1() -> None:
    coupon = coupon_paid_on(LEXINGTON, Decimal("158380.00"), SEP_5, OCT_1)
    assert coupon is not None
    assert (coupon.days, coupon.rate, coupon.amount) == (25, Decimal("0.14"), Decimal("1539.81"))
    assert coupon.period_end == date(2001, 9, 30)


def test_the_dec_31_coupon_after_a_sep_5_consummation_is_90_days_at_14_percent() -> None:
    coupon = coupon_paid_on(LEXINGTON, Decimal("158380.00"), SEP_5, DEC_31)
    assert coupon is not None
    assert (coupon.days, coupon.amount) == (90, Decimal("5543.30"))


def test_the_dec_31_coupon_after_a_nov_1_consummation_is_60_days_on_617_702_40() -> None:
    coupon = coupon_paid_on(LEXINGTON, Decimal("617702.40"), NOV_1, DEC_31)
    assert coupon is not None
    assert (coupon.days, coupon.rate, coupon.amount) == (60, Decimal("0.14"), Decimal("14413.06"))


def test_installment_3_on_dec_31_is_4_800_for_480_000_accepted() -> None:
    (fee,) = fees_paid_on(LEXINGTON, Decimal("480000"), NOV_1, DEC_31)
    assert (fee.sequence, fee.amount) == (3, Decimal("4800.00"))


def test_installment_2_after_a_sep_5_consummation_is_paid_monday_oct_1() -> None:
    (fee,) = fees_paid_on(LEXINGTON, Decimal("480000"), SEP_5, OCT_1)
    assert (fee.sequence, fee.scheduled_date, fee.payment_date) == (2, date(2001, 9, 30), OCT_1)


def test_an_installment_whose_date_passed_at_consummation_is_not_a_runs() -> None:
    # Installment 2 (Sep 30) was paid on the Nov 1 consummation itself.
    dates = [d.payment_date for d in payment_dates(LEXINGTON, NOV_1)]
    assert OCT_1 not in dates
    assert fees_paid_on(LEXINGTON, Decimal("480000"), NOV_1, NOV_1) == ()


def test_the_record_date_is_the_banking_day_before_the_payment_date() -> None:
    assert record_date(LEXINGTON, DEC_31) == date(2001, 12, 28)  # a Friday
    assert record_date(LEXINGTON, OCT_1) == date(2001, 9, 28)  # Monday's: the Friday


def test_payment_dates_after_sep_5_run_from_oct_1_2001_to_maturity() -> None:
    dates = payment_dates(LEXINGTON, SEP_5)
    assert dates[0].payment_date == OCT_1
    assert dates[0].fee_sequences == (2,)
    assert dates[0].coupon_period == (SEP_5, date(2001, 9, 30))
    assert dates[1].payment_date == DEC_31
    assert dates[1].fee_sequences == (3,)
    assert dates[-1].payment_date == date(2004, 12, 31)
    assert dates[-1].redemption
    assert not any(d.redemption for d in dates[:-1])
    assert len(dates) == 14  # Oct 1, 2001 and 13 quarters to Dec 31, 2004


def test_a_quarterly_date_on_a_weekend_is_paid_the_next_banking_day() -> None:
    dates = [d.payment_date for d in payment_dates(LEXINGTON, SEP_5)]
    assert date(2002, 3, 31) not in dates  # a Sunday
    assert date(2002, 4, 1) in dates


def test_only_dates_on_or_before_until_are_due() -> None:
    due = payments_due(LEXINGTON, NOV_1, until=date(2001, 12, 30))
    assert due == ()
    (dec_31,) = payments_due(LEXINGTON, NOV_1, until=DEC_31)
    assert dec_31.what == "fee installment 3, coupon"


def test_a_date_the_offer_pays_nothing_on_is_refused_naming_the_next() -> None:
    with pytest.raises(NotAPaymentDate, match=r"2001-12-30 is not a payment date.*2001-12-31"):
        payment_date_of(LEXINGTON, NOV_1, date(2001, 12, 30))


def test_nothing_held_at_the_record_date_earns_no_coupon() -> None:
    assert coupon_paid_on(LEXINGTON, Decimal("0"), NOV_1, DEC_31) is None


def test_a_payment_moved_off_a_sunday_says_so() -> None:
    assert why_moved(LEXINGTON, date(2001, 9, 30)) == "a Sunday"
    assert why_moved(LEXINGTON, date(2001, 10, 8)) == "Columbus Day"
    assert why_moved(LEXINGTON, DEC_31) is None
