"""The sweep finds what a stopped worker left, from the rows alone, and does it once: documents
that should exist and do not, e-mails left sending (unknown, for a person), bulk run items and
tasks held by a worker that is gone. Which workers are gone comes from their heartbeats, or,
on this host, from their processes."""

import socket
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tenders.documents.tasks import issue_document
from tenders.intake.services import instruction_submit
from tenders.models import (
    BulkItemStatus,
    BulkRunStatus,
    Document,
    DocumentKind,
    OutboxMessage,
    OutboxStatus,
    PendingImport,
    TallyAccount,
    TallyNote,
    WorkerHeartbeat,
)
from tenders.offers.consummation import confirmations_issue
from tenders.outbox.services import outbox_message_create, outbox_send
from tenders.sweep import sweep
from tenders.workers.selectors import workers_gone
from tests import factories
from tests.tenders.conftest import accepted_instructions, make_input

pytestmark = pytest.mark.django_db

DEAD = "elsewhere:4242:dead0001"  # another host: only its heartbeat can tell
ALIVE = "elsewhere:4243:alive001"


@pytest.fixture(autouse=True)
def no_grace(settings: Any) -> None:
    settings.SWEEP_GRACE_SECONDS = 0


@pytest.fixture
def workers() -> None:
    """A worker that stopped beating five minutes ago, and one that beat just now."""
    now = timezone.now()
    for worker_id, beat in ((DEAD, now - timedelta(minutes=5)), (ALIVE, now)):
        host, pid, _ = worker_id.split(":")
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, hostname=host, pid=int(pid), started_at=beat, beat_at=beat
        )


