"""The tabulation's arithmetic: what the office's instructions tender against the minimum
condition, what is still needed, the room left untendered, the warrants, and the breakdowns
by status and by firm. Pure Python, fed rows by `tenders.offers.tabulation`.

Each instruction tenders what `tendered_principal` says (a "tender all" counts at the account's
position until it is resolved at submission, then at the resolved amount). Only live
instructions count (received, submitted to the agent, accepted on consummation). A tender is
valid when the exchange agent holds it: the office's held total counts only the live
instructions sent to the agent and not rejected (accepted ones were held at consummation).
The minimum condition is judged on the exchange agent's latest reported total for the whole
issue where there is one, the office's held total standing beside it and never overriding a
lower agent's figure; without a report, on the office's held total (`judged_total`), with the
engine's own `is_minimum_met`.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum

from notes.domain.entitlement import (
    is_minimum_met,
    minimum_condition,
    warrants_if_all_tendered,
)
from notes.domain.terms import OfferTerms
from tenders.domain.lifecycle import LIVE, Status
from tenders.domain.tender import tendered_principal

PERCENT_PLACES = Decimal("0.01")
# Statuses in the order a reader meets them; the first three count.
STATUS_ORDER = (
    Status.RECEIVED,
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.WITHDRAWN,
    Status.SUPERSEDED,
    Status.RETURNED,
    Status.NOT_ACCEPTED,
)
# An instruction counts from its "received" transition until one of these.
STOPS_COUNTING = frozenset(
    {Status.WITHDRAWN, Status.SUPERSEDED, Status.RETURNED, Status.NOT_ACCEPTED}
)


class JudgedOn(StrEnum):
    OFFICE = "office"  # the office's instructions held by the agent (no agent's report)
    AGENT = "agent"  # the exchange agent's latest reported total for the whole issue


def judged_total(*, held: Decimal, agent_reported: Decimal | None) -> tuple[Decimal, JudgedOn]:
    """The total the minimum condition is judged on: the agent's reported total where there is
    one, whether above or below the office's held total (which never overrides it); else the
    office's held total (what it took and never sent, or the agent rejected, never counts)."""
    if agent_reported is not None:
        return agent_reported, JudgedOn.AGENT
    return held, JudgedOn.OFFICE


@dataclass(frozen=True, slots=True)
class InstructionRow:
    """One instruction of the offer, any status, with the account's position now."""

    key: int
    account: int
    firm: int
    status: str
    choice: str
    stated: Decimal | None
    resolved: Decimal | None
    position: Decimal
    held_by_agent: bool  # sent to the agent and not rejected (or accepted on consummation)


@dataclass(frozen=True, slots=True)
class HolderRow:
    """An account holding the Old Notes (a positive position)."""

    account: int
    firm: int
    position: Decimal


@dataclass(frozen=True, slots=True)
class CountedLine:
    """What one instruction tenders (or would, were it live) and its warrants."""

    row: InstructionRow
    tendered: Decimal
    counts: bool
    warrants_exact: Decimal
    warrants: int

    @property
    def held(self) -> bool:
        """Live and held by the agent: what the office's held total counts."""
        return self.counts and self.row.held_by_agent


@dataclass(frozen=True, slots=True)
class StatusTotal:
    status: Status
    instructions: int
    principal: Decimal  # what these instructions tender (or would, for those that do not count)
    counts: bool


@dataclass(frozen=True, slots=True)
class FirmTotal:
    firm: int
    accounts: int  # holding the Old Notes, or with an instruction
    answered: int  # with an instruction of any status
    tendering: int  # with a live instruction
    held: Decimal
    tendered: Decimal
    not_answered: int
    not_answered_principal: Decimal


