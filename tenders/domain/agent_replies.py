"""What the exchange agent answers, as plain data, and its ISO 15022 messages (MT567, MT566)
read and written as text. No Django: the ISO 20022 messages (seev.034, seev.041, seev.036) are
read and written in `tenders.submissions.agent_iso20022`, the replies stored by
`tenders.submissions.replies`.

A reply answers one message the office sent, named by that message's reference (the AppHdr's
BizMsgIdr, MT565's :20C::SEME): a status advice says accepted, rejected (with a reason) or
pending; a movement confirmation, after consummation, lists what was posted to the
participant's account: Old Notes debited, New Notes and warrants credited, cash paid.

There is no maintained Python parser for SWIFT MT (FIN) messages: the few packages on PyPI
are unmaintained or read only MT940 statements. The reader here takes what MT567 and MT566
need, and is liberal: blocks {1:}{2:}{3:}{4:}{5:} with any of them but block 4 missing,
messages separated by `$` or simply following each other, CRLF or LF line ends.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from exchange_office.formatting import (
    digits_date,
    digits_timestamp,
    fin_date_and_time,
    parse_digits_timestamp,
)
from tenders.domain.submission import (
    EVENT_TYPE,
    OPTION_NUMBER,
    OPTION_TYPE,
    swift_amount,
    swift_lines,
)

STATUS_INSTRUCTION = "seev.034.001.14"
STATUS_CANCELLATION = "seev.041.001.13"
MOVEMENT_CONFIRMATION = "seev.036.001.15"
MT_STATUS = "MT567"
MT_MOVEMENT = "MT566"


class ReplyKind(StrEnum):
    STATUS = "status"  # seev.034 / seev.041 / MT567
    MOVEMENT = "movement"  # seev.036 / MT566


class ReplyStatus(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PENDING = "pending"


class Asset(StrEnum):
    OLD_NOTES = "old_notes"
    NEW_NOTES = "new_notes"
    WARRANTS = "warrants"
    CASH = "cash"


ASSET_LABELS = {
    (Asset.OLD_NOTES, False): "Old Notes debited",
    (Asset.NEW_NOTES, True): "New Notes credited",
    (Asset.WARRANTS, True): "Warrants credited",
    (Asset.CASH, True): "Cash credited",
}


class UnreadableMessage(ValueError):
    """A message of the agent's file that cannot be read as a reply."""


@dataclass(frozen=True, slots=True)
class Movement:
    """One posting: a security debited or credited (face amount, or units for warrants), or
    cash paid, on `posted_on`."""

    asset: Asset
    credit: bool
    amount: Decimal
    posted_on: date
    label: str = ""


@dataclass(frozen=True, slots=True)
class ParsedReply:
    """One message of the agent's file, as read."""

    message_type: str  # seev.034.001.14, seev.041.001.13, seev.036.001.15, MT567, MT566
    kind: ReplyKind
    answers: str  # the reference of the office's message it answers
    agent_reference: str
    status: ReplyStatus
    reason_code: str = ""
    reason: str = ""
    advised_at: datetime | None = None
    movements: tuple[Movement, ...] = field(default_factory=tuple)
    cancellation: bool = False  # a status advice on a cancellation (seev.041, MT567 CAST)


# Codes, read liberally: ISO 15022's and ISO 20022's status codes mean the same thing.
_ACCEPTED = {"PACK", "CAND", "COMP", "ACCP", "AccptdForFrthrPrcg", "Accptd", "CxlCmpltd"}
_REJECTED = {"REJT", "DEND", "Rjctd"}
_PENDING = {"PEND", "PENF", "CANP", "Pdg", "PdgCxl"}


def status_from_code(code: str) -> ReplyStatus:
    if code in _ACCEPTED:
        return ReplyStatus.ACCEPTED
    if code in _REJECTED:
        return ReplyStatus.REJECTED
    if code in _PENDING:
        return ReplyStatus.PENDING
    raise UnreadableMessage(f"the status {code!r} is not accepted, rejected or pending")


