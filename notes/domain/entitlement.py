"""What a holder gets for a principal amount, and the offer-level figures of the offer.

Rules from domain.md "Calculation rules": per-unit amounts are rounded to the cent, then
multiplied by the number of units; coupons are computed on the holder's whole New Notes
principal; payments falling on a closed day move to the following banking day.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal

from notes.domain.calendar import banking_calendar
from notes.domain.daycount import days_30_360_bond_basis
from notes.domain.money import quantize_cents
from notes.domain.terms import OfferTerms

_DAYS_IN_YEAR = Decimal(360)


class InvalidPrincipal(ValueError):
    """The principal is not a positive whole multiple of the unit."""


class InvalidConsummationDate(ValueError):
    """No entitlement can be computed for this consummation date."""


@dataclass(frozen=True, slots=True)
class FeePayment:
    sequence: int
    scheduled_date: date
    payment_date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Coupon:
    period_start: date
    period_end: date
    payment_date: date
    days: int
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PrincipalRepayment:
    payment_date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Entitlement:
    """One holder's figures for one principal amount and consummation date."""

    principal: Decimal
    units: int
    consummation_date: date
    accrual_days: int
    accrued_interest_per_unit: Decimal
    accrued_interest: Decimal
    new_notes_principal: Decimal
    warrants_exact: Decimal
    warrants: int
    participation_fee: Decimal
    fee_installments: tuple[FeePayment, ...]
    coupons: tuple[Coupon, ...]
    principal_repayment: PrincipalRepayment
    non_tender_payout: Decimal

    @property
    def total_coupons(self) -> Decimal:
        return sum((c.amount for c in self.coupons), Decimal("0.00"))

    @property
    def total_cash(self) -> Decimal:
        """Fee, every coupon and the New Notes principal: all the cash the holder receives."""
        return self.participation_fee + self.total_coupons + self.principal_repayment.amount


def units_for(terms: OfferTerms, principal: Decimal) -> int:
    """Number of units in ``principal``; refuses anything but a positive whole multiple."""
    if isinstance(principal, bool) or not isinstance(principal, Decimal | int):
        raise TypeError(f"principal must be a Decimal, not {type(principal).__name__}")
    unit = terms.unit_principal
    principal = Decimal(principal)
    if not principal.is_finite() or principal <= 0 or principal % unit != 0:
        raise InvalidPrincipal(
            f"principal must be a positive whole multiple of ${unit:,.0f}, not {principal}"
        )
    return int(principal / unit)


def _check_consummation_date(terms: OfferTerms, consummation_date: date) -> None:
    if isinstance(consummation_date, datetime) or not isinstance(consummation_date, date):
        raise TypeError("the consummation date must be a date")
    if consummation_date <= terms.accrual_start:
        raise InvalidConsummationDate(
            f"consummation date {consummation_date} must be after the accrual start "
            f"{terms.accrual_start}"
        )
    if consummation_date >= terms.new_notes.maturity:
        raise InvalidConsummationDate(
            f"consummation date {consummation_date} must be before the New Notes maturity "
            f"{terms.new_notes.maturity}"
        )
    if not banking_calendar(terms.calendar_code).is_banking_day(consummation_date):
        # Cash is paid on the consummation date, so it must be a day banks pay.
        raise InvalidConsummationDate(f"consummation date {consummation_date} is not a banking day")


def accrual_days(terms: OfferTerms, consummation_date: date) -> int:
    """30/360 days from the accrual start through the day before consummation."""
    return days_30_360_bond_basis(terms.accrual_start, consummation_date)


def accrued_interest_per_unit(terms: OfferTerms, consummation_date: date) -> Decimal:
    """Old Notes interest on one unit, rounded to the cent (the per-unit rule)."""
    days = accrual_days(terms, consummation_date)
    return quantize_cents(terms.unit_principal * terms.accrual_rate * days / _DAYS_IN_YEAR)


def _repayment_amount(terms: OfferTerms, units: int, consummation_date: date) -> Decimal:
    per_unit = quantize_cents(terms.unit_principal) + accrued_interest_per_unit(
        terms, consummation_date
    )
    return per_unit * units


def non_tender_payout(terms: OfferTerms, principal: Decimal, consummation_date: date) -> Decimal:
    """Cash paid on consummation to a holder who does not tender: principal plus accrued."""
    units = units_for(terms, principal)
    _check_consummation_date(terms, consummation_date)
    return _repayment_amount(terms, units, consummation_date)


@dataclass(frozen=True, slots=True)
class NonTenderPayment:
    """What a holder is paid on consummation for Old Notes not tendered, and how it adds up:
    $80,000 -> 80 x ($1,000 + $267.04) = $80,000.00 + $21,363.20 = $101,363.20."""

    principal: Decimal
    units: int
    consummation_date: date
    accrual_days: int
    accrued_interest_per_unit: Decimal
    accrued_interest: Decimal
    payout_per_unit: Decimal
    payout: Decimal


def non_tender_payment(
    terms: OfferTerms, principal: Decimal, consummation_date: date
) -> NonTenderPayment:
    """`non_tender_payout` with its parts, for the documents that state them."""
    payout = non_tender_payout(terms, principal, consummation_date)
    units = units_for(terms, principal)
    per_unit = accrued_interest_per_unit(terms, consummation_date)
    return NonTenderPayment(
        principal=quantize_cents(Decimal(principal)),
        units=units,
        consummation_date=consummation_date,
        accrual_days=accrual_days(terms, consummation_date),
        accrued_interest_per_unit=per_unit,
        accrued_interest=per_unit * units,
        payout_per_unit=quantize_cents(terms.unit_principal) + per_unit,
        payout=payout,
    )