@dataclass(frozen=True, slots=True)
class TabulationFigures:
    outstanding: Decimal
    outstanding_units: int
    tendered: Decimal  # the office's own live instructions
    tendered_units: int
    tendered_percent: Decimal
    instructions: int  # live instructions
    held: Decimal  # the office's live instructions held by the agent (sent, not rejected)
    held_units: int
    held_percent: Decimal
    held_instructions: int
    not_held: Decimal  # live, but never sent to the agent or rejected by it
    not_held_instructions: int
    minimum_percent: Decimal
    minimum_exact: Decimal  # 99% of the outstanding: $27,137,880
    minimum_principal: Decimal  # the smallest whole-unit amount meeting it: $27,138,000
    minimum_units: int
    agent_reported: Decimal | None
    agent_reported_units: int | None
    agent_reported_percent: Decimal | None
    judged: Decimal  # the agent's reported total where there is one, else the office's held
    judged_percent: Decimal
    judged_on: JudgedOn
    minimum_met: bool
    still_needed: Decimal
    still_needed_units: int
    max_untendered: Decimal  # $274,000
    untendered: Decimal
    untendered_room_left: Decimal
    warrants_exact_total: Decimal
    warrants_to_issue: int
    warrants_if_all: int  # 149,396
    warrants_if_all_exact: Decimal  # 149,395.4
    lines: tuple[CountedLine, ...]
    by_status: tuple[StatusTotal, ...]
    by_firm: tuple[FirmTotal, ...]
    not_answered: tuple[HolderRow, ...]  # largest position first
    not_answered_principal: Decimal

    @property
    def tendered_by_instruction(self) -> dict[int, Decimal]:
        return {line.row.key: line.tendered for line in self.lines}


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    """part / whole * 100, rounded half-up to two places: $26,601,000 of $27,412,000 is
    97.04. A display figure: the minimum condition is judged on the amounts."""
    if whole <= 0:
        return Decimal("0.00")
    return (part * 100 / whole).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def whole_units(principal: Decimal, unit: Decimal, *, up: bool = False) -> int:
    rounding = ROUND_CEILING if up else ROUND_FLOOR
    return int((principal / unit).to_integral_value(rounding=rounding))


def count_line(terms: OfferTerms, row: InstructionRow) -> CountedLine:
    """An instruction's tender (`tendered_principal`) and its warrants: 5.45 per unit, exact,
    and rounded per instruction by the offer's rule."""
    tendered = tendered_principal(
        choice=row.choice, stated=row.stated, resolved=row.resolved, position=row.position
    ).principal
    exact = terms.warrants_per_unit * tendered / terms.unit_principal
    return CountedLine(
        row=row,
        tendered=tendered,
        counts=row.status in LIVE,
        warrants_exact=exact,
        warrants=terms.warrant_rounding.apply(exact),
    )


def _by_firm(
    lines: Iterable[CountedLine], holders: Iterable[HolderRow]
) -> tuple[tuple[FirmTotal, ...], tuple[HolderRow, ...]]:
    accounts: dict[int, set[int]] = {}
    answered: dict[int, set[int]] = {}
    tendering: dict[int, set[int]] = {}
    held: dict[int, Decimal] = {}
    tendered: dict[int, Decimal] = {}
    for line in lines:
        firm, account = line.row.firm, line.row.account
        accounts.setdefault(firm, set()).add(account)
        answered.setdefault(firm, set()).add(account)
        if line.counts:
            tendering.setdefault(firm, set()).add(account)
            tendered[firm] = tendered.get(firm, Decimal(0)) + line.tendered
    not_answered: list[HolderRow] = []
    for holder in holders:
        accounts.setdefault(holder.firm, set()).add(holder.account)
        held[holder.firm] = held.get(holder.firm, Decimal(0)) + holder.position
        if holder.account not in answered.get(holder.firm, ()):
            not_answered.append(holder)
    unanswered_by_firm: dict[int, list[HolderRow]] = {}
    for holder in not_answered:
        unanswered_by_firm.setdefault(holder.firm, []).append(holder)
    firms = tuple(
        FirmTotal(
            firm=firm,
            accounts=len(accounts[firm]),
            answered=len(answered.get(firm, ())),
            tendering=len(tendering.get(firm, ())),
            held=held.get(firm, Decimal(0)),
            tendered=tendered.get(firm, Decimal(0)),
            not_answered=len(unanswered_by_firm.get(firm, ())),
            not_answered_principal=sum(
                (h.position for h in unanswered_by_firm.get(firm, ())), Decimal(0)
            ),
        )
        for firm in sorted(accounts)
    )
    not_answered.sort(key=lambda h: (-h.position, h.firm, h.account))
    return firms, tuple(not_answered)


@dataclass(frozen=True, slots=True)
class StatusGroup:
    """The office's instructions of one status and agent standing, added up: what
    `tenders.tally` keeps in the database for each offer, and what `group_lines` makes of
    counted lines."""

    status: str
    held_by_agent: bool
    instructions: int
    tendered: Decimal
    warrants_exact: Decimal
    warrants: int


