import pytest

from tenders.domain.lifecycle import (
    LIVE,
    TRANSITIONS,
    Status,
    TransitionNotAllowed,
    check_transition,
)


@pytest.mark.parametrize(("current", "target"), sorted(TRANSITIONS))
def test_every_move_of_the_table_is_allowed(current: Status, target: Status) -> None:
    assert check_transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.WITHDRAWN, Status.RECEIVED),
        (Status.WITHDRAWN, Status.SUBMITTED),
        (Status.SUPERSEDED, Status.SUBMITTED),
        (Status.ACCEPTED, Status.WITHDRAWN),
        (Status.ACCEPTED, Status.SUPERSEDED),
        (Status.RETURNED, Status.ACCEPTED),
        (Status.SUBMITTED, Status.RECEIVED),
    ],
)
def test_a_move_outside_the_table_is_refused_by_name(current: Status, target: Status) -> None:
    with pytest.raises(TransitionNotAllowed, match=f"is {current} cannot become {target}"):
        check_transition(current, target)


def test_final_statuses_have_no_way_out() -> None:
    finals = {Status.ACCEPTED, Status.RETURNED, Status.WITHDRAWN, Status.SUPERSEDED}
    assert not {current for current, _ in TRANSITIONS} & finals


def test_received_submitted_and_accepted_instructions_are_live() -> None:
    assert {Status.RECEIVED, Status.SUBMITTED, Status.ACCEPTED} == LIVE
