"""The sweep: finds the work that should have been done and was not, and does it.

A worker can be killed at any line. What it leaves behind is found here, from the rows alone:

1. tasks it left RUNNING (django-tasks-db has no heartbeat): failed with the reason and queued
   again, since every task is idempotent;
2. e-mails it left `sending`: `unknown`, for a person to decide (never sent again by a task);
3. bulk run items it held: put back, and drains started for runs with nobody draining them;
4. snapshots without their document (the task was lost, e.g. a process killed between a
   commit and the queueing): issued now, once SWEEP_GRACE_SECONDS have passed, except those a
   running bulk run still has to issue (its drains do, and 3. takes them back);
5. e-mails queued that long whose sending task was lost: queued again (a queued message is
   claimed once, so it cannot go out twice); reminders that waited for their client's letter,
   now issued: e-mailed, once (`tenders.online.letters.reminders_send_waiting`);
6. clients' online submissions still awaiting review: the firm reminded 24 and 2 hours before
   the expiration, and at the expiration each one marked missed and its client told
   (`tenders.online.alerts`: once per submission and occasion, however often this runs);
7. instructions the exchange agent may not hold (received and not sent, sent and not
   acknowledged): operations e-mailed 24 and 2 hours before the expiration while any remain
   (`tenders.offers.agent_alerts`: once per offer, occasion and operator);
8. records of logins older than LOGIN_RECORDS_RETENTION_DAYS: deleted
   (`exchange_office.logins`);
9. positions feeds uploaded in the admin and never confirmed, kept for a day: deleted
   (`tenders.positions.pending`);
10. payment runs of consummated offers due by the business date and not started: started
    (`tenders.payments`: once per offer and date, however often this runs; a run killed
    inside its transaction left nothing and starts again, one killed after it is drained
    by 3.);
11. the tabulation's kept lines: every offer with writes noted since its last fold, folded
    (`tenders.tally`), so that the tabulation's page seldom folds a large batch itself (a
    consummation's postings, a positions feed).

Work already on its way (a task waiting or running on a live worker) is left to it. The worker
command (`manage.py office_worker`) runs this at start-up and every WORKER_SWEEP_SECONDS;
`manage.py sweep` runs it once. Running it again finds nothing more to do.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings

from exchange_office import clock
from exchange_office.logins import login_records_delete_expired
from tenders.bulk_runs import tasks as bulk_run_tasks
from tenders.bulk_runs.services import bulk_items_open_keys, bulk_runs_take_back
from tenders.documents import tasks as document_tasks
from tenders.documents.selectors import snapshots_without_document
from tenders.documents.services import document_issue
from tenders.offers.agent_alerts import agent_unsent_remind
from tenders.online.alerts import client_submissions_miss, client_submissions_remind
from tenders.online.letters import reminders_send_waiting
from tenders.outbox import tasks as outbox_tasks
from tenders.outbox.services import outbox_messages_mark_unknown, outbox_messages_waiting
from tenders.payments.services import payment_runs_start_due
from tenders.positions.pending import pending_imports_delete_expired
from tenders.tally.services import tally_fold_noted
from tenders.workers.selectors import queued_task_args
from tenders.workers.services import worker_tasks_recover, workers_forget_stopped

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    tasks_requeued: list[str] = field(default_factory=list)
    messages_unknown: list[int] = field(default_factory=list)
    runs_drained: list[int] = field(default_factory=list)
    documents_issued: list[str] = field(default_factory=list)
    documents_failed: list[str] = field(default_factory=list)
    messages_queued: list[int] = field(default_factory=list)
    reminders_sent: list[int] = field(default_factory=list)
    submissions_reminded: list[int] = field(default_factory=list)
    submissions_missed: list[int] = field(default_factory=list)
    agent_unsent_reminded: list[int] = field(default_factory=list)
    login_records_deleted: int = 0
    pending_imports_deleted: int = 0
    payment_runs_started: list[str] = field(default_factory=list)
    payment_runs_failed: list[str] = field(default_factory=list)
    tabulations_folded: list[str] = field(default_factory=list)  # not in lines()

    def lines(self) -> list[str]:
        """What the sweep did, one line per kind of work; empty when there was nothing."""
        lines = [f"Task queued again: {line}" for line in self.tasks_requeued]
        if self.messages_unknown:
            lines.append(f"E-mails of unknown outcome (for operations): {self.messages_unknown}")
        if self.runs_drained:
            lines.append(f"Bulk runs drained again: {self.runs_drained}")
        if self.documents_issued:
            lines.append(f"Documents issued: {', '.join(self.documents_issued)}")
        lines += [f"Document not issued: {line}" for line in self.documents_failed]
        if self.messages_queued:
            lines.append(f"E-mails queued again: {self.messages_queued}")
        if self.reminders_sent:
            lines.append(f"Reminders sent once their letter was issued: {self.reminders_sent}")
        if self.submissions_reminded:
            lines.append(
                f"Online submissions still to review, firms reminded: {self.submissions_reminded}"
            )
        if self.submissions_missed:
            lines.append(
                f"Online submissions missed at the expiration, clients told: "
                f"{self.submissions_missed}"
            )
        if self.agent_unsent_reminded:
            lines.append(
                "Instructions not sent or not acknowledged by the agent, operations reminded "
                f"(offers): {self.agent_unsent_reminded}"
            )
        if self.login_records_deleted:
            lines.append(
                f"Records of logins older than {settings.LOGIN_RECORDS_RETENTION_DAYS} days "
                f"deleted: {self.login_records_deleted}"
            )
        if self.pending_imports_deleted:
            lines.append(
                "Positions feeds uploaded more than a day ago and never confirmed, deleted: "
                f"{self.pending_imports_deleted}"
            )
        if self.payment_runs_started:
            lines.append(f"Payment runs started: {', '.join(self.payment_runs_started)}")
        lines += [f"Payment run not started: {line}" for line in self.payment_runs_failed]
        # Not the folds of the tabulation's kept lines: upkeep after every write, not work left.
        return lines


def sweep() -> SweepReport:
    report = SweepReport()
    report.tasks_requeued = worker_tasks_recover()
    report.messages_unknown = [message.pk for message in outbox_messages_mark_unknown()]

    draining = {args[0] for args in queued_task_args(task=bulk_run_tasks.drain_bulk_run) if args}
    for run_id in bulk_runs_take_back():
        if run_id not in draining:
            bulk_run_tasks.enqueue_drains(run_id=run_id)
            report.runs_drained.append(run_id)

    missing_since = clock.wall_now() - timedelta(seconds=settings.SWEEP_GRACE_SECONDS)
    issuing = {args[0] for args in queued_task_args(task=document_tasks.issue_document) if args}
    missing = snapshots_without_document(taken_before=missing_since, left_to=bulk_items_open_keys())
    for snapshot in missing:
        if snapshot.key in issuing:
            continue
        try:
            document = document_issue(key=snapshot.key)
        except Exception as exc:  # one bad document must not stop the sweep: log why
            log.exception("Sweep: %s not issued", snapshot)
            report.documents_failed.append(f"{snapshot}: {type(exc).__name__}: {exc}")
        else:
            report.documents_issued.append(document.number)

    sending = {args[0] for args in queued_task_args(task=outbox_tasks.send_outbox_message) if args}
    for message_id in outbox_messages_waiting(queued_before=missing_since):
        if message_id not in sending:
            outbox_tasks.enqueue_send(message_id=message_id)
            report.messages_queued.append(message_id)
    report.reminders_sent = reminders_send_waiting()

    report.submissions_reminded = client_submissions_remind()
    report.submissions_missed = client_submissions_miss()
    report.agent_unsent_reminded = agent_unsent_remind()
    report.login_records_deleted = login_records_delete_expired(now=clock.wall_now())
    report.pending_imports_deleted = pending_imports_delete_expired(now=clock.wall_now())
    due = payment_runs_start_due()
    report.payment_runs_started = [str(run) for run in due.runs]
    report.payment_runs_failed = due.failed
    report.tabulations_folded = tally_fold_noted()

    workers_forget_stopped()
    for line in report.lines():
        log.info("Sweep: %s", line)
    return report
