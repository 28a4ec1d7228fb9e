from django.core.management.base import BaseCommand

from tenders.demo import LOGINS, load_demo


class Command(BaseCommand):
    help = "Load the Lexington 2001 demo: the offer, three firms, 40 accounts and demo logins."

    def handle(self, *args: object, **options: object) -> None:
        offer = load_demo()
        self.stdout.write(f"Demo loaded: {offer.name} ({offer.slug}).")
        for login in LOGINS:
            role = "operations" if login.firm is None else f"representative, {login.firm}"
            self.stdout.write(f"  login {login.username} / {login.password}  ({role})")
