"""Payment runs after consummation (issue 23, point 4; docs/rules.md "Payment runs"): on which
dates an offer pays, the record date of each, and what each holder is paid on it.

- The fee installments scheduled after the consummation date are paid on their dates (moved to
  the next banking day), for every accepted instruction; one whose date had passed at the
  consummation was paid by the consummation itself, and no run pays it again.
- The New Notes pay a coupon on each quarterly date to maturity (moved to the next banking
  day), to the holders of record at the close of the banking day before the payment date
  (convention), on what they held then; at maturity the principal is paid back as well.

Pure: dates and Decimal in, dates and Decimal out; the calendar and the schedules are the
issuer's side's (`notes.domain`)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from notes.domain.calendar import banking_calendar
from notes.domain.entitlement import Coupon, FeePayment, coupon_schedule, fee_schedule, units_for
from notes.domain.terms import OfferTerms

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class NotAPaymentDate(ValueError):
    """The offer pays nothing on this date."""


@dataclass(frozen=True, slots=True)
class PaymentDate:
    """A date the offer pays on after its consummation, and what falls due on it."""

    payment_date: date
    record_date: date  # the close of the banking day before: who holds New Notes then is paid
    fee_sequences: tuple[int, ...]  # the fee installments paid on it (none on most dates)
    coupon_period: tuple[date, date] | None  # the coupon period ending then (start, end)
    redemption: bool  # the New Notes' principal is paid back (maturity)

    @property
    def what(self) -> str:
        """What the date pays, in a few words: "fee installment 3, coupon"."""
        parts = [f"fee installment {n}" for n in self.fee_sequences]
        if self.coupon_period is not None:
            parts.append("coupon")
        if self.redemption:
            parts.append("redemption")
        return ", ".join(parts)


def record_date(terms: OfferTerms, payment_date: date) -> date:
    """The banking day before `payment_date`: holders of record at its close are paid."""
    return banking_calendar(terms.calendar_code).banking_days_before(payment_date, 1)


def payment_dates(terms: OfferTerms, consummation_date: date) -> tuple[PaymentDate, ...]:
    """Every date after `consummation_date` the offer pays on, in order: the later fee
    installments' and the coupons' (the last with the principal)."""
    fees = [
        f for f in fee_schedule(terms, 1, consummation_date) if f.payment_date > consummation_date
    ]
    # The periods and dates do not depend on the principal.
    coupons = coupon_schedule(terms, Decimal("0"), consummation_date)
    redeemed_on = banking_calendar(terms.calendar_code).following(terms.new_notes.maturity)
    days = sorted({f.payment_date for f in fees} | {c.payment_date for c in coupons})
    return tuple(
        PaymentDate(
            payment_date=day,
            record_date=record_date(terms, day),
            fee_sequences=tuple(f.sequence for f in fees if f.payment_date == day),
            coupon_period=next(
                ((c.period_start, c.period_end) for c in coupons if c.payment_date == day), None
            ),
            redemption=day == redeemed_on,
        )
        for day in days
    )


def payment_date_of(terms: OfferTerms, consummation_date: date, payment_date: date) -> PaymentDate:
    """The payment date `payment_date` of the offer, or NotAPaymentDate naming the ones there
    are (the next few)."""
    dates = payment_dates(terms, consummation_date)
    for found in dates:
        if found.payment_date == payment_date:
            return found
    later = [d.payment_date.isoformat() for d in dates if d.payment_date > payment_date][:3]
    raise NotAPaymentDate(
        f"{payment_date.isoformat()} is not a payment date of the offer"
        + (f"; the next: {', '.join(later)}" if later else "")
    )


def payments_due(
    terms: OfferTerms, consummation_date: date, *, until: date
) -> tuple[PaymentDate, ...]:
    """The payment dates on or before `until` (the business date, for what is due)."""
    return tuple(d for d in payment_dates(terms, consummation_date) if d.payment_date <= until)


def fees_paid_on(
    terms: OfferTerms, accepted_principal: Decimal, consummation_date: date, payment_date: date
) -> tuple[FeePayment, ...]:
    """The fee installments an instruction accepted for `accepted_principal` is paid on
    `payment_date` (a date after the consummation: the consummation pays its own)."""
    if payment_date <= consummation_date:
        return ()
    units = units_for(terms, accepted_principal)
    return tuple(
        f for f in fee_schedule(terms, units, consummation_date) if f.payment_date == payment_date
    )


def coupon_paid_on(
    terms: OfferTerms, new_notes_held: Decimal, consummation_date: date, payment_date: date
) -> Coupon | None:
    """The coupon paid on `payment_date` to a holder of `new_notes_held` of New Notes at the
    record date: None when nothing is held, no coupon falls on that date, or it rounds to
    nothing."""
    if new_notes_held <= 0:
        return None
    coupon = next(
        (
            c
            for c in coupon_schedule(terms, new_notes_held, consummation_date)
            if c.payment_date == payment_date
        ),
        None,
    )
    return coupon if coupon is not None and coupon.amount > 0 else None


def why_moved(terms: OfferTerms, scheduled: date) -> str | None:
    """Why a payment scheduled on `scheduled` is made on a later day: "a Sunday", "Columbus
    Day"; None when `scheduled` is a banking day."""
    calendar = banking_calendar(terms.calendar_code)
    if calendar.is_banking_day(scheduled):
        return None
    return calendar.holiday_name(scheduled) or f"a {_WEEKDAYS[scheduled.weekday()]}"