def asset_for(*, security: bool, units: bool, credit: bool) -> Asset:
    """What a posting moves, for this offer's one option: a security debited in face amount is
    the Old Notes, credited the New Notes; a security counted in units is the warrants."""
    if not security:
        return Asset.CASH
    if units:
        return Asset.WARRANTS
    return Asset.NEW_NOTES if credit else Asset.OLD_NOTES


def movement(*, asset: Asset, credit: bool, amount: Decimal, posted_on: date) -> Movement:
    label = (
        ASSET_LABELS.get((asset, credit)) or f"{asset.value} {'credited' if credit else 'debited'}"
    )
    return Movement(asset=asset, credit=credit, amount=amount, posted_on=posted_on, label=label)


# ISO 15022: reading


_BLOCK = re.compile(r"\{([1-5]):")


def _blocks(message: str) -> dict[str, str]:
    """The blocks of one FIN message by number. Block 4 runs to its `-}`; the others hold no
    line breaks (blocks 3 and 5 hold {tag:value} pairs, read whole)."""
    blocks: dict[str, str] = {}
    position = 0
    while (found := _BLOCK.search(message, position)) is not None:
        number = found.group(1)
        start = found.end()
        if number == "4":
            end = message.find("\n-}", start)
            if end < 0:
                raise UnreadableMessage("block 4 has no end (-})")
            blocks["4"] = message[start:end]
            position = end + 3
            continue
        depth, index = 1, start
        while index < len(message) and depth:
            depth += {"{": 1, "}": -1}.get(message[index], 0)
            index += 1
        if depth:
            raise UnreadableMessage(f"block {number} has no closing brace")
        blocks[number] = message[start : index - 1]
        position = index
    return blocks


def split_fin(text: str) -> list[str]:
    """The messages of a FIN file: separated by `$`, or each starting at its block 1 (or at
    its block 4 when it has no headers)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    messages: list[str] = []
    for chunk in text.split("$"):
        if not chunk.strip():
            continue
        starts = [m.start() for m in re.finditer(r"\{1:", chunk)]
        if len(starts) <= 1:
            messages.append(chunk.strip())
            continue
        if chunk[: starts[0]].strip():
            messages.append(chunk[: starts[0]].strip())
        for begin, end in zip(starts, [*starts[1:], len(chunk)], strict=True):
            messages.append(chunk[begin:end].strip())
    return messages


_FIELD = re.compile(r"^:(\d\d[A-Z]?):(.*)$")


def _fields(block4: str) -> list[tuple[str, str]]:
    """(tag, value) of block 4's fields, continuation lines joined with a line break."""
    fields: list[tuple[str, str]] = []
    for line in block4.split("\n"):
        if not line.strip():
            continue
        found = _FIELD.match(line)
        if found:
            fields.append((found.group(1), found.group(2)))
        elif fields:
            tag, value = fields[-1]
            fields[-1] = (tag, f"{value}\n{line}")
        else:
            raise UnreadableMessage(f"block 4 starts with {line!r}, not a field")
    return fields


def _qualified(value: str) -> tuple[str, str]:
    """':QUAL//rest' -> (QUAL, rest)."""
    found = re.match(r"^:([A-Z0-9]{4})/[A-Z0-9]*/(.*)$", value, re.DOTALL)
    if not found:
        raise UnreadableMessage(f"{value!r} is not a qualified field")
    return found.group(1), found.group(2)


def swift_decimal(text: str) -> Decimal:
    """'400000,' -> 400000; '4000,5' -> 4000.5."""
    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise UnreadableMessage(f"{text!r} is not an amount") from None


def _date(text: str) -> date:
    try:
        return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise UnreadableMessage(f"{text!r} is not a date (YYYYMMDD)") from None


