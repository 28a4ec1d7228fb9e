"""Reconciliation with the exchange agent (issue 21): for one participant (firm) and offer, every
live instruction the office holds, where it stands with the agent (not sent, sent and not
acknowledged, pending, rejected with the agent's reason, accepted), the principal in each
class, and the office's totals beside the agent's latest reported total for the whole issue.

And, for the days before the expiration, what is left to do: per firm, the instructions
received and not sent and those sent and not acknowledged (`unsent_by_firm`), shown from the
firm's cutoff on (`unsent_after_cutoff`) and e-mailed to operations before the expiration.

An instruction marked submitted without a file (the instruction list's action) is in no file
the agent received: it counts as not sent. Reads only; nothing here writes.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from exchange_office import clock
from exchange_office.formatting import iso_timestamp
from exchange_office.spreadsheet import csv_text
from notes.models import AgentReport, ExchangeOffer, OfferStatus
from notes.selectors import latest_agent_report
from tenders.accounts.models import BrokerFirm
from tenders.accounts.selectors import firm_deadlines, principal_held
from tenders.domain.lifecycle import LIVE
from tenders.domain.submission import STANDING_LABELS, Standing
from tenders.domain.tender import tendered_principal
from tenders.instructions.models import Instruction
from tenders.submissions.selectors import AgentStandingRow, agent_standings

# The classes in the order the page and the CSV show them: what is still to do first.
STANDING_ORDER = (
    Standing.NOT_SENT,
    Standing.UNACKNOWLEDGED,
    Standing.PENDING,
    Standing.REJECTED,
    Standing.ACCEPTED,
)
NOT_SENT = AgentStandingRow(Standing.NOT_SENT)


@dataclass(frozen=True, slots=True)
class _Live:
    """A live instruction's figures, as read for the totals."""

    pk: int
    firm_id: int
    account_id: int
    principal: Decimal


def _live(offer: ExchangeOffer, firm: BrokerFirm | None = None) -> list[_Live]:
    """The offer's live instructions (of one firm, or all), each with the principal it tenders:
    the amount stated, the amount a "tender all" resolved to when sent, else the position."""
    rows = Instruction.objects.filter(offer=offer, status__in=sorted(LIVE))
    if firm is not None:
        rows = rows.filter(account__firm=firm)
    values = list(
        rows.values_list(
            "pk", "account__firm_id", "account_id", "choice", "amount", "resolved_amount"
        )
    )
    positions = principal_held(
        security_id=offer.old_security_id, account_ids=sorted({v[2] for v in values})
    )
    return [
        _Live(
            pk=pk,
            firm_id=firm_id,
            account_id=account_id,
            principal=tendered_principal(
                choice=choice,
                stated=amount,
                resolved=resolved,
                position=positions.get(account_id, Decimal(0)),
            ).principal,
        )
        for pk, firm_id, account_id, choice, amount, resolved in values
    ]


@dataclass(frozen=True, slots=True)
class ReconciliationRow:
    """One live instruction and where it stands with the agent."""

    instruction_id: int
    account_number: str
    version: int
    status: str  # the office's status (received, submitted, accepted)
    principal: Decimal
    agent: AgentStandingRow

    @property
    def standing(self) -> Standing:
        return self.agent.standing

    @property
    def label(self) -> str:
        return self.agent.label


@dataclass(frozen=True, slots=True)
class StandingTotal:
    standing: Standing
    count: int
    principal: Decimal

    @property
    def label(self) -> str:
        return STANDING_LABELS[self.standing]


def _totals(rows: Iterable[tuple[Standing, Decimal]]) -> tuple[StandingTotal, ...]:
    counts: dict[Standing, int] = defaultdict(int)
    sums: dict[Standing, Decimal] = defaultdict(Decimal)
    for standing, principal in rows:
        counts[standing] += 1
        sums[standing] += principal
    return tuple(StandingTotal(s, counts[s], sums[s]) for s in STANDING_ORDER)


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """A participant's instructions against what the agent told the office, as of `as_of`."""

    offer: ExchangeOffer
    firm: BrokerFirm
    as_of: datetime
    firm_cutoff: datetime
    rows: tuple[ReconciliationRow, ...]
    totals: tuple[StandingTotal, ...]  # one per class, in STANDING_ORDER
    participant_total: Decimal  # this participant's live instructions
    office_total: Decimal  # every participant's live instructions at the office
    agent_report: AgentReport | None  # the agent's latest reported total, for the whole issue

    def total(self, standing: Standing) -> StandingTotal:
        return self.totals[STANDING_ORDER.index(standing)]

    @property
    def acknowledged_total(self) -> Decimal:
        """What the agent accepted of this participant's instructions."""
        return self.total(Standing.ACCEPTED).principal


