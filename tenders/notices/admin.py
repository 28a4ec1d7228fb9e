"""Operations' report of the holders who do not tender: the offers listed, each with its report
(the accounts with Old Notes kept out of the exchange, their payouts and the totals) and its
CSV. Read-only: the report is read from the rows each time it is opened."""

import io
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from exchange_office.admin_mixins import ReadOnlyAdminMixin
from tenders.notices.export import write_csv
from tenders.notices.models import NonTenderReportOffer
from tenders.notices.selectors import nontender_report

ROWS_PER_PAGE = 200


@admin.register(NonTenderReportOffer)
class NonTenderReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "status", "consummation_date", "report_links"]
    list_select_related = ["issuer"]
    actions = None

    def get_urls(self) -> list[URLPattern]:
        csv_view = self.admin_site.admin_view(self.csv_view)
        return [
            path("<int:pk>/csv/", csv_view, name="tenders_nontenderreportoffer_csv"),
            *super().get_urls(),
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[NonTenderReportOffer]:
        return super().get_queryset(request).order_by("-commencement_date")

    @admin.display(description="report")
    def report_links(self, obj: NonTenderReportOffer) -> str:
        return format_html(
            '<a href="{}">Open the report</a> · <a href="{}">Download CSV</a>',
            reverse("admin:tenders_nontenderreportoffer_change", args=[obj.pk]),
            reverse("admin:tenders_nontenderreportoffer_csv", args=[obj.pk]),
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The report itself, paged; the totals are over every row."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        offer = get_object_or_404(NonTenderReportOffer, pk=object_id)
        report = nontender_report(offer=offer)
        page = Paginator(report.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        return TemplateResponse(
            request,
            "admin/tenders/nontenderreportoffer/report.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Holders who do not tender: {offer}",
                "opts": self.model._meta,
                "offer": offer,
                "report": report,
                "page": page,
                "csv_url": reverse("admin:tenders_nontenderreportoffer_csv", args=[offer.pk]),
            },
        )

    def csv_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        offer = get_object_or_404(NonTenderReportOffer, pk=pk)
        text = io.StringIO()
        write_csv(nontender_report(offer=offer), text)
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{offer.slug}-not-tendered.csv"'
        return response
