"""Workers racing for the same rows, on PostgreSQL: real row locks, one connection per thread.

Two workers handed the same outbox message send it once, and drains sharing a bulk run issue
each item exactly once. The threads open their connections, then start together at a barrier,
and short pauses keep them at work at the same moment (the outbox between reading a message's
status and writing it, the stand-in renderer between claims), so that without its lock each
test fails every time, not now and then.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest
from django.core import mail
from django.db import connection

from notes.models import ExchangeOffer
from tenders.bulk_runs.services import Drained, bulk_run_create, bulk_run_drain
from tenders.models import (
    BulkItemStatus,
    BulkRun,
    BulkRunStatus,
    Document,
    DocumentKind,
    Instruction,
    OutboxMessage,
    OutboxStatus,
)
from tenders.outbox.services import outbox_message_create, outbox_send
from tests import factories
from tests.tenders.conftest import POSTGRES_RACES, accepted_instructions

pytestmark = POSTGRES_RACES

SENDERS = 16  # workers handed the same outbox message
DRAINS = 6  # drains of one bulk run
ITEMS = 30  # accepted instructions in the run
IN_THE_WINDOW = 0.05  # seconds between reading a message's status and marking it sending
RENDERING = 0.005  # seconds the stand-in renderer takes, so that the drains overlap
T = TypeVar("T")


def race(workers: int, work: Callable[[], T]) -> list[T]:
    """Run `work` in `workers` threads, each with its own connection, opened before the
    barrier so that every call starts together; return what the calls returned."""
    barrier = threading.Barrier(workers, timeout=30)
    results: list[T] = []
    crashes: list[BaseException] = []

    def run() -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            results.append(work())
        except BaseException as exc:
            crashes.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, name=f"worker-{i}") for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [t.name for t in threads if t.is_alive()], "a worker is stuck"
    assert crashes == []
    return results


@pytest.fixture
def queued_message(db: None) -> OutboxMessage:
    """A client's receipt, stored, with its e-mail queued and not yet sent."""
    document = factories.DocumentFactory()
    return outbox_message_create(
        document=document,
        to="pat.client@example.com",
        subject=f"Receipt {document.number}",
        body="Attached is your receipt.",
        by=None,
    )


