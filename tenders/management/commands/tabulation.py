"""The offer's tabulation for other tools: `manage.py tabulation --offer lexington-2001
--format json|csv`. Standard output holds only the figures; a refusal is one plain line on
standard error (exit status 1). `--check` recomputes every figure from the rows instead and
compares it with the kept totals (`tenders.tally`): on a difference it names the figures on
standard error, rebuilds the kept lines and exits 1. The JSON keys and the CSV layout are
described in docs/rules.md ("Tabulation"): keep them stable."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from notes.domain.terms import InvalidTerms
from notes.models import ExchangeOffer
from notes.selectors import offer_by_slug
from tenders.offers.tabulation import (
    offer_tabulation,
    tabulation_as_dict,
    tabulation_csv,
    tabulation_differences,
)
from tenders.tally.services import tally_rebuild

FORMATS = ("json", "csv")


class Command(BaseCommand):
    help = (
        "The offer's tabulation: the office's tendered total against the minimum condition, "
        "beside the exchange agent's, the warrants, by status, by firm and who has not answered."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Parsed as text and checked in handle(), so every bad value gets one plain line.
        parser.add_argument("--offer", help="the offer's slug, e.g. lexington-2001")
        parser.add_argument(
            "--format",
            default="json",
            help="json (default), or csv: key,value rows, then the by_status, by_firm and "
            "not_answered sections",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="recompute every figure from the rows and compare with the kept totals; "
            "rebuild them and exit 1 if they differ",
        )

    def handle(self, *args: object, **options: Any) -> None:
        output_format = options["format"] or "json"
        if output_format not in FORMATS:
            raise CommandError(f"--format must be json or csv, not {output_format!r}")
        slug = options["offer"]
        if not slug:
            raise CommandError("--offer is required, e.g. --offer lexington-2001")
        try:
            offer = offer_by_slug(slug=slug)
        except ExchangeOffer.DoesNotExist:
            raise CommandError(f"no offer with slug {slug!r}") from None
        try:
            if options["check"]:
                self._check(offer)
                return
            tabulation = offer_tabulation(offer=offer)
        except InvalidTerms as exc:
            raise CommandError(f"the terms of offer {offer.slug} are incomplete: {exc}") from None
        if output_format == "json":
            self.stdout.write(json.dumps(tabulation_as_dict(tabulation), indent=2))
        else:
            self.stdout.write(tabulation_csv(tabulation), ending="")

    def _check(self, offer: ExchangeOffer) -> None:
        differences = tabulation_differences(offer=offer)
        if differences:
            tally_rebuild(offer=offer)
            raise CommandError(
                f"the kept totals of {offer.slug} differed from a recomputation in "
                f"{', '.join(differences)}; rebuilt them"
            )
        self.stdout.write(f"The kept totals of {offer.slug} agree with a recomputation.")
