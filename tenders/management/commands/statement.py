"""`manage.py statement --account NUMBER --period 2001Q4 --out FILE.pdf [--firm NNNN]`: write an
account's statement for a calendar quarter to a file. The statement is issued as the account
page issues it (the stored one, or a new one from the books as they stand), and nothing is
sent. `--firm` (the firm's DTC participant number) is needed only where several firms use the
account number."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenders.accounts.command_line import account_named
from tenders.statements.services import statement_issue


class Command(BaseCommand):
    help = "Write an account's statement for a calendar quarter (2001Q4) to a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", required=True, help="the account number")
        parser.add_argument("--period", required=True, help="the quarter, as 2001Q4")
        parser.add_argument("--firm", help="the firm's DTC participant number")
        parser.add_argument("--out", required=True, help="the PDF file to write")

    def handle(
        self, *args: Any, account: str, period: str, firm: str | None, out: str, **options: Any
    ) -> None:
        found = account_named(number=account, firm=firm)
        try:
            document = statement_issue(account=found, period=period, by=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        try:
            Path(out).write_bytes(bytes(document.content))
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}.") from None
        self.stdout.write(f"{document.number} ({document.pages} pages) written to {out}")