@pytest.fixture
def dawdling_outbox_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The outbox reads the clock after finding a message queued and before marking it
    sending: a pause there holds the window open for any worker that did not lock the row."""
    from exchange_office import clock
    from tenders.outbox import services

    def wall_now() -> Any:
        time.sleep(IN_THE_WINDOW)
        return clock.wall_now()

    monkeypatch.setattr(services, "clock", SimpleNamespace(wall_now=wall_now))


def test_workers_handed_the_same_message_send_it_once(
    queued_message: OutboxMessage, dawdling_outbox_clock: None
) -> None:
    """A message queued twice (a retried task, a double enqueue) reaches many workers at
    once: the row lock lets one of them move it from queued to sending, and only that one
    talks to the SMTP server."""
    returned = race(SENDERS, lambda: outbox_send(message_id=queued_message.pk))

    assert {m.pk for m in returned} == {queued_message.pk}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pat.client@example.com"]
    message = OutboxMessage.objects.get(pk=queued_message.pk)
    assert (message.status, message.attempts, message.error) == (OutboxStatus.SENT, 1, "")


@pytest.fixture
def accepted(offer: ExchangeOffer, firm: Any, rep: Any) -> list[Instruction]:
    """Thirty accepted instructions of a consummated offer."""
    return accepted_instructions(offer, firm, rep, ITEMS)


@pytest.fixture
def slow_pdf(fake_pdf: list[tuple[int, str]], monkeypatch: pytest.MonkeyPatch) -> list:
    """The stand-in renderer, taking a few milliseconds like a (very fast) real one, so that
    the drains are busy at the same time; returns the (instruction id, kind) rendered."""
    from tenders.documents import services as documents

    quick = documents._render

    def render(occasion: Any, number: str) -> Any:
        time.sleep(RENDERING)
        return quick(occasion, number)

    monkeypatch.setattr(documents, "_render", render)
    return fake_pdf


def test_concurrent_drains_issue_each_item_exactly_once(
    accepted: list[Instruction], offer: ExchangeOffer, slow_pdf: list
) -> None:
    """Several drains of one run at once (Resume pressed while the run's drains are at
    work, or BULK_RUN_DRAINS > 1): SKIP LOCKED hands each item to one drain, so every
    confirmation is rendered, stored and e-mailed once, and no item is attempted twice."""
    # Staff, not `ops`: a transactional test starts from an empty database, without the
    # Operations group the migrations create. The run queues no drain: the threads drain it.
    run = bulk_run_create(offer=offer, by=factories.StaffUserFactory(username="ops-bulk"))

    drained: list[Drained] = race(DRAINS, lambda: bulk_run_drain(run_id=run.pk))

    assert sum(d.handled for d in drained) == ITEMS
    assert len([d for d in drained if d.handled]) > 1, "the drains did not share the run"
    items = list(run.items.all())
    assert Counter((i.status, i.attempts) for i in items) == {(BulkItemStatus.DONE, 1): ITEMS}
    # `attempts` alone would miss two drains claiming one item from the same read (both write
    # 1); the renderer's calls and the drains' counts see it.
    expected = sorted(i.pk for i in accepted)
    assert sorted(pk for pk, _ in slow_pdf) == expected  # each rendered once
    documents = Document.objects.filter(kind=DocumentKind.CONFIRMATION)
    assert sorted(documents.values_list("instruction_id", flat=True)) == expected
    assert {i.document_id for i in items} == set(documents.values_list("pk", flat=True))
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == ITEMS
    assert len(mail.outbox) == ITEMS
    assert BulkRun.objects.get(pk=run.pk).status == BulkRunStatus.FINISHED


SUBMITTERS = 8  # representatives recording instructions while operations terminate the offer
CHECKING = 0.05  # seconds an instruction's checks take, so that the termination lands inside


def test_a_termination_racing_new_instructions_leaves_none_live(
    offer: ExchangeOffer, firm: Any, rep: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Representatives record instructions while operations terminate the offer. Each write
    reads the offer under a shared lock, the termination locks it for update: an instruction
    is either recorded before the termination (and returned by it) or refused after it. None
    is left received on a terminated offer."""
    from django.contrib.auth.models import Permission
    from django.core.exceptions import ValidationError

    from notes.models import OfferStatus
    from tenders.intake import services as instruction_services
    from tenders.offers.lifecycle import offer_terminate
    from tests.tenders.conftest import make_input

    operator = factories.StaffUserFactory()
    operator.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_exchangeoffer", "change_instruction"])
    )
    accounts = []
    for _ in range(SUBMITTERS):
        account = factories.ClientAccountFactory(firm=firm)
        factories.PositionFactory(account=account, security=offer.old_security)
        accounts.append(account)
    check = instruction_services.instruction_check

    def slow_check(**kwargs: Any) -> Any:
        time.sleep(CHECKING)
        return check(**kwargs)

    monkeypatch.setattr(instruction_services, "instruction_check", slow_check)
    queue = list(accounts)
    lock = threading.Lock()

    def work() -> str:
        with lock:
            account = queue.pop() if queue else None
        if account is None:
            time.sleep(CHECKING / 2)  # let the submissions get inside their checks first
            offer_terminate(offer=offer, reason="Financing not obtained", by=operator)
            return "terminated"
        try:
            instruction_services.instruction_submit(
                account=account, offer=offer, data=make_input(account, tin="123-45-6789"), by=rep
            )
        except ValidationError:
            return "refused"
        return "recorded"

    outcomes = Counter(race(SUBMITTERS + 1, work))

    assert outcomes["terminated"] == 1
    assert ExchangeOffer.objects.get(pk=offer.pk).status == OfferStatus.TERMINATED
    statuses = Counter(Instruction.objects.filter(offer=offer).values_list("status", flat=True))
    assert statuses.get("received", 0) == 0
    assert statuses.get("returned", 0) == outcomes["recorded"]
