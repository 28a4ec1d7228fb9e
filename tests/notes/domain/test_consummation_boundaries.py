"""Consummation dates other than Sep 5, 2001: quarter ends, 31sts, February, 2002."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from notes.domain.entitlement import Entitlement, compute_entitlement
from tests.notes.domain.lexington import LEXINGTON


def entitlement_on(consummation: date) -> Entitlement:
    return compute_entitlement(LEXINGTON, Decimal("1000"), consummation)


def test_consummation_at_quarter_end_dec_31_2001_starts_with_a_full_period_to_mar_31() -> None:
    first = entitlement_on(date(2001, 12, 31)).coupons[0]
    assert (first.period_start, first.period_end, first.days) == (
        date(2001, 12, 31),
        date(2002, 3, 31),
        90,
    )


def test_first_period_after_dec_31_2001_accrues_at_15_percent() -> None:
    assert entitlement_on(date(2001, 12, 31)).coupons[0].rate == Decimal("0.15")


def test_consummation_on_dec_31_2001_pays_every_installment_that_day() -> None:
    payments = entitlement_on(date(2001, 12, 31)).fee_installments
    assert {p.payment_date for p in payments} == {date(2001, 12, 31)}


def test_consummation_on_the_31st_accrues_to_the_31st() -> None:
    # Aug 1, 1999 -> Oct 31, 2001: an end on the 31st stays 31 after a start on the 1st.
    assert entitlement_on(date(2001, 10, 31)).accrual_days == 810


def test_consummation_on_the_31st_first_period_to_dec_31_is_60_days() -> None:
    first = entitlement_on(date(2001, 10, 31)).coupons[0]
    assert (first.period_end, first.days, first.rate) == (date(2001, 12, 31), 60, Decimal("0.14"))


def test_consummation_after_sep_30_pays_installment_2_on_consummation_keeping_its_date() -> None:
    second = entitlement_on(date(2001, 10, 2)).fee_installments[1]
    assert (second.scheduled_date, second.payment_date) == (date(2001, 9, 30), date(2001, 10, 2))


def test_consummation_on_oct_1_2001_pays_installment_2_that_day() -> None:
    assert entitlement_on(date(2001, 10, 1)).fee_installments[1].payment_date == date(2001, 10, 1)


def test_consummation_after_sep_30_still_pays_installment_3_on_dec_31() -> None:
    third = entitlement_on(date(2001, 10, 2)).fee_installments[2]
    assert third.payment_date == date(2001, 12, 31)


def test_consummation_on_feb_28_2002_first_period_is_33_days() -> None:
    # Bond basis has no February rule: Feb 28 -> Mar 31 counts 3 + 30.
    assert entitlement_on(date(2002, 2, 28)).coupons[0].days == 33


def test_consummation_on_feb_28_2002_accrues_927_days() -> None:
    # 360 x 3 + 30 x (2 - 8) + (28 - 1)
    assert entitlement_on(date(2002, 2, 28)).accrual_days == 927


def test_consummation_on_apr_30_2002_first_coupon_runs_to_jun_30_at_15_percent() -> None:
    first = entitlement_on(date(2002, 4, 30)).coupons[0]
    assert (first.period_end, first.days, first.rate) == (date(2002, 6, 30), 60, Decimal("0.15"))


def test_consummation_on_apr_30_2002_pays_the_whole_fee_on_consummation() -> None:
    payments = entitlement_on(date(2002, 4, 30)).fee_installments
    assert [p.payment_date for p in payments] == [date(2002, 4, 30)] * 3


def test_consummation_on_apr_30_2002_accrual_per_unit() -> None:
    # 1999-08-01 -> 2002-04-30: 360*3 - 30*4 + 29 = 989 days; 1000 x 12.75% x 989/360.
    assert entitlement_on(date(2002, 4, 30)).accrued_interest_per_unit == Decimal("350.27")


def test_maturity_off_the_interest_dates_still_ends_the_last_period() -> None:
    terms = replace(LEXINGTON, new_notes=replace(LEXINGTON.new_notes, maturity=date(2004, 11, 15)))
    last = compute_entitlement(terms, Decimal("1000"), date(2001, 9, 5)).coupons[-1]
    assert (last.period_start, last.period_end, last.days) == (
        date(2004, 9, 30),
        date(2004, 11, 15),
        45,
    )
