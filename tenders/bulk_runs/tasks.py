"""Background work for bulk runs (the task calls one service, and queues what it returns)."""

from django.conf import settings
from django.db import transaction
from django_tasks import task

from tenders.bulk_runs import services


@task()
def drain_bulk_run(run_id: int) -> int:
    drained = services.bulk_run_drain(run_id=run_id)
    if drained.come_back_at is not None and drain_bulk_run.get_backend().supports_defer:
        drain_bulk_run.using(run_after=drained.come_back_at).enqueue(run_id)
    return drained.handled


def enqueue_drains(*, run_id: int) -> None:
    """Start BULK_RUN_DRAINS drains of the run once the caller's transaction commits."""
    drains = max(1, settings.BULK_RUN_DRAINS)
    transaction.on_commit(lambda: [drain_bulk_run.enqueue(run_id) for _ in range(drains)])
