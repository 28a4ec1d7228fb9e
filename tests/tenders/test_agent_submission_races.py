"""Files for the exchange agent recorded at the same moment as each other and as withdrawals, on
PostgreSQL: real row locks, one connection per thread. An instruction is never sent twice in
one channel, and one withdrawn after it was sent is always cancelled in the next file."""

import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection

from tenders.accounts.services import account_set_tin
from tenders.intake.services import instruction_submit, instruction_withdraw
from tenders.models import AgentSubmissionItem, BrokerFirm, Instruction
from tenders.submissions.services import agent_submission_record
from tests import factories
from tests.tenders.conftest import POSTGRES_RACES, make_input, notice_for

pytestmark = POSTGRES_RACES

ACCOUNTS = 12
OPERATORS = 6


def together(works: list[Callable[[], Any]]) -> list[Any]:
    """Run each of `works` in its own thread and connection, started together at a barrier;
    return what each returned, or the ValidationError it raised."""
    barrier = threading.Barrier(len(works), timeout=30)
    results: list[Any] = []
    crashes: list[BaseException] = []

    def run(work: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            try:
                results.append(work())
            except ValidationError as exc:
                results.append(exc)
        except BaseException as exc:
            crashes.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [t for t in threads if t.is_alive()], "a thread is stuck"
    assert crashes == []
    return results


@pytest.fixture
def operator(db: None) -> Any:
    """Operations staff made by hand: a transactional test empties the tables after it, the
    Operations group the migrations create included."""
    user = factories.StaffUserFactory(username="operator")
    user.user_permissions.add(Permission.objects.get(codename="change_instruction"))
    return user


@pytest.fixture
def book(offer: Any, firm: Any, rep: Any, operator: Any, fake_pdf: list) -> list[Instruction]:
    """ACCOUNTS accounts of the firm, each with a "tender all" received."""
    instructions = []
    for _ in range(ACCOUNTS):
        account = factories.ClientAccountFactory(firm=firm)
        factories.PositionFactory(
            account=account, security=offer.old_security, principal=Decimal("125000")
        )
        account = account_set_tin(account=account, tin_type="SSN", tin="123-45-6789", by=operator)
        instructions.append(
            instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
        )
    return instructions


def _record(offer: Any, firm: Any, user: Any) -> Callable[[], Any]:
    return lambda: agent_submission_record(
        offer=offer, firm=BrokerFirm.objects.get(pk=firm.pk), by=user
    )


def test_operators_recording_at_once_send_each_instruction_once(
    offer, firm, operator, book
) -> None:
    results = together([_record(offer, firm, operator) for _ in range(OPERATORS)])
    sent = [r for r in results if not isinstance(r, ValidationError)]
    assert len(sent) == 1
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert all("Nothing to send" in " ".join(r.messages) for r in refused)
    counts = Counter(AgentSubmissionItem.objects.values_list("instruction_id", flat=True))
    assert counts == Counter({i.pk: 1 for i in book})


def test_a_withdrawal_racing_a_file_is_never_lost(offer, firm, operator, rep, book) -> None:
    def withdraw(instruction: Instruction) -> Callable[[], Any]:
        notice = notice_for(instruction)
        return lambda: instruction_withdraw(
            instruction=Instruction.objects.get(pk=instruction.pk),
            expected_version=1,
            by=rep,
            notice=notice,
        )

    together([_record(offer, firm, operator), *(withdraw(i) for i in book[: ACCOUNTS // 2])])
    withdrawn_after_sending = set(
        AgentSubmissionItem.objects.filter(
            kind="instruct", instruction__status="withdrawn"
        ).values_list("instruction_id", flat=True)
    )
    if withdrawn_after_sending:
        cancellations = agent_submission_record(offer=offer, firm=firm, by=operator).submission
        assert (
            set(cancellations.items.filter(kind="cancel").values_list("instruction_id", flat=True))
            == withdrawn_after_sending
        )
    sent_as_new = set(
        AgentSubmissionItem.objects.filter(kind="instruct").values_list("instruction_id", flat=True)
    )
    withdrawn_before = {i.pk for i in book[: ACCOUNTS // 2]} - withdrawn_after_sending
    assert not sent_as_new & withdrawn_before
    assert {i.pk for i in book[ACCOUNTS // 2 :]} <= sent_as_new
