"""The report of the holders who do not tender as CSV (one row per account) and as JSON (the
totals and the rows). Amounts are written exactly, as plain decimals (80000.00, 101363.20)."""

from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from exchange_office.spreadsheet import Cell, SpreadsheetWriter
from tenders.notices.selectors import NonTenderReport, NonTenderRow

CSV_COLUMNS = [
    "firm",
    "dtc_participant_number",
    "account_number",
    "owners",
    "email",
    "position",
    "tendered",
    "untendered",
    "payout",
    "payment_date",
    "projected",
    "instruction_version",
    "instruction_status",
    "problem",
]
CENT = Decimal("0.01")


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT)


def _values(report: NonTenderReport, row: NonTenderRow) -> dict[str, Cell]:
    """The row's cells: amounts as numbers (a spreadsheet adds them up), the rest as text."""
    payment_date: date | None = report.payment_date
    return {
        "firm": row.firm,
        "dtc_participant_number": row.dtc_participant_number,
        "account_number": row.account_number,
        "owners": "; ".join(row.owners),
        "email": row.email,
        "position": _cents(row.position),
        "tendered": _cents(row.tendered),
        "untendered": _cents(row.untendered),
        "payout": _cents(row.payout),
        "payment_date": payment_date.isoformat() if payment_date else "",
        "projected": "yes" if report.projected else "no",
        "instruction_version": row.instruction_version,
        "instruction_status": row.instruction_status_label,
        "problem": row.problem,
    }


def _as_text(value: Cell) -> Any:
    """JSON's form of a cell: amounts as strings with two decimals, none as ""."""
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else value


def _json_row(report: NonTenderReport, row: NonTenderRow) -> dict[str, Any]:
    values = {key: _as_text(value) for key, value in _values(report, row).items()}
    return {**values, "owners": list(row.owners)}


def write_csv(report: NonTenderReport, out: TextIO) -> None:
    """One row per account; a name or address that starts like a formula is written as text
    (`exchange_office.spreadsheet`)."""
    writer = SpreadsheetWriter(out)
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        values = _values(report, row)
        writer.writerow(values[column] for column in CSV_COLUMNS)


def as_json(report: NonTenderReport) -> dict[str, Any]:
    return {
        "offer": report.offer.slug,
        "payment_date": report.payment_date.isoformat() if report.payment_date else None,
        "projected": report.projected,
        "error": report.error,
        "accounts": report.accounts,
        "total_untendered": _amount(report.total_untendered),
        "total_payout": _amount(report.total_payout),
        "rows": [_json_row(report, row) for row in report.rows],
    }
