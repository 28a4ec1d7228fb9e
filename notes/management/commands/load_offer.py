from django.core.management.base import BaseCommand, CommandError, CommandParser

from notes.seed_offers import SEED_OFFERS
from notes.services import UnknownSeedOffer, offer_load_seed


class Command(BaseCommand):
    help = "Load a known offer's terms as data (idempotent; edited rows are left alone)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", choices=sorted(SEED_OFFERS), help="e.g. lexington-2001")

    def handle(self, *args: object, slug: str, **options: object) -> None:
        try:
            offer = offer_load_seed(slug=slug)
        except UnknownSeedOffer as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Offer {offer.slug}: {offer.name}")
