"""Writes about workers: their heartbeats, and the tasks a worker left running when it died.

django-tasks-db marks a task RUNNING when a worker claims it and has no heartbeat of its own:
a worker killed mid-task leaves the row RUNNING for ever. The worker id it recorded
(`worker_ids`) names the holder; once that holder is gone, the row is marked failed with the
reason and the task is queued again. Every task of this project is idempotent, so running it
again finishes the work (a document is issued once; an e-mail in doubt is never resent).
"""

import logging
import os
import socket
from datetime import timedelta

from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from exchange_office import clock
from exchange_office.formatting import timestamp
from tenders.workers.models import WorkerHeartbeat
from tenders.workers.selectors import workers_gone

log = logging.getLogger(__name__)

KEEP_STOPPED_WORKERS = timedelta(days=7)


class WorkerGone(Exception):
    """Recorded as the failure of a task whose worker stopped while running it."""


WORKER_GONE = f"{WorkerGone.__module__}.{WorkerGone.__qualname__}"


def worker_heartbeat(*, worker_id: str) -> None:
    """This worker is alive now (the first beat records when it started)."""
    now = clock.wall_now()
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now):
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            hostname=socket.gethostname(),
            pid=os.getpid(),
            started_at=now,
            beat_at=now,
        )


def worker_stopped(*, worker_id: str) -> None:
    """A clean exit: the worker holds nothing any more, and counts as gone at once."""
    now = clock.wall_now()
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now, stopped_at=now)


def workers_forget_stopped() -> int:
    """Heartbeats of workers stopped (or silent) for a week: nothing can still name them."""
    before = clock.wall_now() - KEEP_STOPPED_WORKERS
    deleted, _ = WorkerHeartbeat.objects.filter(beat_at__lt=before).delete()
    return deleted


def worker_tasks_recover() -> list[str]:
    """Tasks left RUNNING by a worker that is gone: each is marked failed, saying so, and
    queued again. Returns what was done, one line per task."""
    running = list(DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING))
    holders = {row.worker_ids[-1] for row in running if row.worker_ids}
    gone = workers_gone(worker_ids=holders)
    done = []
    for row in running:
        holder = row.worker_ids[-1] if row.worker_ids else ""
        if holder not in gone:
            continue
        started = f" (started {timestamp(row.started_at)})" if row.started_at else ""
        reason = f"Worker {holder} stopped while running this task{started}: queued again."
        # Only one sweep wins the row: the task is queued again once.
        won = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=clock.wall_now(),
            exception_class_path=WORKER_GONE,
            traceback=f"{WORKER_GONE}: {reason}\n",
        )
        if not won:
            continue
        try:
            task = row.task
        except ImportError:
            log.warning("Task %s (%s) no longer exists: not queued again", row.pk, row.task_path)
            continue
        args_kwargs = row.args_kwargs
        task.enqueue(*args_kwargs.get("args", ()), **args_kwargs.get("kwargs", {}))
        log.warning("%s: %s", row.task_path, reason)
        done.append(f"{row.task_name}{tuple(args_kwargs.get('args', ()))}: {reason}")
    return done
