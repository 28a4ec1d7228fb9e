"""Folding the triggers' notes into the tabulation's kept lines (`tenders.tally`).

A fold claims the offer's notes (one DELETE … RETURNING: exactly the notes committed by then;
a write still in flight leaves its note for the next fold), recomputes the lines of the
accounts they name with the tabulation's arithmetic, and replaces those accounts' lines, all
in one transaction. Folds of one offer take turns on its `TallyState` row; writers never wait
for a fold. A note without an account (the offer's terms changed), an offer never built, or
more accounts than `FULL_BUILD_FROM` rebuild every line of the offer instead.
"""

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from notes.models import ExchangeOffer
from notes.selectors import offer_terms
from tenders.accounts.models import Position
from tenders.domain.lifecycle import LIVE, Status
from tenders.domain.submission import Standing
from tenders.domain.tabulation import (
    InstructionRow,
    count_line,
    counted_interval,
    microseconds_since_epoch,
)
from tenders.instructions.models import Instruction, InstructionTransition
from tenders.ledger.selectors import held_for_offer, old_notes_taken_by_consummation
from tenders.submissions.selectors import agent_standings
from tenders.tally.models import (
    TallyAccount,
    TallyFirm,
    TallyGroup,
    TallyLine,
    TallyNote,
    TallyState,
)

# Beyond this many accounts a fold rebuilds the whole offer: one pass over every row costs less
# than thousands of `IN (…)` lookups, and the ids stay under SQLite's limit of host parameters.
FULL_BUILD_FROM = 2_000
CHUNK = 5_000
WARRANT_SCALE = Decimal(10) ** 10


class LineRow(NamedTuple):
    """A `TallyLine`, as inserted."""

    instruction_id: int
    offer_id: int
    account_id: int
    firm_id: int
    status: str
    standing: str
    held_by_agent: bool
    tendered_cents: int
    warrants_exact_e10: int
    warrants: int
    counted_from_us: int | None
    counted_until_us: int | None


class AccountRow(NamedTuple):
    """A `TallyAccount`, as inserted."""

    offer_id: int
    account_id: int
    firm_id: int
    position_cents: int
    holds: bool
    answered: bool
    tendering: bool
    tendered_cents: int


def _cents(amount: Decimal) -> int:
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(cents)


def _warrant_units(exact: Decimal) -> int:
    units = exact * WARRANT_SCALE
    if units != units.to_integral_value():
        raise ValueError(f"{exact} warrants has more than ten decimal places")
    return int(units)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _claim_notes(offer_id: int) -> list[int | None]:
    """The accounts the offer's committed notes name (None: every account), the notes gone."""
    table = TallyNote._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE offer_id = %s RETURNING account_id", [offer_id])
        return [account_id for (account_id,) in cursor.fetchall()]


def tally_fold(*, offer: ExchangeOffer) -> None:
    """Bring the offer's kept lines up to date with every write committed so far."""
    with transaction.atomic():
        state, created = TallyState.objects.select_for_update().get_or_create(offer_id=offer.pk)
        accounts = set(_claim_notes(offer.pk))
        whole = (
            created
            or state.built_at is None
            or None in accounts
            or len(accounts) >= FULL_BUILD_FROM
        )
        if whole:
            _rebuild(offer, accounts=None)
            state.built_at = timezone.now()
            state.save(update_fields=["built_at"])
        elif accounts:
            _rebuild(offer, accounts=sorted(a for a in accounts if a is not None))


def tally_fold_noted() -> list[str]:
    """Fold every offer with writes noted since its last fold (the sweep does, in the worker,
    so that a page seldom folds a large batch itself, such as a consummation's or a positions
    feed's): the slugs of the offers folded."""
    noted = TallyNote.objects.values_list("offer_id", flat=True).distinct()
    folded = []
    for offer in ExchangeOffer.objects.filter(pk__in=list(noted)).order_by("pk"):
        tally_fold(offer=offer)
        folded.append(offer.slug)
    return folded


def tally_rebuild(*, offer: ExchangeOffer) -> None:
    """Rebuild every line of the offer from the data, whatever the notes say."""
    with transaction.atomic():
        state, _ = TallyState.objects.select_for_update().get_or_create(offer_id=offer.pk)
        _claim_notes(offer.pk)
        _rebuild(offer, accounts=None)
        state.built_at = timezone.now()
        state.save(update_fields=["built_at"])


def _in_accounts(ids: list[int] | None, field: str) -> Iterator[dict[str, list[int]]]:
    """Filter keyword arguments: none for every account, else one chunk of ids at a time."""
    if ids is None:
        yield {}
        return
    for chunk in _chunks(ids):
        yield {f"{field}__in": chunk}


