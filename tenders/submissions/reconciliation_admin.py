"""The admin's reconciliation with the exchange agent, for operations: a page per offer and
participant listing every live instruction with where it stands with the agent, and its CSV;
the panel of what is left unsent from each firm's cutoff (the admin's index, the tabulation,
Submissions to the agent); and the links from each firm. Reads only: it calls the selectors in
`tenders.submissions.reconciliation`.

Mixed into the model admins that carry the URLs (`ReconciliationUrlsMixin`, into Submissions to
the agent) and the links (`FirmReconciliationMixin`, into the firm's admin)."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from exchange_office import clock
from notes.models import ExchangeOffer
from tenders.accounts.models import BrokerFirm
from tenders.submissions.permissions import may_see_reconciliation
from tenders.submissions.reconciliation import (
    FirmUnsent,
    StandingCounts,
    live_standing_counts,
    reconciliation,
    reconciliation_csv,
    unsent_after_cutoff,
)

PAGE_TEMPLATE = "admin/tenders/agentsubmission/reconciliation.html"
INDEX_PANEL_TEMPLATE = "admin/tenders/agentsubmission/unsent_panel.html"
ROWS_PER_PAGE = 200


def reconciliation_url(*, offer: ExchangeOffer, firm: BrokerFirm) -> str:
    return reverse("admin:tenders_agentsubmission_reconciliation", args=[offer.pk, firm.pk])


def unsent_for(
    request: HttpRequest,
    offers: Any = None,
    counts_of: Callable[..., StandingCounts] = live_standing_counts,
) -> list[FirmUnsent]:
    """The panel's rows for this user: none unless operations (the rows link to the
    reconciliation), and none before a firm's cutoff. `counts_of` adds up an offer's live
    instructions by firm and standing (the tabulation's kept lines, from the pages above them)."""
    if not may_see_reconciliation(user=request.user):
        return []
    return unsent_after_cutoff(offers=offers, counts_of=counts_of)


def reconciliation_context(
    request: HttpRequest,
    offers: Any = None,
    counts_of: Callable[..., StandingCounts] = live_standing_counts,
) -> dict[str, Any]:
    """For a page that lists firms: whether to link each to its reconciliation, and the rows
    of what is left unsent from each firm's cutoff."""
    return {
        "may_reconcile": may_see_reconciliation(user=request.user),
        "unsent": unsent_for(request, offers, counts_of),
    }


def unsent_index_panel(
    request: HttpRequest, counts_of: Callable[..., StandingCounts] = live_standing_counts
) -> dict[str, Any] | None:
    """The admin index's panel (registered by `tenders.offers.admin`, with the kept counts)."""
    rows = unsent_for(request, counts_of=counts_of)
    return {"template": INDEX_PANEL_TEMPLATE, "unsent": rows} if rows else None


class ReconciliationUrlsMixin:
    """The reconciliation page and its CSV, under Submissions to the agent."""

    admin_site: admin.AdminSite

    def reconciliation_urls(self) -> list[URLPattern]:
        return [
            path(
                "reconciliation/<int:offer_id>/<int:firm_id>/",
                self.admin_site.admin_view(self.reconciliation_view),
                name="tenders_agentsubmission_reconciliation",
            ),
            path(
                "reconciliation/<int:offer_id>/<int:firm_id>/csv/",
                self.admin_site.admin_view(self.reconciliation_csv_view),
                name="tenders_agentsubmission_reconciliation_csv",
            ),
        ]

    @staticmethod
    def _subjects(
        request: HttpRequest, offer_id: int, firm_id: int
    ) -> tuple[ExchangeOffer, BrokerFirm]:
        if not may_see_reconciliation(user=request.user):
            raise PermissionDenied("Only operations staff see the reconciliation with the agent.")
        offer = get_object_or_404(ExchangeOffer.objects.select_related("old_security"), pk=offer_id)
        return offer, get_object_or_404(BrokerFirm, pk=firm_id)

    def reconciliation_view(
        self, request: HttpRequest, offer_id: int, firm_id: int
    ) -> HttpResponse:
        offer, firm = self._subjects(request, offer_id, firm_id)
        report = reconciliation(offer=offer, firm=firm)
        page = Paginator(report.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        return TemplateResponse(
            request,
            PAGE_TEMPLATE,
            {
                **self.admin_site.each_context(request),
                "title": f"Reconciliation with the agent: {firm.dtc_participant_number} "
                f"{firm.name}",
                "subtitle": str(offer),
                "opts": BrokerFirm._meta,
                "report": report,
                "page": page,
                "csv_url": reverse(
                    "admin:tenders_agentsubmission_reconciliation_csv", args=[offer.pk, firm.pk]
                ),
            },
        )

    def reconciliation_csv_view(
        self, request: HttpRequest, offer_id: int, firm_id: int
    ) -> HttpResponse:
        offer, firm = self._subjects(request, offer_id, firm_id)
        report = reconciliation(offer=offer, firm=firm)
        response = HttpResponse(reconciliation_csv(report), content_type="text/csv; charset=utf-8")
        filename = (
            f"reconciliation-{offer.slug}-{firm.dtc_participant_number}-"
            f"{clock.today().isoformat()}.csv"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class FirmReconciliationMixin:
    """A firm's links to its reconciliation for each offer, in the firm list and on its page,
    for operations."""

    RECONCILIATION_FIELD = "agent_reconciliation"

    @admin.display(description="reconciliation with the agent")
    def agent_reconciliation(self, obj: BrokerFirm) -> str:
        if obj.pk is None:
            return ""
        offers = getattr(obj, "_offers", None)
        if offers is None:  # the change page: one firm
            offers = list(ExchangeOffer.objects.order_by("-commencement_date", "-pk"))
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            ((reconciliation_url(offer=offer, firm=obj), str(offer)) for offer in offers),
        ) or format_html("{}", "No offer")

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        # The offers read once for the page, not once for each firm's row.
        changelist = super().get_changelist_instance(request)  # type: ignore[misc]  # mixed into a ModelAdmin
        offers = list(ExchangeOffer.objects.order_by("-commencement_date", "-pk"))
        for firm in changelist.result_list:
            firm._offers = offers
        return changelist

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = list(super().get_list_display(request))  # type: ignore[misc]  # mixed into a ModelAdmin
        if may_see_reconciliation(user=request.user):
            shown.append(self.RECONCILIATION_FIELD)
        return shown

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]  # mixed into a ModelAdmin
        return [*fields, self.RECONCILIATION_FIELD]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]  # mixed into a ModelAdmin
        if obj is None or not may_see_reconciliation(user=request.user):
            return fieldsets
        return [
            *fieldsets,
            ("Exchange agent", {"fields": [self.RECONCILIATION_FIELD]}),
        ]
