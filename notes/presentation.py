"""The entitlement as plain JSON-ready values: amounts as strings with two decimals, rates
as decimal fractions ("0.14"), dates ISO. The `entitlement` command's JSON and the pages use
this one shape, so a figure is formatted the same everywhere."""

from decimal import Decimal
from typing import Any

from notes.domain.entitlement import Entitlement


def amount(value: Decimal) -> str:
    return f"{value:.2f}"


def fraction(value: Decimal) -> str:
    """A rate or an exact count without trailing zeros or exponent: 0.140000 -> "0.14"."""
    return format(value.normalize(), "f")


def entitlement_as_dict(entitlement: Entitlement) -> dict[str, Any]:
    e = entitlement
    return {
        "principal": amount(e.principal),
        "consummation_date": e.consummation_date.isoformat(),
        "units": e.units,
        "accrual_days": e.accrual_days,
        "accrued_interest_per_unit": amount(e.accrued_interest_per_unit),
        "accrued_interest": amount(e.accrued_interest),
        "new_notes_principal": amount(e.new_notes_principal),
        "warrants_exact": fraction(e.warrants_exact),
        "warrants": e.warrants,
        "participation_fee": amount(e.participation_fee),
        "fee_installments": [
            {
                "sequence": f.sequence,
                "scheduled_date": f.scheduled_date.isoformat(),
                "payment_date": f.payment_date.isoformat(),
                "amount": amount(f.amount),
            }
            for f in e.fee_installments
        ],
        "coupons": [
            {
                "period_start": c.period_start.isoformat(),
                "period_end": c.period_end.isoformat(),
                "payment_date": c.payment_date.isoformat(),
                "days": c.days,
                "rate": fraction(c.rate),
                "amount": amount(c.amount),
            }
            for c in e.coupons
        ],
        "total_coupons": amount(e.total_coupons),
        "principal_repayment": {
            "payment_date": e.principal_repayment.payment_date.isoformat(),
            "amount": amount(e.principal_repayment.amount),
        },
        "total_cash": amount(e.total_cash),
        "non_tender_payout": amount(e.non_tender_payout),
    }
