"""The messages for the exchange agent as plain values: their references, the ISIN of the Old
Notes, SWIFT's character set and amounts, and the MT565 and CSV files written from them. No
database.

MT565 is tested against the format's rules written out below from the MT565 definition (ISO
15022, SWIFT's Standards MT): no maintained Python parser validates it. swift-parser-py 0.5.0,
the ISO 15022 parser on PyPI, is non-validating by its own account and misreads every generic
field (it keeps the colon before the qualifier: `::CAEV//EXOF`); swiftlib 1.0.1 has no MT565.
"""

import csv
import dataclasses
import io
import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tenders.domain.submission import (
    AgentMessage,
    InvalidReference,
    MessageKind,
    SubmissionHeader,
    isin_for_cusip,
    message_reference,
    swift_amount,
    swift_lines,
    swift_text,
)
from tenders.submissions.files import CSV_COLUMNS, csv_file, mt565_fields, mt565_file

NY = ZoneInfo("America/New_York")
HEADER = SubmissionHeader(
    event_id="LXP2001EXOF",
    participant="0901",
    firm_name="Hudson & Broad Securities LLC",
    agent_name="Wilmington Trust Company",
    cusip="529529AA7",
    isin="US529529AA73",
    security_name="12 3/4% Senior Subordinated Notes due February 1, 2000",
    created_at=datetime(2001, 8, 20, 10, 0, tzinfo=NY),
)
FERRIS = AgentMessage(
    kind=MessageKind.INSTRUCT,
    reference="0901I5V1",
    cancels="",
    instruction_id=5,
    account_number="HB-100007",
    version=1,
    choice="AMOUNT",
    stated=Decimal("400000.00"),
    face_amount=Decimal("400000.00"),
    status="submitted",
)
KEYSTONE = AgentMessage(
    kind=MessageKind.INSTRUCT,
    reference="0901I1V1",
    cancels="",
    instruction_id=1,
    account_number="HB-100001",
    version=1,
    choice="ALL",
    stated=None,
    face_amount=Decimal("7250000.00"),
    status="submitted",
)
FERRIS_CANCELLED = AgentMessage(
    kind=MessageKind.CANCEL,
    reference="0901C5V1",
    cancels="0901I5V1",
    instruction_id=5,
    account_number="HB-100007",
    version=1,
    choice="AMOUNT",
    stated=Decimal("400000.00"),
    face_amount=Decimal("400000.00"),
    status="withdrawn",
)


# References


def test_a_reference_names_the_participant_the_instruction_and_its_version() -> None:
    assert (
        message_reference(
            participant="0901", instruction_id=12, version=2, kind=MessageKind.INSTRUCT
        )
        == "0901I12V2"
    )


def test_a_cancellation_has_a_reference_of_its_own() -> None:
    assert (
        message_reference(participant="0901", instruction_id=12, version=2, kind=MessageKind.CANCEL)
        == "0901C12V2"
    )


def test_a_reference_longer_than_mt565_allows_is_refused() -> None:
    # 09010901 I 1234567 V 12: 19 characters; :20C::SEME// takes 16.
    with pytest.raises(InvalidReference, match="16 letters and digits"):
        message_reference(
            participant="09010901", instruction_id=1234567, version=12, kind=MessageKind.INSTRUCT
        )


# The Old Notes


def test_the_isin_of_the_old_notes_is_us529529aa73() -> None:
    """Worked by hand: US + 529529AA7 as digits (U=30, S=28, A=10) is 302852952910107; Luhn
    from the right doubles 7,1,1,2,9,5,2,3 (digit sums 5+2+2+4+9+1+4+6 = 33) and adds
    0,0,9,5,2,8,0 (24): 57, so the check digit is 3."""
    assert isin_for_cusip("529529AA7") == "US529529AA73"


def test_an_invalid_cusip_has_no_isin() -> None:
    with pytest.raises(ValueError, match="checksum"):
        isin_for_cusip("529529AA8")


# SWIFT's characters and amounts


def test_swift_amounts_are_written_with_a_decimal_comma() -> None:
    assert swift_amount(Decimal("400000.00")) == "400000,"
    assert swift_amount(Decimal("1234.50")) == "1234,5"


def test_a_swift_amount_longer_than_15_characters_is_refused() -> None:
    with pytest.raises(ValueError, match="15 characters"):
        swift_amount(Decimal("1234567890123456"))


def test_characters_outside_swifts_x_set_are_spelled_out_or_left_out() -> None:
    assert (
        swift_text("12 3/4% Notes & Warrants; $30 fee")
        == "12 3/4 PCT Notes AND Warrants USD 30 fee"
    )


def test_swift_lines_wrap_at_35_and_never_start_with_a_colon_or_hyphen() -> None:
    lines = swift_lines("12 3/4% Senior Subordinated Notes due February 1, 2000", lines=3)
    assert lines == ["12 3/4 PCT Senior Subordinated", "Notes due February 1, 2000"]
    assert swift_lines("-leading hyphen", lines=1) == [".leading hyphen"]


# MT565: the format's rules, written out from the MT565 definition

