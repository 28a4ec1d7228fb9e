"""Reads for operations: what the office's live instructions tender, where each stands with
the exchange agent, and the minimum condition (judged on the agent's latest reported total
where there is one, else on the office's instructions the agent holds). The full tabulation
page and command read `tenders.offers.tabulation`."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from notes.domain.entitlement import minimum_condition
from notes.models import ExchangeOffer
from notes.selectors import latest_agent_report, offer_terms
from tenders.accounts.models import Position
from tenders.domain.lifecycle import OPEN
from tenders.domain.submission import Standing
from tenders.domain.tabulation import judged_total, percent_of
from tenders.domain.tender import tendered_principal
from tenders.instructions.models import Instruction
from tenders.submissions.selectors import AgentStandingRow, agent_standings

NOT_SENT = AgentStandingRow(Standing.NOT_SENT)


@dataclass(frozen=True, slots=True)
class TenderedLine:
    instruction: Instruction
    position: Decimal
    tendered: Decimal
    agent: AgentStandingRow = NOT_SENT

    @property
    def held(self) -> bool:
        """Sent to the agent and not rejected: accepted on consummation."""
        return self.agent.standing.held_by_agent

    @property
    def warning(self) -> bool:
        """Held, but the agent has not confirmed it (no answer yet, or pending)."""
        return self.agent.standing in (Standing.UNACKNOWLEDGED, Standing.PENDING)

    @property
    def why_not_held(self) -> str:
        """Why consummation does not accept it ("" when it does)."""
        if self.agent.standing is Standing.NOT_SENT:
            return "never sent to the exchange agent"
        if self.agent.standing is Standing.REJECTED:
            reason = " ".join(p for p in (self.agent.reason_code, self.agent.reason) if p)
            return f"rejected by the exchange agent ({self.agent.reference}): {reason}"
        return ""


@dataclass(frozen=True, slots=True)
class Tabulation:
    """What the office's live instructions tender and which the exchange agent holds (sent,
    not rejected), against the minimum condition: judged on the agent's latest reported total
    for the whole issue where there is one (the office's held total beside it never overrides
    it), else on the office's held total."""

    lines: tuple[TenderedLine, ...]
    tendered: Decimal  # everything the office took, held or not
    required: Decimal
    outstanding: Decimal
    agent_reported: Decimal | None = None

    @property
    def held_lines(self) -> tuple[TenderedLine, ...]:
        return tuple(line for line in self.lines if line.held)

    @property
    def exceptions(self) -> tuple[TenderedLine, ...]:
        """Not held: never sent, or rejected. Consummated, they are not accepted."""
        return tuple(line for line in self.lines if not line.held)

    @property
    def warnings(self) -> tuple[TenderedLine, ...]:
        """Held but unconfirmed by the agent: accepted, and listed for a look."""
        return tuple(line for line in self.lines if line.held and line.warning)

    @property
    def held(self) -> Decimal:
        return sum((line.tendered for line in self.held_lines), Decimal(0))

    @property
    def not_held(self) -> Decimal:
        return self.tendered - self.held

    @property
    def judged(self) -> Decimal:
        """The total the minimum condition is judged on (`judged_total`)."""
        return judged_total(held=self.held, agent_reported=self.agent_reported)[0]

    @property
    def judged_on_agent(self) -> bool:
        return self.agent_reported is not None

    @property
    def minimum_met(self) -> bool:
        return self.judged >= self.required

    @property
    def percent(self) -> Decimal:
        """The office's total taken, of the outstanding."""
        return percent_of(self.tendered, self.outstanding)

    @property
    def held_percent(self) -> Decimal:
        return percent_of(self.held, self.outstanding)

    @property
    def judged_percent(self) -> Decimal:
        return percent_of(self.judged, self.outstanding)

    @property
    def over_position(self) -> tuple[TenderedLine, ...]:
        """Held instructions tendering more than their account now holds."""
        return tuple(line for line in self.held_lines if line.tendered > line.position)


def open_instructions(*, offer: ExchangeOffer) -> QuerySet[Instruction]:
    """The instructions that count before consummation: received or submitted."""
    return Instruction.objects.filter(offer=offer, status__in=sorted(OPEN)).order_by("account_id")


def tabulate(*, offer: ExchangeOffer, lock: bool = False) -> Tabulation:
    """Each live instruction's tender (`tendered_principal`): a submitted one as resolved at
    submission, a stated amount as stated, a "tender all" as the account's position now.
    With `lock`, the instructions' rows are locked (the caller is in a transaction). Each
    line carries its standing with the agent (`agent_standings`); the latest exchange agent's
    report rides along (`agent_reported`)."""
    # Without the taxpayer IDs and telephones, which no tabulation (nor the consummation that
    # reads one) states: each would be decrypted or parsed for every line.
    live = (
        open_instructions(offer=offer)
        .select_related("account")
        .defer("tin", "signed_phone", "account__tin", "account__phone")
    )
    if lock:
        live = live.select_for_update(of=("self",))
    positions = dict(
        Position.objects.filter(security_id=offer.old_security_id).values_list(
            "account_id", "principal"
        )
    )
    standings = agent_standings(offer=offer)  # no list of ids: a database takes only so many
    lines = []
    for instruction in live:
        position = positions.get(instruction.account_id, Decimal(0))
        tendered = tendered_principal(
            choice=instruction.choice,
            stated=instruction.amount,
            resolved=instruction.resolved_amount,
            position=position,
        ).principal
        agent = standings.get(instruction.pk, NOT_SENT)
        lines.append(TenderedLine(instruction, position, tendered, agent))
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
