"""A firm's controls in words, and when a change reopens a cutoff (no database)."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tenders.domain.firm_controls import FirmControls, control_changes, cutoff_reopened

NY = ZoneInfo("America/New_York")
CUTOFF = datetime(2001, 8, 31, 17, 0, tzinfo=NY)
LATER = datetime(2001, 9, 4, 23, 59, tzinfo=NY)
STANDING = FirmControls(1, time(17, 0), Decimal("1000000"))


def test_a_later_cutoff_reopens_one_that_has_just_passed() -> None:
    assert cutoff_reopened(before=CUTOFF, after=LATER, now=CUTOFF)


def test_a_later_cutoff_reopens_nothing_while_the_cutoff_is_ahead() -> None:
    assert not cutoff_reopened(before=CUTOFF, after=LATER, now=CUTOFF - timedelta(seconds=1))


def test_a_later_cutoff_that_has_passed_too_reopens_nothing() -> None:
    assert not cutoff_reopened(before=CUTOFF, after=LATER, now=LATER)


def test_the_cutoff_change_is_said_old_rule_first() -> None:
    latest = FirmControls(0, time(23, 59), Decimal("1000000"))
    assert control_changes(STANDING, latest) == [
        "cutoff from 5:00 p.m. New York time, 1 banking day before the expiration day to "
        "11:59 p.m. New York time, on the expiration day"
    ]


def test_removing_the_threshold_is_said_as_none() -> None:
    assert control_changes(STANDING, FirmControls(1, time(17, 0), None)) == [
        "second approval from above $1,000,000 to none"
    ]


def test_the_same_controls_change_nothing() -> None:
    assert control_changes(STANDING, STANDING) == []
