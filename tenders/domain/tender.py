"""What an instruction tenders: the one place this is worked out, for the receipt, the agent
submission, the tabulation and the consummation alike.

A stated amount tenders that amount. "Tender all" tenders the account's position: the position
it resolved to when it was submitted to the exchange agent (or on consummation), and until then
the position held now.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

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
