"""`manage.py office_worker`: django-tasks-db's `db_worker` with a heartbeat and the sweep.

Takes every option of `db_worker`. Its worker id defaults to `hostname:pid:random`, which is
what lets another worker tell, from the rows alone, that this one is gone.
"""

import logging
import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from tenders.sweep import sweep
from tenders.workers.identity import new_worker_id
from tenders.workers.runner import OfficeWorker


class Command(db_worker.Command):
    help = (
        "Run a background worker (django-tasks-db's db_worker) that records a heartbeat and "
        "sweeps at start-up and every WORKER_SWEEP_SECONDS for work a stopped worker left."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None)

    def configure_logging(self, verbosity: int) -> None:
        """At the default verbosity the worker's own lines (start, stop) and failures only:
        a line per task started and finished comes with -v 2. Each document and e-mail
        still gets its own line (tenders.documents.services, the console e-mail backend)."""
        super().configure_logging(verbosity)
        if verbosity == 1:
            logging.getLogger("django_tasks").setLevel(logging.WARNING)

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str | None,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")

        worker = OfficeWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            # Made again in the reloader's child, which runs the tasks: its own pid.
            worker_id=worker_id or new_worker_id(),
            excluded_queue_names=excluded,
            sweep=sweep,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child runs tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
