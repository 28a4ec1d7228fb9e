"""`manage.py import_positions FILE --firm NNNN [--create-accounts] [--dry-run]`: a firm's
positions feed, for scheduled runs. Every line or none is imported; refused lines go to
stderr with their line numbers, and the last line on stdout is

    created=N updated=N unchanged=N refused=N

(all zero but `refused` when a line is refused: nothing is written then, and the exit status
is 1). An account not on file is created only with --create-accounts; without it, its line
is refused. A file over POSITIONS_IMPORT_MAX_BYTES is refused from its size, before it is
read. With --dry-run nothing is written either way: the line says what would be."""

import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenders.accounts.models import BrokerFirm
from tenders.positions.imports import (
    ImportRefused,
    ImportReport,
    Outcome,
    file_size_check,
    positions_import,
    positions_preview,
)
from tenders.positions.rows import FileRefused, Refusal, decode


def _read(path: Path) -> bytes:
    """The file's bytes, refused (FileRefused) from its size before it is read, and read one
    byte past the limit at most, should it grow meanwhile."""
    try:
        with path.open("rb") as opened:
            file_size_check(os.fstat(opened.fileno()).st_size)
            data = opened.read(settings.POSITIONS_IMPORT_MAX_BYTES + 1)
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
    file_size_check(len(data))
    return data


class Command(BaseCommand):
    help = (
        "Import a firm's positions feed (CSV: participant, account_number, owners, address, "
        "state, e-mail, telephone, principal of the Old Notes): every line or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file (UTF-8)")
        parser.add_argument(
            "--firm", required=True, help="the firm's DTC participant number; every line's too"
        )
        parser.add_argument(
            "--create-accounts",
            action="store_true",
            help="create the accounts the file lists that are not on file (otherwise refused)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(
        self,
        *args: Any,
        file: str,
        firm: str,
        create_accounts: bool,
        dry_run: bool,
        **options: Any,
    ) -> None:
        found = BrokerFirm.objects.filter(dtc_participant_number=firm).first()
        if found is None:
            raise CommandError(f"There is no firm with DTC participant number {firm!r}.")
        path = Path(file)
        try:
            text = decode(_read(path))
            if dry_run:
                report = positions_preview(
                    text=text, by=None, firm=found, create_accounts=create_accounts
                )
            else:
                report = positions_import(
                    text=text,
                    by=None,
                    firm=found,
                    file_name=path.name,
                    create_accounts=create_accounts,
                )
        except FileRefused as exc:
            report = ImportReport((), (Refusal(0, "", str(exc)),))
        except ImportRefused as exc:
            report = exc.report
        self._finish(report, dry_run=dry_run, verbosity=options["verbosity"])

    def _finish(self, report: ImportReport, *, dry_run: bool, verbosity: int) -> None:
        for refusal in report.refused:
            self.stderr.write(str(refusal))
        if verbosity > 1 and not report.refused:
            for row in report.rows:
                if row.outcome is not Outcome.UNCHANGED:
                    self.stdout.write(
                        f"Line {row.line} ({row.account_number}): {row.outcome}; "
                        + "; ".join(row.changes)
                    )
        if report.refused:
            self.stdout.write(f"{len(report.refused)} line(s) refused: nothing imported.")
        elif dry_run:
            self.stdout.write("Dry run: nothing written.")
        self.stdout.write(report.summary())
        if report.refused:
            self.stdout.flush()
            sys.exit(1)
