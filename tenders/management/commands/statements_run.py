"""`manage.py statements_run --period 2001Q4`: issue the statement of every account whose books
moved in the quarter and e-mail each once, through the outbox (a bulk run drained by the
worker). Run again, it sends nothing twice."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenders.accounts.command_line import command_line_user
from tenders.statements.services import statements_run_start


class Command(BaseCommand):
    help = "Issue and e-mail, once, the statements of a calendar quarter (2001Q4)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="the quarter, as 2001Q4")

    def handle(self, *args: Any, period: str, **options: Any) -> None:
        try:
            run = statements_run_start(period=period, by=command_line_user())
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if run is None:
            self.stdout.write(f"Every statement for {period} has been sent: nothing to do.")
            return
        self.stdout.write(
            f"Bulk run {run.pk}: {run.items.count()} statement(s) for {period}, "
            "issued and e-mailed by the worker."
        )
