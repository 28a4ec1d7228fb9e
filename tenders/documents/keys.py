"""The occasion a document is issued for, as a key, and the document's number.

A key names one occasion: `receipt:i42` (the receipt of instruction 42), `amended_receipt:i42:e7`
(its receipt under the terms amended by offer event 7), `termination:i42`, `payment:o3:a17`
(the payment notice of account 17 for offer 3), `termination:o3:a17` (the termination notice
of account 17, sent the letter but with no instruction to return), `client_letter:o3:a17:e0`
(the letter "To Our Clients" of account 17, before any extension; `e7` after offer event 7),
`online_submission:a17:s5` (what the client of account 17 submitted online, submission 5),
`statement:a17:2001Q4` (the statement of account 17 for the fourth quarter of 2001: its
period is written as it is), `payment_advice:o3:a17:2001-12-31` (what the payment run of
offer 3 on Dec 31, 2001 paid account 17: its date is written as it is). A snapshot and a
document (with its revisions) exist once per key, so issuing is idempotent per key, for
documents about an instruction and documents about an account alike.

Numbers stay readable: LEXINGTON-2001-R000042-1 is offer, kind, instruction and revision (the
receipts' numbers are those of before keys); an amended-terms receipt adds the event
(LEXINGTON-2001-A000042E7-1); a payment notice names the account row (LEXINGTON-2001-P000017-1),
and so does an account's termination notice, marked apart (LEXINGTON-2001-TA000017-1), and a
statement, with its period (LEXINGTON-2001-Q000017-2001Q4-1), and a payment advice, with its
date (LEXINGTON-2001-N000017-20011231-1).
"""

import re
from dataclasses import dataclass
from typing import Any

from tenders.documents.models import DocumentKind

_CODES = {
    DocumentKind.RECEIPT: "R",
    DocumentKind.WITHDRAWAL_RECEIPT: "W",
    DocumentKind.CONFIRMATION: "C",
    DocumentKind.AMENDED_TERMS_RECEIPT: "A",
    DocumentKind.TERMINATION_NOTICE: "T",
    DocumentKind.PAYMENT_NOTICE: "P",
    DocumentKind.CLIENT_LETTER: "L",
    DocumentKind.ONLINE_SUBMISSION: "S",
    DocumentKind.STATEMENT: "Q",
    DocumentKind.PAYMENT_ADVICE: "N",
}
# What each kind's key names, in this order: instruction (i), offer (o), account (a), event (e).
# A kind may have more than one shape: the first is its usual one.
_PARTS: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.RECEIPT: ("i",),
    DocumentKind.WITHDRAWAL_RECEIPT: ("i",),
    DocumentKind.CONFIRMATION: ("i",),
    DocumentKind.AMENDED_TERMS_RECEIPT: ("ie",),
    # The notice of a returned instruction; or, for a holder sent the letter who had no
    # instruction to return, the account's notice for the offer.
    DocumentKind.TERMINATION_NOTICE: ("i", "oa"),
    DocumentKind.PAYMENT_NOTICE: ("oa",),
    # The letter "To Our Clients" of an account, as of the offer's last extension or
    # amendment of the terms (e0: none yet): a new occasion after each, the old one kept.
    DocumentKind.CLIENT_LETTER: ("oae",),
    # What a client submitted online, as submitted (awaiting the representative's review).
    DocumentKind.ONLINE_SUBMISSION: ("as",),
    # An account's statement for a calendar quarter (q: the period, written 2001Q4).
    DocumentKind.STATEMENT: ("aq",),
    # What a payment run paid an account (d: the payment date, written 2001-12-31).
    DocumentKind.PAYMENT_ADVICE: ("oad",),
}
_FIELDS = {
    "i": "instruction_id",
    "o": "offer_id",
    "a": "account_id",
    "e": "event_id",
    "s": "submission_id",
    "q": "period",
    "d": "day",
}
# A period is written as it is (2001Q4), not after a letter: the shape's "q".
_PERIOD = re.compile(r"\d{4}Q[1-4]")
# So is a payment date (2001-12-31): the shape's "d".
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WRITTEN_AS_IS = ("q", "d")