def group_lines(lines: Iterable[CountedLine]) -> tuple[StatusGroup, ...]:
    """Counted lines added up by status and whether the agent holds them."""
    groups: dict[tuple[str, bool], list[CountedLine]] = {}
    for line in lines:
        groups.setdefault((line.row.status, line.row.held_by_agent), []).append(line)
    return tuple(
        StatusGroup(
            status=status,
            held_by_agent=held,
            instructions=len(members),
            tendered=sum((line.tendered for line in members), Decimal(0)),
            warrants_exact=sum((line.warrants_exact for line in members), Decimal(0)),
            warrants=sum(line.warrants for line in members),
        )
        for (status, held), members in sorted(groups.items())
    )


def status_totals(groups: Iterable[StatusGroup]) -> tuple[StatusTotal, ...]:
    """The by-status breakdown, every status in reading order."""
    counts: dict[str, int] = {status.value: 0 for status in STATUS_ORDER}
    principal: dict[str, Decimal] = {status.value: Decimal(0) for status in STATUS_ORDER}
    for group in groups:
        if group.status not in counts:
            raise ValueError(f"unknown instruction status {group.status!r}")
        counts[group.status] += group.instructions
        principal[group.status] += group.tendered
    return tuple(
        StatusTotal(status, counts[status.value], principal[status.value], status in LIVE)
        for status in STATUS_ORDER
    )


def tabulate_rows(
    terms: OfferTerms,
    *,
    instructions: Iterable[InstructionRow],
    holders: Iterable[HolderRow],
    agent_reported: Decimal | None = None,
) -> TabulationFigures:
    """Every figure of the tabulation from the offer's instructions (any status) and holders:
    the reference that `tenders.tally`'s kept totals must always agree with."""
    if agent_reported is not None and agent_reported < 0:
        raise ValueError("the agent's reported total must not be negative")
    lines = tuple(count_line(terms, row) for row in instructions)
    firms, not_answered = _by_firm(lines, holders)
    figures = tabulate_totals(
        terms,
        groups=group_lines(lines),
        firms=firms,
        not_answered=not_answered,
        agent_reported=agent_reported,
    )
    return replace(figures, lines=lines)


def tabulate_totals(
    terms: OfferTerms,
    *,
    groups: Iterable[StatusGroup],
    firms: tuple[FirmTotal, ...],
    not_answered: tuple[HolderRow, ...],
    agent_reported: Decimal | None = None,
) -> TabulationFigures:
    """Every figure of the tabulation from the instructions added up by status and standing,
    the firms' totals, and the holders who have not answered (largest first; the page may pass
    only the first of them: their principal comes from the firms' totals). Without a line per
    instruction (`lines` is empty)."""
    if agent_reported is not None and agent_reported < 0:
        raise ValueError("the agent's reported total must not be negative")
    groups = tuple(groups)
    live = [group for group in groups if group.status in LIVE]
    held_groups = [group for group in live if group.held_by_agent]
    unit = terms.unit_principal
    outstanding = terms.outstanding_principal
    tendered = sum((group.tendered for group in live), Decimal(0))
    held = sum((group.tendered for group in held_groups), Decimal(0))
    instructions = sum(group.instructions for group in live)
    held_instructions = sum(group.instructions for group in held_groups)
    minimum = minimum_condition(terms)
    judged, judged_on = judged_total(held=held, agent_reported=agent_reported)
    still_needed = max(Decimal(0), minimum.required_principal - judged)
    untendered = max(Decimal(0), outstanding - judged)
    if_all = warrants_if_all_tendered(terms)
    return TabulationFigures(
        outstanding=outstanding,
        outstanding_units=whole_units(outstanding, unit),
        tendered=tendered,
        tendered_units=whole_units(tendered, unit),
        tendered_percent=percent_of(tendered, outstanding),
        instructions=instructions,
        held=held,
        held_units=whole_units(held, unit),
        held_percent=percent_of(held, outstanding),
        held_instructions=held_instructions,
        not_held=tendered - held,
        not_held_instructions=instructions - held_instructions,
        minimum_percent=minimum.percent,
        minimum_exact=minimum.required_exact,
        minimum_principal=minimum.required_principal,
        minimum_units=whole_units(minimum.required_principal, unit),
        agent_reported=agent_reported,
        agent_reported_units=(
            None if agent_reported is None else whole_units(agent_reported, unit)
        ),
        agent_reported_percent=(
            None if agent_reported is None else percent_of(agent_reported, outstanding)
        ),
        judged=judged,
        judged_percent=percent_of(judged, outstanding),
        judged_on=judged_on,
        minimum_met=is_minimum_met(terms, judged),
        still_needed=still_needed,
        still_needed_units=whole_units(still_needed, unit, up=True),
        max_untendered=minimum.maximum_untendered,
        untendered=untendered,
        untendered_room_left=max(Decimal(0), minimum.maximum_untendered - untendered),
        warrants_exact_total=sum((group.warrants_exact for group in live), Decimal(0)),
        warrants_to_issue=sum(group.warrants for group in live),
        warrants_if_all=if_all.rounded_exact_total,
        warrants_if_all_exact=if_all.exact_total,
        lines=(),
        by_status=status_totals(groups),
        by_firm=firms,
        not_answered=not_answered,
        not_answered_principal=sum((firm.not_answered_principal for firm in firms), Decimal(0)),
    )