# The kept sums: each line adds to its group, each account to its firm.
GROUP_KEY = ("firm_id", "status", "standing", "held_by_agent")
GROUP_SUMS = ("instructions", "tendered_cents", "warrants_exact_e10", "warrants")
FIRM_KEY = ("firm_id",)
FIRM_SUMS = (
    "accounts",
    "answered",
    "tendering",
    "held_cents",
    "tendered_cents",
    "not_answered",
    "not_answered_cents",
)
Sums = dict[tuple[object, ...], list[int]]


def _add(sums: Sums, key: tuple[object, ...], amounts: tuple[int, ...], sign: int = 1) -> None:
    total = sums.setdefault(key, [0] * len(amounts))
    for index, amount in enumerate(amounts):
        total[index] += sign * amount


def _line_sums(
    rows: Iterable[tuple[int, str, str, bool, int, int, int]], sums: Sums, sign: int = 1
) -> None:
    """Add (firm, status, standing, held, tendered, exact warrants, warrants) rows to `sums`."""
    for firm, status, standing, held, tendered, exact, warrants in rows:
        _add(sums, (firm, status, standing, held), (1, tendered, exact, warrants), sign)


def _account_sums(
    rows: Iterable[tuple[int, int, bool, bool, bool, int]], sums: Sums, sign: int = 1
) -> None:
    """Add (firm, position, holds, answered, tendering, tendered) rows to `sums`."""
    for firm, position, holds, answered, tendering, tendered in rows:
        unanswered = holds and not answered
        amounts = (
            1,
            int(answered),
            int(tendering),
            position if holds else 0,
            tendered,
            int(unanswered),
            position if unanswered else 0,
        )
        _add(sums, (firm,), amounts, sign)


LINE_FIELDS = ("firm_id", "status", "standing", "held_by_agent", *GROUP_SUMS[1:])
ACCOUNT_FIELDS = ("firm_id", "position_cents", "holds", "answered", "tendering", "tendered_cents")


def _rebuild(offer: ExchangeOffer, *, accounts: list[int] | None) -> None:
    """Replace the lines of these accounts (None: every account) by what the data says now,
    and move the kept sums by the difference (or, for every account, write them afresh)."""
    lines, tally_accounts = _computed(offer, accounts)
    line_sums: Sums = {}
    firm_sums: Sums = {}
    for where in _in_accounts(accounts, "account_id"):
        if accounts is not None:  # take off what the old lines added
            old_lines = TallyLine.objects.filter(offer_id=offer.pk, **where)
            _line_sums(old_lines.values_list(*LINE_FIELDS), line_sums, sign=-1)
            old_accounts = TallyAccount.objects.filter(offer_id=offer.pk, **where)
            _account_sums(old_accounts.values_list(*ACCOUNT_FIELDS), firm_sums, sign=-1)
        TallyLine.objects.filter(offer_id=offer.pk, **where).delete()
        TallyAccount.objects.filter(offer_id=offer.pk, **where).delete()
    _insert(TallyLine, lines)
    _insert(TallyAccount, tally_accounts)
    _line_sums(
        (
            (line.firm_id, line.status, line.standing, line.held_by_agent, line.tendered_cents,
             line.warrants_exact_e10, line.warrants)
            for line in lines
        ),
        line_sums,
    )  # fmt: skip
    _account_sums(
        (
            (a.firm_id, a.position_cents, a.holds, a.answered, a.tendering, a.tendered_cents)
            for a in tally_accounts
        ),
        firm_sums,
    )
    if accounts is None:
        TallyGroup.objects.filter(offer_id=offer.pk).delete()
        TallyFirm.objects.filter(offer_id=offer.pk).delete()
    _move(TallyGroup, offer, GROUP_KEY, GROUP_SUMS, line_sums)
    _move(TallyFirm, offer, FIRM_KEY, FIRM_SUMS, firm_sums)


def _insert(
    model: type[TallyLine] | type[TallyAccount], rows: list[LineRow] | list[AccountRow]
) -> None:
    """Insert plain rows, a chunk at a time. Not `bulk_create`: it makes a model instance and
    prepares each value in Python, 1.7 million of them for 100,000 accounts (30 s of the
    build); these are whole numbers, flags and short text, which the driver takes as they are."""
    if not rows:
        return
    columns = rows[0]._fields
    quote = connection.ops.quote_name
    table = f"{quote(model._meta.db_table)} ({', '.join(map(quote, columns))})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: 175,000 rows in half a second, where one INSERT each takes six.
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(columns))})"
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[start : start + CHUNK])


