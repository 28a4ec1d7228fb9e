"""`manage.py client_link --offer SLUG --account NUMBER [--firm NNNN]`: print the client's
current link to their own page (the one the letter of the offer as it stands and its reminders
carry; older links forward to it), for support calls and tests. It issues that link if none was
issued yet; it sends nothing."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange_office import clock
from exchange_office.formatting import describe_instant
from tenders.accounts.command_line import offer_and_account
from tenders.links.selectors import link_deadlines
from tenders.online.selectors import client_link_url
from tenders.online.services import client_link_issue


class Command(BaseCommand):
    help = "Print the link a client opens to instruct online."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offer", required=True, help="the offer's slug")
        parser.add_argument("--account", required=True, help="the account number")
        parser.add_argument("--firm", help="the firm's DTC participant number")

    def handle(
        self, *args: Any, offer: str, account: str, firm: str | None, **options: Any
    ) -> None:
        found_offer, found_account = offer_and_account(slug=offer, number=account, firm=firm)
        link = client_link_issue(offer=found_offer, account=found_account)
        cutoff = link_deadlines(account=found_account, offer=found_offer).firm_cutoff
        if clock.now() >= cutoff:
            raise CommandError(
                f"The link of account {account} expired at the firm's cutoff "
                f"({describe_instant(cutoff)}): the client must call their representative."
            )
        self.stdout.write(client_link_url(link))
