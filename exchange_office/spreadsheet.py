"""The one CSV writer of every export (tabulation, holders who do not tender, the agent's CSV,
reconciliation, movements): no cell is run as a formula. Text that starts with =, +, -, @, a
tab or a carriage return is written after an apostrophe, which a spreadsheet shows and does
not run (OWASP's "CSV injection"). Plain Python, no Django.

Text is told from numbers by type, not by looks: a `str` is text and always guarded (an
account number "-2" is written '-2), while an `int` or a `Decimal` is a number and written as
it is, sign included (-1500.00 stays a number a spreadsheet can add up). So an export passes
amounts as `Decimal`, never pre-formatted as text.

Written here rather than with defusedcsv (3.0.0): it guards neither a leading tab nor a
carriage return, decides by looks (a text "-2" passes unguarded) and rewrites every "|" in a
guarded cell, which would change an owner's name.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | Decimal | None  # a bool is an int: written true/false


def safe_cell(value: Cell) -> str:
    """A cell's text, never a formula: text is guarded, numbers are written as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():  # "-Infinity" would start a formula; no figure is one
            raise ValueError(f"a CSV cell cannot be {value}")
        return format(value, "f")  # never an exponent: 1E+3 is written 1000
    if isinstance(value, str):
        return f"'{value}" if value.startswith(FORMULA_START) else value
    # A float is no figure of ours (money is Decimal); anything else needs its own text.
    raise TypeError(f"a CSV cell is text, an int or a Decimal, not {type(value).__name__}")


class SpreadsheetWriter:
    """csv.writer's rows with every cell through `safe_cell`, lines ended with CRLF as RFC
    4180 writes them."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, row: Iterable[Cell]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Cell]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A header row, then one row per item."""
    out = io.StringIO()
    writer = SpreadsheetWriter(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