@dataclass(frozen=True, slots=True)
class CountedInterval:
    """When an instruction counted in the office's total: from its "received" transition
    until the first that stops it counting (None while it still counts, or if it never
    did)."""

    start: datetime | None
    end: datetime | None


def counted_interval(transitions: Iterable[tuple[datetime, str]]) -> CountedInterval:
    """An instruction's counted interval from its transitions (instant, status it moved to) in
    order, by `tendered_history`'s rule. Nothing moves an instruction back to "received"
    (`tenders.domain.lifecycle.TRANSITIONS`), so it counts over one interval at most."""
    start: datetime | None = None
    for at, to_status in transitions:
        if to_status == Status.RECEIVED and start is None:
            start = at
        elif to_status in STOPS_COUNTING and start is not None:
            return CountedInterval(start, at)
    return CountedInterval(start, None)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def microseconds_since_epoch(at: datetime | None) -> int | None:
    """An instant as whole microseconds since 1970 (UTC), exactly; None stays None."""
    return None if at is None else (at - EPOCH) // MICROSECOND


def instant_from_microseconds(microseconds: int) -> datetime:
    return EPOCH + timedelta(microseconds=microseconds)


def thinned(
    points: Iterable[tuple[datetime, Decimal]], *, start: datetime, step: timedelta
) -> tuple[tuple[datetime, Decimal], ...]:
    """The points taken together in steps of `step` from `start` (all those before it in one),
    each step's last point kept: a history at the chart's resolution. Exact points where no two
    fall in one step."""
    kept: dict[int, tuple[datetime, Decimal]] = {}
    for at, total in points:
        key = -1 if at < start else (at - start) // step
        kept[key] = (at, total)
    return tuple(kept[key] for key in sorted(kept))


def history_from_moves(
    moves: Iterable[tuple[datetime, Decimal]],
) -> tuple[tuple[datetime, Decimal], ...]:
    """The office's tendered total after each instant, from what each instant added (the sum of
    the tenders that started counting then, less those that stopped), in time order: the same
    points as `tendered_history` gives for the transitions the intervals came from."""
    points: list[tuple[datetime, Decimal]] = []
    total = Decimal(0)
    for at, change in moves:
        total += change
        if points and points[-1][0] == at:
            points[-1] = (at, total)
        else:
            points.append((at, total))
    return tuple(points)


def tendered_history(
    transitions: Iterable[tuple[datetime, int, str]], tendered: Mapping[int, Decimal]
) -> tuple[tuple[datetime, Decimal], ...]:
    """The office's tendered total after each moment of business time, from the instructions'
    transitions (instant, instruction, status it moved to), in order: an instruction counts
    from "received" until it is withdrawn, superseded, returned or not accepted ("submitted"
    and "accepted" keep it counting), at what it tenders now. Moves at one instant make one
    point, so an amendment (one version superseded, the next received) shows no dip."""
    points: list[tuple[datetime, Decimal]] = []
    counting: set[int] = set()
    total = Decimal(0)
    for at, key, to_status in transitions:
        if to_status == Status.RECEIVED and key not in counting:
            counting.add(key)
            total += tendered.get(key, Decimal(0))
        elif to_status in STOPS_COUNTING and key in counting:
            counting.discard(key)
            total -= tendered.get(key, Decimal(0))
        else:
            continue
        if points and points[-1][0] == at:
            points[-1] = (at, total)
        else:
            points.append((at, total))
    return tuple(points)