def fee_schedule(terms: OfferTerms, units: int, consummation_date: date) -> tuple[FeePayment, ...]:
    """Participation fee installments for ``units``.

    An installment scheduled on or before consummation (or unscheduled) is paid on the
    consummation date; a later one on its date moved to the following banking day.
    """
    calendar = banking_calendar(terms.calendar_code)
    payments = []
    for term in terms.fee_installments:
        scheduled = term.scheduled_date if term.scheduled_date is not None else consummation_date
        if scheduled <= consummation_date:
            paid_on = consummation_date
        else:
            paid_on = calendar.following(scheduled)
        payments.append(
            FeePayment(
                sequence=term.sequence,
                scheduled_date=scheduled,
                payment_date=paid_on,
                amount=quantize_cents(term.amount_per_unit) * units,
            )
        )
    return tuple(payments)


def coupon_schedule(
    terms: OfferTerms, new_notes_principal: Decimal, consummation_date: date
) -> tuple[Coupon, ...]:
    """New Notes coupons from consummation to maturity (unadjusted periods, moved payments)."""
    notes = terms.new_notes
    calendar = banking_calendar(terms.calendar_code)
    ends = notes.interest_dates_between(consummation_date, notes.maturity)
    if not ends or ends[-1] != notes.maturity:
        # Maturity always closes the last period, even off the quarterly dates.
        ends += (notes.maturity,)
    coupons = []
    start = consummation_date
    for end in ends:
        days = days_30_360_bond_basis(start, end)
        rate = notes.rate_for_period_ending(end)
        coupons.append(
            Coupon(
                period_start=start,
                period_end=end,
                payment_date=calendar.following(end),
                days=days,
                rate=rate,
                # Division last, one rounding: the coupon on the holder's whole principal.
                amount=quantize_cents(new_notes_principal * rate * days / _DAYS_IN_YEAR),
            )
        )
        start = end
    return tuple(coupons)


def compute_entitlement(
    terms: OfferTerms, principal: Decimal, consummation_date: date
) -> Entitlement:
    """Everything a holder tendering ``principal`` receives if consummated on that date."""
    units = units_for(terms, principal)
    _check_consummation_date(terms, consummation_date)
    calendar = banking_calendar(terms.calendar_code)
    per_unit = accrued_interest_per_unit(terms, consummation_date)
    new_notes_principal = _repayment_amount(terms, units, consummation_date)
    warrants_exact = terms.warrants_per_unit * units
    return Entitlement(
        principal=quantize_cents(Decimal(principal)),
        units=units,
        consummation_date=consummation_date,
        accrual_days=accrual_days(terms, consummation_date),
        accrued_interest_per_unit=per_unit,
        accrued_interest=per_unit * units,
        new_notes_principal=new_notes_principal,
        warrants_exact=warrants_exact,
        warrants=terms.warrant_rounding.apply(warrants_exact),
        participation_fee=quantize_cents(terms.participation_fee_per_unit) * units,
        fee_installments=fee_schedule(terms, units, consummation_date),
        coupons=coupon_schedule(terms, new_notes_principal, consummation_date),
        principal_repayment=PrincipalRepayment(
            payment_date=calendar.following(terms.new_notes.maturity),
            amount=new_notes_principal,
        ),
        non_tender_payout=new_notes_principal,
    )


# Offer-level figures


@dataclass(frozen=True, slots=True)
class MinimumCondition:
    """The minimum tender condition in dollars, exact and in whole units."""

    outstanding_principal: Decimal
    percent: Decimal
    required_exact: Decimal
    required_principal: Decimal
    maximum_untendered: Decimal


def minimum_condition(terms: OfferTerms) -> MinimumCondition:
    """99% of $27,412,000 is $27,137,880: $27,138,000 in units, so $274,000 may stay out."""
    outstanding = terms.outstanding_principal
    unit = terms.unit_principal
    required_exact = outstanding * terms.minimum_tender_percent / Decimal(100)
    required_units = (required_exact / unit).to_integral_value(rounding=ROUND_CEILING)
    required_principal = required_units * unit
    return MinimumCondition(
        outstanding_principal=outstanding,
        percent=terms.minimum_tender_percent,
        required_exact=required_exact,
        required_principal=required_principal,
        maximum_untendered=outstanding - required_principal,
    )


def is_minimum_met(terms: OfferTerms, tendered_principal: Decimal) -> bool:
    """Whether ``tendered_principal`` (tendered and not withdrawn) meets the minimum.

    Compared with the exact percentage, which for whole units is the same as the rounded
    figure, and stays right for a total reported by the agent in other amounts.
    """
    if isinstance(tendered_principal, bool) or not isinstance(tendered_principal, Decimal | int):
        raise TypeError("the tendered principal must be a Decimal")
    if tendered_principal < 0:
        raise ValueError("the tendered principal must not be negative")
    return tendered_principal >= minimum_condition(terms).required_exact


@dataclass(frozen=True, slots=True)
class OfferWarrantTotals:
    """Warrants for the whole issue, rounded once (the press release's 149,396)."""

    exact_total: Decimal
    rounded_exact_total: int


def warrants_if_all_tendered(terms: OfferTerms) -> OfferWarrantTotals:
    units = int(terms.outstanding_principal / terms.unit_principal)
    exact = terms.warrants_per_unit * units
    return OfferWarrantTotals(
        exact_total=exact, rounded_exact_total=terms.warrant_rounding.apply(exact)
    )
