"""What the office sends the exchange agent, as plain data: one message per client instruction
(or per cancellation of one), the references that name them, the ISIN of the Old Notes, and
SWIFT's character set. No Django: the files are written from these values
(`tenders.submissions.files`).

A message's reference is stable: the same instruction version has the same reference in every
file and every format, so a file sent twice never makes a second instruction at the agent. It
must fit MT565's `:20C::SEME//16x` (the ISO 20022 `BizMsgIdr` allows 35): the participant, `I`
for an instruction or `C` for its cancellation, the instruction's id, `V` and its version, e.g.
`0901I12V1` and `0901C12V1`.
"""

import string
import textwrap
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from stdnum import cusip as stdnum_cusip
from stdnum import isin as stdnum_isin

# MT565's sender's reference (:20C::SEME//16x) and corporate action reference (:20C::CORP//16x).
REFERENCE_MAX_LENGTH = 16
# The exchange offer's one option, as the agent announces it: option 001, securities (SECU).
OPTION_NUMBER = "001"
OPTION_TYPE = "SECU"
EVENT_TYPE = "EXOF"

# SWIFT's "x" character set, the only one MT565's text fields may hold.
X_CHARACTERS = frozenset(string.ascii_letters + string.digits + "/-?:().,'+ ")
# Characters outside it that security names use, written out.
_SPELLED = {"%": " PCT", "&": " AND ", "$": "USD "}


class MessageKind(StrEnum):
    INSTRUCT = "instruct"  # a new instruction (seev.033, MT565 NEWM)
    CANCEL = "cancel"  # the cancellation of one the agent holds (seev.040, MT565 CANC)


class Standing(StrEnum):
    """Where an instruction stands with the exchange agent, as far as the office knows."""

    NOT_SENT = "not_sent"  # taken by the office, in no file recorded as sent
    UNACKNOWLEDGED = "unacknowledged"  # sent; the agent has not answered yet
    PENDING = "pending"  # the agent's status advice says pending
    ACCEPTED = "accepted"
    REJECTED = "rejected"

    @property
    def held_by_agent(self) -> bool:
        """Sent and not rejected: what consummation accepts."""
        return self in (Standing.UNACKNOWLEDGED, Standing.PENDING, Standing.ACCEPTED)


STANDING_LABELS = {
    Standing.NOT_SENT: "Not sent",
    Standing.UNACKNOWLEDGED: "Sent, not acknowledged",
    Standing.PENDING: "Pending at the agent",
    Standing.ACCEPTED: "Accepted by the agent",
    Standing.REJECTED: "Rejected by the agent",
}


class InvalidReference(ValueError):
    pass


def message_reference(
    *, participant: str, instruction_id: int, version: int, kind: MessageKind
) -> str:
    """The reference of the message that sends (or cancels) one version of an instruction."""
    letter = "I" if kind is MessageKind.INSTRUCT else "C"
    reference = f"{participant}{letter}{instruction_id}V{version}"
    if len(reference) > REFERENCE_MAX_LENGTH or not reference.isalnum():
        raise InvalidReference(
            f"The reference {reference} does not fit SWIFT's 16 letters and digits."
        )
    return reference


def isin_for_cusip(cusip: str) -> str:
    """The ISIN of a US security: US, its CUSIP, and the check digit. Both are validated."""
    stdnum_cusip.validate(cusip)
    return stdnum_isin.validate(stdnum_isin.from_natid("US", cusip))


def swift_text(text: str) -> str:
    """`text` in SWIFT's x character set: %, & and $ spelled out, anything else left out."""
    for character, spelled in _SPELLED.items():
        text = text.replace(character, spelled)
    kept = "".join(c for c in text if c in X_CHARACTERS)
    return " ".join(kept.split())


def swift_lines(text: str, *, width: int = 35, lines: int) -> list[str]:
    """`text` in the x character set, wrapped to `lines` lines of `width` at most (the rest
    left out); no line starts with ':' or '-', which would start a field or end the block."""
    wrapped = textwrap.wrap(swift_text(text), width=width)[:lines]
    return [line if line[0] not in ":-" else f".{line[1:]}" for line in wrapped]


def swift_address(bic: str, *, terminal: str) -> str:
    """A BIC as the 12-character logical terminal address of FIN's basic and application
    headers: the BIC's 8 first characters, the terminal code, and the branch (XXX if none).
    'DEMHUS30' as a sender (terminal A) is 'DEMHUS30AXXX'."""
    bic = bic.upper()
    if len(bic) not in (8, 11) or not bic.isalnum() or len(terminal) != 1:
        raise ValueError(f"{bic!r} is not a BIC of 8 or 11 letters and digits")
    return f"{bic[:8]}{terminal}{bic[8:] or 'XXX'}"


def swift_amount(amount: Decimal) -> str:
    """A quantity as MT fields write it (15d): digits, a decimal comma, and the decimals if any:
    400000 -> '400000,'."""
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{amount} is not a quantity")
    whole, _, fraction = f"{amount:f}".partition(".")
    text = f"{whole},{fraction.rstrip('0')}"
    if len(text) > 15:
        raise ValueError(f"{amount} does not fit 15 characters")
    return text


@dataclass(frozen=True, slots=True)
class SubmissionHeader:
    """What every message of one file shares: the event, the security and the two parties,
    each named by its BIC (the participant sends to its account servicer, which passes the
    tenders to the exchange agent)."""

    event_id: str  # the servicer's corporate action event reference, or NONREF
    participant: str  # the firm's DTC participant number, as written (0901)
    firm_name: str
    agent_name: str
    cusip: str
    isin: str
    security_name: str
    created_at: datetime  # business clock
    sender_bic: str  # the participant's BIC (AppHdr Fr, MT block 1)
    receiver_bic: str  # the account servicer's BIC (AppHdr To, MT block 2)
    safekeeping_account: str  # the participant's account at the servicer (SfkpgAcct, :97A:)


@dataclass(frozen=True, slots=True)
class AgentMessage:
    """One message of a file: an instruction, or the cancellation of one sent before."""

    kind: MessageKind
    reference: str
    cancels: str  # for a cancellation, the reference of the instruction it cancels; else ""
    instruction_id: int
    account_number: str
    version: int
    choice: str  # ALL or AMOUNT, as on the form
    stated: Decimal | None  # the amount stated on the form (AMOUNT)
    face_amount: Decimal  # what it tenders: for ALL, the position it resolved to
    status: str  # the instruction's status as the file is written
    # Sent before under the same reference and sent again (--all, "send again"): flagged so
    # the receiver can drop it if it has it (the AppHdr's PssblDplct, MT565's PDE trailer).
    possible_duplicate: bool = False
