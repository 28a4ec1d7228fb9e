"""`manage.py import_agent_messages FILE [--dry-run] [--by USERNAME]`: import a file from the
exchange agent (status advice seev.034/seev.041/MT567, movement confirmations seev.036/MT566),
each message matched to the message the office sent by the reference it answers.

A file is taken whole or refused whole: a message that cannot be read, or that answers a
reference no file sent to the agent holds, refuses it (one plain line per problem on standard
error, exit status 1), and so does a file imported before. The last line on standard output
is always `matched=N unmatched=N rejected=N`. `--dry-run` checks and counts, and writes
nothing.
"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenders.submissions.replies import AgentFileRefused, agent_replies_import


class Command(BaseCommand):
    help = (
        "Import a file from the exchange agent (seev.034, seev.041, seev.036 XML or MT567, "
        "MT566): each message matched to the instruction or cancellation it answers. A file "
        "with an unknown reference or an unreadable message is refused whole."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the agent's file (XML or FIN)")
        parser.add_argument("--dry-run", action="store_true", help="check and count; write nothing")
        parser.add_argument("--by", help="the operator who imports it (default: the command line)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        user = self._operator(options["by"]) if options["by"] else None
        try:
            result = agent_replies_import(
                filename=path.name, content=content, by=user, dry_run=options["dry_run"]
            )
        except AgentFileRefused as exc:
            for problem in exc.result.problems:
                self.stderr.write(problem)
            self.stdout.write(exc.result.summary)
            raise CommandError("The file is refused: nothing was imported.") from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        if result.file is not None:
            self.stderr.write(f"Imported {path.name} as file No. {result.file.pk}.")
        elif options["dry_run"]:
            self.stderr.write("Dry run: nothing was written.")
        self.stdout.write(result.summary)

    def _operator(self, username: str) -> Any:
        user_model = get_user_model()
        try:
            return user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None
