"""The offer's tabulation for operations: the office's tendered total against the minimum
condition, beside the exchange agent's reported total, what is still needed and the room left
untendered, the warrants, by status and by firm, who has not answered, and the tendered total
over business time for the chart.

The figures add up the kept lines of `tenders.tally` (a line per instruction and per account,
kept up to date as the data changes), in a fixed number of grouped queries whatever the number
of accounts; the arithmetic is `tenders.domain.tabulation`'s. `offer_tabulation_recomputed`
reads every row instead, the reference the kept lines are checked against. The same
`OfferTabulation` feeds the admin page, its CSV download and `manage.py tabulation`.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Subquery

from exchange_office import clock
from exchange_office.formatting import NEW_YORK
from exchange_office.spreadsheet import SpreadsheetWriter
from notes.models import AgentReport, ExchangeOffer, OfferEvent, OfferEventKind
from notes.presentation import amount, fraction
from notes.selectors import agent_reports, latest_agent_report, offer_terms, offers_with_terms
from tenders.accounts.models import AccountOwner, BrokerFirm, Position
from tenders.domain.ledger import to_amount
from tenders.domain.lifecycle import Status
from tenders.domain.tabulation import (
    FirmTotal,
    HolderRow,
    InstructionRow,
    TabulationFigures,
    history_from_moves,
    tabulate_rows,
    tabulate_totals,
    tendered_history,
    thinned,
)
from tenders.instructions.models import Instruction, InstructionStatus, InstructionTransition
from tenders.ledger.selectors import held_for_offer, old_notes_taken_by_consummation
from tenders.ledger.trial_balance import Exchanged, offer_exchanged
from tenders.submissions.reconciliation import StandingCounts
from tenders.submissions.selectors import agent_standings
from tenders.tally.selectors import (
    counted_lines,
    counted_moves,
    firm_totals,
    last_counted_instant,
    standing_counts,
    status_groups,
    unanswered_accounts,
)
from tenders.tally.services import tally_fold


@dataclass(frozen=True, slots=True)
class FirmLine:
    name: str
    participant: str  # DTC participant number
    totals: FirmTotal


@dataclass(frozen=True, slots=True)
class UnansweredAccount:
    firm: str
    participant: str
    account_number: str
    client: str  # the first owner
    position: Decimal


@dataclass(frozen=True, slots=True)
class OfferTabulation:
    offer: ExchangeOffer
    as_of: datetime  # the business clock when it was read
    figures: TabulationFigures
    agent_report: AgentReport | None
    firms: tuple[FirmLine, ...]
    not_answered: tuple[UnansweredAccount, ...]
    # What the books' EXCHANGE entries moved, after consummation; None before it.
    exchanged: Exchanged | None = None


def offer_tabulation(
    *, offer: ExchangeOffer, not_answered_limit: int | None = None
) -> OfferTabulation:
    """Every figure of the tabulation from the kept lines (`tenders.tally`), brought up to
    date first with every write committed so far: a few grouped queries whatever the number of
    accounts. `not_answered` lists the first `not_answered_limit` holders who have not
    answered, largest first (all of them without a limit); their count and principal are
    always the whole list's."""
    offer = offers_with_terms().get(pk=offer.pk)
    terms = offer_terms(offer=offer)
    report = latest_agent_report(offer=offer)
    tally_fold(offer=offer)
    unanswered = list(unanswered_accounts(offer=offer, limit=not_answered_limit))
    figures = tabulate_totals(
        terms,
        groups=status_groups(offer=offer),
        firms=firm_totals(offer=offer),
        not_answered=tuple(
            HolderRow(account=account, firm=firm, position=to_amount(cents, scale=2))
            for account, firm, cents, _, _ in unanswered
        ),
        agent_reported=report.tendered_principal if report else None,
    )
    who = {account: (number, client or "") for account, _, _, number, client in unanswered}
    return _assembled(offer, figures, report, who)


