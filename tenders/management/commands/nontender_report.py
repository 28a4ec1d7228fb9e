"""`manage.py nontender_report --offer SLUG --format csv|json`: the holders who do not tender,
on stdout. An error is one line on stderr, with exit status 1."""

import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from notes.models import ExchangeOffer
from tenders.notices.export import as_json, write_csv
from tenders.notices.selectors import nontender_report


class Command(BaseCommand):
    help = (
        "List every account holding the offer's Old Notes that did not tender them all, with "
        "the payout each receives on consummation (principal plus accrued interest; projected "
        "before consummation), as CSV or JSON on stdout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offer", required=True, help="the offer's slug, e.g. lexington-2001")
        parser.add_argument(
            "--format", dest="output_format", choices=["csv", "json"], default="csv"
        )

    def handle(self, *args: Any, offer: str, output_format: str, **options: Any) -> None:
        try:
            found = ExchangeOffer.objects.get(slug=offer)
        except ExchangeOffer.DoesNotExist:
            raise CommandError(f"There is no offer {offer!r}.") from None
        report = nontender_report(offer=found)
        if output_format == "json":
            self.stdout.write(json.dumps(as_json(report), indent=2))
            return
        text = io.StringIO()
        write_csv(report, text)
        self.stdout.write(text.getvalue(), ending="")
