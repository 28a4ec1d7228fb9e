"""`manage.py sweep`: run the sweep once (the worker runs it at start-up and every minute)."""

from typing import Any

from django.core.management.base import BaseCommand

from tenders.sweep import sweep


class Command(BaseCommand):
    help = (
        "Find the work a stopped worker left and do it: tasks left running are queued again, "
        "e-mails left sending become of unknown outcome (for operations), bulk run items are "
        "taken back, and missing documents are issued."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        lines = sweep().lines()
        for line in lines or ["Nothing to do."]:
            self.stdout.write(line)
