"""`manage.py load_scale --accounts N [--firms 3] [--offer SLUG]`: a synthetic book of N client
accounts for measuring the office at scale (tenders/scale.py says what it holds). Safe to run
again: it tops the book up to N. The last line is `firms= accounts= created= instructions=
seconds=`."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from notes.models import ExchangeOffer
from notes.selectors import offer_by_slug
from notes.services import offer_load_seed
from tenders.scale import load_scale

MAX_FIRMS = 99  # DTC 9501 to 9599


class Command(BaseCommand):
    help = (
        "Add a synthetic book of N client accounts (owners, positions, instructions in every "
        "state an open offer has) over --firms firms of its own, for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, required=True, help="accounts in the book")
        parser.add_argument("--firms", type=int, default=3, help="firms to deal them to (3)")
        parser.add_argument(
            "--offer",
            default="lexington-2001",
            help="the offer's slug (lexington-2001, loaded if missing)",
        )

    def handle(self, *args: Any, accounts: int, firms: int, offer: str, **options: Any) -> None:
        if accounts < 1:
            raise CommandError(f"--accounts must be 1 or more, not {accounts}")
        if not 1 <= firms <= MAX_FIRMS:
            raise CommandError(f"--firms must be between 1 and {MAX_FIRMS}, not {firms}")
        try:
            found = offer_by_slug(slug=offer)
        except ExchangeOffer.DoesNotExist:
            if offer != "lexington-2001":
                raise CommandError(f"no offer with slug {offer!r}") from None
            found = offer_load_seed(slug=offer)
        try:
            report = load_scale(offer=found, accounts=accounts, firm_count=firms)
        except ValidationError as exc:  # an account the fields refuse: its round is not written
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(report.line())