def _instant(text: str) -> datetime:
    try:
        # New York time, as the office writes MT565's :98C::PREP// too.
        return parse_digits_timestamp(text[:14])
    except ValueError:
        raise UnreadableMessage(f"{text!r} is not a date and time (YYYYMMDDhhmmss)") from None


def _message_type(blocks: dict[str, str], fields: list[tuple[str, str]]) -> str:
    header = blocks.get("2", "")
    found = re.match(r"^[IO](\d{3})", header)
    if found:
        return f"MT{found.group(1)}"
    # No application header: known by its fields.
    tags = {tag for tag, _ in fields}
    if any(tag == "16R" and value in ("CACONF", "SECMOVE", "CASHMOVE") for tag, value in fields):
        return MT_MOVEMENT
    if "25D" in tags:
        return MT_STATUS
    raise UnreadableMessage("neither an MT567 nor an MT566 (no block 2, no status, no movement)")


def parse_fin_message(message: str) -> ParsedReply:
    """One MT567 (status of an instruction or a cancellation) or MT566 (movements)."""
    blocks = _blocks(message)
    if "4" not in blocks:
        raise UnreadableMessage("no text block ({4:)")
    fields = _fields(blocks["4"])
    message_type = _message_type(blocks, fields)
    if message_type not in (MT_STATUS, MT_MOVEMENT):
        raise UnreadableMessage(f"an {message_type}, not an MT567 or MT566")
    agent_reference, answers, function, advised_at = "", "", "", None
    status_code, reason_code, reason_lines = "", "", []
    movements: list[Movement] = []
    sequence: list[str] = []
    move: dict[str, str] = {}
    for tag, value in fields:
        if tag == "16R":
            sequence.append(value)
            move = {}
            continue
        if tag == "16S":
            if value in ("SECMOVE", "CASHMOVE") and move:
                movements.append(_movement(value, move))
            if sequence and sequence[-1] == value:
                sequence.pop()
            continue
        if tag == "23G":
            function = value.split("/")[0]
            continue
        if tag == "35B" and sequence and sequence[-1] == "SECMOVE":
            move["35B"] = value
            continue
        if not value.startswith(":"):
            continue
        qualifier, rest = _qualified(value)
        if tag == "20C" and qualifier == "SEME":
            agent_reference = rest
        elif tag == "20C" and qualifier in ("RELA", "PREV"):
            answers = answers or rest
        elif tag == "98C" and qualifier == "PREP":
            advised_at = _instant(rest)
        elif tag == "25D" and qualifier in ("IPRC", "CPRC", "EPRC"):
            status_code = rest
        elif tag == "24B":
            reason_code = reason_code or rest
        elif tag == "70D" and qualifier == "REAS" and message_type == MT_STATUS:
            reason_lines.append(" ".join(rest.split()))
        elif sequence and sequence[-1] in ("SECMOVE", "CASHMOVE"):
            move[f"{tag}:{qualifier}"] = rest
    if not answers:
        raise UnreadableMessage(f"{message_type} names no message it answers (:20C::RELA//)")
    if message_type == MT_STATUS:
        if not status_code:
            raise UnreadableMessage(f"{message_type} {answers} states no status (:25D:)")
        status = status_from_code(status_code)
        reason = " ".join(reason_lines).strip()
        if status is ReplyStatus.REJECTED and not (reason_code or reason):
            reason = "Rejected; the agent gave no reason."
        return ParsedReply(
            message_type=MT_STATUS,
            kind=ReplyKind.STATUS,
            answers=answers,
            agent_reference=agent_reference,
            status=status,
            reason_code=reason_code[:8],
            reason=reason[:350],
            advised_at=advised_at,
            cancellation=function == "CAST",
        )
    if not movements:
        raise UnreadableMessage(f"MT566 for {answers} confirms no movement")
    return ParsedReply(
        message_type=MT_MOVEMENT,
        kind=ReplyKind.MOVEMENT,
        answers=answers,
        agent_reference=agent_reference,
        status=ReplyStatus.ACCEPTED,
        advised_at=advised_at,
        movements=tuple(movements),
    )