def reconciliation(*, offer: ExchangeOffer, firm: BrokerFirm) -> Reconciliation:
    """Every live instruction of the firm for the offer with its standing: class by class in
    STANDING_ORDER (what is still to do first), by account within a class."""
    every = _live(offer)
    mine = {live.pk: live for live in every if live.firm_id == firm.pk}
    standings = agent_standings(offer=offer, instruction_ids=mine)
    instructions = (
        Instruction.objects.filter(pk__in=sorted(mine))
        .select_related("account")
        .order_by("account__account_number", "version")
    )
    rows = sorted(
        (
            ReconciliationRow(
                instruction_id=instruction.pk,
                account_number=instruction.account.account_number,
                version=instruction.version,
                status=instruction.get_status_display(),
                principal=mine[instruction.pk].principal,
                agent=standings.get(instruction.pk, NOT_SENT),
            )
            for instruction in instructions
        ),
        key=lambda row: STANDING_ORDER.index(row.standing),  # stable: by account within
    )
    return Reconciliation(
        offer=offer,
        firm=firm,
        as_of=clock.now(),
        firm_cutoff=firm_deadlines(firm=firm, offer=offer).firm_cutoff,
        rows=tuple(rows),
        totals=_totals((row.standing, row.principal) for row in rows),
        participant_total=sum((row.principal for row in rows), Decimal(0)),
        office_total=sum((live.principal for live in every), Decimal(0)),
        agent_report=latest_agent_report(offer=offer),
    )


CENT = Decimal("0.01")
CSV_COLUMNS = (
    "participant",
    "account_number",
    "version",
    "reference",
    "principal",
    "office_status",
    "standing",
    "sent_at",
    "agent_wrote_at",
    "imported_at",
    "reason_code",
    "reason",
)


def _instant(value: datetime | None) -> str:
    """ISO 8601 (2001-08-20T10:00:00-04:00): a spreadsheet sorts and parses it."""
    return "" if value is None else iso_timestamp(value)


def reconciliation_csv(report: Reconciliation) -> str:
    """The page's rows for a spreadsheet, one per instruction (no cell runs as a formula)."""
    return csv_text(
        CSV_COLUMNS,
        (
            (
                report.firm.dtc_participant_number,
                row.account_number,
                row.version,
                row.agent.reference,
                row.principal.quantize(CENT),
                row.status,
                row.label,
                _instant(row.agent.sent_at),
                _instant(row.agent.agent_wrote_at),
                _instant(row.agent.advised_at),
                row.agent.reason_code,
                row.agent.reason,
            )
            for row in report.rows
        ),
    )


# What is left to do before the expiration


@dataclass(frozen=True, slots=True)
class FirmUnsent:
    """A firm's instructions the agent may not hold: received and not sent, sent and not
    acknowledged (counts and principal)."""

    offer: ExchangeOffer
    firm: BrokerFirm
    firm_cutoff: datetime
    not_sent: int
    not_sent_principal: Decimal
    unacknowledged: int
    unacknowledged_principal: Decimal

    @property
    def anything(self) -> bool:
        return bool(self.not_sent or self.unacknowledged)


# What the offer's live instructions add up to, by firm and standing with the agent:
# {(firm id, standing): (instructions, principal)}.
StandingCounts = Mapping[tuple[int, Standing], tuple[int, Decimal]]


def live_standing_counts(*, offer: ExchangeOffer) -> StandingCounts:
    """The live instructions' counts by firm and standing, read from every row; a page above
    the tabulation's kept lines passes theirs instead (`tenders.offers.tabulation`)."""
    standings = agent_standings(offer=offer)
    counts: dict[tuple[int, Standing], tuple[int, Decimal]] = {}
    for live in _live(offer):
        key = (live.firm_id, standings.get(live.pk, NOT_SENT).standing)
        count, principal = counts.get(key, (0, Decimal(0)))
        counts[key] = (count + 1, principal + live.principal)
    return counts


def unsent_by_firm(
    *,
    offer: ExchangeOffer,
    firms: Sequence[BrokerFirm] | None = None,
    counts_of: Callable[..., StandingCounts] = live_standing_counts,
) -> list[FirmUnsent]:
    """For every firm (by participant number), what it has not sent and what the agent has not
    acknowledged, for the offer."""
    firms = list(BrokerFirm.objects.order_by("dtc_participant_number")) if firms is None else firms
    counts = counts_of(offer=offer)
    nothing = (0, Decimal(0))
    rows = []
    for firm in firms:
        not_sent = counts.get((firm.pk, Standing.NOT_SENT), nothing)
        unacknowledged = counts.get((firm.pk, Standing.UNACKNOWLEDGED), nothing)
        rows.append(
            FirmUnsent(
                offer=offer,
                firm=firm,
                firm_cutoff=firm_deadlines(firm=firm, offer=offer).firm_cutoff,
                not_sent=not_sent[0],
                not_sent_principal=not_sent[1],
                unacknowledged=unacknowledged[0],
                unacknowledged_principal=unacknowledged[1],
            )
        )
    return rows


def unsent_after_cutoff(
    *,
    offers: Iterable[ExchangeOffer] | None = None,
    now: datetime | None = None,
    counts_of: Callable[..., StandingCounts] = live_standing_counts,
) -> list[FirmUnsent]:
    """For each open offer (or those given that are open), the firms whose cutoff has passed,
    with what they have left unsent and unacknowledged (nothing left is listed too: the page
    shows that it is clear)."""
    now = clock.now() if now is None else now
    if offers is None:
        offers = ExchangeOffer.objects.filter(status=OfferStatus.OPEN).order_by("expiration")
    firms = list(BrokerFirm.objects.order_by("dtc_participant_number"))
    rows = []
    for offer in offers:
        if offer.status != OfferStatus.OPEN:
            continue
        past_cutoff = [
            firm for firm in firms if firm_deadlines(firm=firm, offer=offer).firm_cutoff <= now
        ]
        if past_cutoff:
            rows += unsent_by_firm(offer=offer, firms=past_cutoff, counts_of=counts_of)
    return rows