def offer_tabulation_recomputed(*, offer: ExchangeOffer) -> OfferTabulation:
    """The tabulation recomputed from every row (`tabulate_rows`), as it was before the kept
    lines: what `manage.py tabulation --check` holds the kept figures to. Nine to eleven
    queries, and seconds at 100,000 accounts."""
    offer = offers_with_terms().get(pk=offer.pk)
    terms = offer_terms(offer=offer)
    report = latest_agent_report(offer=offer)
    first_owner = (
        AccountOwner.objects.filter(account=OuterRef("account_id"))
        .order_by("sequence")
        .values("name")[:1]
    )
    # After consummation the positions hold what is left: the tabulation reads them as the
    # offer saw them, with what its consummation took out added back.
    taken = old_notes_taken_by_consummation(offer=offer)
    held = (
        Position.objects.filter(held_for_offer(offer=offer))
        .annotate(client=Subquery(first_owner))
        .values_list(
            "account_id", "account__firm_id", "account__account_number", "client", "principal"
        )
    )
    holders: list[HolderRow] = []
    positions: dict[int, Decimal] = {}
    who: dict[int, tuple[str, str]] = {}
    for account_id, firm_id, number, client, left in held:
        principal = left + taken.get(account_id, Decimal(0))
        holders.append(HolderRow(account=account_id, firm=firm_id, position=principal))
        positions[account_id] = principal
        who[account_id] = (number, client or "")
    standings = agent_standings(offer=offer)
    instructions = [
        InstructionRow(
            key=pk,
            account=account_id,
            firm=firm_id,
            status=status,
            choice=choice,
            stated=stated,
            resolved=resolved,
            position=positions.get(account_id, Decimal(0)),
            held_by_agent=status == Status.ACCEPTED
            or (pk in standings and standings[pk].standing.held_by_agent),
        )
        for pk, account_id, firm_id, status, choice, stated, resolved in Instruction.objects.filter(
            offer=offer
        ).values_list(
            "pk", "account_id", "account__firm_id", "status", "choice", "amount", "resolved_amount"
        )
    ]
    figures = tabulate_rows(
        terms,
        instructions=instructions,
        holders=holders,
        agent_reported=report.tendered_principal if report else None,
    )
    return _assembled(offer, figures, report, who)


def _assembled(
    offer: ExchangeOffer,
    figures: TabulationFigures,
    report: AgentReport | None,
    who: dict[int, tuple[str, str]],
) -> OfferTabulation:
    """The tabulation with the firms' and unanswered accounts' names."""
    names = {
        pk: (name, participant)
        for pk, name, participant in BrokerFirm.objects.filter(
            pk__in=[firm.firm for firm in figures.by_firm]
        ).values_list("pk", "name", "dtc_participant_number")
    }
    firms = sorted(
        (FirmLine(*names[totals.firm], totals) for totals in figures.by_firm),
        key=lambda line: (line.name, line.participant),
    )
    not_answered = tuple(
        UnansweredAccount(
            firm=names[holder.firm][0],
            participant=names[holder.firm][1],
            account_number=who[holder.account][0],
            client=who[holder.account][1],
            position=holder.position,
        )
        for holder in figures.not_answered
    )
    return OfferTabulation(
        offer=offer,
        as_of=clock.now(),
        figures=figures,
        agent_report=report,
        firms=tuple(firms),
        not_answered=not_answered,
        exchanged=offer_exchanged(offer=offer),
    )


def kept_standing_counts(*, offer: ExchangeOffer) -> StandingCounts:
    """The offer's live instructions by firm and standing with the agent, from the kept lines
    brought up to date: for the panel of what is left unsent (`unsent_after_cutoff`)."""
    tally_fold(offer=offer)
    return standing_counts(offer=offer)


def tabulation_differences(*, offer: ExchangeOffer) -> list[str]:
    """The keys of the tabulation's JSON whose kept figures differ from a recomputation from
    every row (none when they agree), and the chart's history if its points differ. Seconds at
    100,000 accounts: for `manage.py tabulation --check` and the tests."""
    kept = offer_tabulation(offer=offer)
    recomputed = offer_tabulation_recomputed(offer=offer)
    kept_data, recomputed_data = tabulation_as_dict(kept), tabulation_as_dict(recomputed)
    differences = [
        key for key in kept_data if key != "as_of" and kept_data[key] != recomputed_data.get(key)
    ]
    transitions = InstructionTransition.objects.filter(instruction__offer=offer).order_by(
        "business_at", "id"
    )
    history = tendered_history(
        transitions.values_list("business_at", "instruction_id", "to_status"),
        recomputed.figures.tendered_by_instruction,
    )
    chart = tendered_over_time(tabulation=kept)
    step = _chart_step(offer, chart.start, chart.end)
    if step is not None:
        history = thinned(history, start=chart.start, step=step)
    if chart.points != history:
        differences.append("history")
    return differences


# The tendered total over business time (the chart)


@dataclass(frozen=True, slots=True)
class Extension:
    at: datetime  # when it was recorded (business clock)
    previous_expiration: datetime | None
    new_expiration: datetime | None


