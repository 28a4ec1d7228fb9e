from django.core.management.base import BaseCommand, CommandParser

from tenders.demo import LOGINS, load_consummation_scenario, load_demo

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
        offer = load_consummation_scenario() if scenario == "consummation" else load_demo()
        self.stdout.write(f"Demo loaded: {offer.name} ({offer.slug}), scenario {scenario}.")
        for login in LOGINS:
            role = "operations" if login.firm is None else f"representative, {login.firm}"
            self.stdout.write(f"  login {login.username} / {login.password}  ({role})")
