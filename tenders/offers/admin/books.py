"""The offer's trial balance in the admin, for operations only: an as-of date (the business
date unless one is typed), whether the books balance and what is off when not, the figures,
each asset's balances by ledger account, and the CSV download. Linked from the offer list, the
offer's page and a panel of the admin's index (each offer's Tabulation and Trial balance), for
those who may see it. Reads only: `tenders.ledger.trial_balance`."""

from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from exchange_office import clock
from exchange_office.admin_site import OfficeAdminSite
from exchange_office.formatting import exact, money
from notes.models import ExchangeOffer
from tenders.ledger.models import Asset
from tenders.ledger.permissions import may_see_books
from tenders.ledger.trial_balance import TrialBalance, trial_balance, trial_balance_csv

PAGE_TEMPLATE = "admin/tenders/trial_balance.html"
INDEX_PANEL_TEMPLATE = "admin/tenders/offer_pages_panel.html"
FIGURE_LABELS = {
    "old_notes_exchanged": "Old Notes exchanged",
    "new_notes_issued": "New Notes issued",
    "warrants_issued": "Warrants issued",
    "fees_paid": "Participation fees paid",
    "nontender_paid": "Paid to holders who did not tender",
    "coupons_paid": "Coupons paid",
}


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label="As of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The business date: entries posted on it count, the next day's do not.",
    )


def _count(value: Decimal | int) -> str:
    return exact(value) if isinstance(value, int) else money(value)


def _page(books: TrialBalance) -> dict[str, Any]:
    """The trial balance as the page writes it: warrants as counts, the rest in dollars."""
    names = dict(Asset.objects.values_list("code", "name"))
    return {
        "figures": [(FIGURE_LABELS[key], _count(value)) for key, value in books.figures.items()],
        "assets": [
            {
                "code": code,
                "name": names.get(code, code),
                "rows": [(key, _count(balance)) for key, balance in accounts.items()],
                "total": _count(sum(accounts.values())),
            }
            for code, accounts in books.totals.items()
        ],
        "assets_off": [(code, _count(units)) for code, units in books.assets_off.items()],
        "entries_off": [(e.occasion, e.asset_code, _count(e.amount)) for e in books.entries_off],
        "positions_off": [
            (f"{p.account} ({p.asset_code})", money(p.position), money(p.ledger))
            for p in books.positions_off
        ],
    }


def offer_pages_index_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The admin index's links to each offer's Tabulation and Trial balance: for operations
    (who may see the books), when there is an offer."""
    if not may_see_books(user=request.user):
        return None
    offers = list(ExchangeOffer.objects.order_by("name", "pk"))
    return {"template": INDEX_PANEL_TEMPLATE, "offers": offers} if offers else None


if isinstance(admin.site, OfficeAdminSite):
    admin.site.add_index_panel(offer_pages_index_panel)


class OfferBooksViews:
    """Mixed into the offer's ModelAdmin (tenders.offers.admin.OfferAdmin), before the
    tabulation's views."""

    def _admin(self) -> "admin.ModelAdmin[ExchangeOffer]":
        return cast("admin.ModelAdmin[ExchangeOffer]", self)

    def _after_books(self) -> Any:
        return super()

    # Links to the page, for those who may see it

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = self._after_books().get_list_display(request)
        return [*shown, "trial_balance_link"] if may_see_books(user=request.user) else shown

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        shown = self._after_books().get_readonly_fields(request, obj)
        return [*shown, "trial_balance_link"] if may_see_books(user=request.user) else shown

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(self._after_books().get_fieldsets(request, obj))
        if obj is None or obj.pk is None or not may_see_books(user=request.user):
            return fieldsets
        books = (
            "Books",
            {
                "fields": ["trial_balance_link"],
                "description": "The trial balance as of a date: the Old Notes exchanged, the "
                "New Notes, warrants, fees, payments and coupons, and each account's balances.",
            },
        )
        return [*fieldsets[:2], books, *fieldsets[2:]]

    @admin.display(description="Trial balance")
    def trial_balance_link(self, offer: ExchangeOffer) -> SafeString | str:
        if offer.pk is None:
            return ""
        url = reverse("admin:notes_exchangeoffer_trial_balance", args=[offer.pk])
        return format_html('<a href="{}">Trial balance</a>', url)

    # The page and its CSV

    def get_urls(self) -> list[URLPattern]:
        def view(function: Any) -> Any:
            return self._admin().admin_site.admin_view(function)

        return [
            path(
                "<path:object_id>/trial-balance/",
                view(self.trial_balance_view),
                name="notes_exchangeoffer_trial_balance",
            ),
            path(
                "<path:object_id>/trial-balance.csv",
                view(self.trial_balance_csv_view),
                name="notes_exchangeoffer_trial_balance_csv",
            ),
            *self._after_books().get_urls(),
        ]

    def _books_offer(self, request: HttpRequest, object_id: str) -> ExchangeOffer:
        if not may_see_books(user=request.user):
            raise PermissionDenied("Only operations see the books.")
        offer = self._admin().get_object(request, object_id)
        if offer is None:
            raise Http404("No such offer.")
        return offer

    def _as_of(self, request: HttpRequest) -> tuple[AsOfForm, date | None]:
        """The date asked for (the business date when none is); None with the form's error
        when what was typed is not a date."""
        form = AsOfForm(request.GET if "as_of" in request.GET else None)
        if not form.is_bound:
            form = AsOfForm(initial={"as_of": clock.today()})
            return form, clock.today()
        return form, form.cleaned_data["as_of"] if form.is_valid() else None

    def trial_balance_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        offer = self._books_offer(request, object_id)
        form, on = self._as_of(request)
        books = trial_balance(offer=offer, on=on) if on is not None else None
        csv_url = reverse("admin:notes_exchangeoffer_trial_balance_csv", args=[offer.pk])
        return TemplateResponse(
            request,
            PAGE_TEMPLATE,
            {
                **self._admin().admin_site.each_context(request),
                "title": f"Trial balance: {offer}",
                "opts": ExchangeOffer._meta,
                "original": offer,
                "offer": offer,
                "form": form,
                "books": books,
                **(_page(books) if books is not None else {}),
                "today": clock.today(),
                "csv_url": f"{csv_url}?{urlencode({'as_of': on.isoformat()})}" if on else "",
            },
        )

    def trial_balance_csv_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        offer = self._books_offer(request, object_id)
        _, on = self._as_of(request)
        if on is None:
            return HttpResponse(
                f"Not a date: {request.GET.get('as_of', '')!r}. Give as_of as YYYY-MM-DD.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        books = trial_balance(offer=offer, on=on)
        response = HttpResponse(trial_balance_csv(books), content_type="text/csv; charset=utf-8")
        filename = f"trial-balance-{offer.slug}-{on.isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