def _movement(sequence: str, move: dict[str, str]) -> Movement:
    credit = move.get("22H:CRDB", "") == "CRED"
    if "22H:CRDB" not in move:
        raise UnreadableMessage(f"a {sequence} states no credit or debit (:22H::CRDB//)")
    posted = move.get("98A:POST") or move.get("98A:PAYD") or move.get("98A:VALU")
    if not posted:
        raise UnreadableMessage(f"a {sequence} states no posting date (:98A::POST//)")
    if sequence == "SECMOVE":
        quantity = move.get("36B:PSTA", "")
        kind, _, amount = quantity.partition("/")
        if kind not in ("FAMT", "UNIT", "AMOR") or not amount:
            raise UnreadableMessage(f"a SECMOVE states no quantity (:36B::PSTA//): {quantity!r}")
        asset = asset_for(security=True, units=kind == "UNIT", credit=credit)
        value = swift_decimal(amount)
    else:
        posting = move.get("19B:PSTA", "")
        found = re.match(r"^([A-Z]{3})(.+)$", posting)
        if not found:
            raise UnreadableMessage(f"a CASHMOVE states no amount (:19B::PSTA//): {posting!r}")
        asset, value = Asset.CASH, swift_decimal(found.group(2))
    return movement(asset=asset, credit=credit, amount=value, posted_on=_date(posted))


def parse_fin(text: str) -> tuple[list[ParsedReply], list[str]]:
    """Every message of a FIN file, and one line per message that could not be read."""
    replies: list[ParsedReply] = []
    problems: list[str] = []
    for number, message in enumerate(split_fin(text), start=1):
        try:
            replies.append(parse_fin_message(message))
        except UnreadableMessage as exc:
            problems.append(f"Message {number}: {exc}.")
    return replies, problems


# ISO 15022: writing (for the simulator and the tests)


@dataclass(frozen=True, slots=True)
class FinParties:
    """Who sends (the account servicer, by BIC) and who receives (the participant)."""

    sender_bic: str
    receiver_bic: str
    event_id: str
    safekeeping_account: str
    isin: str
    new_isin: str


def _logical_terminal(bic: str) -> str:
    """A BIC as a 12-character logical terminal address: the BIC8, terminal X, branch."""
    branch = bic[8:11] if len(bic) == 11 else "XXX"
    return f"{bic[:8]}X{branch}"


def fin_message(
    parties: FinParties, message_type: str, fields: Sequence[str], *, sent_at: datetime
) -> str:
    """A FIN message from the servicer to the participant as the participant receives it:
    block 1 (its own address, session and sequence), block 2 output (the message type, the
    sender's input time and message input reference, the output date and time, priority N),
    block 4 and the trailer."""
    number = message_type.removeprefix("MT")
    day, time_of_day = fin_date_and_time(sent_at)
    session_and_sequence = "0000000000"
    input_reference = f"{day}{_logical_terminal(parties.sender_bic)}{session_and_sequence}"
    return (
        f"{{1:F01{_logical_terminal(parties.receiver_bic)}{session_and_sequence}}}"
        f"{{2:O{number}{time_of_day}{input_reference}{day}{time_of_day}N}}"
        "{4:\r\n" + "\r\n".join(fields) + "\r\n-}{5:{CHK:000000000000}}"
    )


