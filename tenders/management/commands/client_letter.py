"""`manage.py client_letter --offer SLUG --account NUMBER [--firm NNNN] --out FILE.pdf`: write
one client's letter "To Our Clients" (with the instruction form filled in for the account) to a
file. The letter is issued as a representative printing it would issue it (the stored one for
the offer as it stands now, or a new one), and nothing is sent. `--firm` (the firm's DTC
participant number) is needed only where several firms use the account number."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenders.accounts.command_line import offer_and_account
from tenders.online.letters import client_letter_issue


class Command(BaseCommand):
    help = "Write one client's letter 'To Our Clients', with the instruction form, to a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offer", required=True, help="the offer's slug")
        parser.add_argument("--account", required=True, help="the account number")
        parser.add_argument("--firm", help="the firm's DTC participant number")
        parser.add_argument("--out", required=True, help="the PDF file to write")

    def handle(
        self, *args: Any, offer: str, account: str, firm: str | None, out: str, **options: Any
    ) -> None:
        found_offer, found_account = offer_and_account(slug=offer, number=account, firm=firm)
        try:
            document = client_letter_issue(offer=found_offer, account=found_account)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        try:
            Path(out).write_bytes(bytes(document.content))
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}.") from None
        self.stdout.write(f"{document.number} ({document.pages} pages) written to {out}")
