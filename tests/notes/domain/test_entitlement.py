"""The worked figures of domain.md: $125,000 tendered, consummated Sep 5, 2001."""

from datetime import date
from decimal import Decimal

import pytest

from notes.domain.entitlement import (
    Coupon,
    Entitlement,
    FeePayment,
    InvalidConsummationDate,
    InvalidPrincipal,
    accrual_days,
    accrued_interest_per_unit,
    compute_entitlement,
    non_tender_payment,
    non_tender_payout,
    units_for,
)
from tests.notes.domain.lexington import LEXINGTON, ORIGINAL_CONSUMMATION, lexington_terms


@pytest.fixture(scope="module")
def worked() -> Entitlement:
    return compute_entitlement(LEXINGTON, Decimal("125000"), ORIGINAL_CONSUMMATION)


def test_125000_is_125_units() -> None:
    assert units_for(LEXINGTON, Decimal("125000")) == 125


def test_whole_dollars_written_with_cents_are_accepted() -> None:
    assert units_for(LEXINGTON, Decimal("1000.00")) == 1


@pytest.mark.parametrize("principal", ["0", "-1000", "1500", "1000.5", "NaN", "Infinity"])
def test_principal_that_is_not_a_positive_multiple_of_1000_is_refused(principal: str) -> None:
    with pytest.raises(InvalidPrincipal, match=r"positive whole multiple of \$1,000"):
        units_for(LEXINGTON, Decimal(principal))


def test_float_principal_is_refused() -> None:
    with pytest.raises(TypeError, match="must be a Decimal, not float"):
        units_for(LEXINGTON, 1000.0)  # type: ignore[arg-type]  # a float, on purpose


def test_invalid_principal_is_refused_by_compute_entitlement() -> None:
    with pytest.raises(InvalidPrincipal, match=r"positive whole multiple of \$1,000, not 1500"):
        compute_entitlement(LEXINGTON, Decimal("1500"), ORIGINAL_CONSUMMATION)


def test_accrual_to_sep_5_2001_is_754_days() -> None:
    assert accrual_days(LEXINGTON, ORIGINAL_CONSUMMATION) == 754


def test_accrued_interest_per_unit_to_sep_5_2001_is_267_04() -> None:
    assert accrued_interest_per_unit(LEXINGTON, ORIGINAL_CONSUMMATION) == Decimal("267.04")


def test_worked_example_accrues_754_days(worked: Entitlement) -> None:
    assert worked.accrual_days == 754


def test_worked_example_accrued_interest_is_33380_00(worked: Entitlement) -> None:
    assert worked.accrued_interest == Decimal("33380.00")


def test_accrued_interest_is_the_rounded_per_unit_figure_times_units(
    worked: Entitlement,
) -> None:
    # 125 x 267.041666... would be 33,380.21 if rounded only once at the end.
    assert worked.accrued_interest == worked.accrued_interest_per_unit * 125


def test_worked_example_new_notes_principal_is_158380_00(worked: Entitlement) -> None:
    assert worked.new_notes_principal == Decimal("158380.00")


def test_worked_example_exact_warrants_are_681_25(worked: Entitlement) -> None:
    assert worked.warrants_exact == Decimal("681.25")


def test_worked_example_issues_682_warrants_rounding_up(worked: Entitlement) -> None:
    assert worked.warrants == 682


# $10,000 is 10 units: 10 x 5.45 = 54.5 warrants exactly, a fraction of exactly one half, where
# "half up" and banker's rounding ("half even", to 54) part ways.
@pytest.mark.parametrize(
    ("rule", "issued"), [("up", 55), ("down", 54), ("half_up", 55)], ids=["up", "down", "half_up"]
)
def test_a_warrant_count_ending_in_exactly_one_half_follows_the_offer_rule(
    rule: str, issued: int
) -> None:
    terms = lexington_terms(warrant_rounding=rule)
    entitlement = compute_entitlement(terms, Decimal("10000"), ORIGINAL_CONSUMMATION)
    assert entitlement.warrants_exact == Decimal("54.5")
    assert entitlement.warrants == issued


@pytest.mark.parametrize(
    ("rule", "issued"), [("up", 6), ("down", 5), ("half_up", 5)], ids=["up", "down", "half_up"]
)
def test_a_warrant_count_below_one_half_rounds_by_the_offer_rule(rule: str, issued: int) -> None:
    terms = lexington_terms(warrant_rounding=rule)
    entitlement = compute_entitlement(terms, Decimal("1000"), ORIGINAL_CONSUMMATION)
    assert entitlement.warrants_exact == Decimal("5.45")
    assert entitlement.warrants == issued


def test_warrant_rule_from_the_terms_is_applied() -> None:
    terms = lexington_terms(warrant_rounding="down")
    assert compute_entitlement(terms, Decimal("125000"), ORIGINAL_CONSUMMATION).warrants == 681


def test_worked_example_participation_fee_is_3750_00(worked: Entitlement) -> None:
    assert worked.participation_fee == Decimal("3750.00")


def test_worked_example_first_installment_is_paid_on_consummation(worked: Entitlement) -> None:
    assert worked.fee_installments[0] == FeePayment(
        sequence=1,
        scheduled_date=date(2001, 9, 5),
        payment_date=date(2001, 9, 5),
        amount=Decimal("1250.00"),
    )


