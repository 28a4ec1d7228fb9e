"""The report of the holders who do not tender as CSV (one row per account) and as JSON (the
totals and the rows). Amounts are written exactly, as plain decimals (80000.00, 101363.20)."""

import csv
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

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

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """A typed name or address as a spreadsheet shows it, never run as a formula."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _values(report: NonTenderReport, row: NonTenderRow) -> dict[str, Any]:
    payment_date: date | None = report.payment_date
    return {
        "firm": row.firm,
        "dtc_participant_number": row.dtc_participant_number,
        "account_number": row.account_number,
        "owners": "; ".join(row.owners),
        "email": row.email,
        "position": _amount(row.position),
        "tendered": _amount(row.tendered),
        "untendered": _amount(row.untendered),
        "payout": _amount(row.payout),
        "payment_date": payment_date.isoformat() if payment_date else "",
        "projected": "yes" if report.projected else "no",
        "instruction_version": row.instruction_version or "",
        "instruction_status": row.instruction_status_label,
        "problem": row.problem,
    }


def write_csv(report: NonTenderReport, out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in report.rows:
        values = _values(report, row)
        writer.writerow(
            {
                key: _cell(value) if isinstance(value, str) else value
                for key, value in values.items()
            }
        )


def as_json(report: NonTenderReport) -> dict[str, Any]:
    return {
        "offer": report.offer.slug,
        "payment_date": report.payment_date.isoformat() if report.payment_date else None,
        "projected": report.projected,
        "error": report.error,
        "accounts": report.accounts,
        "total_untendered": _amount(report.total_untendered),
        "total_payout": _amount(report.total_payout),
        "rows": [{**_values(report, row), "owners": list(row.owners)} for row in report.rows],
    }
