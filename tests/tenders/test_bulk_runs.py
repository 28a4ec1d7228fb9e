"""A bulk run issues a confirmation per accepted instruction, records its progress, lists
failures with the reason, and resumes after a worker dies without duplicates or gaps."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tenders.bulk_runs.actions import bulk_run_resume
from tenders.bulk_runs.selectors import bulk_run_progress
from tenders.bulk_runs.services import bulk_run_drain
from tenders.bulk_runs.tasks import drain_bulk_run
from tenders.models import (
    BulkItemStatus,
    BulkRun,
    BulkRunStatus,
    Document,
    DocumentKind,
    Instruction,
)
from tenders.offers.consummation import confirmations_issue
from tests.tenders.conftest import accepted_instructions

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(offer: Any, firm: Any, rep: Any) -> list[Instruction]:
    """Five accepted instructions of a consummated offer."""
    return accepted_instructions(offer, firm, rep, 5)


def test_bulk_run_issues_one_confirmation_per_accepted_instruction(
    accepted, offer, ops, fake_pdf, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = confirmations_issue(offer=offer, by=ops)
    progress = bulk_run_progress(run)
    assert (progress.total, progress.done, progress.failed, progress.status) == (
        5, 5, 0, BulkRunStatus.FINISHED,
    )  # fmt: skip
    assert Document.objects.filter(kind=DocumentKind.CONFIRMATION).count() == 5
    assert sorted(pk for pk, _ in fake_pdf) == sorted(i.pk for i in accepted)


def test_progress_is_recorded_as_items_finish(accepted, offer, ops, fake_pdf) -> None:
    run = confirmations_issue(offer=offer, by=ops)  # drains not run: no commit in this test
    assert bulk_run_progress(run).as_dict() == {
        "total": 5, "done": 0, "failed": 0, "working": 0, "pending": 5, "percent": 0,
        "status": "running", "held_until": None,
    }  # fmt: skip
    bulk_run_drain(run_id=run.pk)
    assert bulk_run_progress(run).percent == 100


def test_a_failure_is_listed_with_the_reason_and_the_run_goes_on(
    accepted, offer, ops, fake_pdf, monkeypatch
) -> None:
    from tenders.documents import services as documents

    render = documents._render

    def broken_for_one(occasion: Any, number: str) -> Any:
        if occasion.instruction_id == accepted[2].pk:
            raise RuntimeError("font cache unreadable")
        return render(occasion, number)

    monkeypatch.setattr(documents, "_render", broken_for_one)
    run = confirmations_issue(offer=offer, by=ops)
    bulk_run_drain(run_id=run.pk)
    failed = run.items.get(status=BulkItemStatus.FAILED)
    assert failed.instruction == accepted[2]
    assert failed.error == "RuntimeError: font cache unreadable"
    assert bulk_run_progress(run).done == 4


def test_resume_takes_over_an_item_whose_worker_died(accepted, offer, ops, fake_pdf) -> None:
    run = confirmations_issue(offer=offer, by=ops)
    dead, alive = run.items.order_by("id")[:2]
    past = timezone.now() - timedelta(minutes=5)
    future = timezone.now() + timedelta(minutes=5)
    # The dead worker had rendered and stored its document, then died before marking done.
    run.items.filter(pk=dead.pk).update(status=BulkItemStatus.WORKING, lease_expires_at=past)
    run.items.filter(pk=alive.pk).update(status=BulkItemStatus.WORKING, lease_expires_at=future)
    from tenders.documents.services import document_issue

    document_issue(instruction_id=dead.instruction_id, kind=DocumentKind.CONFIRMATION)

    assert bulk_run_resume(run=run, by=ops) == 1
    bulk_run_drain(run_id=run.pk)

    items = {item.pk: item.status for item in run.items.all()}
    assert items[alive.pk] == BulkItemStatus.WORKING  # still held by a live worker
    assert [s for pk, s in items.items() if pk != alive.pk] == [BulkItemStatus.DONE] * 4
    # No duplicate: the dead worker's document was taken, not rendered again.
    assert Document.objects.filter(instruction_id=dead.instruction_id).count() == 1
    assert len(fake_pdf) == 4


def _heartbeat(worker_id: str, seconds_ago: int) -> None:
    from tenders.models import WorkerHeartbeat

    beat = timezone.now() - timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="elsewhere", pid=4242, started_at=beat, beat_at=beat
    )


def test_resume_takes_back_an_item_whose_worker_is_gone_without_waiting_for_the_lease(
    accepted, offer, ops, fake_pdf
) -> None:
    _heartbeat("elsewhere:4242:gone", seconds_ago=300)
    run = confirmations_issue(offer=offer, by=ops)
    held = run.items.order_by("id").first()
    lease = timezone.now() + timedelta(seconds=120)  # a lease that has not run out
    run.items.filter(pk=held.pk).update(
        status=BulkItemStatus.WORKING, holder="elsewhere:4242:gone", lease_expires_at=lease
    )
    assert bulk_run_resume(run=run, by=ops) == 1
    bulk_run_drain(run_id=run.pk)
    assert bulk_run_progress(run).done == 5
    assert BulkRun.objects.get(pk=run.pk).status == BulkRunStatus.FINISHED


def test_resume_leaves_an_item_whose_worker_still_beats(accepted, offer, ops, fake_pdf) -> None:
    _heartbeat("elsewhere:4243:alive", seconds_ago=1)
    run = confirmations_issue(offer=offer, by=ops)
    held = run.items.order_by("id").first()
    run.items.filter(pk=held.pk).update(
        status=BulkItemStatus.WORKING,
        holder="elsewhere:4243:alive",
        lease_expires_at=timezone.now() + timedelta(seconds=120),
    )
    assert bulk_run_resume(run=run, by=ops) == 0
    assert run.items.get(pk=held.pk).status == BulkItemStatus.WORKING


def test_a_claimed_item_records_the_worker_that_holds_it(
    accepted, offer, ops, fake_pdf, monkeypatch
) -> None:
    from tenders.bulk_runs import services
    from tenders.workers import identity

    run = confirmations_issue(offer=offer, by=ops)
    monkeypatch.setattr(identity, "_current", "office-1:4321:abcd")
    item = services._claim(run.pk)
    assert item is not None
    assert run.items.get(pk=item.pk).holder == "office-1:4321:abcd"


def test_expired_lease_is_taken_over_by_any_drain(accepted, offer, ops, fake_pdf) -> None:
    run = confirmations_issue(offer=offer, by=ops)
    stale = run.items.order_by("id").first()
    run.items.filter(pk=stale.pk).update(
        status=BulkItemStatus.WORKING, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert bulk_run_drain(run_id=run.pk).handled == 5
    assert BulkRun.objects.get(pk=run.pk).status == BulkRunStatus.FINISHED


def test_retrying_failed_items_issues_them(accepted, offer, ops, fake_pdf) -> None:
    run = confirmations_issue(offer=offer, by=ops)
    run.items.filter(pk=run.items.first().pk).update(
        status=BulkItemStatus.FAILED, error="RuntimeError: transient"
    )
    bulk_run_drain(run_id=run.pk)
    assert bulk_run_resume(run=run, by=ops, retry_failed=True) == 1
    bulk_run_drain(run_id=run.pk)
    assert bulk_run_progress(run).done == 5


def test_admin_shows_progress_and_serves_it_as_json(
    client, accepted, offer, fake_pdf, django_user_model
) -> None:
    admin_user = django_user_model.objects.create_superuser("boss", password="x")
    run = confirmations_issue(offer=offer, by=admin_user)
    bulk_run_drain(run_id=run.pk)
    client.force_login(admin_user)
    page = client.get(reverse("admin:tenders_bulkrun_change", args=[run.pk])).content.decode()
    assert "100% — 5 of 5 done (finished)" in page
    progress = client.get(reverse("admin:tenders_bulkrun_progress", args=[run.pk])).json()
    assert progress["done"] == 5 and progress["status"] == "finished"


def test_admin_lists_failures_with_the_reason(
    client, accepted, offer, fake_pdf, django_user_model
) -> None:
    admin_user = django_user_model.objects.create_superuser("boss", password="x")
    run = confirmations_issue(offer=offer, by=admin_user)
    run.items.filter(pk=run.items.first().pk).update(
        status=BulkItemStatus.FAILED, error="RuntimeError: font cache unreadable"
    )
    client.force_login(admin_user)
    page = client.get(reverse("admin:tenders_bulkrun_change", args=[run.pk])).content.decode()
    assert "RuntimeError: font cache unreadable" in page
    assert "1 failed" in page


def test_run_comes_back_for_items_held_by_a_worker_that_may_have_died(
    accepted, offer, ops, fake_pdf, settings
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    run = confirmations_issue(offer=offer, by=ops)
    held = run.items.order_by("id").first()
    lease = timezone.now() + timedelta(minutes=2)
    run.items.filter(pk=held.pk).update(status=BulkItemStatus.WORKING, lease_expires_at=lease)
    drain_bulk_run.call(run.pk)
    follow_up = DBTaskResult.objects.get(task_path="tenders.bulk_runs.tasks.drain_bulk_run")
    assert follow_up.args_kwargs["args"] == [run.pk]
    assert follow_up.run_after == lease + timedelta(seconds=1)


def test_finished_run_schedules_nothing_more(accepted, offer, ops, fake_pdf, settings) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    run = confirmations_issue(offer=offer, by=ops)
    drain_bulk_run.call(run.pk)
    assert not DBTaskResult.objects.filter(
        task_path="tenders.bulk_runs.tasks.drain_bulk_run"
    ).exists()
