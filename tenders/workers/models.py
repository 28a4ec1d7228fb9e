"""Workers' heartbeats: how the office tells a worker that stopped from one that is busy."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One worker process (`manage.py office_worker`): a small thread updates `beat_at` every
    WORKER_HEARTBEAT_SECONDS. A worker whose beat is older than WORKER_GONE_AFTER_SECONDS, or
    that stopped cleanly, is gone: what it held is taken back without waiting for a lease."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(help_text="Wall clock.")
    beat_at = models.DateTimeField(help_text="Wall clock: the last heartbeat.")
    stopped_at = models.DateTimeField(
        null=True, blank=True, help_text="Wall clock: set on a clean exit."
    )

    class Meta:
        ordering = ["-beat_at"]
        verbose_name = "worker heartbeat"

    def __str__(self) -> str:
        return self.worker_id
