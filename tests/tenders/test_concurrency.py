"""Requests racing for one account, on PostgreSQL: real row locks, one connection per thread.

Two representatives (or one double click) acting on the same account at the same moment never
leave two live instructions, never tender more than the position, and never lose an amendment.
Every call either succeeds or is refused with a `ValidationError`; nothing else escapes, not
even when operations submit the firm's instructions to the agent at that moment.
"""

import itertools
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection

from notes.models import ExchangeOffer
from tenders.accounts.services import account_set_tin
from tenders.domain.lifecycle import LIVE, Status
from tenders.instructions.services import InstructionInput, SignatureInput
from tenders.intake.services import instruction_amend, instruction_submit, instruction_withdraw
from tenders.models import (
    ClientAccount,
    Instruction,
    InstructionSigner,
    InstructionTransition,
)
from tenders.submissions.services import instructions_submit_to_agent
from tests.factories import StaffUserFactory
from tests.tenders.conftest import POSTGRES_RACES, notice_for

pytestmark = POSTGRES_RACES

BUSINESS_NOW = "2001-08-20T10:00:00-04:00"  # before the firm's cutoff (Aug 31, 5 p.m.)
FORM_DATE = date(2001, 8, 17)  # after the commencement (Aug 6), before the business today
POSITION = Decimal("250000")
CLERKS = 24  # threads, each with its own connection, released together by a barrier
User = get_user_model()


@dataclass(frozen=True)
class Desk:
    """One joint account of a firm with two representatives; primary keys only, so that each
    thread loads its own objects through its own connection."""

    offer_pk: int
    account_pk: int
    user_pks: tuple[int, int]
    signatures: tuple[SignatureInput, ...]


@dataclass(frozen=True)
class Call:
    kind: str  # submit, amend or withdraw (or agent)
    result: Any  # what the service returned (an Instruction), or None when it raised
    error: Exception | None
    token: uuid.UUID | None = None
    expected_version: int | None = None
    input_amount: Decimal | None = None
    round_no: int = 0

    @property
    def message(self) -> str:
        assert isinstance(self.error, ValidationError)
        return " ".join(self.error.messages)


@pytest.fixture(autouse=True)
def quick_receipts(fake_pdf: list) -> None:
    """Each committed instruction queues its receipt; these tests are about the instructions,
    so the PDF is a stand-in (test_pdf.py renders the real one)."""


@pytest.fixture
def desk(
    pin_clock: Callable[[str], None],
    offer_factory: Any,
    account_factory: Any,
    position_factory: Any,
    representative_factory: Any,
) -> Desk:
    # override_settings is process-wide, so the threads see the pinned clock too (a
    # `clock.frozen_at` ContextVar would not reach them).
    pin_clock(BUSINESS_NOW)
    offer = offer_factory()
    account = account_factory(owners=["Pat Client", "Sam Client"])
    position_factory(account=account, security=offer.old_security, principal=POSITION)
    ann, bob = (
        representative_factory(firm=account.firm, user__username=name).user
        for name in ("rep-ann", "rep-bob")
    )
    account_set_tin(account=account, tin_type="SSN", tin="123-45-6789", by=ann)
    return Desk(
        offer_pk=offer.pk,
        account_pk=account.pk,
        user_pks=(ann.pk, bob.pk),
        signatures=tuple(SignatureInput(o.pk, o.name, True) for o in account.owners.all()),
    )


def form(
    desk: Desk, *, amount: Decimal | None = None, token: uuid.UUID | None = None
) -> InstructionInput:
    """The client's form as a representative types it; no amount means "tender all"."""
    return InstructionInput(
        choice="ALL" if amount is None else "AMOUNT",
        amount=amount,
        form_date=FORM_DATE,
        address="1 Main Street\nNew York, NY 10004",
        phone="(212) 555-0100",
        tin_type="SSN",
        tin="",  # the TIN on file
        signatures=desk.signatures,
        submission_token=token,
    )


def load(desk: Desk, user_pk: int) -> tuple[ClientAccount, ExchangeOffer, Any]:
    return (
        ClientAccount.objects.get(pk=desk.account_pk),
        ExchangeOffer.objects.get(pk=desk.offer_pk),
        User.objects.select_related("representative").get(pk=user_pk),
    )


