"""What a payment advice says, as the values of its template (`pdf/payment_advice.html`),
taken into its snapshot in the transaction that posts the payments."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from exchange_office.formatting import long_date, money
from notes.domain.entitlement import Coupon, FeePayment
from notes.domain.terms import OfferTerms
from tenders.accounts.models import ClientAccount
from tenders.documents.contexts import client_values
from tenders.documents.models import DocumentKind
from tenders.domain.payments import PaymentDate, why_moved
from tenders.instructions.models import Instruction

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class FeeLine:
    """A fee installment paid for one accepted instruction."""

    instruction: Instruction
    accepted: Decimal  # the principal the instruction was accepted for
    fee: FeePayment


@dataclass(slots=True)
class ClientPayment:
    """What one client account is paid on a payment date."""

    account: ClientAccount
    fees: list[FeeLine] = field(default_factory=list)
    new_notes: Decimal = ZERO  # New Notes held at the record date
    coupon: Coupon | None = None
    redemption: Decimal = ZERO  # the New Notes' principal paid back at maturity

    @property
    def fees_total(self) -> Decimal:
        return sum((line.fee.amount for line in self.fees), ZERO)

    @property
    def coupon_total(self) -> Decimal:
        return self.coupon.amount if self.coupon is not None else ZERO

    @property
    def total(self) -> Decimal:
        return self.fees_total + self.coupon_total + self.redemption


def payment_advice_context(
    *,
    payment: ClientPayment,
    due: PaymentDate,
    terms: OfferTerms,
    installments: int,
    owners: Sequence[str],
) -> dict[str, Any]:
    """The advice of one client's payments on `due`; the offer's and the firm's blocks are
    added by the caller, encoded once for the whole run."""
    fees = [
        {
            "sequence": line.fee.sequence,
            "of": installments,
            "scheduled_date": line.fee.scheduled_date,
            "payment_date": line.fee.payment_date,
            "why_moved": why_moved(terms, line.fee.scheduled_date)
            if line.fee.payment_date != line.fee.scheduled_date
            else None,
            "accepted": line.accepted,
            "units": int(line.accepted / terms.unit_principal),
            "amount": line.fee.amount,
        }
        for line in payment.fees
    ]
    coupon = payment.coupon
    return {
        "document_title": DocumentKind.PAYMENT_ADVICE.label,
        "client": client_values(payment.account, owners),
        "payment_date": due.payment_date,
        "record_date": due.record_date,
        "fees": fees,
        "coupon": None
        if coupon is None
        else {
            "period_start": coupon.period_start,
            "period_end": coupon.period_end,
            "days": coupon.days,
            "rate": coupon.rate,
            "principal": payment.new_notes,
            "amount": coupon.amount,
            "why_moved": why_moved(terms, coupon.period_end)
            if coupon.payment_date != coupon.period_end
            else None,
        },
        "redemption": {"principal": payment.redemption} if payment.redemption else None,
        "total": payment.total,
        "email_paragraphs": [
            f"On {long_date(due.payment_date)} we credit your account with "
            f"{money(payment.total)}: {_what(payment)}. The attached advice shows how each "
            "amount is worked out."
        ],
    }


def _what(payment: ClientPayment) -> str:
    parts = [f"installment {line.fee.sequence} of the participation fee" for line in payment.fees]
    if payment.coupon is not None:
        parts.append(f"the New Notes interest to {long_date(payment.coupon.period_end)}")
    if payment.redemption:
        parts.append("the New Notes' principal, repaid at maturity")
    return ", ".join(parts)


def description_of_fee(line: FeeLine, *, installments: int) -> str:
    """The fee entry's description in the books."""
    fee = line.fee
    moved = (
        f", scheduled {long_date(fee.scheduled_date)}"
        if fee.scheduled_date != fee.payment_date
        else ""
    )
    return f"Participation fee, installment {fee.sequence} of {installments}{moved}"


def description_of_coupon(coupon: Coupon, principal: Decimal) -> str:
    """The coupon entry's description in the books."""
    return (
        f"New Notes interest {long_date(coupon.period_start)} to "
        f"{long_date(coupon.period_end)}: {coupon.days} days at "
        f"{(coupon.rate * 100).normalize()}% on {money(principal)}"
    )


def description_of_redemption(principal: Decimal, on: date) -> str:
    return f"New Notes redeemed at maturity, {long_date(on)}: {money(principal)} of principal"
