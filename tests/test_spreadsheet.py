"""The one CSV writer of the exports (exchange_office/spreadsheet.py): text that starts like a
formula is written after an apostrophe; numbers, told by their type, are written as they are.
(The guard on each formula character: tests/tenders/test_reconciliation.py.)"""

import csv
import io
from decimal import Decimal

import pytest

from exchange_office.spreadsheet import SpreadsheetWriter, csv_text, safe_cell


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_negative_decimal_amount_stays_a_number() -> None:
    assert _cells(csv_text(["amount"], [[Decimal("-1500.00")]]))[1] == ["-1500.00"]


def test_a_negative_whole_number_stays_a_number() -> None:
    assert safe_cell(-3) == "-3"


def test_the_same_figure_as_text_is_guarded() -> None:
    assert safe_cell("-1500.00") == "'-1500.00"


def test_a_decimal_is_written_without_an_exponent() -> None:
    assert safe_cell(Decimal("1E+3")) == "1000"
    assert safe_cell(Decimal("267.040")) == "267.040"


def test_a_yes_or_no_figure_is_written_true_or_false() -> None:
    assert [safe_cell(True), safe_cell(False)] == ["true", "false"]


def test_a_float_is_refused() -> None:
    with pytest.raises(TypeError, match="not float"):
        safe_cell(1.5)  # type: ignore[arg-type]  # what the check refuses


@pytest.mark.parametrize("value", ["-Infinity", "NaN"])
def test_a_decimal_that_is_no_figure_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="cannot be"):
        safe_cell(Decimal(value))


def test_a_carriage_return_at_the_start_of_text_is_guarded() -> None:
    assert safe_cell("\r=1+1") == "'\r=1+1"


def test_the_writer_ends_lines_with_crlf_and_guards_every_row() -> None:
    out = io.StringIO()
    writer = SpreadsheetWriter(out)
    writer.writerow(["account", "principal"])
    writer.writerows([["=1+1", Decimal("125000.00")], ["@A1", None]])
    assert out.getvalue() == "account,principal\r\n'=1+1,125000.00\r\n'@A1,\r\n"
