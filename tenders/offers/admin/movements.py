"""The agent's movement confirmations matched to the office's confirmations, on a consummated
offer: a page per offer (a section per participant) and its CSV. Reached from the offer's page
once it is consummated; anyone who may view the offer may view it. Reads only
(`tenders.offers.movements`)."""

from typing import Any, cast

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from exchange_office import clock
from notes.models import ExchangeOffer, OfferStatus
from tenders.offers.movements import movements_csv, offer_movements

PAGE_TEMPLATE = "admin/tenders/movements.html"


class OfferMovementViews:
    """Mixed into the offer's ModelAdmin (tenders.offers.admin.OfferAdmin)."""

    def _movements_admin(self) -> "admin.ModelAdmin[ExchangeOffer]":
        return cast("admin.ModelAdmin[ExchangeOffer]", self)

    def _after_movements(self) -> Any:
        """The ModelAdmin methods this mixin extends, as the classes after it define them (a
        name of its own: the tabulation mixin's `_next` would resolve to its own super)."""
        return super()

    def get_urls(self) -> list[URLPattern]:
        def view(function: Any) -> Any:
            return self._movements_admin().admin_site.admin_view(function)

        return [
            path(
                "<path:object_id>/movements/",
                view(self.movements_view),
                name="notes_exchangeoffer_movements",
            ),
            path(
                "<path:object_id>/movements.csv",
                view(self.movements_csv_view),
                name="notes_exchangeoffer_movements_csv",
            ),
            *self._after_movements().get_urls(),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self._after_movements().get_readonly_fields(request, obj), "movements_link"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(self._after_movements().get_fieldsets(request, obj))
        if obj is None or obj.status != OfferStatus.CONSUMMATED:
            return fieldsets
        section = (
            "Movements confirmed by the agent",
            {
                "fields": ["movements_link"],
                "description": "The agent's movement confirmations matched, instruction by "
                "instruction, to the exchange confirmations: every difference with both figures.",
            },
        )
        return [*fieldsets, section]

    @admin.display(description="Movements matched")
    def movements_link(self, offer: ExchangeOffer) -> SafeString | str:
        if offer.pk is None or offer.status != OfferStatus.CONSUMMATED:
            return ""
        url = reverse("admin:notes_exchangeoffer_movements", args=[offer.pk])
        return format_html('<a href="{}">Movements matched</a>', url)

    def _offer(self, request: HttpRequest, object_id: str) -> ExchangeOffer:
        offer = self._movements_admin().get_object(request, object_id)
        if offer is None:
            raise Http404("No such offer.")
        if not self._movements_admin().has_view_permission(request, offer):
            raise PermissionDenied
        return offer

    def movements_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        offer = self._offer(request, object_id)
        return TemplateResponse(
            request,
            PAGE_TEMPLATE,
            {
                **self._movements_admin().admin_site.each_context(request),
                "title": f"Movements matched: {offer}",
                "offer": offer,
                "movements": offer_movements(offer=offer),
                "csv_url": reverse("admin:notes_exchangeoffer_movements_csv", args=[offer.pk]),
                "opts": self._movements_admin().model._meta,
            },
        )

    def movements_csv_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        offer = self._offer(request, object_id)
        response = HttpResponse(
            movements_csv(offer_movements(offer=offer)), content_type="text/csv; charset=utf-8"
        )
        filename = f"movements-{offer.slug}-{clock.today().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
