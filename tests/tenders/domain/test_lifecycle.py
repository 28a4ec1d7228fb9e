"""The lifecycle of an instruction, checked against the table written out here by hand (not
read from the code's own TRANSITIONS): every one of the 49 pairs of statuses is either allowed
or refused by name."""

import itertools

import pytest

from tenders.domain.lifecycle import (
    LIVE,
    OPEN,
    TRANSITIONS,
    Status,
    TransitionNotAllowed,
    check_transition,
)

# received --submit--> submitted; both can be withdrawn, superseded by an amendment, accepted
# on consummation (or not accepted, when the agent does not hold it) or returned on
# termination. Nothing else moves.
ALLOWED = {
    ("received", "submitted"),
    ("received", "withdrawn"),
    ("received", "superseded"),
    ("received", "accepted"),
    ("received", "returned"),
    ("submitted", "withdrawn"),
    ("submitted", "superseded"),
    ("submitted", "accepted"),
    ("submitted", "returned"),
    ("received", "unaccepted"),
    ("submitted", "unaccepted"),
}
STATUSES = [
    "received", "submitted", "accepted", "returned", "withdrawn", "superseded", "unaccepted"
]  # fmt: skip
REFUSED = sorted(set(itertools.product(STATUSES, STATUSES)) - ALLOWED)


def test_the_code_knows_exactly_these_statuses() -> None:
    assert sorted(s.value for s in Status) == sorted(STATUSES)


def test_the_table_is_the_one_written_here() -> None:
    assert {(a.value, b.value) for a, b in TRANSITIONS} == ALLOWED


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_every_allowed_move_is_allowed(current: str, target: str) -> None:
    assert check_transition(current, target) == target


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_every_other_move_is_refused_by_name(current: str, target: str) -> None:
    with pytest.raises(TransitionNotAllowed, match=f"is {current} cannot become {target}"):
        check_transition(current, target)


def test_received_and_submitted_instructions_can_still_change() -> None:
    assert {s.value for s in OPEN} == {"received", "submitted"}


def test_received_submitted_and_accepted_instructions_are_live() -> None:
    assert {Status.RECEIVED, Status.SUBMITTED, Status.ACCEPTED} == LIVE
