"""Reads for operations: what the office's live instructions tender, against the minimum
condition (judged on the exchange agent's reported total when that is larger). The full
tabulation page and command read `tenders.offers.tabulation`."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from notes.domain.entitlement import minimum_condition
from notes.models import ExchangeOffer
from notes.selectors import latest_agent_report, offer_terms
from tenders.accounts.models import Position
from tenders.domain.lifecycle import OPEN
from tenders.domain.tender import tendered_principal
from tenders.instructions.models import Instruction


@dataclass(frozen=True, slots=True)
class TenderedLine:
    instruction: Instruction
    position: Decimal
    tendered: Decimal


@dataclass(frozen=True, slots=True)
class Tabulation:
    """What the office's live instructions tender, against the minimum condition. The
    exchange agent's reported total for the whole issue, when one is recorded, is judged
    instead when it is larger (it includes holders outside the office)."""

    lines: tuple[TenderedLine, ...]
    tendered: Decimal
    required: Decimal
    outstanding: Decimal
    agent_reported: Decimal | None = None

    @property
    def judged(self) -> Decimal:
        """The total the minimum condition is judged on: the larger of the two."""
        return max(self.tendered, self.agent_reported or Decimal(0))

    @property
    def judged_on_agent(self) -> bool:
        return self.agent_reported is not None and self.agent_reported > self.tendered

    @property
    def minimum_met(self) -> bool:
        return self.judged >= self.required

    @property
    def percent(self) -> Decimal:
        return (self.tendered / self.outstanding * 100).quantize(Decimal("0.01"))

    @property
    def over_position(self) -> tuple[TenderedLine, ...]:
        return tuple(line for line in self.lines if line.tendered > line.position)


def open_instructions(*, offer: ExchangeOffer) -> QuerySet[Instruction]:
    """The instructions that count before consummation: received or submitted."""
    return Instruction.objects.filter(offer=offer, status__in=sorted(OPEN)).order_by("account_id")


def tabulate(*, offer: ExchangeOffer, lock: bool = False) -> Tabulation:
    """Each live instruction's tender (`tendered_principal`): a submitted one as resolved at
    submission, a stated amount as stated, a "tender all" as the account's position now.
    With `lock`, the instructions' rows are locked (the caller is in a transaction). The
    latest exchange agent's report rides along (`agent_reported`)."""
    live = open_instructions(offer=offer).select_related("account")
    if lock:
        live = live.select_for_update(of=("self",))
    positions = dict(
        Position.objects.filter(security_id=offer.old_security_id).values_list(
            "account_id", "principal"
        )
    )
    lines = []
    for instruction in live:
        position = positions.get(instruction.account_id, Decimal(0))
        tendered = tendered_principal(
            choice=instruction.choice,
            stated=instruction.amount,
            resolved=instruction.resolved_amount,
            position=position,
        ).principal
        lines.append(TenderedLine(instruction, position, tendered))
    terms = offer_terms(offer=offer)
    report = latest_agent_report(offer=offer)
    return Tabulation(
        lines=tuple(lines),
        tendered=sum((line.tendered for line in lines), Decimal(0)),
        required=minimum_condition(terms).required_principal,
        outstanding=terms.outstanding_principal,
        agent_reported=report.tendered_principal if report else None,
    )


def offer_terms_locked(*, offer: ExchangeOffer) -> bool:
    """Once an instruction exists, its receipt states the offer's terms: they no longer change
    by a plain edit."""
    return Instruction.objects.filter(offer=offer).exists()


def security_terms_locked(*, security_id: int) -> bool:
    """A security's terms are locked while an offer using it has instructions."""
    return Instruction.objects.filter(
        Q(offer__old_security_id=security_id) | Q(offer__new_security_id=security_id)
    ).exists()
