"""The office's worker: django-tasks-db's `db_worker` loop, plus what it lacks to survive a kill.

- **Identity.** The worker id is `hostname:pid:random`, recorded on every task row it claims
  (by django-tasks-db) and on what its tasks hold (bulk run items, e-mails in flight).
- **Heartbeat.** A small thread records a beat every WORKER_HEARTBEAT_SECONDS; a clean exit
  records that the worker stopped. Another worker can then tell a busy worker from a dead one.
- **Sweep.** At start-up, and between tasks every WORKER_SWEEP_SECONDS, the worker runs the
  sweep it is given (`tenders.sweep`, which knows every concern's background work): what a
  dead worker left is taken back or shown to a person.
"""

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from tenders.workers import identity
from tenders.workers.services import worker_heartbeat, worker_stopped

log = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    """Beats for the worker from a thread of its own (with its own database connection), so
    that a long render does not make the worker look dead."""

    def __init__(self, worker_id: str, every: float) -> None:
        super().__init__(name=f"heartbeat {worker_id}", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self._stop_beating = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop_beating.wait(self.every):
                try:
                    worker_heartbeat(worker_id=self.worker_id)
                except Exception:  # a missed beat is retried; the worker goes on
                    log.exception("Heartbeat of %s failed", self.worker_id)
                    close_old_connections()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop_beating.set()
        self.join(timeout=self.every + 5)


class OfficeWorker(Worker):
    def __init__(self, *, sweep: Callable[[], object], **options: Any) -> None:
        super().__init__(**options)
        self.sweep = sweep

    def _sweep(self) -> None:
        # Like a task: a first Ctrl-C or SIGTERM lets the sweep finish, then the worker exits.
        self.running_task = True
        try:
            self.sweep()
        except Exception:  # the sweep runs again later; the worker must go on
            log.exception("The sweep failed")
        finally:
            self.running_task = False
        self._next_sweep = time.monotonic() + settings.WORKER_SWEEP_SECONDS

    def run(self) -> None:
        identity.set_current_worker_id(self.worker_id)
        worker_heartbeat(worker_id=self.worker_id)
        heartbeat = Heartbeat(self.worker_id, every=settings.WORKER_HEARTBEAT_SECONDS)
        heartbeat.start()
        try:
            self._sweep()
            self._loop()
        finally:
            # A clean exit (a signal, --batch, --max-tasks): nothing is held any more.
            heartbeat.stop()
            try:
                worker_stopped(worker_id=self.worker_id)
            except Exception:
                log.exception("Could not record that %s stopped", self.worker_id)
            identity.set_current_worker_id(None)

    def _loop(self) -> None:
        """django-tasks-db's `Worker.run` loop (0.13), with the sweep between tasks."""
        log.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # workers started together do not poll together
        while self.running:
            if time.monotonic() >= self._next_sweep:
                self._sweep()
            close_old_connections()

            tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
            if not self.process_all_queues:
                tasks = tasks.filter(queue_name__in=self.queue_names)
            if self.excluded_queue_names:
                tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)

            with exclusive_transaction(tasks.db):
                try:
                    task_result = tasks.get_locked()
                    retrieved_task_result = True
                    if task_result is not None:
                        task_result.claim(self.worker_id)
                except OperationalError as exc:
                    retrieved_task_result = False
                    if not is_locked_database_exception(exc):
                        raise
                    task_result = None

            if task_result is not None:
                self.run_task(task_result)

            if self.batch and retrieved_task_result and task_result is None:
                log.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                log.info("Ran %d tasks on worker_id=%s - exiting.", self._run_tasks, self.worker_id)
                return
            close_old_connections()
            if self.running and not task_result:
                time.sleep(self.interval)
