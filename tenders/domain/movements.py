"""The agent's movement confirmations (seev.036 / MT566) matched to the office's exchange
confirmations, instruction by instruction. Pure Python, fed by `tenders.offers.movements`.

The office's side of each accepted instruction is its confirmation's figures (`Entitlement`,
computed as the confirmation computes them): the Old Notes debited (the principal accepted),
the New Notes credited (principal plus accrued interest), the whole warrants credited, and the
cash credited on the consummation date (every fee installment paid that day). The agent's side
is the sum of its movements per asset for the instruction's reference, a debit counted
negative. Every figure that differs is listed with both; so is a movement posted on another day
than the consummation, an accepted instruction without a movement, and a movement for an
instruction that was not accepted.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from notes.domain.entitlement import Entitlement


class Asset(StrEnum):
    """What a movement moves (the values of `MovementAsset`)."""

    OLD_NOTES = "old_notes"
    NEW_NOTES = "new_notes"
    WARRANTS = "warrants"
    CASH = "cash"


ASSET_LABELS = {
    Asset.OLD_NOTES: "Old Notes debited (principal)",
    Asset.NEW_NOTES: "New Notes credited (principal)",
    Asset.WARRANTS: "Warrants credited",
    Asset.CASH: "Cash credited on the consummation date (fee installments)",
}


@dataclass(frozen=True, slots=True)
class OfficeConfirmation:
    """One accepted instruction as its exchange confirmation states it."""

    instruction_id: int
    reference: str  # the reference it was sent to the agent under
    account_number: str
    consummation_date: date
    old_notes: Decimal  # debited: the principal accepted
    new_notes: Decimal
    warrants: int
    cash: Decimal  # the installments paid on the consummation date
    installments: tuple[int, ...]  # their sequence numbers

    @classmethod
    def from_entitlement(
        cls, entitlement: Entitlement, *, instruction_id: int, reference: str, account_number: str
    ) -> "OfficeConfirmation":
        """The figures of the confirmation computed by `compute_entitlement`, as the exchange
        confirmation (and its snapshot) computes them: no second formula."""
        on = entitlement.consummation_date
        paid_now = [fee for fee in entitlement.fee_installments if fee.payment_date == on]
        return cls(
            instruction_id=instruction_id,
            reference=reference,
            account_number=account_number,
            consummation_date=on,
            old_notes=entitlement.principal,
            new_notes=entitlement.new_notes_principal,
            warrants=entitlement.warrants,
            cash=sum((fee.amount for fee in paid_now), Decimal("0.00")),
            installments=tuple(fee.sequence for fee in paid_now),
        )

    def expected(self) -> dict[Asset, Decimal]:
        """Each asset's net movement for the participant: a debit negative."""
        return {
            Asset.OLD_NOTES: -self.old_notes,
            Asset.NEW_NOTES: self.new_notes,
            Asset.WARRANTS: Decimal(self.warrants),
            Asset.CASH: self.cash,
        }


@dataclass(frozen=True, slots=True)
class Movement:
    """One movement the agent confirmed for one instruction."""

    instruction_id: int
    reference: str
    account_number: str
    asset: Asset
    credit: bool
    amount: Decimal
    posted_on: date

    @property
    def signed(self) -> Decimal:
        return self.amount if self.credit else -self.amount


@dataclass(frozen=True, slots=True)
class Difference:
    """A figure (or date) on which the agent and the office differ, with both."""

    instruction_id: int
    reference: str
    account_number: str
    what: str
    office: str
    agent: str


@dataclass(frozen=True, slots=True)
class Unmatched:
    """An accepted instruction with no movement, or a movement with no accepted instruction."""

    instruction_id: int
    reference: str
    account_number: str
    detail: str


@dataclass(frozen=True)
class MovementMatch:
    matched: tuple[int, ...]  # instructions with movements, compared
    differences: tuple[Difference, ...]
    without_movement: tuple[Unmatched, ...]
    without_instruction: tuple[Unmatched, ...]
    exact: tuple[int, ...] = field(default=())  # matched without any difference

    @property
    def clean(self) -> bool:
        return not (self.differences or self.without_movement or self.without_instruction)


ASSET_NAMES = {
    Asset.OLD_NOTES: "Old Notes",
    Asset.NEW_NOTES: "New Notes",
    Asset.WARRANTS: "warrants",
    Asset.CASH: "cash",
}


def _figure(asset: Asset, value: Decimal) -> str:
    if asset is Asset.WARRANTS:
        return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,f}"
    return f"{value:,.2f}"


def _net(asset: Asset, value: Decimal) -> str:
    """A net movement as read: '158,380.00 credited', '125,000.00 debited', 'none'."""
    if not value:
        return "none"
    return f"{_figure(asset, abs(value))} {'credited' if value > 0 else 'debited'}"


def match_movements(
    *, confirmations: Iterable[OfficeConfirmation], movements: Iterable[Movement]
) -> MovementMatch:
    """Compare, instruction by instruction, the agent's movements with the office's
    confirmations: every asset's net figure, and each movement's posting date against the
    consummation date."""
    office = {c.instruction_id: c for c in confirmations}
    by_instruction: dict[int, list[Movement]] = {}
    for movement in movements:
        by_instruction.setdefault(movement.instruction_id, []).append(movement)
    differences: list[Difference] = []
    without_instruction: list[Unmatched] = []
    matched: list[int] = []
    exact: list[int] = []
    for instruction_id in sorted(by_instruction):
        moves = by_instruction[instruction_id]
        confirmation = office.get(instruction_id)
        if confirmation is None:
            first = moves[0]
            without_instruction.append(
                Unmatched(
                    instruction_id,
                    first.reference,
                    first.account_number,
                    "; ".join(
                        f"{ASSET_NAMES[m.asset]} {_net(m.asset, m.signed)} on "
                        f"{m.posted_on.isoformat()}"
                        for m in moves
                    ),
                )
            )
            continue
        matched.append(instruction_id)
        found: list[Difference] = []
        agent_totals = {asset: Decimal(0) for asset in Asset}
        for m in moves:
            agent_totals[m.asset] += m.signed
        for asset, expected in confirmation.expected().items():
            if agent_totals[asset] != expected:
                found.append(
                    Difference(
                        instruction_id,
                        confirmation.reference,
                        confirmation.account_number,
                        ASSET_LABELS[asset],
                        _net(asset, expected),
                        _net(asset, agent_totals[asset]),
                    )
                )
        for posted in sorted({m.posted_on for m in moves} - {confirmation.consummation_date}):
            found.append(
                Difference(
                    instruction_id,
                    confirmation.reference,
                    confirmation.account_number,
                    "Posting date",
                    confirmation.consummation_date.isoformat(),
                    posted.isoformat(),
                )
            )
        differences += found
        if not found:
            exact.append(instruction_id)
    without_movement = [
        Unmatched(
            c.instruction_id,
            c.reference,
            c.account_number,
            f"no movement confirmed; expected New Notes {_figure(Asset.NEW_NOTES, c.new_notes)}, "
            f"warrants {c.warrants:,}, cash {_figure(Asset.CASH, c.cash)}",
        )
        for c in sorted(office.values(), key=lambda c: (c.account_number, c.instruction_id))
        if c.instruction_id not in by_instruction
    ]
    return MovementMatch(
        matched=tuple(matched),
        differences=tuple(differences),
        without_movement=tuple(without_movement),
        without_instruction=tuple(without_instruction),
        exact=tuple(exact),
    )
