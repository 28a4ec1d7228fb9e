"""What operations staff decide about a bulk run from the admin: each checks the permission,
calls one service and queues the drains it leaves to do (a service never queues its own
concern's task: the task module imports the services)."""

from django.contrib.auth.models import User
from django.db import transaction

from tenders.accounts import permissions
from tenders.bulk_runs import services, tasks
from tenders.bulk_runs.models import BulkRun
from tenders.bulk_runs.permissions import may_manage_bulk_runs


@transaction.atomic
def bulk_run_resume(*, run: BulkRun, by: User, retry_failed: bool = False) -> int:
    """Put back the items whose worker is gone (at once, without waiting for the lease) or
    whose lease ran out, and the failed ones if asked; then start drains again. Returns how
    many items were put back."""
    permissions.require(may_manage_bulk_runs(user=by), "You may not resume bulk runs.")
    requeued = services.bulk_run_requeue(run=run, retry_failed=retry_failed)
    if requeued.needs_drain:
        tasks.enqueue_drains(run_id=run.pk)
    return requeued.items