def _move(
    model: type[TallyGroup] | type[TallyFirm],
    offer: ExchangeOffer,
    key_fields: tuple[str, ...],
    sum_fields: tuple[str, ...],
    changes: Sums,
) -> None:
    """Add each change to its kept row (made if missing); drop rows left with nothing."""
    for key, change in changes.items():
        if not any(change):
            continue
        where = {"offer_id": offer.pk, **dict(zip(key_fields, key, strict=True))}
        moved = model.objects.filter(**where).update(
            **{field: F(field) + amount for field, amount in zip(sum_fields, change, strict=True)}
        )
        if not moved:
            model.objects.create(**where, **dict(zip(sum_fields, change, strict=True)))
    model.objects.filter(offer_id=offer.pk, **{sum_fields[0]: 0}).delete()


def _computed(
    offer: ExchangeOffer, accounts: list[int] | None
) -> tuple[list[LineRow], list[AccountRow]]:
    """The lines of these accounts (None: every account), from the same rows and arithmetic as
    `tenders.offers.tabulation.offer_tabulation` reads them."""
    terms = offer_terms(offer=offer)
    taken = old_notes_taken_by_consummation(offer=offer, accounts=accounts)
    positions: dict[int, Decimal] = {}
    firms: dict[int, int] = {}
    for where in _in_accounts(accounts, "account_id"):
        held = Position.objects.filter(held_for_offer(offer=offer), **where).values_list(
            "account_id", "account__firm_id", "principal"
        )
        for account_id, firm_id, left in held:
            positions[account_id] = left + taken.get(account_id, Decimal(0))
            firms[account_id] = firm_id
    rows: list[tuple[int, int, int, str, str, Decimal | None, Decimal | None]] = []
    for where in _in_accounts(accounts, "account_id"):
        rows.extend(
            Instruction.objects.filter(offer=offer, **where).values_list(
                "pk",
                "account_id",
                "account__firm_id",
                "status",
                "choice",
                "amount",
                "resolved_amount",
            )
        )
    instruction_ids = [row[0] for row in rows]
    standings = agent_standings(
        offer=offer, instruction_ids=None if accounts is None else instruction_ids
    )
    intervals = _counted_intervals(offer, None if accounts is None else instruction_ids)
    lines: list[LineRow] = []
    by_account: dict[int, list[LineRow]] = {}
    for pk, account_id, firm_id, status, choice, stated, resolved in rows:
        firms.setdefault(account_id, firm_id)
        standing = standings[pk].standing if pk in standings else Standing.NOT_SENT
        counted = count_line(
            terms,
            InstructionRow(
                key=pk,
                account=account_id,
                firm=firm_id,
                status=status,
                choice=choice,
                stated=stated,
                resolved=resolved,
                position=positions.get(account_id, Decimal(0)),
                held_by_agent=status == Status.ACCEPTED or standing.held_by_agent,
            ),
        )
        start, end = intervals.get(pk, (None, None))
        line = LineRow(
            instruction_id=pk,
            offer_id=offer.pk,
            account_id=account_id,
            firm_id=firm_id,
            status=str(status),
            standing=standing.value,  # the text: a driver may write an enum by its name
            held_by_agent=counted.row.held_by_agent,
            tendered_cents=_cents(counted.tendered),
            warrants_exact_e10=_warrant_units(counted.warrants_exact),
            warrants=counted.warrants,
            counted_from_us=microseconds_since_epoch(start),
            counted_until_us=microseconds_since_epoch(end),
        )
        lines.append(line)
        by_account.setdefault(account_id, []).append(line)
    tally_accounts = [
        AccountRow(
            offer_id=offer.pk,
            account_id=account_id,
            firm_id=firm_id,
            position_cents=_cents(positions.get(account_id, Decimal(0))),
            holds=account_id in positions,
            answered=account_id in by_account,
            tendering=any(line.status in LIVE for line in by_account.get(account_id, ())),
            tendered_cents=sum(
                line.tendered_cents
                for line in by_account.get(account_id, ())
                if line.status in LIVE
            ),
        )
        for account_id, firm_id in firms.items()
    ]
    return lines, tally_accounts


def _counted_intervals(
    offer: ExchangeOffer, instruction_ids: Collection[int] | None
) -> dict[int, tuple[datetime | None, datetime | None]]:
    """{instruction id: (counted from, counted until)} from the instructions' transitions."""
    moves: dict[int, list[tuple[datetime, str]]] = {}
    chunks: Iterable[dict[str, list[int]]] = (
        [{}]
        if instruction_ids is None
        else ({"instruction_id__in": chunk} for chunk in _chunks(list(instruction_ids)))
    )
    for where in chunks:
        transitions = (
            InstructionTransition.objects.filter(instruction__offer=offer, **where)
            .order_by("business_at", "id")
            .values_list("instruction_id", "business_at", "to_status")
        )
        for instruction_id, at, to_status in transitions:
            moves.setdefault(instruction_id, []).append((at, to_status))
    intervals = {}
    for instruction_id, transitions_of_one in moves.items():
        interval = counted_interval(transitions_of_one)
        intervals[instruction_id] = (interval.start, interval.end)
    return intervals
