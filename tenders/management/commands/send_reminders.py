"""`manage.py send_reminders --offer SLUG [--firm NNNN] [--dry-run]`: e-mail a reminder to every
client with a position who has not answered (no live or accepted instruction), with the firm's
cutoff and a link to a fresh copy of the letter. At most one per client per business day; none
once the firm's cutoff has passed. A client whose letter is not issued yet is counted as sent:
the reminder waits for its letter, which a worker renders (never this command), and goes out
once the letter exists. Each client skipped is listed with the reason; the last line
is

    sent=N skipped=M

With --dry-run nothing is sent or recorded: the line says what would be."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from notes.models import ExchangeOffer
from tenders.accounts.models import BrokerFirm
from tenders.online.letters import reminders_send


class Command(BaseCommand):
    help = "E-mail a reminder to every client with a position who has not answered."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offer", required=True, help="the offer's slug")
        parser.add_argument("--firm", help="the firm's DTC participant number (else every firm)")
        parser.add_argument("--dry-run", action="store_true", help="count, send nothing")

    def handle(
        self, *args: Any, offer: str, firm: str | None, dry_run: bool, **options: Any
    ) -> None:
        found_offer = ExchangeOffer.objects.filter(slug=offer).first()
        if found_offer is None:
            raise CommandError(f"There is no offer {offer!r}.")
        found_firm = None
        if firm is not None:
            found_firm = BrokerFirm.objects.filter(dtc_participant_number=firm).first()
            if found_firm is None:
                raise CommandError(f"There is no firm with DTC participant number {firm!r}.")
        result = reminders_send(offer=found_offer, firm=found_firm, dry_run=dry_run)
        # Each skip with its reason (-v 0 leaves the last line alone): "sent=0" never stands
        # unexplained.
        if options["verbosity"] > 0:
            for reason in result.reasons:
                self.stdout.write(f"skipped {reason}")
            if not result.sent and not result.skipped:
                self.stdout.write("Every client with a position has answered: no one to remind.")
        self.stdout.write(f"sent={result.sent} skipped={result.skipped}")
