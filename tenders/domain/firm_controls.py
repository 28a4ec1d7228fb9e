"""A firm's controls: its cutoff rule and its four-eyes threshold. They move a deadline or a
control, so one operator proposes a change and another approves it
(`tenders.approvals.firm_controls`). Here, purely: the change in words, and whether it reopens
a cutoff that has passed.
"""

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from exchange_office.formatting import dollars


@dataclass(frozen=True, slots=True)
class FirmControls:
    """`BrokerFirm.cutoff_banking_days_before`, `cutoff_time` and `second_approval_threshold`
    (None: no second approval)."""

    cutoff_banking_days_before: int
    cutoff_time: time
    second_approval_threshold: Decimal | None

    def describe_cutoff(self) -> str:
        """ "5:00 p.m. New York time, 1 banking day before the expiration day"."""
        days = self.cutoff_banking_days_before
        when = (
            "on the expiration day"
            if days == 0
            else f"{days} banking day{'s' if days != 1 else ''} before the expiration day"
        )
        return f"{_time_of_day(self.cutoff_time)} New York time, {when}"

    def describe_threshold(self) -> str:
        threshold = self.second_approval_threshold
        return "none" if threshold is None else f"above {dollars(threshold)}"


def _time_of_day(moment: time) -> str:
    """5:00 p.m. (the formatting module's clocks take instants; a rule's time has no day)."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'a.m.' if moment.hour < 12 else 'p.m.'}"


def control_changes(before: FirmControls, after: FirmControls) -> list[str]:
    """What changes, one phrase per control, old value first; empty when nothing does."""
    changes = []
    if (before.cutoff_banking_days_before, before.cutoff_time) != (
        after.cutoff_banking_days_before,
        after.cutoff_time,
    ):
        changes.append(f"cutoff from {before.describe_cutoff()} to {after.describe_cutoff()}")
    if before.second_approval_threshold != after.second_approval_threshold:
        changes.append(
            f"second approval from {before.describe_threshold()} to {after.describe_threshold()}"
        )
    return changes


def cutoff_reopened(*, before: datetime, after: datetime, now: datetime) -> bool:
    """The change reopens a cutoff: it had passed (`before` <= `now`, the cutoff instant is
    when instructions stop) and would be ahead again."""
    return before <= now < after
