"""The life of a client instruction, as a table (django-oscar's pipeline, in plain Python).

received --submit--> submitted to agent --consummate--> accepted
    |                     |             --terminate---> returned
    |                     +--withdraw/amend--> withdrawn / superseded
    +--withdraw--> withdrawn;  --amend--> superseded (by a new version)
    +--consummate (no submission step happened)--> accepted;  --terminate--> returned
received / submitted --consummate, not held by the agent--> not accepted
    (never sent to the agent, or rejected by it: the client is paid as a holder who did not
    tender)
"""

from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"
    NOT_ACCEPTED = "unaccepted"  # ten letters: every status column holds ten


# An instruction in one of these statuses is the account's instruction for the offer: at most
# one per account and offer (a database constraint repeats this).
LIVE = frozenset({Status.RECEIVED, Status.SUBMITTED, Status.ACCEPTED})
# Statuses that a representative or operations can still change before the expiration.
OPEN = frozenset({Status.RECEIVED, Status.SUBMITTED})

TRANSITIONS: frozenset[tuple[Status, Status]] = frozenset(
    {
        (Status.RECEIVED, Status.SUBMITTED),
        (Status.RECEIVED, Status.WITHDRAWN),
        (Status.RECEIVED, Status.SUPERSEDED),
        (Status.RECEIVED, Status.ACCEPTED),
        (Status.RECEIVED, Status.RETURNED),
        (Status.SUBMITTED, Status.WITHDRAWN),
        (Status.SUBMITTED, Status.SUPERSEDED),
        (Status.SUBMITTED, Status.ACCEPTED),
        (Status.SUBMITTED, Status.RETURNED),
        (Status.RECEIVED, Status.NOT_ACCEPTED),
        (Status.SUBMITTED, Status.NOT_ACCEPTED),
    }
)


class TransitionNotAllowed(ValueError):
    def __init__(self, current: Status, target: Status) -> None:
        super().__init__(f"An instruction that is {current} cannot become {target}.")
        self.current = current
        self.target = target


def check_transition(current: Status | str, target: Status | str) -> Status:
    """The target status, or TransitionNotAllowed if the table has no such move."""
    current, target = Status(current), Status(target)
    if (current, target) not in TRANSITIONS:
        raise TransitionNotAllowed(current, target)
    return target
