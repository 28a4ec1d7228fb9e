"""The offer's trial balance for other tools: `manage.py books --offer lexington-2001 --as-of
2001-12-31 --format json|csv` (entries posted on the as-of day included). Standard output holds
only the figures; a refusal is one plain line on standard error (exit status 1). The keys are
described in docs/rules.md ("Books"): keep them stable."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from notes.models import ExchangeOffer
from notes.selectors import offer_by_slug
from tenders.ledger.trial_balance import trial_balance, trial_balance_as_dict, trial_balance_csv

FORMATS = ("json", "csv")


class Command(BaseCommand):
    help = (
        "The offer's trial balance as of a business date: whether the books balance, the Old "
        "Notes exchanged, the New Notes and warrants issued, the fees, payments to holders who "
        "did not tender and coupons paid, and each ledger account's balance by asset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Parsed as text and checked in handle(), so every bad value gets one plain line.
        parser.add_argument("--offer", help="the offer's slug, e.g. lexington-2001")
        parser.add_argument(
            "--as-of", help="the business date, e.g. 2001-12-31 (its entries included)"
        )
        parser.add_argument(
            "--format",
            default="json",
            help="json (default), or csv: key,value rows, then asset,account,balance rows",
        )

    def handle(self, *args: object, **options: str | None) -> None:
        output_format = options["format"] or "json"
        if output_format not in FORMATS:
            raise CommandError(f"--format must be json or csv, not {output_format!r}")
        slug = options["offer"]
        if not slug:
            raise CommandError("--offer is required, e.g. --offer lexington-2001")
        text = options["as_of"]
        if not text:
            raise CommandError("--as-of is required, e.g. --as-of 2001-12-31")
        try:
            on = date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {text!r}") from None
        try:
            offer = offer_by_slug(slug=slug)
        except ExchangeOffer.DoesNotExist:
            raise CommandError(f"no offer with slug {slug!r}") from None
        books = trial_balance(offer=offer, on=on)
        if output_format == "json":
            self.stdout.write(json.dumps(trial_balance_as_dict(books), indent=2))
        else:
            self.stdout.write(trial_balance_csv(books), ending="")
