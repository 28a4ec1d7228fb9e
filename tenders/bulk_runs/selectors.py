"""Reads about bulk runs: their progress, counted in the database."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Q

from tenders.bulk_runs.models import BulkItemStatus, BulkRun


@dataclass(frozen=True, slots=True)
class BulkProgress:
    total: int
    done: int
    failed: int
    working: int
    pending: int
    status: str
    held_until: datetime | None = None  # the last lease of an item a worker holds

    @property
    def percent(self) -> int:
        return round(100 * (self.done + self.failed) / self.total) if self.total else 100

    @classmethod
    def from_annotated(cls, run: BulkRun) -> "BulkProgress":
        """From a run annotated with PROGRESS_ANNOTATIONS (a list of runs in one query)."""
        names = ("total", "done", "failed", "working", "pending", "held_until")
        return cls(status=run.status, **{name: getattr(run, name) for name in names})

    def as_dict(self) -> dict[str, int | str | None]:
        return {
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "working": self.working,
            "pending": self.pending,
            "percent": self.percent,
            "status": self.status,
            "held_until": self.held_until.isoformat() if self.held_until else None,
        }


# Counted in the database, on a run's items or (prefixed with items__) on a list of runs.
def _progress_counts(prefix: str = "") -> dict[str, Any]:
    status = f"{prefix}status"
    return {
        "total": Count(f"{prefix}id"),
        "done": Count(f"{prefix}id", filter=Q(**{status: BulkItemStatus.DONE})),
        "failed": Count(f"{prefix}id", filter=Q(**{status: BulkItemStatus.FAILED})),
        "working": Count(f"{prefix}id", filter=Q(**{status: BulkItemStatus.WORKING})),
        "pending": Count(f"{prefix}id", filter=Q(**{status: BulkItemStatus.PENDING})),
        "held_until": Max(
            f"{prefix}lease_expires_at", filter=Q(**{status: BulkItemStatus.WORKING})
        ),
    }


PROGRESS_ANNOTATIONS = _progress_counts("items__")


def bulk_run_progress(run: BulkRun) -> BulkProgress:
    counts = run.items.aggregate(**_progress_counts())
    status = BulkRun.objects.values_list("status", flat=True).get(pk=run.pk)
    return BulkProgress(status=status, **counts)
