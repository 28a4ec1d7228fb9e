"""Writes for bulk runs: one document for each of many instructions or accounts, item by item.

Each item is leased to the worker that claims it, which is recorded as its holder (`SELECT ...
SKIP LOCKED` lets workers share a run). A worker killed mid-run leaves its item leased: Resume
and the sweep take it back at once when its holder is gone (`tenders.workers`), and any drain
takes it over once the lease runs out. Documents are issued idempotently, so an item taken over
is never issued twice.
These services queue nothing: their tasks, and the operations services that start or resume a
run, queue the drains.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, Q, QuerySet

from exchange_office import clock
from notes.models import ExchangeOffer
from tenders.accounts import bulk
from tenders.bulk_runs.models import BulkItemStatus, BulkRun, BulkRunItem, BulkRunStatus
from tenders.documents.keys import DocumentKey
from tenders.documents.models import DocumentKind
from tenders.documents.services import document_email_once, document_issue, letter_dispatch
from tenders.instructions.models import Instruction, InstructionStatus
from tenders.workers.identity import current_worker_id
from tenders.workers.selectors import workers_gone

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BulkItemInput:
    """One document a run issues: its key, for an account (and an instruction); and what it
    sends once across runs, if anything (`occasion`: a client letter's key)."""

    key: DocumentKey
    account_id: int
    instruction_id: int | None = None
    occasion: str = ""


@transaction.atomic
def bulk_run_start(
    *,
    offer: ExchangeOffer,
    kind: str,
    items: Iterable[BulkItemInput],
    by: User,
    delivery: str = "",
) -> BulkRun:
    """A run that issues the document of each item (finished at once if there are none), and
    for client letters sends each (`delivery`). An item whose occasion another run holds
    already is left out (ON CONFLICT DO NOTHING: a run racing this one waits for it, then
    skips what it took). The caller queues its drains."""
    run = BulkRun.objects.create(
        offer=offer, kind=kind, delivery=delivery, created_by=by, created_at=clock.wall_now()
    )
    # In the order of their occasions: two runs racing over the same accounts take them in
    # the same order, so one waits for the other instead of each waiting for the other.
    # In their stored form, copied in bulk (tenders/accounts/bulk.py): a consummation starts
    # runs of a document per holder, and bulk_create prepares each value through its field.
    rows = [
        {
            "run_id": run.pk,
            "key": str(item.key),
            "account_id": item.account_id,
            "instruction_id": item.instruction_id,
            "occasion": item.occasion,
        }
        for item in items
    ]
    bulk.insert_new(BulkRunItem, sorted(rows, key=lambda row: (row["occasion"], row["key"])))
    if not run.items.exists():
        run.status, run.finished_at = BulkRunStatus.FINISHED, clock.wall_now()
        run.save(update_fields=["status", "finished_at"])
    return run


def bulk_run_create(*, offer: ExchangeOffer, by: User) -> BulkRun:
    """A run that issues exchange confirmations for every accepted instruction of the offer
    (finished at once if there are none). The caller queues its drains."""
    accepted = Instruction.objects.filter(offer=offer, status=InstructionStatus.ACCEPTED)
    return bulk_run_start(
        offer=offer,
        kind=DocumentKind.CONFIRMATION,
        items=(
            BulkItemInput(
                key=DocumentKey.for_instruction(DocumentKind.CONFIRMATION, pk),
                account_id=account_id,
                instruction_id=pk,
            )
            for pk, account_id in accepted.order_by("pk").values_list("pk", "account_id")
        ),
        by=by,
    )


@dataclass(frozen=True, slots=True)
class Requeued:
    items: int  # how many items were put back
    needs_drain: bool  # whether any item is left to do


def _abandoned() -> Q:
    """Items in work whose worker is gone (at once), or whose lease ran out."""
    held = BulkRunItem.objects.filter(status=BulkItemStatus.WORKING).exclude(holder="")
    gone = workers_gone(worker_ids=held.values_list("holder", flat=True).distinct())
    return Q(status=BulkItemStatus.WORKING) & (
        Q(lease_expires_at__lt=clock.wall_now()) | Q(holder__in=gone)
    )


@transaction.atomic
def bulk_run_requeue(*, run: BulkRun, retry_failed: bool = False) -> Requeued:
    """Put back the items whose worker is gone, or whose lease ran out (a worker killed
    mid-run), and the failed ones if asked."""
    stale = _abandoned()
    if retry_failed:
        stale |= Q(status=BulkItemStatus.FAILED)
    requeued = run.items.filter(stale).update(status=BulkItemStatus.PENDING, lease_expires_at=None)
    left = run.items.exclude(status__in=[BulkItemStatus.DONE, BulkItemStatus.FAILED]).exists()
    if left:
        BulkRun.objects.filter(pk=run.pk).update(status=BulkRunStatus.RUNNING, finished_at=None)
    return Requeued(items=requeued, needs_drain=left)


def _claim(run_id: int) -> BulkRunItem | None:
    """The next item nobody holds, leased to this worker (SKIP LOCKED lets workers share)."""
    now = clock.wall_now()
    with transaction.atomic():
        item = (
            BulkRunItem.objects.select_for_update(skip_locked=True)
            .filter(run_id=run_id)
            .filter(
                Q(status=BulkItemStatus.PENDING)
                | Q(status=BulkItemStatus.WORKING, lease_expires_at__lt=now)
            )
            .order_by("id")
            .first()
        )
        if item is None:
            return None
        item.status = BulkItemStatus.WORKING
        item.attempts += 1
        item.holder = current_worker_id()
        item.lease_expires_at = now + timedelta(seconds=settings.BULK_RUN_LEASE_SECONDS)
        item.save(update_fields=["status", "attempts", "holder", "lease_expires_at"])
    return item


def _finish_if_complete(run_id: int) -> None:
    open_items = BulkRunItem.objects.filter(
        run_id=run_id, status__in=[BulkItemStatus.PENDING, BulkItemStatus.WORKING]
    )
    if not open_items.exists():
        BulkRun.objects.filter(pk=run_id, status=BulkRunStatus.RUNNING).update(
            status=BulkRunStatus.FINISHED, finished_at=clock.wall_now()
        )


@dataclass(frozen=True, slots=True)
class Drained:
    handled: int  # items this worker finished (done or failed)
    # Items still leased by another worker may be held by one that died: drain again when the
    # last lease runs out, so the run finishes without anyone pressing Resume.
    come_back_at: datetime | None


def bulk_run_drain(*, run_id: int) -> Drained:
    """Work through the run's items until none is left to take."""
    handled = 0
    run = BulkRun.objects.only("kind", "delivery", "created_by").get(pk=run_id)
    while (item := _claim(run_id)) is not None:
        try:
            document = document_issue(key=item.key)
            if run.kind == DocumentKind.CLIENT_LETTER:
                letter_dispatch(
                    document=document, delivery=run.delivery, run_id=run_id, by=run.created_by
                )
            elif run.kind == DocumentKind.STATEMENT:
                # Issued perhaps earlier, for a representative to read: sent by the run, once.
                document_email_once(document=document, by=run.created_by)
        except Exception as exc:  # one bad document must not stop the run: record why
            log.exception("Bulk run %s: item %s failed", run_id, item.pk)
            BulkRunItem.objects.filter(pk=item.pk).update(
                status=BulkItemStatus.FAILED,
                error=f"{type(exc).__name__}: {exc}",
                finished_at=clock.wall_now(),
                lease_expires_at=None,
            )
        else:
            BulkRunItem.objects.filter(pk=item.pk).update(
                status=BulkItemStatus.DONE,
                document=document,
                error="",
                finished_at=clock.wall_now(),
                lease_expires_at=None,
            )
        handled += 1
    _finish_if_complete(run_id)
    latest_lease = BulkRunItem.objects.filter(
        run_id=run_id, status=BulkItemStatus.WORKING
    ).aggregate(until=Max("lease_expires_at"))["until"]
    come_back_at = latest_lease + timedelta(seconds=1) if latest_lease is not None else None
    return Drained(handled=handled, come_back_at=come_back_at)


def bulk_items_open_keys() -> QuerySet[BulkRunItem, Any]:
    """The keys of the documents that running runs still have to issue (a query of one
    column): the sweep leaves these to the runs, which it drains again if their worker died."""
    return BulkRunItem.objects.filter(
        run__status=BulkRunStatus.RUNNING,
        status__in=[BulkItemStatus.PENDING, BulkItemStatus.WORKING],
    ).values("key")


def bulk_runs_take_back() -> list[int]:
    """For the sweep: in every running run, put back the items whose worker is gone or whose
    lease ran out. Returns the runs with items left to do; the caller starts drains for those
    that have none on the way."""
    with transaction.atomic():
        BulkRunItem.objects.filter(run__status=BulkRunStatus.RUNNING).filter(_abandoned()).update(
            status=BulkItemStatus.PENDING, lease_expires_at=None
        )
    return list(
        BulkRun.objects.filter(status=BulkRunStatus.RUNNING, items__status=BulkItemStatus.PENDING)
        .distinct()
        .values_list("pk", flat=True)
    )
