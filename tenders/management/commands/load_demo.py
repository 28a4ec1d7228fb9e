from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange_office import clock
from tenders.accounts.models import ClientAccount
from tenders.demo import DEMO_CLIENT, LOGINS, load_consummation_scenario, load_demo
from tenders.links.selectors import link_deadlines
from tenders.online.selectors import client_link_url
from tenders.online.services import client_link_issue

SCENARIOS = ("open", "consummation")


class Command(BaseCommand):
    help = "Load the Lexington 2001 demo: the offer, three firms, 40 accounts and demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scenario",
            choices=SCENARIOS,
            default="open",
            help="open: the offer as of Aug 20, 2001 (default); consummation: every account "
            "but a few small holders tendered and the conditions met, ready to consummate "
            "on Sep 5, 2001.",
        )

    def handle(self, *args: object, scenario: str, **options: object) -> None:
        try:
            offer = load_consummation_scenario() if scenario == "consummation" else load_demo()
        except ValidationError as exc:  # an account the fields refuse: nothing is written
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Demo loaded: {offer.name} ({offer.slug}), scenario {scenario}.")
        for login in LOGINS:
            role = (
                "operations"
                if login.firm is None
                else f"supervisor, {login.firm}"
                if login.supervisor
                else f"representative, {login.firm}"
            )
            self.stdout.write(f"  login {login.username} / {login.password}  ({role})")
        # A client's own page, as their letter links to it (the check asks for these two).
        account = ClientAccount.objects.get(account_number=DEMO_CLIENT)
        link = client_link_issue(offer=offer, account=account)
        if clock.now() < link_deadlines(account=account, offer=offer).firm_cutoff:
            self.stdout.write(
                f"  client {account.account_number} (taxpayer ID ending {account.tin_last4}, "
                f"ZIP {account.postal_code}): {client_link_url(link)}"
            )
