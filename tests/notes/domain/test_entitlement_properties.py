"""Properties of the entitlement over many units and consummation dates."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from notes.domain.calendar import banking_calendar
from notes.domain.daycount import days_30_360_bond_basis
from notes.domain.entitlement import Entitlement, compute_entitlement
from tests.notes.domain.lexington import LEXINGTON

CALENDAR = banking_calendar("XFED")
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)

units = st.integers(min_value=1, max_value=27412)
consummation_dates = st.dates(date(2001, 8, 1), date(2004, 12, 20)).map(CALENDAR.following)


def one_unit(consummation: date) -> Entitlement:
    return compute_entitlement(LEXINGTON, Decimal("1000"), consummation)


def holding(n: int, consummation: date) -> Entitlement:
    return compute_entitlement(LEXINGTON, Decimal(1000) * n, consummation)


@PROPERTY_SETTINGS
@given(units, consummation_dates)
def test_accrued_interest_is_linear_in_units(n: int, consummation: date) -> None:
    assert holding(n, consummation).accrued_interest == n * one_unit(consummation).accrued_interest


@PROPERTY_SETTINGS
@given(units, consummation_dates)
def test_new_notes_principal_is_linear_in_units(n: int, consummation: date) -> None:
    single = one_unit(consummation).new_notes_principal
    assert holding(n, consummation).new_notes_principal == n * single


@PROPERTY_SETTINGS
@given(units, consummation_dates)
def test_exact_warrants_are_linear_in_units(n: int, consummation: date) -> None:
    assert holding(n, consummation).warrants_exact == n * Decimal("5.45")


@PROPERTY_SETTINGS
@given(units, consummation_dates)
def test_issued_warrants_exceed_exact_by_less_than_one(n: int, consummation: date) -> None:
    entitlement = holding(n, consummation)
    assert 0 <= entitlement.warrants - entitlement.warrants_exact < 1


@PROPERTY_SETTINGS
@given(units, consummation_dates)
def test_participation_fee_is_linear_in_units(n: int, consummation: date) -> None:
    assert holding(n, consummation).participation_fee == n * Decimal("30.00")


@PROPERTY_SETTINGS
@given(units, consummation_dates)
def test_installments_sum_to_the_fee(n: int, consummation: date) -> None:
    entitlement = holding(n, consummation)
    total = sum(p.amount for p in entitlement.fee_installments)
    assert total == entitlement.participation_fee


@PROPERTY_SETTINGS
@given(units, consummation_dates)
def test_every_payment_date_is_a_banking_day(n: int, consummation: date) -> None:
    entitlement = holding(n, consummation)
    dates = [p.payment_date for p in entitlement.fee_installments]
    dates += [c.payment_date for c in entitlement.coupons]
    dates.append(entitlement.principal_repayment.payment_date)
    assert all(CALENDAR.is_banking_day(d) for d in dates)


@PROPERTY_SETTINGS
@given(consummation_dates)
def test_no_installment_is_paid_before_its_scheduled_date_or_consummation(
    consummation: date,
) -> None:
    for payment in one_unit(consummation).fee_installments:
        assert payment.payment_date >= max(payment.scheduled_date, consummation)


@PROPERTY_SETTINGS
@given(consummation_dates)
def test_installment_is_paid_within_a_week_of_its_date_or_consummation(
    consummation: date,
) -> None:
    # Moving to the next banking day never skips more than a long weekend.
    for payment in one_unit(consummation).fee_installments:
        due = max(payment.scheduled_date, consummation)
        assert payment.payment_date - due < timedelta(days=7)


@PROPERTY_SETTINGS
@given(consummation_dates)
def test_no_coupon_is_paid_before_its_period_ends(consummation: date) -> None:
    assert all(c.payment_date >= c.period_end for c in one_unit(consummation).coupons)


@PROPERTY_SETTINGS
@given(consummation_dates)
def test_coupon_periods_chain_from_consummation_to_maturity(consummation: date) -> None:
    coupons = one_unit(consummation).coupons
    starts = [c.period_start for c in coupons]
    ends = [c.period_end for c in coupons]
    assert starts == [consummation, *ends[:-1]]
    assert ends[-1] == date(2004, 12, 31)


@PROPERTY_SETTINGS
@given(consummation_dates)
def test_only_the_first_period_ends_off_a_quarter_end_or_starts_off_one(
    consummation: date,
) -> None:
    quarter_ends = {(3, 31), (6, 30), (9, 30), (12, 31)}
    coupons = one_unit(consummation).coupons
    assert all((c.period_end.month, c.period_end.day) in quarter_ends for c in coupons)
    assert all(c.days == 90 for c in coupons[1:])


@PROPERTY_SETTINGS
@given(consummation_dates)
def test_each_period_counts_30_360_days_between_its_ends(consummation: date) -> None:
    for coupon in one_unit(consummation).coupons:
        assert coupon.days == days_30_360_bond_basis(coupon.period_start, coupon.period_end)


@PROPERTY_SETTINGS
@given(consummation_dates)
def test_periods_ending_in_2001_accrue_at_14_and_later_at_15(consummation: date) -> None:
    for coupon in one_unit(consummation).coupons:
        expected = Decimal("0.14") if coupon.period_end <= date(2001, 12, 31) else Decimal("0.15")
        assert coupon.rate == expected


@PROPERTY_SETTINGS
@given(units, consummation_dates)
def test_coupon_is_the_rounded_principal_times_rate_times_days(n: int, consummation: date) -> None:
    entitlement = holding(n, consummation)
    for coupon in entitlement.coupons:
        exact = entitlement.new_notes_principal * coupon.rate * coupon.days / 360
        assert abs(coupon.amount - exact) <= Decimal("0.005")


@PROPERTY_SETTINGS
@given(units, consummation_dates)
def test_non_tender_payout_equals_new_notes_principal(n: int, consummation: date) -> None:
    entitlement = holding(n, consummation)
    assert entitlement.non_tender_payout == entitlement.new_notes_principal


@PROPERTY_SETTINGS
@given(consummation_dates, consummation_dates)
def test_later_consummation_never_accrues_less(a: date, b: date) -> None:
    early, late = sorted((a, b))
    assert one_unit(early).accrued_interest <= one_unit(late).accrued_interest
