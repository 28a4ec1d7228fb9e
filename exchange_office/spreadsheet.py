"""CSV for a spreadsheet, with no cell run as a formula: text that starts with =, +, -, @, a tab
or a carriage return is written after an apostrophe, which a spreadsheet shows and does not
run (OWASP's "CSV injection"). Plain Python, no Django: any report's CSV can share it."""

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | None


def safe_cell(value: Cell) -> str:
    """A cell's text, never a formula (a number too: -5 would be written '-5)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A header row, then one row per item, every cell guarded, lines ended with CRLF as
    RFC 4180 writes them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