@dataclass(frozen=True, slots=True)
class AgentPoint:
    at: datetime  # the end of the day the figure is as of, or when entered if earlier
    as_of: datetime
    principal: Decimal


@dataclass(frozen=True, slots=True)
class TenderedOverTime:
    start: datetime
    end: datetime
    points: tuple[tuple[datetime, Decimal], ...]  # the office's total after each moment
    extensions: tuple[Extension, ...]
    agent_points: tuple[AgentPoint, ...]
    outstanding: Decimal
    minimum_percent: Decimal


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=NEW_YORK)


# The chart's resolution: beyond this many instructions the history is taken in this many
# steps of its span (five to a pixel of the 732-pixel plot), each at its last instant.
CHART_STEPS = 4_000


def tendered_over_time(*, tabulation: OfferTabulation) -> TenderedOverTime:
    """The office's tendered total at each moment of business time, from when each instruction
    counted at what it tenders now (a "tender all" at the position held now), with the offer's
    extensions and the agent's reports, over the kept lines `offer_tabulation` brought up to
    date. Exact up to `CHART_STEPS` instructions; beyond, at the chart's resolution (`thinned`:
    each step of 1/4,000 of the span at its last moment)."""
    offer = tabulation.offer
    extensions = tuple(
        Extension(at, previous, new)
        for at, previous, new in OfferEvent.objects.filter(
            offer=offer, kind=OfferEventKind.EXTENDED
        )
        .order_by("business_at", "id")
        .values_list("business_at", "previous_expiration", "new_expiration")
    )
    agent_points = tuple(
        AgentPoint(
            at=min(entered, _start_of(as_of + timedelta(days=1))),
            as_of=_start_of(as_of),
            principal=principal,
        )
        for as_of, entered, principal in agent_reports(offer=offer)
        .order_by("as_of", "business_at", "id")
        .values_list("as_of", "business_at", "tendered_principal")
    )
    start = _start_of(offer.commencement_date)
    last_move = last_counted_instant(offer=offer)
    moved = [] if last_move is None else [last_move]
    moments = [offer.expiration, *moved, *(e.at for e in extensions), *(p.at for p in agent_points)]
    end = min(clock.now(), max(moments))
    end = max([end, start + timedelta(days=1), *moved])
    step = _chart_step(offer, start, end)
    # When each instruction counted, kept with its line: what it tenders now, added at the
    # instant it started counting and taken off when it stopped (`tendered_history`'s rule).
    points = history_from_moves(counted_moves(offer=offer, start=start, step=step))
    return TenderedOverTime(
        start=start,
        end=end,
        points=points,
        extensions=extensions,
        agent_points=agent_points,
        outstanding=tabulation.figures.outstanding,
        minimum_percent=tabulation.figures.minimum_percent,
    )


def _chart_step(offer: ExchangeOffer, start: datetime, end: datetime) -> timedelta | None:
    """The span of one step of the chart's history, or None for every instant."""
    if counted_lines(offer=offer) <= CHART_STEPS:
        return None
    return max((end - start) / CHART_STEPS, timedelta(microseconds=1))


# As data: the command's JSON and CSV, and the page's download


def _cents(value: Decimal) -> Decimal:
    """The amount with two decimals, as the JSON writes it (`amount`)."""
    return Decimal(amount(value))


def _exact(value: Decimal) -> Decimal:
    """A rate or an exact count without trailing zeros, as the JSON writes it (`fraction`)."""
    return Decimal(fraction(value))


def _optional(value: Decimal | None) -> Decimal | None:
    return None if value is None else _cents(value)


