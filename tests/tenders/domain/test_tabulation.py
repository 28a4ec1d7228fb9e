"""The tabulation's arithmetic (no database): the office's total against the 99% minimum, the
agent's total where there is one (else the office's total held by the agent), what is still
needed, the room left untendered, the warrants, the
breakdowns and the total over business time. Expected figures are worked by hand here."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenders.domain.tabulation import (
    HolderRow,
    InstructionRow,
    JudgedOn,
    TabulationFigures,
    counted_interval,
    history_from_moves,
    percent_of,
    tabulate_rows,
    tendered_history,
    thinned,
)
from tests.notes.domain.lexington import LEXINGTON

FIRM_A, FIRM_B = 1, 2
_keys = iter(range(1, 10**9))


def row(
    account: int,
    *,
    choice: str = "ALL",
    stated: str | None = None,
    resolved: str | None = None,
    position: str = "125000",
    status: str = "received",
    firm: int = FIRM_A,
    held: bool = True,
) -> InstructionRow:
    return InstructionRow(
        key=next(_keys),
        account=account,
        firm=firm,
        status=status,
        choice=choice,
        stated=None if stated is None else Decimal(stated),
        resolved=None if resolved is None else Decimal(resolved),
        position=Decimal(position),
        held_by_agent=held,
    )


def amount(account: int, stated: str, **kwargs: Any) -> InstructionRow:
    return row(account, choice="AMOUNT", stated=stated, **kwargs)


def figures(
    *rows: InstructionRow, agent: str | None = None, holders: tuple[HolderRow, ...] = ()
) -> TabulationFigures:
    return tabulate_rows(
        LEXINGTON,
        instructions=rows,
        holders=holders,
        agent_reported=None if agent is None else Decimal(agent),
    )


# The minimum condition and percentages


def test_minimum_principal_is_the_exact_99_percent_27137880_and_27138000_in_whole_units() -> None:
    f = figures()
    assert f.minimum_exact == Decimal("27137880")
    assert (f.minimum_principal, f.minimum_units) == (Decimal("27138000"), 27138)
    assert f.minimum_percent == Decimal("99")


def test_26601000_tendered_is_97_04_percent_and_needs_537000_more() -> None:
    f = figures(amount(1, "26601000", position="26601000"))
    assert f.tendered_percent == Decimal("97.04")
    assert (f.still_needed, f.still_needed_units) == (Decimal("537000"), 537)
    assert not f.minimum_met


def test_at_most_274000_may_stay_untendered_and_the_room_left_shrinks_with_it() -> None:
    f = figures(amount(1, "27200000", position="27200000"))
    assert f.max_untendered == Decimal("274000")
    assert f.untendered == Decimal("212000")
    assert f.untendered_room_left == Decimal("62000")
    assert f.still_needed == 0


def test_percent_rounds_half_up_to_two_places() -> None:
    assert percent_of(Decimal("2"), Decimal("3")) == Decimal("66.67")
    assert percent_of(Decimal("1"), Decimal("8")) == Decimal("12.50")
    assert percent_of(Decimal("0.00125"), Decimal("1")) == Decimal("0.13")


def test_27137000_reads_99_00_percent_but_does_not_meet_the_minimum() -> None:
    f = figures(amount(1, "27137000", position="27137000"))
    assert f.tendered_percent == Decimal("99.00")
    assert not f.minimum_met
    assert f.still_needed == Decimal("1000")


def test_27138000_meets_the_minimum() -> None:
    assert figures(amount(1, "27138000", position="27138000")).minimum_met


# What counts


def test_tender_all_counts_at_the_position_until_it_is_resolved() -> None:
    assert figures(row(1, position="480000")).tendered == Decimal("480000")


def test_tender_all_counts_at_the_resolved_amount_once_submitted() -> None:
    submitted = row(1, resolved="450000", position="500000", status="submitted")
    assert figures(submitted).tendered == Decimal("450000")


def test_withdrawn_superseded_and_returned_instructions_do_not_count() -> None:
    f = figures(
        row(1, status="withdrawn"),
        amount(2, "50000", status="superseded"),
        amount(2, "75000"),
        row(3, status="returned"),
    )
    assert f.tendered == Decimal("75000")
    assert f.instructions == 1


def test_accepted_instructions_keep_counting() -> None:
    assert figures(row(1, resolved="125000", status="accepted")).tendered == Decimal("125000")


# The exchange agent's total


def test_the_agents_total_is_judged_when_it_is_larger() -> None:
    f = figures(amount(1, "26601000", position="26601000"), agent="27150000")
    assert (f.judged, f.judged_on) == (Decimal("27150000"), JudgedOn.AGENT)
    assert f.minimum_met
    assert f.tendered == Decimal("26601000")  # the office's own figure stays beside it
    assert f.still_needed == 0
    assert f.untendered_room_left == Decimal("12000")


def test_a_larger_agent_total_short_of_99_percent_does_not_meet_the_minimum() -> None:
    f = figures(amount(1, "26601000", position="26601000"), agent="27000000")
    assert f.judged_on is JudgedOn.AGENT
    assert not f.minimum_met
    assert f.still_needed == Decimal("138000")


def test_a_smaller_agent_total_is_judged_and_the_office_total_never_overrides_it() -> None:
    # Issue 21 replaced "judged on the larger": the agent's figure is judged where there is
    # one, the office's held total stands beside it.
    f = figures(amount(1, "27200000", position="27200000"), agent="26000000")
    assert (f.judged, f.judged_on) == (Decimal("26000000"), JudgedOn.AGENT)
    assert f.agent_reported_percent == Decimal("94.85")
    assert f.held == Decimal("27200000")
    assert not f.minimum_met
    assert f.still_needed == Decimal("1138000")


def test_without_an_agents_report_the_office_held_total_is_judged() -> None:
    f = figures(
        amount(1, "27000000", position="27000000"),
        amount(2, "200000", position="200000", held=False),  # never sent, or rejected
    )
    assert (f.tendered, f.held, f.not_held) == (
        Decimal("27200000"),
        Decimal("27000000"),
        Decimal("200000"),
    )
    assert (f.held_instructions, f.not_held_instructions) == (1, 1)
    assert (f.judged, f.judged_on) == (Decimal("27000000"), JudgedOn.OFFICE)
    assert not f.minimum_met
    assert f.still_needed == Decimal("138000")


def test_instructions_the_agent_does_not_hold_never_meet_the_minimum_on_their_own() -> None:
    f = figures(amount(1, "27412000", position="27412000", held=False))
    assert (f.tendered, f.held, f.judged) == (Decimal("27412000"), 0, 0)
    assert not f.minimum_met


# Warrants


def test_warrants_to_issue_add_each_instructions_rounded_count() -> None:
    # 1,000 tendered gives 5.45 warrants, issued as 6: two instructions issue 12, not 11.
    f = figures(amount(1, "1000"), amount(2, "1000"))
    assert f.warrants_exact_total == Decimal("10.90")
    assert f.warrants_to_issue == 12


def test_warrants_if_every_old_note_is_tendered_are_149396() -> None:
    f = figures()
    assert (f.warrants_if_all, f.warrants_if_all_exact) == (149396, Decimal("149395.4"))


@given(st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=40))
def test_warrants_to_issue_exceed_the_exact_total_by_less_than_one_per_instruction(
    units: list[int],
) -> None:
    f = figures(*(amount(n, str(u * 1000), position=str(u * 1000)) for n, u in enumerate(units)))
    assert 0 <= f.warrants_to_issue - f.warrants_exact_total < len(units)
    assert f.tendered == sum(Decimal(u * 1000) for u in units)


# Breakdowns


def test_by_status_counts_every_instruction_and_its_principal() -> None:
    f = figures(row(1), amount(2, "50000", status="withdrawn"), row(3, status="submitted"))
    by_status = {s.status: (s.instructions, s.principal, s.counts) for s in f.by_status}
    assert by_status["received"] == (1, Decimal("125000"), True)
    assert by_status["submitted"] == (1, Decimal("125000"), True)
    assert by_status["withdrawn"] == (1, Decimal("50000"), False)
    assert by_status["returned"] == (0, Decimal("0"), False)


def test_by_firm_counts_accounts_answers_and_the_holders_who_have_not_answered() -> None:
    holders = (
        HolderRow(1, FIRM_A, Decimal("125000")),
        HolderRow(2, FIRM_A, Decimal("40000")),
        HolderRow(3, FIRM_A, Decimal("90000")),
        HolderRow(4, FIRM_B, Decimal("10000")),
    )
    f = figures(row(1), amount(2, "40000", status="withdrawn"), holders=holders)
    a, b = f.by_firm
    assert (a.firm, a.accounts, a.answered, a.tendering) == (FIRM_A, 3, 2, 1)
    assert (a.held, a.tendered) == (Decimal("255000"), Decimal("125000"))
    assert (a.not_answered, a.not_answered_principal) == (1, Decimal("90000"))
    assert (b.firm, b.accounts, b.answered, b.not_answered) == (FIRM_B, 1, 0, 1)
    assert [h.account for h in f.not_answered] == [3, 4]  # largest position first
    assert f.not_answered_principal == Decimal("100000")


# The total over business time

T0 = datetime(2001, 8, 7, 14, 0, tzinfo=UTC)


def test_history_counts_an_instruction_from_received_until_it_is_withdrawn() -> None:
    history = tendered_history(
        [
            (T0, 1, "received"),
            (T0 + timedelta(hours=1), 2, "received"),
            (T0 + timedelta(hours=2), 1, "submitted"),
            (T0 + timedelta(hours=3), 2, "withdrawn"),
        ],
        {1: Decimal("7250000"), 2: Decimal("425000")},
    )
    assert [total for _, total in history] == [
        Decimal("7250000"),
        Decimal("7675000"),
        Decimal("7250000"),
    ]


def test_history_shows_an_amendment_at_one_instant_as_one_point_without_a_dip() -> None:
    amended = T0 + timedelta(days=2)
    history = tendered_history(
        [(T0, 1, "received"), (amended, 1, "superseded"), (amended, 2, "received")],
        {1: Decimal("310000"), 2: Decimal("300000")},
    )
    assert history == ((T0, Decimal("310000")), (amended, Decimal("300000")))


def _random_transitions(seed: int) -> tuple[list[tuple[datetime, int, str]], dict[int, Decimal]]:
    """Instructions received and some stopped, at instants that often coincide."""
    chooser = random.Random(seed)
    start = datetime(2001, 8, 1, tzinfo=UTC)
    transitions = []
    tendered = {}
    for key in range(40):
        tendered[key] = Decimal(chooser.randrange(1, 500) * 1000)
        received = start + timedelta(minutes=chooser.randrange(0, 300))
        transitions.append((received, key, "received"))
        if chooser.random() < 0.4:
            stop = chooser.choice(["withdrawn", "superseded", "returned", "not_accepted"])
            later = received + timedelta(minutes=chooser.randrange(0, 60))
            transitions.append((later, key, stop))
        elif chooser.random() < 0.5:
            transitions.append((received + timedelta(minutes=1), key, "submitted"))
    transitions.sort(key=lambda move: move[0])
    return transitions, tendered


def _moves_from_intervals(
    transitions: list[tuple[datetime, int, str]], tendered: dict[int, Decimal]
) -> list[tuple[datetime, Decimal]]:
    by_key: dict[int, list[tuple[datetime, str]]] = {}
    for at, key, status in transitions:
        by_key.setdefault(key, []).append((at, status))
    changes: dict[datetime, Decimal] = {}
    for key, moves in by_key.items():
        interval = counted_interval(moves)
        if interval.start is not None:
            changes[interval.start] = changes.get(interval.start, Decimal(0)) + tendered[key]
            if interval.end is not None:
                changes[interval.end] = changes.get(interval.end, Decimal(0)) - tendered[key]
    return sorted(changes.items())


@pytest.mark.parametrize("seed", range(20))
def test_the_history_from_counted_intervals_is_the_history_from_transitions(seed: int) -> None:
    transitions, tendered = _random_transitions(seed)
    moves = _moves_from_intervals(transitions, tendered)
    assert history_from_moves(moves) == tendered_history(transitions, tendered)


def test_thinning_keeps_each_steps_last_point_and_the_points_of_sparse_steps() -> None:
    start = datetime(2001, 8, 1, tzinfo=UTC)
    points = [
        (start - timedelta(hours=1), Decimal(1)),
        (start + timedelta(minutes=1), Decimal(2)),
        (start + timedelta(minutes=59), Decimal(3)),
        (start + timedelta(minutes=61), Decimal(4)),
    ]
    assert thinned(points, start=start, step=timedelta(hours=1)) == (
        points[0],
        points[2],
        points[3],
    )
    assert thinned(points, start=start, step=timedelta(minutes=1)) == tuple(points)
