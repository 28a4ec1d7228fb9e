"""What an instruction tenders: the one place this is worked out, for the receipt, the agent
submission, the tabulation and the consummation alike.

A stated amount tenders that amount. "Tender all" tenders the account's position: the position
it resolved to when it was submitted to the exchange agent (or on consummation), and until then
the position held now.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from exchange_office.formatting import dollars
from tenders.domain.rules import Choice


class TenderBasis(StrEnum):
    """Where the tendered principal comes from, as a document explains it."""

    STATED = "amount"  # the amount stated on the form
    RESOLVED = "resolved"  # "tender all", resolved to the position at submission or consummation
    POSITION = "position"  # "tender all", not yet resolved: the position held now


@dataclass(frozen=True, slots=True)
class Tendered:
    principal: Decimal
    basis: TenderBasis


def tendered_principal(
    *,
    choice: Choice | str,
    stated: Decimal | None,
    resolved: Decimal | None,
    position: Decimal,
) -> Tendered:
    """The principal an instruction tenders, and why it is that figure."""
    if Choice(choice) is Choice.AMOUNT:
        if stated is None:
            raise ValueError("an instruction to tender a stated amount needs the amount")
        return Tendered(stated, TenderBasis.STATED)
    if resolved is not None:
        return Tendered(resolved, TenderBasis.RESOLVED)
    return Tendered(position, TenderBasis.POSITION)


class Voice(StrEnum):
    """Who a choice is worded for."""

    SHORT = "short"  # a list's cell: "Tender all", "Tender $125,000"
    ACCOUNT = "account"  # the representative's pages: "... held for the account"
    YOURS = "yours"  # what the client is told: "... held for your account"
    MINE = "mine"  # what the client signs: "... held for my account"


_ALL = {
    Voice.SHORT: "Tender all",
    Voice.ACCOUNT: "Tender all Old Notes held for the account",
    Voice.YOURS: "Tender all Old Notes held for your account",
    Voice.MINE: "Tender all Old Notes held for my account",
}


def choice_text(
    *, tenders_all: bool, amount: Decimal | None, voice: Voice, within_sentence: bool = False
) -> str:
    """The client's choice in words, the one place they are written: "Tender all Old Notes
    held for your account", "Tender only $50,000 principal amount of Old Notes"... (with a
    small "t" `within_sentence`). The figure a "tender all" stands for (today, at submission,
    resolved) is the caller's to add."""
    stated = dollars(amount) if amount is not None else "$—"
    if tenders_all:
        words = _ALL[voice]
    elif voice in (Voice.SHORT, Voice.ACCOUNT):
        words = f"Tender {stated}"
    else:
        words = f"Tender only {stated} principal amount of Old Notes"
    return words[:1].lower() + words[1:] if within_sentence else words
