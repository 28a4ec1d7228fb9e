"""The messages for the exchange agent as plain values: their references, the ISIN of the Old
Notes, SWIFT's character set and amounts, and the MT565 and CSV files written from them. No
database.

MT565 is tested against the field specification written out below from the MT565 definition
(ISO 15022, SWIFT's Standards MT), with the FIN headers and trailer around each message: no
maintained Python parser validates it. swift-parser-py 0.5.0,
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
    swift_address,
    swift_amount,
    swift_lines,
    swift_text,
)
from tenders.submissions.files import (
    CSV_COLUMNS,
    csv_file,
    mt565_fields,
    mt565_file,
    mt565_message,
)

NY = ZoneInfo("America/New_York")
HEADER = SubmissionHeader(
    event_id="NONREF",
    participant="0901",
    firm_name="Hudson & Broad Securities LLC",
    agent_name="Wilmington Trust Company",
    cusip="529529AA7",
    isin="US529529AA73",
    security_name="12 3/4% Senior Subordinated Notes due February 1, 2000",
    created_at=datetime(2001, 8, 20, 10, 0, tzinfo=NY),
    sender_bic="DEMHUS30",  # fictional, as in the demo
    receiver_bic="DEMDUS30",
    safekeeping_account="0901",
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


# MT565: the field specification of the fields used, written out from SWIFT's MT565 Corporate
# Action Instruction (Standards MT, Category 5 Securities Markets, MT565 field specifications,
# and the General Field Definitions of the Standards MT General Information). SWIFT's notation:
# n digits, c upper-case letters and digits, x SWIFT's x set, d digits with a decimal comma
# (the length counting it), e a space; ! fixed length, [] optional, 4*35x up to 4 lines of 35.

X = r"[A-Za-z0-9/\-?:().,'+ ]"
# 16x, and (Network Validated Rule T26) neither starting nor ending with '/' nor holding '//'.
REFERENCE = r"(?!/)(?!.*//)(?!.*/$)[A-Za-z0-9/\-?:().,'+ ]{1,16}"
MT565_FIELDS: dict[str, tuple[str, str]] = {
    # tag: (the format as the specification writes it, the same as a pattern)
    "16R": ("16c", r"[A-Z0-9]{1,16}"),  # start of block
    "16S": ("16c", r"[A-Z0-9]{1,16}"),  # end of block
    "20C": (":4!c//16x", rf":[A-Z0-9]{{4}}//{REFERENCE}"),  # CORP, SEME, PREV
    "23G": ("4!c[/4!c]", r"[A-Z0-9]{4}(/[A-Z0-9]{4})?"),  # function of the message
    "22F": (":4!c/[8c]/4!c", r":[A-Z0-9]{4}/([A-Z0-9]{1,8})?/[A-Z0-9]{4}"),  # CAEV, CAOP
    "98C": (":4!c//8!n6!n", r":[A-Z0-9]{4}//\d{8}\d{6}"),  # PREP
    "35B": ("[ISIN1!e12!c]", r"ISIN [A-Z0-9]{12}"),  # then [4*35x] on the lines after
    "97A": (":4!c//35x", rf":[A-Z0-9]{{4}}//{X}{{1,35}}"),  # SAFE
    "13A": (":4!c//3!c", r":[A-Z0-9]{4}//[A-Z0-9]{3}"),  # CAON
    "36B": (":4!c//4!c/15d", r":[A-Z0-9]{4}//[A-Z0-9]{4}/(?=[\d,]{1,15}$)\d+,\d*"),  # QINS
}
CONTINUATION_LINES = {"35B": 4}  # the fields whose content goes on over lines of 35x
# FIN's headers around the text block: basic header F01 + the sender's logical terminal
# (12 characters) + session (4!n) + sequence (6!n); application header, input: I + the message
# type (3!n) + the receiver's address (12) + priority (S, U or N); trailer PDE, possibly empty.
BASIC_HEADER = r"\{1:F01[A-Z0-9]{12}\d{4}\d{6}\}"
APPLICATION_HEADER = r"\{2:I565[A-Z0-9]{12}[SUN]\}"
TRAILER = r"(\{5:\{PDE:[^}]*\}\})?"


# The sequences in order, with their mandatory fields (M) in MT565.
NEW_INSTRUCTION = [
    ":16R:GENL", ":20C::CORP//NONREF", ":20C::SEME//0901I5V1", ":23G:NEWM",
    ":22F::CAEV//EXOF", ":98C::PREP//20010820100000", ":16S:GENL",
    ":16R:USECU", ":35B:ISIN US529529AA73", "/US/529529AA7", "12 3/4 PCT Senior Subordinated",
    "Notes due February 1, 2000", ":16R:ACCTINFO", ":97A::SAFE//0901", ":16S:ACCTINFO",
    ":16S:USECU",
    ":16R:CAINST", ":13A::CAON//001", ":22F::CAOP//SECU", ":36B::QINS//FAMT/400000,",
    ":16S:CAINST",
]  # fmt: skip


def _fields_follow_the_mt565_formats(lines: list[str]) -> list[str]:
    """The lines that break the specification: a field of a tag it does not list, a field in a
    format other than its own, or a continuation line outside 35x, of a field that takes none,
    or beyond the lines it takes."""
    broken, previous, continued = [], "", 0
    for line in lines:
        tag = re.match(r":(\d{2}[A-Z]):", line)
        if tag:
            previous, continued = tag.group(1), 0
            spec = MT565_FIELDS.get(previous)
            if spec is None or not re.fullmatch(spec[1], line[len(tag.group(0)) :]):
                broken.append(line)
            continue
        continued += 1
        if continued > CONTINUATION_LINES.get(previous, 0) or not re.fullmatch(
            f"{X}{{1,35}}", line
        ):
            broken.append(line)
    return broken


def _message_breaks(message: str) -> list[str]:
    """What breaks FIN's frame of one message: its headers, the text block and the trailer."""
    frame = re.fullmatch(
        rf"{BASIC_HEADER}{APPLICATION_HEADER}\{{4:\r\n(?P<text>.*)\r\n-\}}{TRAILER}",
        message,
        flags=re.DOTALL,
    )
    if frame is None:
        return ["the FIN headers, text block or trailer"]
    return _fields_follow_the_mt565_formats(frame.group("text").split("\r\n"))


