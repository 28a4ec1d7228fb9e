"""Quote a holder's entitlement: `manage.py entitlement --offer lexington-2001 --principal 125000
--consummation 2001-09-05 --format json`. Other tools read its JSON: keep the keys stable."""

import json
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange_office.formatting import dollars, long_date, money
from notes.domain.deadlines import validate_consummation_date
from notes.domain.entitlement import (
    Entitlement,
    InvalidConsummationDate,
    InvalidPrincipal,
    compute_entitlement,
)
from notes.domain.terms import InvalidTerms
from notes.models import ExchangeOffer
from notes.presentation import entitlement_as_dict
from notes.selectors import offer_by_slug, offer_calendar, offer_consummation_date, offer_terms

FORMATS = ("text", "json")


class Command(BaseCommand):
    help = "Quote what a holder receives for a principal amount of Old Notes tendered."

    def add_arguments(self, parser: CommandParser) -> None:
        # Parsed as text and checked in handle(), so every bad value gets one plain line.
        parser.add_argument("--offer", help="the offer's slug, e.g. lexington-2001")
        parser.add_argument("--principal", help="principal amount tendered, e.g. 125000")
        parser.add_argument(
            "--consummation",
            help="consummation date (YYYY-MM-DD); default: the offer's, or the expected one",
        )
        parser.add_argument("--format", default="text", help="text (default) or json")

    def handle(self, *args: object, **options: str | None) -> None:
        output_format = options["format"] or "text"
        if output_format not in FORMATS:
            raise CommandError(f"--format must be text or json, not {output_format!r}")
        offer = self._offer(options["offer"])
        principal = self._principal(options["principal"])
        try:
            terms = offer_terms(offer=offer)
        except InvalidTerms as exc:
            raise CommandError(f"the terms of offer {offer.slug} are incomplete: {exc}") from None
        consummation, projected = self._consummation(offer, options["consummation"])
        try:
            entitlement = compute_entitlement(terms, principal, consummation)
        except (InvalidPrincipal, InvalidConsummationDate) as exc:
            raise CommandError(str(exc)) from None
        if output_format == "json":
            document = {"offer": offer.slug, "projected": projected}
            document.update(entitlement_as_dict(entitlement))
            self.stdout.write(json.dumps(document, indent=2))
        else:
            self.stdout.write(render_text(offer, entitlement, projected))

    def _offer(self, slug: str | None) -> ExchangeOffer:
        if not slug:
            raise CommandError("--offer is required, e.g. --offer lexington-2001")
        try:
            return offer_by_slug(slug=slug)
        except ExchangeOffer.DoesNotExist:
            raise CommandError(f"no offer with slug {slug!r}") from None

    def _principal(self, text: str | None) -> Decimal:
        if text is None:
            raise CommandError("--principal is required, e.g. --principal 125000")
        try:
            principal = Decimal(text.replace(",", "").replace("$", "").strip())
        except InvalidOperation:
            raise CommandError(f"--principal {text!r} is not a number") from None
        if not principal.is_finite():
            raise CommandError(f"--principal {text!r} is not a number")
        return principal

    def _consummation(self, offer: ExchangeOffer, text: str | None) -> tuple[date, bool]:
        if text is None:
            return offer_consummation_date(offer=offer)
        try:
            consummation = date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--consummation {text!r} is not a date like 2001-09-05") from None
        try:
            validate_consummation_date(offer.expiration, consummation, offer_calendar(offer=offer))
        except InvalidConsummationDate as exc:
            raise CommandError(str(exc)) from None
        actual, projected = offer_consummation_date(offer=offer)
        # Any date but the one the offer was actually consummated on is a projection.
        return consummation, projected or consummation != actual


def render_text(offer: ExchangeOffer, e: Entitlement, projected: bool) -> str:
    """A readable table of the same figures as the JSON."""
    label = "projected, assuming consummation on" if projected else "consummation on"
    column = "{:>16,.2f}".format
    lines = [
        f"{offer.name}",
        f"Principal tendered {money(e.principal)} ({e.units} units of "
        f"{dollars(offer.unit_principal)})"
        f", {label} {long_date(e.consummation_date)}",
        "",
        f"  Accrual days (30/360)            {e.accrual_days:>16}",
        f"  Accrued interest per unit        {column(e.accrued_interest_per_unit)}",
        f"  Accrued interest                 {column(e.accrued_interest)}",
        f"  New Notes principal              {column(e.new_notes_principal)}",
        f"  Warrants (exact)                 {format(e.warrants_exact.normalize(), 'f'):>16}",
        f"  Warrants issued                  {e.warrants:>16,}",
        f"  Participation fee                {column(e.participation_fee)}",
        f"  Paid if not tendered             {column(e.non_tender_payout)}",
        "",
        "  Participation fee installments",
        "    #  scheduled    paid on              amount",
    ]
    lines += [
        f"    {f.sequence}  {f.scheduled_date}   {f.payment_date}   {column(f.amount)}"
        for f in e.fee_installments
    ]
    lines += [
        "",
        "  New Notes coupons",
        "    period start  period end   paid on     days    rate            amount",
    ]
    lines += [
        f"    {c.period_start}    {c.period_end}   {c.payment_date}  {c.days:>4}  "
        f"{c.rate * 100:>5.2f}%  {column(c.amount)}"
        for c in e.coupons
    ]
    repaid = f"principal repaid {e.principal_repayment.payment_date}"
    lines += [
        f"    {'total coupons':<53}{column(e.total_coupons)}",
        f"    {repaid:<53}{column(e.principal_repayment.amount)}",
    ]
    return "\n".join(lines)