def attempt(kind: str, service: Callable[[], Any], **details: Any) -> Call:
    try:
        return Call(kind, result=service(), error=None, **details)
    except Exception as exc:  # recorded: the test asserts that only ValidationError occurs
        return Call(kind, result=None, error=exc, **details)


def run_clerks(clerks: Sequence[Callable[[threading.Barrier], list[Call]]]) -> list[Call]:
    """Run each clerk in its own thread (its own connection); a clerk prepares, waits at the
    barrier so that all calls start together, then calls the services."""
    barrier = threading.Barrier(len(clerks), timeout=30)
    calls: list[Call] = []
    crashes: list[BaseException] = []

    def work(clerk: Callable[[threading.Barrier], list[Call]]) -> None:
        try:
            calls.extend(clerk(barrier))
        except BaseException as exc:
            crashes.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(c,), name=f"clerk-{i}") for i, c in enumerate(clerks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [t.name for t in threads if t.is_alive()], "a clerk is stuck"
    assert crashes == []
    return calls


def assert_only_refusals(calls: Sequence[Call]) -> None:
    unexpected = [c.error for c in calls if c.error and not isinstance(c.error, ValidationError)]
    assert unexpected == []


def instructions(desk: Desk) -> list[Instruction]:
    return list(
        Instruction.objects.filter(account_id=desk.account_pk, offer_id=desk.offer_pk)
        .select_related("supersedes")
        .order_by("version")
    )


def submit_first(desk: Desk, amount: Decimal) -> Instruction:
    account, offer, ann = load(desk, desk.user_pks[0])
    return instruction_submit(account=account, offer=offer, data=form(desk, amount=amount), by=ann)


def test_racing_submissions_record_one_instruction(desk: Desk) -> None:
    ann, bob = desk.user_pks
    double_clicks = {ann: uuid.uuid4(), bob: uuid.uuid4()}  # each posts one form four times
    plans: list[tuple[int, uuid.UUID | None, Decimal | None]] = []
    for n in range(CLERKS):
        user = desk.user_pks[n % 2]
        if n < 8:
            plans.append((user, double_clicks[user], Decimal("100000")))
        else:
            plans.append((user, uuid.uuid4() if n % 3 else None, Decimal(1000 * (50 + n))))

    def clerk(user_pk: int, token: uuid.UUID | None, amount: Decimal | None) -> Any:
        def run(barrier: threading.Barrier) -> list[Call]:
            account, offer, user = load(desk, user_pk)
            data = form(desk, amount=amount, token=token)
            barrier.wait()
            return [
                attempt(
                    "submit",
                    lambda: instruction_submit(account=account, offer=offer, data=data, by=user),
                    token=token,
                )
            ]

        return run

    calls = run_clerks([clerk(*plan) for plan in plans])

    assert len(calls) == CLERKS
    assert_only_refusals(calls)
    [recorded] = instructions(desk)
    assert recorded.version == 1 and recorded.status == Status.RECEIVED
    successes = [c for c in calls if c.result is not None]
    assert {c.result.pk for c in successes} == {recorded.pk}
    assert {c.token for c in successes} == {recorded.submission_token}
    if recorded.submission_token is not None:  # the same form posted again: the same answer
        assert [c.message for c in calls if c.token == recorded.submission_token and c.error] == []
    refusals = [c for c in calls if c.result is None]
    assert len(refusals) == CLERKS - len(successes)
    assert [
        c.message for c in refusals if "already has an instruction (version 1" not in c.message
    ] == []
    assert InstructionTransition.objects.filter(instruction=recorded).count() == 1
    assert InstructionSigner.objects.filter(instruction=recorded).count() == 2


def test_racing_amendments_of_one_version_record_one(desk: Desk) -> None:
    first = submit_first(desk, Decimal("100000"))
    ann, bob = desk.user_pks
    double_clicks = {ann: uuid.uuid4(), bob: uuid.uuid4()}
    plans: list[tuple[int, uuid.UUID | None, Decimal | None]] = []
    for n in range(CLERKS):
        user = desk.user_pks[n % 2]
        if n < 8:
            plans.append((user, double_clicks[user], Decimal(120000 + 10000 * (n % 2))))
        else:  # each a different amount (or "all"), so the stored one names its author
            plans.append((user, uuid.uuid4(), None if n == 8 else Decimal(1000 * (140 + n))))

    def clerk(user_pk: int, token: uuid.UUID | None, amount: Decimal | None) -> Any:
        def run(barrier: threading.Barrier) -> list[Call]:
            _, _, user = load(desk, user_pk)
            looked_at = Instruction.objects.get(pk=first.pk)  # what the user saw: version 1
            data = form(desk, amount=amount, token=token)
            barrier.wait()
            return [
                attempt(
                    "amend",
                    lambda: instruction_amend(
                        instruction=looked_at, expected_version=1, data=data, by=user
                    ),
                    token=token,
                    expected_version=1,
                    input_amount=amount,
                )
            ]

        return run

    calls = run_clerks([clerk(*plan) for plan in plans])

    assert len(calls) == CLERKS
    assert_only_refusals(calls)
    versions = instructions(desk)
    assert [i.version for i in versions] == [1, 2]
    original, amended = versions
    assert original.status == Status.SUPERSEDED
    assert amended.status == Status.RECEIVED and amended.supersedes == original
    successes = [c for c in calls if c.result is not None]
    assert {c.result.pk for c in successes} == {amended.pk}
    assert {c.token for c in successes} == {amended.submission_token}
    assert [c.message for c in calls if c.token == amended.submission_token and c.error] == []
    # Not lost, not mixed: version 2 holds exactly what its author typed.
    assert {c.input_amount for c in successes} == {amended.amount}
    refusals = [c for c in calls if c.result is None]
    assert len(refusals) == CLERKS - len(successes)
    changed = "changed while you were looking at it: it is now version 2, received"
    assert [c.message for c in refusals if changed not in c.message] == []
    assert InstructionTransition.objects.filter(instruction__in=versions).count() == 3


# The mixed race: each clerk acts in every round; the rounds start together, and in each a
# clerk reads the account's instruction just before acting (some after a short pause), so some
# calls succeed one after another and the rest race them.
ROUNDS = 3
AMOUNTS: tuple[Decimal | None, ...] = (
    None,
    Decimal("50000"),
    Decimal("100000"),
    Decimal("175000"),
    POSITION,
    Decimal("300000"),  # more than the position: refused
)
PAUSES = (0.0, 0.0, 0.0, 0.005, 0.01, 0.02)  # seconds between the barrier and the read


class Step(NamedTuple):
    kind: str
    amount: Decimal | None
    pause: float


def mixed_plan(rng: random.Random) -> list[list[Step]]:
    """For each clerk, one step per round. Every round has a valid submission, amendment and
    withdrawal, so whatever the state at its start, at least one call of the round succeeds."""
    per_clerk: list[list[Step]] = [[] for _ in range(CLERKS)]
    for _ in range(ROUNDS):
        steps = [
            Step("submit", Decimal("100000"), 0.0),
            Step("amend", None, 0.0),
            Step("withdraw", None, 0.0),
        ]
        kinds = rng.choices(["submit", "amend", "withdraw"], weights=[3, 5, 2], k=CLERKS - 3)
        steps += [Step(kind, rng.choice(AMOUNTS), rng.choice(PAUSES)) for kind in kinds]
        rng.shuffle(steps)
        for clerk_steps, step in zip(per_clerk, steps, strict=True):
            clerk_steps.append(step)
    return per_clerk


def test_mixed_race_keeps_every_invariant(desk: Desk) -> None:
    submit_first(desk, Decimal("100000"))
    rng = random.Random(20010820)
    plans = mixed_plan(rng)
    clerk_users = [rng.choice(desk.user_pks) for _ in range(CLERKS)]

    def act(
        step: Step, round_no: int, account: ClientAccount, offer: ExchangeOffer, user: Any
    ) -> Call:
        time.sleep(step.pause)
        if step.kind == "submit":
            data = form(desk, amount=step.amount, token=uuid.uuid4())
            return attempt(
                "submit",
                lambda: instruction_submit(account=account, offer=offer, data=data, by=user),
                token=data.submission_token,
                input_amount=step.amount,
                round_no=round_no,
            )
        # Read the account's instruction as the page shows it, just before acting.
        mine = Instruction.objects.filter(account=account, offer=offer)
        current = mine.filter(status__in=list(LIVE)).first() or mine.order_by("-version").first()
        version = current.version
        if step.kind == "amend":
            data = form(desk, amount=step.amount, token=uuid.uuid4())
            return attempt(
                "amend",
                lambda: instruction_amend(
                    instruction=current, expected_version=version, data=data, by=user
                ),
                token=data.submission_token,
                expected_version=version,
                input_amount=step.amount,
                round_no=round_no,
            )
        return attempt(
            "withdraw",
            lambda: instruction_withdraw(
                notice=notice_for(current), instruction=current, expected_version=version, by=user
            ),
            token=None,
            expected_version=version,
            round_no=round_no,
        )

    def clerk(user_pk: int, steps: list[Step]) -> Any:
        def run(barrier: threading.Barrier) -> list[Call]:
            account, offer, user = load(desk, user_pk)
            done = []
            for round_no, step in enumerate(steps, start=1):
                barrier.wait()  # every round starts together, after the last one ended
                done.append(act(step, round_no, account, offer, user))
            return done

        return run

    calls = run_clerks([clerk(u, ops) for u, ops in zip(clerk_users, plans, strict=True)])

    assert len(calls) == CLERKS * ROUNDS
    assert_only_refusals(calls)
    ok = {
        kind: [c for c in calls if c.kind == kind and c.result is not None]
        for kind in ("submit", "amend", "withdraw")
    }
    succeeded_in = Counter(c.round_no for c in calls if c.result is not None)
    assert set(succeeded_in) == set(range(1, ROUNDS + 1)), succeeded_in

    versions = instructions(desk)
    by_pk = {i.pk: i for i in versions}
    # Versions unique and contiguous; every one created by exactly one successful call.
    assert [i.version for i in versions] == list(range(1, len(versions) + 1))
    assert len(versions) == 1 + len(ok["submit"]) + len(ok["amend"])
    created = {c.result.pk for c in ok["submit"] + ok["amend"]}
    assert len(created) == len(ok["submit"]) + len(ok["amend"])
    # At most one live instruction, the last one, tendering no more than the position.
    live = [i for i in versions if i.status in LIVE]
    assert len(live) <= 1
    if live:
        assert live[0] == versions[-1]
        assert (live[0].amount if live[0].choice == "AMOUNT" else POSITION) <= POSITION
    assert [i.version for i in versions if i.amount and i.amount > POSITION] == []
    # The chain: a later version supersedes the one before it, or follows a withdrawal.
    for previous, later in itertools.pairwise(versions):
        if later.supersedes_id is not None:
            assert later.supersedes_id == previous.pk
            assert previous.status == Status.SUPERSEDED
        else:
            assert previous.status == Status.WITHDRAWN
    # No amendment lost: each is recorded, based on the version its author saw, and is live,
    # or was superseded by a later version, or was withdrawn by a successful withdrawal.
    withdrawn_by_calls = {c.result.pk for c in ok["withdraw"]}
    assert len(withdrawn_by_calls) == len(ok["withdraw"])
    for call in ok["amend"]:
        stored = by_pk[call.result.pk]
        assert stored.supersedes.version == call.expected_version
        assert stored.amount == call.input_amount
        if stored.status == Status.SUPERSEDED:
            assert stored.superseded_by.version > stored.version
        elif stored.status == Status.WITHDRAWN:
            assert stored.pk in withdrawn_by_calls
        else:
            assert stored.status == Status.RECEIVED
    for call in ok["withdraw"]:
        assert by_pk[call.result.pk].status == Status.WITHDRAWN
        assert call.result.version == call.expected_version
    # Each version was amended or withdrawn at most once (no two winners for one version).
    acted_on = Counter(c.expected_version for c in ok["amend"] + ok["withdraw"])
    assert {version: n for version, n in acted_on.items() if n > 1} == {}
    # The audit trail: one transition per creation, amendment and withdrawal.
    transitions = Counter(
        InstructionTransition.objects.filter(instruction__in=versions).values_list(
            "to_status", flat=True
        )
    )
    assert transitions == Counter(
        {
            Status.RECEIVED: len(versions),
            Status.SUPERSEDED: len(ok["amend"]),
            Status.WITHDRAWN: len(ok["withdraw"]),
        }
    )
    assert InstructionSigner.objects.filter(instruction__in=versions).count() == 2 * len(versions)


def test_agent_submission_racing_amendments_and_withdrawals(
    desk: Desk, account_factory: Any, position_factory: Any
) -> None:
    """Operations submit the firm's instructions to the agent while the representatives amend
    or withdraw them: every call completes (no deadlock), and each instruction's audit trail
    is one unbroken chain of moves."""
    account = ClientAccount.objects.get(pk=desk.account_pk)
    offer = ExchangeOffer.objects.get(pk=desk.offer_pk)
    ann = User.objects.get(pk=desk.user_pks[0])
    firsts = [submit_first(desk, Decimal("100000"))]
    for _ in range(CLERKS - 1):
        other = account_factory(firm=account.firm, owners=["Pat Client", "Sam Client"])
        position_factory(account=other, security=offer.old_security, principal=POSITION)
        account_set_tin(account=other, tin_type="SSN", tin="123-45-6789", by=ann)
        other_desk = Desk(
            offer_pk=offer.pk,
            account_pk=other.pk,
            user_pks=desk.user_pks,
            signatures=tuple(SignatureInput(o.pk, o.name, True) for o in other.owners.all()),
        )
        firsts.append(submit_first(other_desk, Decimal("100000")))
    ops = StaffUserFactory(username="ops-agent")
    ops.user_permissions.add(Permission.objects.get(codename="change_instruction"))

    def agent(barrier: threading.Barrier) -> list[Call]:
        user = User.objects.get(pk=ops.pk)
        assert user.has_perm("tenders.change_instruction")  # loads the permissions now
        mine = list(Instruction.objects.filter(pk__in=[i.pk for i in firsts]))
        barrier.wait()
        return [
            attempt(
                "agent",
                lambda: instructions_submit_to_agent(offer=offer, instructions=mine, by=user),
            )
        ]

    def representative(n: int, first_pk: int) -> Callable[[threading.Barrier], list[Call]]:
        def run(barrier: threading.Barrier) -> list[Call]:
            user = User.objects.select_related("representative").get(pk=desk.user_pks[n % 2])
            looked_at = Instruction.objects.select_related("account").get(pk=first_pk)
            signatures = tuple(
                SignatureInput(o.pk, o.name, True) for o in looked_at.account.owners.all()
            )
            data = replace(form(desk, amount=Decimal("150000")), signatures=signatures)
            barrier.wait()
            if n < CLERKS // 2:  # the agent locks these accounts first, then waits for the rest
                time.sleep(0.1)
            if n % 3 == 2:
                return [
                    attempt(
                        "withdraw",
                        lambda: instruction_withdraw(
                            notice=notice_for(looked_at),
                            instruction=looked_at,
                            expected_version=1,
                            by=user,
                        ),
                    )
                ]
            return [
                attempt(
                    "amend",
                    lambda: instruction_amend(
                        instruction=looked_at, expected_version=1, data=data, by=user
                    ),
                )
            ]

        return run

    calls = run_clerks([agent] + [representative(n, first.pk) for n, first in enumerate(firsts)])

    assert len(calls) == 1 + CLERKS
    assert [repr(c.error) for c in calls if c.error] == []
    [agent_call] = [c for c in calls if c.kind == "agent"]
    submitted_by_agent = {i.pk for i in agent_call.result.submitted}
    for first in firsts:
        first.refresh_from_db()
        assert first.status in {Status.SUPERSEDED, Status.WITHDRAWN}
        moves = list(
            InstructionTransition.objects.filter(instruction=first)
            .order_by("id")
            .values_list("from_status", "to_status")
        )
        # "" -> received [-> submitted] -> superseded or withdrawn, each from where the last
        # move left it: the agent and the representative saw each other's writes.
        assert [to for _, to in moves[:-1]] == [f for f, _ in moves[1:]], moves
        assert moves[0] == ("", Status.RECEIVED) and moves[-1][1] == first.status
        assert ((Status.RECEIVED, Status.SUBMITTED) in moves) == (first.pk in submitted_by_agent)