def test_an_mt565_instruction_holds_its_sequences_and_fields_in_order() -> None:
    assert mt565_fields(HEADER, FERRIS) == NEW_INSTRUCTION


def test_an_mt565_instruction_tenders_the_face_amount_with_a_decimal_comma() -> None:
    assert ":36B::QINS//FAMT/400000," in mt565_fields(HEADER, FERRIS)


def test_every_mt565_field_follows_its_format() -> None:
    lines = mt565_fields(HEADER, FERRIS) + mt565_fields(HEADER, FERRIS_CANCELLED)
    assert _fields_follow_the_mt565_formats(lines) == []


def test_the_format_check_sees_a_field_that_breaks_its_format() -> None:
    broken = [
        ":36B::QINS//FAMT/400000.00",  # a decimal point, not a comma
        ":20C::SEME//0901I5V1TOOLONG123",  # 23 characters of 16x
        ":97A::SAFE//" + "9" * 36,  # 36 of 35x
        "a line%",  # % is not in the x set, and 16R takes no continuation
    ]
    assert _fields_follow_the_mt565_formats([":16R:GENL", *broken]) == broken


def test_an_mt565_cancellation_is_canc_linked_to_the_instruction_it_cancels() -> None:
    fields = mt565_fields(HEADER, FERRIS_CANCELLED)
    assert ":23G:CANC" in fields and ":20C::SEME//0901C5V1" in fields
    link = fields.index(":16R:LINK")
    assert fields[link : link + 3] == [":16R:LINK", ":20C::PREV//0901I5V1", ":16S:LINK"]
    assert fields.index(":16S:LINK") < fields.index(":16S:GENL")


def test_an_mt565_file_is_fin_messages_in_crlf_lines_separated_by_dollars() -> None:
    text = mt565_file(HEADER, [FERRIS, FERRIS_CANCELLED]).decode("ascii")
    messages = text.removesuffix("\r\n").split("$")
    assert len(messages) == 2
    for message in messages:
        assert message.startswith("{1:F01") and message.endswith("\r\n-}")
        assert "\n" not in message.replace("\r\n", "")
    assert ":20C::SEME//0901C5V1" in messages[0]  # the cancellation comes first


def test_every_mt565_message_follows_the_mt565_specification() -> None:
    resent = dataclasses.replace(FERRIS, possible_duplicate=True)
    for message in (FERRIS, FERRIS_CANCELLED, KEYSTONE, resent):
        assert _message_breaks(mt565_message(HEADER, message)) == []


def test_the_specification_check_sees_a_message_that_breaks_its_frame() -> None:
    message = mt565_message(HEADER, FERRIS)
    assert _message_breaks(message.replace("{2:I565", "{2:O565")) != []
    assert _message_breaks(message.replace("0000000000}", "00000}")) != []


def test_an_mt565_goes_from_the_participants_bic_to_the_servicers() -> None:
    assert mt565_message(HEADER, FERRIS).startswith(
        "{1:F01DEMHUS30AXXX0000000000}{2:I565DEMDUS30XXXXN}{4:\r\n"
    )


def test_an_mt565_sent_for_the_first_time_has_no_trailer() -> None:
    assert mt565_message(HEADER, FERRIS).endswith("\r\n-}")


def test_an_mt565_sent_again_ends_with_the_possible_duplicate_trailer() -> None:
    resent = dataclasses.replace(FERRIS, possible_duplicate=True)
    assert mt565_message(HEADER, resent).endswith("\r\n-}{5:{PDE:}}")


def test_a_bic_is_a_12_character_logical_terminal_address() -> None:
    assert swift_address("DEMHUS30", terminal="A") == "DEMHUS30AXXX"
    assert swift_address("DEMHUS30B01", terminal="X") == "DEMHUS30XB01"


def test_a_safekeeping_account_of_the_firms_own_is_the_97a() -> None:
    header = dataclasses.replace(HEADER, safekeeping_account="DTC0901A")
    assert ":97A::SAFE//DTC0901A" in mt565_fields(header, FERRIS)


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