@pytest.fixture
def db_tasks(settings: Any) -> None:
    """Tasks go to the database queue, as with a real worker, instead of running at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def sending(holder: str, lease_in: timedelta) -> OutboxMessage:
    document = factories.DocumentFactory()
    message = outbox_message_create(
        document=document, to="client@example.com", subject="Receipt", body="", by=None
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING,
        attempts=1,
        attempted_at=timezone.now(),
        holder=holder,
        lease_expires_at=timezone.now() + lease_in,
    )
    return message


def sweep_now(capture: Any) -> Any:
    with capture(execute=True):
        return sweep()


# Who is gone


def test_a_worker_silent_for_longer_than_the_threshold_is_gone(workers) -> None:
    assert workers_gone(worker_ids=[DEAD, ALIVE]) == {DEAD}


def test_a_worker_that_stopped_cleanly_is_gone_at_once(workers) -> None:
    WorkerHeartbeat.objects.filter(worker_id=ALIVE).update(stopped_at=timezone.now())
    assert workers_gone(worker_ids=[ALIVE]) == {ALIVE}


def test_a_worker_whose_process_ended_on_this_host_is_gone_without_a_heartbeat() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    holder = f"{socket.gethostname()}:{process.pid}:inline"
    assert workers_gone(worker_ids=[holder]) == {holder}


def test_a_holder_on_another_host_without_a_heartbeat_is_left_to_its_lease() -> None:
    assert workers_gone(worker_ids=["elsewhere:4244:inline"]) == set()


# Documents


def test_a_snapshot_without_its_document_gets_it_and_its_e_mail_when_the_sweep_runs(
    account, offer, rep, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the task was lost
        instruction = instruction_submit(
            account=account, offer=offer, data=make_input(account), by=rep
        )
    assert not Document.objects.exists()
    report = sweep_now(django_capture_on_commit_callbacks)
    document = Document.objects.get(instruction=instruction, kind=DocumentKind.RECEIPT)
    assert report.documents_issued == [document.number]
    assert [message.to for message in mail.outbox] == [[account.email]]


def test_running_the_sweep_twice_issues_nothing_more(
    account, offer, rep, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    sweep_now(django_capture_on_commit_callbacks)
    again = sweep_now(django_capture_on_commit_callbacks)
    assert again.lines() == []
    assert Document.objects.count() == 1
    assert len(fake_pdf) == 1
    assert len(mail.outbox) == 1


def test_a_document_whose_task_is_still_queued_is_left_to_it(
    account, offer, rep, fake_pdf, db_tasks, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    sweep_now(django_capture_on_commit_callbacks)
    assert not Document.objects.exists()


def test_a_document_is_left_to_its_task_during_the_grace(
    account, offer, rep, fake_pdf, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SWEEP_GRACE_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=False):
        instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    sweep_now(django_capture_on_commit_callbacks)
    assert not Document.objects.exists()


# Tasks left running


def test_a_task_left_running_by_a_gone_worker_is_failed_with_the_reason_and_queued_again(
    workers, db_tasks, account, offer, rep, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        instruction = instruction_submit(
            account=account, offer=offer, data=make_input(account), by=rep
        )
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=[DEAD]
    )
    report = sweep_now(django_capture_on_commit_callbacks)
    old = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert f"Worker {DEAD} stopped while running this task" in old.traceback
    assert old.exception_class_path == "tenders.workers.services.WorkerGone"
    again = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert again.task_path == issue_document.module_path
    assert again.args_kwargs["args"] == [f"receipt:i{instruction.pk}"]
    assert len(report.tasks_requeued) == 1
    assert not Document.objects.exists()  # left to the task queued again


def test_a_task_running_on_a_live_worker_is_left_alone(
    workers, db_tasks, account, offer, rep, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=[ALIVE]
    )
    sweep_now(django_capture_on_commit_callbacks)
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING
    assert not Document.objects.exists()


# E-mails


def test_a_message_left_sending_by_a_gone_worker_becomes_unknown(workers) -> None:
    message = sending(DEAD, lease_in=timedelta(minutes=5))
    assert sweep().messages_unknown == [message.pk]
    message.refresh_from_db()
    assert message.status == OutboxStatus.UNKNOWN
    assert message.get_status_display() == "Outcome unknown: the worker stopped mid-send"
    assert f"Worker {DEAD} stopped during the attempt" in message.error


def test_a_message_still_sending_past_its_lease_becomes_unknown(workers) -> None:
    message = sending(ALIVE, lease_in=-timedelta(seconds=1))
    sweep()
    message.refresh_from_db()
    assert message.status == OutboxStatus.UNKNOWN
    assert "No outcome was recorded by the end of its lease" in message.error


def test_a_message_sending_on_a_live_worker_within_its_lease_is_left_alone(workers) -> None:
    message = sending(ALIVE, lease_in=timedelta(minutes=5))
    sweep()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENDING


def test_a_message_of_unknown_outcome_is_never_sent_again_by_a_task(
    workers, django_capture_on_commit_callbacks
) -> None:
    message = sending(DEAD, lease_in=timedelta(minutes=5))
    sweep_now(django_capture_on_commit_callbacks)
    outbox_send(message_id=message.pk)  # its task run again
    sweep_now(django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.UNKNOWN, 1)
    assert mail.outbox == []


def test_a_message_whose_sending_task_was_lost_is_queued_again_and_sent_once(
    django_capture_on_commit_callbacks,
) -> None:
    message = outbox_message_create(
        document=factories.DocumentFactory(), to="c@example.com", subject="s", body="", by=None
    )
    assert sweep_now(django_capture_on_commit_callbacks).messages_queued == [message.pk]
    sweep_now(django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1


# Bulk runs


def test_an_item_held_by_a_gone_worker_is_taken_back_and_issued_by_the_sweep(
    workers, offer, firm, rep, ops, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    accepted_instructions(offer, firm, rep, 3)
    run = confirmations_issue(offer=offer, by=ops)  # its drains never ran
    held = run.items.order_by("id").first()
    run.items.filter(pk=held.pk).update(
        status=BulkItemStatus.WORKING,
        holder=DEAD,
        lease_expires_at=timezone.now() + timedelta(minutes=2),
    )
    report = sweep_now(django_capture_on_commit_callbacks)
    assert report.runs_drained == [run.pk]
    assert set(run.items.values_list("status", flat=True)) == {BulkItemStatus.DONE}
    run.refresh_from_db()
    assert run.status == BulkRunStatus.FINISHED
    assert Document.objects.filter(kind=DocumentKind.CONFIRMATION).count() == 3


# What is kept for a while


def test_a_positions_feed_uploaded_more_than_a_day_ago_and_never_confirmed_is_deleted(
    ops: Any,
) -> None:
    now = timezone.now()
    for name, age in (("old", timedelta(hours=25)), ("young", timedelta(hours=23))):
        PendingImport.objects.create(name=name, uploaded_by=ops, data=b"", uploaded_at=now - age)
    report = sweep()
    assert list(PendingImport.objects.values_list("name", flat=True)) == ["young"]
    assert report.lines() == [
        "Positions feeds uploaded more than a day ago and never confirmed, deleted: 1"
    ]


# The command


def test_sweep_command_says_there_was_nothing_to_do() -> None:
    out = StringIO()
    call_command("sweep", stdout=out)
    assert out.getvalue() == "Nothing to do.\n"


def test_sweep_command_lists_what_it_did(workers) -> None:
    message = sending(DEAD, lease_in=timedelta(minutes=5))
    out = StringIO()
    call_command("sweep", stdout=out)
    assert out.getvalue() == f"E-mails of unknown outcome (for operations): [{message.pk}]\n"


def test_the_sweep_folds_the_writes_noted_for_the_tabulation(offer: Any, firm: Any) -> None:
    account = factories.ClientAccountFactory(firm=firm)
    factories.PositionFactory(account=account, security=offer.old_security, principal="25000")
    assert TallyNote.objects.exists()  # the position's write
    report = sweep()
    assert report.tabulations_folded == [offer.slug]
    assert not TallyNote.objects.exists()
    kept = TallyAccount.objects.get(offer_id=offer.pk, account_id=account.pk)
    assert (kept.holds, kept.position_cents) == (True, 2_500_000)
    assert report.lines() == []  # upkeep, not work left undone