class InvalidDocumentKey(ValueError):
    """Not a key this office writes."""


@dataclass(frozen=True, slots=True)
class DocumentKey:
    kind: DocumentKind
    instruction_id: int | None = None
    offer_id: int | None = None
    account_id: int | None = None
    event_id: int | None = None
    submission_id: int | None = None
    period: str | None = None
    day: str | None = None

    def __post_init__(self) -> None:
        if self.period is not None and not _PERIOD.fullmatch(self.period):
            raise InvalidDocumentKey(f"not a calendar quarter as 2001Q4: {self.period!r}")
        if self.day is not None and not _DAY.fullmatch(self.day):
            raise InvalidDocumentKey(f"not a date as 2001-12-31: {self.day!r}")
        if self._shape() is None:
            raise InvalidDocumentKey(
                f"a {self.kind.label.lower()} is keyed by "
                + " or by ".join(
                    ", ".join(_FIELDS[p] for p in shape) for shape in _PARTS[self.kind]
                )
            )

    def _shape(self) -> str | None:
        """The kind's shape whose parts are exactly the ones given, if any."""
        given = {letter for letter, name in _FIELDS.items() if getattr(self, name) is not None}
        return next((shape for shape in _PARTS[self.kind] if set(shape) == given), None)

    def __str__(self) -> str:
        shape = self._shape()
        assert shape is not None  # checked on creation
        parts = [
            str(getattr(self, _FIELDS[letter]))
            if letter in _WRITTEN_AS_IS
            else f"{letter}{getattr(self, _FIELDS[letter])}"
            for letter in shape
        ]
        return ":".join([self.kind.value, *parts])

    @classmethod
    def parse(cls, text: str) -> "DocumentKey":
        kind_text, *parts = text.split(":")
        try:
            kind = DocumentKind(kind_text)
            letters = "".join(
                "q" if _PERIOD.fullmatch(part) else "d" if _DAY.fullmatch(part) else part[0]
                for part in parts
            )
            if letters not in _PARTS[kind]:
                raise ValueError(text)
            values: dict[str, Any] = {
                _FIELDS[letter]: part if letter in _WRITTEN_AS_IS else int(part[1:])
                for letter, part in zip(letters, parts, strict=True)
            }
            key = cls(kind, **values)
        except (ValueError, IndexError):
            raise InvalidDocumentKey(f"not a document key: {text!r}") from None
        if str(key) != text:  # "i042", "i+42": one spelling per occasion
            raise InvalidDocumentKey(f"not a document key: {text!r}")
        return key

    @classmethod
    def for_instruction(cls, kind: str, instruction_id: int) -> "DocumentKey":
        """A receipt, withdrawal receipt, confirmation or termination notice."""
        return cls(DocumentKind(kind), instruction_id=instruction_id)

    def number(self, *, offer_slug: str, revision: int) -> str:
        """LEXINGTON-2001-R000042-1: offer, kind, instruction (or account), event, revision."""
        row = next(
            r for r in (self.instruction_id, self.submission_id, self.account_id) if r is not None
        )
        event = f"E{self.event_id}" if self.event_id else ""  # a first letter (e0): none
        code = _CODES[self.kind]
        if self.period is not None:
            return f"{offer_slug.upper()}-{code}{row:06d}-{self.period}-{revision}"
        if self.day is not None:
            digits = self.day.replace("-", "")
            return f"{offer_slug.upper()}-{code}{row:06d}-{digits}-{revision}"
        if self._shape() != _PARTS[self.kind][0]:
            # A kind's other shape names another row (an account, not an instruction): its
            # numbers are apart (LEXINGTON-2001-TA000017-1).
            code += (self._shape() or "")[-1:].upper()
        return f"{offer_slug.upper()}-{code}{row:06d}{event}-{revision}"