X = r"[A-Za-z0-9/\-?:().,'+ ]"
REFERENCE = r"[A-Za-z0-9\-?:().,'+ ](?:[A-Za-z0-9/\-?:().,'+ ]{0,14}[A-Za-z0-9\-?:().,'+ ])?"
FIELD_FORMATS = {
    "16R": r":16R:[A-Z0-9]{1,16}",
    "16S": r":16S:[A-Z0-9]{1,16}",
    "20C": rf":20C::(CORP|SEME|PREV)//{REFERENCE}",  # :4!c//16x, no // inside
    "23G": r":23G:(NEWM|CANC)",  # 4!c[/4!c]
    "22F": r":22F::(CAEV|CAOP)//[A-Z0-9]{4}",  # :4!c/[8c]/4!c
    "98C": r":98C::PREP//\d{8}\d{6}",  # :4!c//8!n6!n
    "35B": r":35B:ISIN [A-Z]{2}[A-Z0-9]{9}\d",  # ISIN1!e12!c, then up to 4 lines of 35x
    "97A": rf":97A::SAFE//{X}{{1,35}}",  # :4!c//35x
    "13A": r":13A::CAON//[A-Z0-9]{3}",  # :4!c//3!c
    "36B": r":36B::QINS//FAMT/(?=[\d,]{1,15}$)\d+,\d*",  # :4!c//4!c/15d
}
# The sequences in order, with their mandatory fields (M) in MT565.
NEW_INSTRUCTION = [
    ":16R:GENL", ":20C::CORP//LXP2001EXOF", ":20C::SEME//0901I5V1", ":23G:NEWM",
    ":22F::CAEV//EXOF", ":98C::PREP//20010820100000", ":16S:GENL",
    ":16R:USECU", ":35B:ISIN US529529AA73", "/US/529529AA7", "12 3/4 PCT Senior Subordinated",
    "Notes due February 1, 2000", ":16R:ACCTINFO", ":97A::SAFE//0901", ":16S:ACCTINFO",
    ":16S:USECU",
    ":16R:CAINST", ":13A::CAON//001", ":22F::CAOP//SECU", ":36B::QINS//FAMT/400000,",
    ":16S:CAINST",
]  # fmt: skip


def _fields_follow_the_mt565_formats(lines: list[str]) -> list[str]:
    """The lines that break the rules: a field in a format other than its own, a continuation
    line outside 35x, or a continuation of a field that has none."""
    broken, previous = [], ""
    for line in lines:
        tag = re.match(r":(\d{2}[A-Z]):", line)
        if tag:
            previous = tag.group(1)
            if not re.fullmatch(FIELD_FORMATS[previous], line):
                broken.append(line)
        elif previous != "35B" or not re.fullmatch(f"{X}{{1,35}}", line):
            broken.append(line)
    return broken


def test_an_mt565_instruction_holds_its_sequences_and_fields_in_order() -> None:
    assert mt565_fields(HEADER, FERRIS) == NEW_INSTRUCTION


def test_an_mt565_instruction_tenders_the_face_amount_with_a_decimal_comma() -> None:
    assert ":36B::QINS//FAMT/400000," in mt565_fields(HEADER, FERRIS)


def test_every_mt565_field_follows_its_format() -> None:
    lines = mt565_fields(HEADER, FERRIS) + mt565_fields(HEADER, FERRIS_CANCELLED)
    assert _fields_follow_the_mt565_formats(lines) == []


def test_the_format_check_sees_a_field_that_breaks_its_format() -> None:
    broken = [":36B::QINS//FAMT/400000.00", ":20C::SEME//0901I5V1TOOLONG123", "a line%"]
    assert _fields_follow_the_mt565_formats([":16R:GENL", *broken]) == broken


def test_an_mt565_cancellation_is_canc_linked_to_the_instruction_it_cancels() -> None:
    fields = mt565_fields(HEADER, FERRIS_CANCELLED)
    assert ":23G:CANC" in fields and ":20C::SEME//0901C5V1" in fields
    link = fields.index(":16R:LINK")
    assert fields[link : link + 3] == [":16R:LINK", ":20C::PREV//0901I5V1", ":16S:LINK"]
    assert fields.index(":16S:LINK") < fields.index(":16S:GENL")


def test_an_mt565_file_is_text_blocks_in_crlf_lines_separated_by_dollars() -> None:
    text = mt565_file(HEADER, [FERRIS, FERRIS_CANCELLED]).decode("ascii")
    blocks = text.removesuffix("\r\n").split("$")
    assert len(blocks) == 2
    for block in blocks:
        assert block.startswith("{4:\r\n") and block.endswith("\r\n-}")
        assert "\n" not in block.replace("\r\n", "")
    assert ":20C::SEME//0901C5V1" in blocks[0]  # the cancellation comes first


# CSV


def test_the_csv_has_one_row_per_message_with_participant_account_cusip_tender_and_status() -> None:
    rows = list(csv.DictReader(io.StringIO(csv_file(HEADER, [FERRIS, KEYSTONE]).decode())))
    assert list(rows[0]) == CSV_COLUMNS
    assert [
        (r["participant"], r["account"], r["cusip"], r["tender"], r["face_amount"], r["status"])
        for r in rows
    ] == [
        ("0901", "HB-100001", "529529AA7", "ALL", "7250000.00", "submitted"),
        ("0901", "HB-100007", "529529AA7", "400000.00", "400000.00", "submitted"),
    ]
    assert [r["reference"] for r in rows] == ["0901I1V1", "0901I5V1"]


def test_a_csv_cancellation_row_names_the_instruction_it_cancels() -> None:
    rows = list(csv.DictReader(io.StringIO(csv_file(HEADER, [FERRIS_CANCELLED]).decode())))
    assert [(r["message"], r["reference"], r["cancels_reference"], r["status"]) for r in rows] == [
        ("cancellation", "0901C5V1", "0901I5V1", "withdrawn")
    ]


def test_a_csv_account_number_is_never_read_as_a_formula() -> None:
    message = dataclasses.replace(FERRIS, account_number="=HYPERLINK(1)")
    rows = list(csv.DictReader(io.StringIO(csv_file(HEADER, [message]).decode())))
    assert rows[0]["account"] == "'=HYPERLINK(1)"
