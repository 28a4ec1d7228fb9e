"""Reads about workers: which holders are gone, and which tasks are waiting in the queue."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

from exchange_office import clock
from tenders.workers import identity
from tenders.workers.models import WorkerHeartbeat


def workers_gone(*, worker_ids: Iterable[str]) -> set[str]:
    """The holders among `worker_ids` that are gone: on this host, a pid that no longer runs;
    anywhere, a heartbeat older than WORKER_GONE_AFTER_SECONDS or stopped. A holder with no
    heartbeat on another host (a plain `db_worker`) is not judged: its lease decides."""
    ids = {worker_id for worker_id in worker_ids if worker_id}
    if not ids:
        return set()
    silent_since = clock.wall_now() - timedelta(seconds=settings.WORKER_GONE_AFTER_SECONDS)
    beats = {beat.worker_id: beat for beat in WorkerHeartbeat.objects.filter(worker_id__in=ids)}
    gone = set()
    for worker_id in ids:
        holder = identity.parse(worker_id)
        if (
            holder.pid is not None
            and identity.on_this_host(holder)
            and not identity.pid_exists(holder.pid)
        ):
            gone.add(worker_id)
            continue
        beat = beats.get(worker_id)
        if beat is not None and (beat.stopped_at is not None or beat.beat_at < silent_since):
            gone.add(worker_id)
    return gone


def queued_task_args(*, task: Task[Any, Any]) -> set[tuple[Any, ...]]:
    """The arguments of this task's runs waiting or running in the database queue: work that
    is already on its way, which the sweep leaves to them."""
    rows = DBTaskResult.objects.filter(
        task_path=task.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).values_list("args_kwargs", flat=True)
    return {tuple(args_kwargs.get("args", ())) for args_kwargs in rows}