def test_worked_example_second_installment_scheduled_sunday_sep_30_is_paid_oct_1(
    worked: Entitlement,
) -> None:
    assert worked.fee_installments[1] == FeePayment(
        sequence=2,
        scheduled_date=date(2001, 9, 30),
        payment_date=date(2001, 10, 1),
        amount=Decimal("1250.00"),
    )


def test_worked_example_third_installment_is_paid_dec_31_2001(worked: Entitlement) -> None:
    assert worked.fee_installments[2] == FeePayment(
        sequence=3,
        scheduled_date=date(2001, 12, 31),
        payment_date=date(2001, 12, 31),
        amount=Decimal("1250.00"),
    )


def test_first_coupon_of_worked_example_is_1539_81_paid_oct_1(worked: Entitlement) -> None:
    assert worked.coupons[0] == Coupon(
        period_start=date(2001, 9, 5),
        period_end=date(2001, 9, 30),
        payment_date=date(2001, 10, 1),
        days=25,
        rate=Decimal("0.14"),
        amount=Decimal("1539.81"),
    )


def test_second_coupon_of_worked_example_is_5543_30_paid_dec_31(worked: Entitlement) -> None:
    assert worked.coupons[1] == Coupon(
        period_start=date(2001, 9, 30),
        period_end=date(2001, 12, 31),
        payment_date=date(2001, 12, 31),
        days=90,
        rate=Decimal("0.14"),
        amount=Decimal("5543.30"),
    )


def test_coupons_after_2001_accrue_at_15_percent(worked: Entitlement) -> None:
    assert {c.rate for c in worked.coupons[2:]} == {Decimal("0.15")}


def test_a_full_quarter_at_15_percent_is_5939_25(worked: Entitlement) -> None:
    assert worked.coupons[2].amount == Decimal("5939.25")


def test_worked_example_has_fourteen_coupons(worked: Entitlement) -> None:
    assert len(worked.coupons) == 14


def test_coupon_ending_on_sunday_mar_31_2002_is_paid_monday_apr_1(worked: Entitlement) -> None:
    assert worked.coupons[2].payment_date == date(2002, 4, 1)


def test_last_coupon_is_paid_dec_31_2004(worked: Entitlement) -> None:
    assert (worked.coupons[-1].period_end, worked.coupons[-1].payment_date) == (
        date(2004, 12, 31),
        date(2004, 12, 31),
    )


def test_principal_of_158380_00_is_repaid_dec_31_2004(worked: Entitlement) -> None:
    assert (worked.principal_repayment.payment_date, worked.principal_repayment.amount) == (
        date(2004, 12, 31),
        Decimal("158380.00"),
    )


def test_worked_example_non_tender_payout_is_158380_00(worked: Entitlement) -> None:
    assert worked.non_tender_payout == Decimal("158380.00")


def test_non_tender_payout_function_is_principal_plus_accrued() -> None:
    payout = non_tender_payout(LEXINGTON, Decimal("125000"), ORIGINAL_CONSUMMATION)
    assert payout == Decimal("158380.00")


def test_total_cash_is_fee_plus_coupons_plus_principal(worked: Entitlement) -> None:
    expected = Decimal("3750.00") + (
        Decimal("1539.81") + Decimal("5543.30") + 12 * Decimal("5939.25")
    )
    assert worked.total_cash == expected + Decimal("158380.00")


def test_consummation_on_a_closed_day_is_refused() -> None:
    with pytest.raises(InvalidConsummationDate, match="not a banking day"):
        compute_entitlement(LEXINGTON, Decimal("1000"), date(2001, 9, 3))


def test_consummation_at_maturity_is_refused() -> None:
    with pytest.raises(InvalidConsummationDate, match="before the New Notes maturity"):
        compute_entitlement(LEXINGTON, Decimal("1000"), date(2004, 12, 31))


def test_consummation_on_the_accrual_start_is_refused() -> None:
    with pytest.raises(InvalidConsummationDate, match="after the accrual start"):
        compute_entitlement(LEXINGTON, Decimal("1000"), date(1999, 8, 1))


def test_the_untendered_rest_of_a_partial_tender_is_paid_principal_and_interest() -> None:
    # $400,000 tendered of $480,000 held leaves $80,000: 80 x $1,267.04 on Sep 5, 2001.
    payout = non_tender_payout(LEXINGTON, Decimal("80000"), ORIGINAL_CONSUMMATION)
    assert payout == Decimal("101363.20")


def test_the_payment_for_the_untendered_rest_states_its_parts() -> None:
    # 80 units x $267.04 accrued (754 days) = $21,363.20; 80 x $1,267.04 = $101,363.20.
    payment = non_tender_payment(LEXINGTON, Decimal("80000"), ORIGINAL_CONSUMMATION)
    assert (
        payment.principal, payment.units, payment.accrual_days, payment.accrued_interest_per_unit,
        payment.accrued_interest, payment.payout_per_unit, payment.payout,
    ) == (
        Decimal("80000.00"), 80, 754, Decimal("267.04"),
        Decimal("21363.20"), Decimal("1267.04"), Decimal("101363.20"),
    )  # fmt: skip
