"""The files for the exchange agent, written from plain values (`tenders.domain.submission`):
CSV and ISO 15022 MT565 here, ISO 20022 seev.033/seev.040 in `tenders.submissions.iso20022`.
Cancellations come first in every file, so the agent drops an instruction before it takes the
one that replaces it.

MT565: each message is a whole FIN message as the firm's SWIFT interface takes it in an RJE
file: the basic header `{1:F01<sender>0000000000}` (the participant's BIC as a 12-character
logical terminal address, session and sequence numbers left at zero for the interface to
fill), the application header `{2:I565<receiver>N}` (the account servicer's BIC, normal
priority), the text block (`{4:` CRLF, the fields, CRLF `-}`) and, for a message sent again,
the trailer `{5:{PDE:}}` (possible duplicate emission). Messages are separated by `$`. Text is
in SWIFT's x character set; an empty file (nothing due) is empty.
"""

import io
from collections.abc import Sequence
from decimal import Decimal

from exchange_office.formatting import digits_timestamp
from exchange_office.spreadsheet import SpreadsheetWriter
from tenders.domain.submission import (
    EVENT_TYPE,
    OPTION_NUMBER,
    OPTION_TYPE,
    AgentMessage,
    MessageKind,
    SubmissionHeader,
    swift_address,
    swift_amount,
    swift_lines,
)

CSV_COLUMNS = [
    "message",
    "reference",
    "cancels_reference",
    "participant",
    "account",
    "version",
    "cusip",
    "tender",
    "face_amount",
    "status",
]
_CSV_MESSAGE = {MessageKind.INSTRUCT: "instruction", MessageKind.CANCEL: "cancellation"}
CENT = Decimal("0.01")


def in_file_order(messages: Sequence[AgentMessage]) -> list[AgentMessage]:
    """Cancellations first, then instructions; each by account and version."""
    return sorted(
        messages,
        key=lambda m: (m.kind is MessageKind.INSTRUCT, m.account_number, m.version),
    )


def csv_file(header: SubmissionHeader, messages: Sequence[AgentMessage]) -> bytes:
    """One row per message: what it is, its reference (and the one it cancels), the
    participant, the account, the CUSIP, ALL or the stated amount, the face amount it tenders
    and the instruction's status. An account number that starts like a formula is written as
    text (`exchange_office.spreadsheet`); amounts are numbers with two decimals."""
    out = io.StringIO()
    writer = SpreadsheetWriter(out)
    writer.writerow(CSV_COLUMNS)
    for message in in_file_order(messages):
        writer.writerow(
            [
                _CSV_MESSAGE[message.kind],
                message.reference,
                message.cancels,
                header.participant,
                message.account_number,
                message.version,
                header.cusip,
                "ALL" if message.stated is None else message.stated.quantize(CENT),
                message.face_amount.quantize(CENT),
                message.status,
            ]
        )
    return out.getvalue().encode("utf-8")


def mt565_fields(header: SubmissionHeader, message: AgentMessage) -> list[str]:
    """The text block of one MT565 Corporate Action Instruction, field by field: NEWM for an
    instruction, CANC (linked to the instruction's reference) for its cancellation."""
    cancel = message.kind is MessageKind.CANCEL
    fields = [
        ":16R:GENL",
        f":20C::CORP//{header.event_id}",
        f":20C::SEME//{message.reference}",
        ":23G:CANC" if cancel else ":23G:NEWM",
        f":22F::CAEV//{EVENT_TYPE}",
        f":98C::PREP//{digits_timestamp(header.created_at)}",
    ]
    if cancel:
        fields += [":16R:LINK", f":20C::PREV//{message.cancels}", ":16S:LINK"]
    fields += [
        ":16S:GENL",
        ":16R:USECU",
        f":35B:ISIN {header.isin}",
        f"/US/{header.cusip}",
        *swift_lines(header.security_name, lines=3),
        ":16R:ACCTINFO",
        f":97A::SAFE//{header.safekeeping_account}",
        ":16S:ACCTINFO",
        ":16S:USECU",
        ":16R:CAINST",
        f":13A::CAON//{OPTION_NUMBER}",
        f":22F::CAOP//{OPTION_TYPE}",
        f":36B::QINS//FAMT/{swift_amount(message.face_amount)}",
        ":16S:CAINST",
    ]
    return fields


# The trailer of a message that may have been sent before (Possible Duplicate Emission).
PDE_TRAILER = "{5:{PDE:}}"


def mt565_message(header: SubmissionHeader, message: AgentMessage) -> str:
    """One FIN message: basic header (the participant's logical terminal, session and
    sequence numbers zero), application header (input MT565 to the servicer, normal
    priority), text block, and the PDE trailer when it is sent again."""
    sender = swift_address(header.sender_bic, terminal="A")
    receiver = swift_address(header.receiver_bic, terminal="X")
    text = "\r\n".join(mt565_fields(header, message))
    trailer = PDE_TRAILER if message.possible_duplicate else ""
    return f"{{1:F01{sender}0000000000}}{{2:I565{receiver}N}}{{4:\r\n{text}\r\n-}}{trailer}"


def mt565_file(header: SubmissionHeader, messages: Sequence[AgentMessage]) -> bytes:
    blocks = [mt565_message(header, message) for message in in_file_order(messages)]
    return ("$".join(blocks) + "\r\n" if blocks else "").encode("ascii")


def render(file_format: str, header: SubmissionHeader, messages: Sequence[AgentMessage]) -> bytes:
    """The file in `file_format` (seev033, mt565 or csv)."""
    if file_format == "csv":
        return csv_file(header, messages)
    if file_format == "mt565":
        return mt565_file(header, messages)
    if file_format == "seev033":
        # Imported here: the ISO 20022 dataclasses take a second or two to import, which only
        # the XML files should pay.
        from tenders.submissions import iso20022

        return iso20022.xml_file(header, in_file_order(messages))
    raise ValueError(f"unknown format {file_format!r}")
