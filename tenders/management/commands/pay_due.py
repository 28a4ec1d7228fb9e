"""`manage.py pay_due --offer SLUG [--until DATE]`: start every payment run of the offer due on
or before DATE (the business date unless given) and not started yet, as the worker's sweep
does on each date. One line per run started (its date, what it pays, the clients paid, the
total); a refusal is one plain line on standard error (exit status 1). Runs as the command
line (docs/rules.md "Payment runs")."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange_office import clock
from exchange_office.formatting import money
from notes.models import ExchangeOffer
from notes.selectors import offer_by_slug
from tenders.payments.services import payments_pay_due


class Command(BaseCommand):
    help = (
        "Pay what falls due on the offer's payment dates up to --until (the business date "
        "unless given): the later fee installments, the New Notes' coupons and, at maturity, "
        "the principal, each date once, with a payment advice e-mailed to each client."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Parsed as text and checked in handle(), so every bad value gets one plain line.
        parser.add_argument("--offer", help="the offer's slug, e.g. lexington-2001")
        parser.add_argument(
            "--until", help="pay the dates up to this one, e.g. 2001-12-31 (default: today)"
        )

    def handle(self, *args: Any, offer: str | None, until: str | None, **options: Any) -> None:
        if not offer:
            raise CommandError("--offer is required, e.g. --offer lexington-2001")
        on = None
        if until:
            try:
                on = date.fromisoformat(until)
            except ValueError:
                raise CommandError(f"--until must be a date as YYYY-MM-DD, not {until!r}") from None
        try:
            found = offer_by_slug(slug=offer)
        except ExchangeOffer.DoesNotExist:
            raise CommandError(f"no offer with slug {offer!r}") from None
        try:
            runs = payments_pay_due(offer=found, until=on, by=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if not runs:
            self.stdout.write(
                f"Nothing to pay: every payment of {found.slug} due by "
                f"{(on or clock.today()).isoformat()} has been made."
            )
        for run in runs:
            self.stdout.write(
                f"{run.payment_date.isoformat()}  {run.what}: {run.clients} client(s), "
                f"{money(run.total)}"
            )