def _figures(tabulation: OfferTabulation) -> dict[str, Any]:
    """The tabulation's figures by key, amounts and rates as `Decimal` (the CSV writes them
    as numbers), dates and instants ISO."""
    f, report = tabulation.figures, tabulation.agent_report
    offer, exchanged = tabulation.offer, tabulation.exchanged
    return {
        "offer": offer.slug,
        "offer_name": offer.name,
        "offer_status": offer.status,
        "as_of": tabulation.as_of.isoformat(),
        "outstanding_principal": _cents(f.outstanding),
        "outstanding_units": f.outstanding_units,
        "tendered_principal": _cents(f.tendered),
        "tendered_units": f.tendered_units,
        "tendered_percent": _cents(f.tendered_percent),
        "tendered_instructions": f.instructions,
        "held_principal": _cents(f.held),
        "held_units": f.held_units,
        "held_percent": _cents(f.held_percent),
        "held_instructions": f.held_instructions,
        "not_held_principal": _cents(f.not_held),
        "not_held_instructions": f.not_held_instructions,
        "minimum_percent": _exact(f.minimum_percent),
        "minimum_principal": _cents(f.minimum_exact),
        "minimum_principal_whole_units": _cents(f.minimum_principal),
        "minimum_units": f.minimum_units,
        "agent_reported_principal": _optional(f.agent_reported),
        "agent_reported_units": f.agent_reported_units,
        "agent_reported_percent": _optional(f.agent_reported_percent),
        "agent_reported_as_of": report.as_of.isoformat() if report else None,
        "agent_reported_source": report.source if report else None,
        "agent_reported_by": report.entered_by.get_username() if report else None,
        "agent_reported_at": report.business_at.isoformat() if report else None,
        "judged_principal": _cents(f.judged),
        "judged_percent": _cents(f.judged_percent),
        "judged_on": str(f.judged_on),
        "minimum_met": f.minimum_met,
        "still_needed": _cents(f.still_needed),
        "still_needed_units": f.still_needed_units,
        "max_untendered": _cents(f.max_untendered),
        "untendered_principal": _cents(f.untendered),
        "untendered_room_left": _cents(f.untendered_room_left),
        "warrants_exact_total": _exact(f.warrants_exact_total),
        "warrants_to_issue": f.warrants_to_issue,
        "warrants_if_all": f.warrants_if_all,
        "warrants_if_all_exact": _exact(f.warrants_if_all_exact),
        # From the books, after consummation (null before): docs/rules.md, "Books".
        "accepted_principal": _optional(exchanged.accepted_principal if exchanged else None),
        "warrants_issued": exchanged.warrants_issued if exchanged else None,
        "by_status": [
            {
                "status": str(s.status),
                "label": InstructionStatus(s.status).label,
                "instructions": s.instructions,
                "principal": _cents(s.principal),
                "counts": s.counts,
            }
            for s in f.by_status
        ],
        "by_firm": [
            {
                "firm": line.name,
                "participant": line.participant,
                "accounts": line.totals.accounts,
                "answered": line.totals.answered,
                "tendering": line.totals.tendering,
                "held_principal": _cents(line.totals.held),
                "tendered_principal": _cents(line.totals.tendered),
                "not_answered": line.totals.not_answered,
                "not_answered_principal": _cents(line.totals.not_answered_principal),
            }
            for line in tabulation.firms
        ],
        "not_answered_accounts": len(tabulation.not_answered),
        "not_answered_principal": _cents(f.not_answered_principal),
        "not_answered": [
            {
                "firm": account.firm,
                "participant": account.participant,
                "account": account.account_number,
                "client": account.client,
                "position": _cents(account.position),
            }
            for account in tabulation.not_answered
        ],
    }


def _json_ready(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    return value


def tabulation_as_dict(tabulation: OfferTabulation) -> dict[str, Any]:
    """The tabulation as JSON-ready values: amounts as strings with two decimals (no "$", no
    separators), percentages on a 0-100 scale, exact warrant counts without trailing zeros,
    dates and instants ISO. Other tools read these keys: keep them stable."""
    data: dict[str, Any] = _json_ready(_figures(tabulation))
    return data


# The lists, each a section of the CSV with these columns.
SECTIONS = {
    "by_status": ["status", "label", "instructions", "principal", "counts"],
    "by_firm": [
        "firm",
        "participant",
        "accounts",
        "answered",
        "tendering",
        "held_principal",
        "tendered_principal",
        "not_answered",
        "not_answered_principal",
    ],
    "not_answered": ["firm", "participant", "account", "client", "position"],
}


def tabulation_csv(tabulation: OfferTabulation) -> str:
    """The same figures as the JSON, for a spreadsheet: first `key,value` rows, one figure
    each; then, after a blank row, each list (by_status, by_firm, not_answered) as a section:
    a row with its name, a header row, one row per entry. Amounts are numbers; a name that
    starts like a formula is written as text (`exchange_office.spreadsheet`)."""
    data = _figures(tabulation)
    out = io.StringIO()
    writer = SpreadsheetWriter(out)
    writer.writerow(["key", "value"])
    for key, value in data.items():
        if key not in SECTIONS:
            writer.writerow([key, value])
    for section, columns in SECTIONS.items():
        rows: list[dict[str, Any]] = data[section]
        writer.writerow([])
        writer.writerow([section])
        writer.writerow(columns)
        writer.writerows([row[column] for column in columns] for row in rows)
    return out.getvalue()
