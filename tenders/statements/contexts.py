"""What an account statement says, as the values of its template (`pdf/statement.html`),
taken into the statement's snapshot when it is issued."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from exchange_office.formatting import long_date, money
from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount
from tenders.documents.contexts import client_values, cusip_text, firm_values, offer_values
from tenders.documents.models import DocumentKind
from tenders.domain.statements import quarter_label
from tenders.ledger.models import Asset, AssetKind
from tenders.statements.selectors import StatementLines


def quantity_text(asset: Asset, quantity: Decimal, *, signed: bool = False) -> str:
    """$617,702.40 of principal, 2,616 warrants; with `signed`, + or - in front."""
    sign = ("+" if quantity > 0 else "-" if quantity < 0 else "") if signed else ""
    if asset.kind == AssetKind.WARRANTS:
        return f"{sign}{abs(quantity):,.0f}"
    return sign + money(abs(quantity) if signed else quantity)


def _security(asset: Asset) -> dict[str, str]:
    security = asset.security
    if security is None:  # warrants
        return {"name": asset.name, "cusip": ""}
    return {"name": security.short_name or security.name, "cusip": cusip_text(security.cusip)}


def statement_context(
    *,
    account: ClientAccount,
    offer: ExchangeOffer,
    lines: StatementLines,
    owners: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The statement of `account` for a quarter, from its lines (`statement_lines`)."""
    period = quarter_label(lines.period)
    return {
        "document_title": DocumentKind.STATEMENT.label,
        "client": client_values(account, owners),
        "firm": firm_values(account.firm),
        "offer": offer_values(offer, None),
        "period": lines.period,
        "period_text": period,
        "first_day": lines.first_day,
        "last_day": lines.last_day,
        "positions": [
            {
                **_security(line.asset),
                "opening": quantity_text(line.asset, line.opening),
                "closing": quantity_text(line.asset, line.closing),
            }
            for line in lines.positions
        ],
        "movements": [
            {
                "posted_on": line.posted_on,
                "description": line.description,
                # The entry's later legs are printed under its first, without repeating it.
                "same_entry": i > 0 and lines.movements[i - 1].entry_id == line.entry_id,
                **_security(line.asset),
                "quantity": quantity_text(line.asset, line.quantity, signed=True),
            }
            for i, line in enumerate(lines.movements)
        ],
        "cash": [
            {"posted_on": line.posted_on, "description": line.description, "amount": line.quantity}
            for line in lines.cash
        ],
        "cash_total": lines.cash_total,
        "email_paragraphs": [
            f"Attached is the statement of your account for {period}: the securities held for "
            f"you on {long_date(lines.first_day)} and on {long_date(lines.last_day)}, each "
            f"movement in between, and the cash received, {money(lines.cash_total)} in all."
        ],
    }