def mt567_fields(parties: FinParties, reply: ParsedReply, *, narrative: str) -> list[str]:
    """MT567: the status of an instruction (:23G:INST) or a cancellation (CAST)."""
    processing = {
        ReplyStatus.ACCEPTED: "CAND" if reply.cancellation else "PACK",
        ReplyStatus.REJECTED: "REJT",
        ReplyStatus.PENDING: "CANP" if reply.cancellation else "PEND",
    }[reply.status]
    qualifier = "CPRC" if reply.cancellation else "IPRC"
    fields = [
        ":16R:GENL",
        f":20C::CORP//{parties.event_id}",
        f":20C::SEME//{reply.agent_reference}",
        ":23G:CAST" if reply.cancellation else ":23G:INST",
        f":22F::CAEV//{EVENT_TYPE}",
    ]
    if reply.advised_at is not None:
        fields.append(f":98C::PREP//{digits_timestamp(reply.advised_at)}")
    fields += [
        ":16R:LINK",
        ":13A::LINK//565",
        f":20C::RELA//{reply.answers}",
        ":16S:LINK",
        ":16R:STAT",
        f":25D::{qualifier}//{processing}",
    ]
    if reply.status is not ReplyStatus.ACCEPTED:
        fields += [":16R:REAS", f":24B::{processing}//{reply.reason_code or 'NARR'}"]
        fields += _narrative(":70D::REAS//", reply.reason, lines=10)
        fields.append(":16S:REAS")
    fields += [":16S:STAT", ":16S:GENL"]
    fields += [":16R:ADDINFO", *_narrative(":70E::ADTX//", narrative, lines=10), ":16S:ADDINFO"]
    return fields


def mt566_fields(parties: FinParties, reply: ParsedReply, *, narrative: str) -> list[str]:
    """MT566: the movements posted for one instruction, after consummation."""
    fields = [
        ":16R:GENL",
        f":20C::CORP//{parties.event_id}",
        f":20C::SEME//{reply.agent_reference}",
        ":23G:NEWM",
        f":22F::CAEV//{EVENT_TYPE}",
    ]
    if reply.advised_at is not None:
        fields.append(f":98C::PREP//{digits_timestamp(reply.advised_at)}")
    fields += [
        ":16R:LINK",
        ":13A::LINK//565",
        f":20C::RELA//{reply.answers}",
        ":16S:LINK",
        ":16S:GENL",
        ":16R:USECU",
        f":97A::SAFE//{parties.safekeeping_account}",
        f":35B:ISIN {parties.isin}",
        ":16S:USECU",
        ":16R:CACONF",
        f":13A::CAON//{OPTION_NUMBER}",
        f":22F::CAOP//{OPTION_TYPE}",
    ]
    for move in reply.movements:
        posted = digits_date(move.posted_on)
        if move.asset is Asset.CASH:
            fields += [
                ":16R:CASHMOVE",
                f":22H::CRDB//{'CRED' if move.credit else 'DEBT'}",
                f":19B::PSTA//USD{swift_amount(move.amount)}",
                f":98A::POST//{posted}",
                f":98A::VALU//{posted}",
                ":16S:CASHMOVE",
            ]
            continue
        if move.asset is Asset.WARRANTS:
            security, quantity = ":35B:/US/WARRANTS", f"UNIT/{swift_amount(move.amount)}"
        else:
            isin = parties.new_isin if move.asset is Asset.NEW_NOTES else parties.isin
            security, quantity = f":35B:ISIN {isin}", f"FAMT/{swift_amount(move.amount)}"
        fields += [
            ":16R:SECMOVE",
            f":22H::CRDB//{'CRED' if move.credit else 'DEBT'}",
            security,
            f":36B::PSTA//{quantity}",
            f":98A::POST//{posted}",
            ":16S:SECMOVE",
        ]
    fields += [":16S:CACONF", ":16R:ADDINFO"]
    fields += [*_narrative(":70E::ADTX//", narrative, lines=10), ":16S:ADDINFO"]
    return fields


def _narrative(prefix: str, text: str, *, lines: int) -> list[str]:
    """A narrative field (10*35x) in SWIFT's x character set."""
    wrapped = swift_lines(text or "NONE", lines=lines)
    first, rest = wrapped[0], wrapped[1:]
    return [f"{prefix}{first}", *rest]


def fin_file(messages: Sequence[str]) -> bytes:
    """Several FIN messages, separated by `$` as in SWIFT's RJE files."""
    return ("$".join(messages) + ("\r\n" if messages else "")).encode("ascii")
