"""`manage.py client_letter --offer SLUG --account NUMBER [--firm NNNN] --out FILE.pdf`: write
one client's letter "To Our Clients" (with the instruction form filled in for the account) to a
file. The letter is issued as a representative printing it would issue it (the stored one for
the offer as it stands now, or a new one), and nothing is sent. `--firm` (the firm's DTC
participant number) is needed only where several firms use the account number."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount
from tenders.letters.services import client_letter_issue


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
        found_offer = ExchangeOffer.objects.filter(slug=offer).first()
        if found_offer is None:
            raise CommandError(f"There is no offer {offer!r}.")
        accounts = ClientAccount.objects.filter(account_number=account).select_related("firm")
        if firm is not None:
            accounts = accounts.filter(firm__dtc_participant_number=firm)
        matches = list(accounts[:2])
        if not matches:
            where = f" at firm {firm}" if firm is not None else ""
            raise CommandError(f"There is no account {account!r}{where}.")
        if len(matches) > 1:
            raise CommandError(
                f"Account {account!r} is used by more than one firm: name one with --firm."
            )
        try:
            document = client_letter_issue(offer=found_offer, account=matches[0])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        try:
            Path(out).write_bytes(bytes(document.content))
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}.") from None
        self.stdout.write(f"{document.number} ({document.pages} pages) written to {out}")
