"""The offer's tabulation page in the admin, for operations: the office's figures against the
minimum condition beside the exchange agent's reported total (and the form to record a new
one), the chart, the breakdowns, and the CSV and SVG downloads. Reached from the offer list's
"Tabulation" column and from the offer's page; anyone who may view the offer may view it."""

from dataclasses import replace
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from exchange_office import clock
from exchange_office.admin_site import OfficeAdminSite
from exchange_office.formatting import dollars, long_date
from exchange_office.http import AuthenticatedHttpRequest
from notes.models import ExchangeOffer
from notes.permissions import may_record_agent_report
from notes.selectors import agent_reports, latest_agent_report
from notes.services import agent_report_record
from tenders.accounts.validators import validate_one_line
from tenders.data_version.cache import cached_figures
from tenders.instructions.forms import PrincipalAmountField
from tenders.instructions.models import InstructionStatus
from tenders.ledger.trial_balance import offer_exchanged
from tenders.offers.tabulation import (
    TenderedOverTime,
    kept_standing_counts,
    offer_tabulation,
    tabulation_csv,
    tendered_over_time,
)
from tenders.offers.tabulation_chart import Chart, build_chart
from tenders.submissions.reconciliation_admin import reconciliation_context, unsent_index_panel

PAGE_TEMPLATE = "admin/tenders/tabulation.html"
CHART_TEMPLATE = "admin/tenders/tabulation_chart.svg"
NOT_ANSWERED_SHOWN = 100  # the largest positions on the page; the CSV lists them all
CLOSE_UP_FROM = 90  # a second chart from 90% to 100% once the total has reached it
REPORTS_SHOWN = 10


class AgentReportForm(forms.Form):
    as_of = forms.DateField(
        label="As of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The date the agent's figure is as of.",
    )
    # Text, not a number input: "27,200,000" as the agent's report writes it is kept and read,
    # and what cannot be read comes back as typed, next to its message.
    tendered_principal = PrincipalAmountField(
        label="Tendered, whole issue",
        max_digits=15,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "e.g. 27,200,000"}),
        help_text="Principal tendered and not withdrawn for all the Old Notes, holders outside "
        "the office included, in dollars (e.g. 27,200,000 or $27,200,000.00).",
    )
    source = forms.CharField(
        max_length=300,
        validators=[validate_one_line],  # on one line, as every typed field of the office
        help_text="Where the figure comes from, e.g. “Wilmington Trust tender report, by fax”.",
    )


def _put_back(form: forms.Form, refusal: ValidationError) -> None:
    """A service's refusal onto the form: next to its field, or above the form."""
    by_field = (
        refusal.message_dict
        if hasattr(refusal, "error_dict")
        else {NON_FIELD_ERRORS: refusal.messages}
    )
    for field, field_messages in by_field.items():
        form.add_error(field if field in form.fields else None, field_messages)


def _charts(history: TenderedOverTime) -> list[tuple[str, Chart, int]]:
    """(element id, chart, lower bound of its percentage axis) for the page."""
    charts = [("tabulation-chart", build_chart(history), 0)]
    reached = max((total for _, total in history.points), default=0)
    if history.outstanding and reached * 100 >= CLOSE_UP_FROM * history.outstanding:
        charts.append(
            (
                "tabulation-chart-close-up",
                build_chart(history, y_from=CLOSE_UP_FROM),
                CLOSE_UP_FROM,
            )
        )
    return charts


def _page_figures(offer: ExchangeOffer) -> dict[str, Any]:
    """What the page shows of the tabulation, small enough to cache: the figures without a
    line per instruction, the largest unanswered positions, and the charts drawn. The agent's
    latest report is read by each request (who entered it is a user, whose table the data
    version does not watch)."""
    tabulation = offer_tabulation(offer=offer, not_answered_limit=NOT_ANSWERED_SHOWN)
    history = tendered_over_time(tabulation=tabulation)
    figures = replace(tabulation.figures, lines=(), not_answered=())
    shown = tabulation.not_answered
    not_answered_count = sum(firm.not_answered for firm in figures.by_firm)
    return {
        "tabulation": replace(tabulation, figures=figures, not_answered=shown, agent_report=None),
        "f": figures,
        "by_status": [(InstructionStatus(s.status).label, s) for s in figures.by_status],
        "charts": [
            {"id": chart_id, "chart": chart, "y_from": y_from}
            for chart_id, chart, y_from in _charts(history)
        ],
        "extensions": history.extensions,
        "not_answered": shown,
        "not_answered_count": not_answered_count,
        "not_answered_more": max(0, not_answered_count - len(shown)),
    }


class OfferTabulationViews:
    """Mixed into the offer's ModelAdmin (tenders.offers.admin.OfferAdmin), first."""

    def _admin(self) -> "admin.ModelAdmin[ExchangeOffer]":
        return cast("admin.ModelAdmin[ExchangeOffer]", self)

    def _next(self) -> Any:
        """The ModelAdmin methods this mixin extends, as the classes after it define them."""
        return super()

    # Links to the page

    def get_list_display(self, request: HttpRequest) -> Any:
        return [*self._next().get_list_display(request), "tabulation_link"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self._next().get_readonly_fields(request, obj), "tabulation_link"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(self._next().get_fieldsets(request, obj))
        if obj is None or obj.pk is None:
            return fieldsets
        tabulation = (
            "Tabulation",
            {
                "fields": ["tabulation_link"],
                "description": "The office's total against the minimum condition, beside the "
                "exchange agent's; by status and by firm; the chart and the CSV.",
            },
        )
        return [*fieldsets[:1], tabulation, *fieldsets[1:]]

    @admin.display(description="Tabulation")
    def tabulation_link(self, offer: ExchangeOffer) -> SafeString | str:
        if offer.pk is None:
            return ""
        url = reverse("admin:notes_exchangeoffer_tabulation", args=[offer.pk])
        return format_html('<a href="{}">Tabulation</a>', url)

    # The pages

    def get_urls(self) -> list[URLPattern]:
        def view(function: Any) -> Any:
            return self._admin().admin_site.admin_view(function)

        return [
            path(
                "<path:object_id>/tabulation/",
                view(self.tabulation_view),
                name="notes_exchangeoffer_tabulation",
            ),
            path(
                "<path:object_id>/tabulation.csv",
                view(self.tabulation_csv_view),
                name="notes_exchangeoffer_tabulation_csv",
            ),
            path(
                "<path:object_id>/tabulation.svg",
                view(self.tabulation_svg_view),
                name="notes_exchangeoffer_tabulation_svg",
            ),
            *self._next().get_urls(),
        ]

    def _viewable_offer(self, request: HttpRequest, object_id: str) -> ExchangeOffer:
        offer = self._admin().get_object(request, object_id)
        if offer is None:
            raise Http404("No such offer.")
        if not self._admin().has_view_permission(request, offer):
            raise PermissionDenied
        return offer

    def tabulation_view(self, request: AuthenticatedHttpRequest, object_id: str) -> HttpResponse:
        offer = self._viewable_offer(request, object_id)
        may_record = may_record_agent_report(user=request.user)
        form = AgentReportForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if not may_record:
                raise PermissionDenied("You may not record the exchange agent's totals.")
            if form.is_valid():
                try:
                    report = agent_report_record(offer=offer, by=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    _put_back(form, exc)
                else:
                    self._admin().message_user(
                        request,
                        f"Recorded the exchange agent's total: "
                        f"{dollars(report.tendered_principal)} as of {long_date(report.as_of)}.",
                        messages.SUCCESS,
                    )
                    # To the top of the page's content, where the message is: a redirect
                    # without a fragment keeps the form's.
                    return HttpResponseRedirect(f"{request.path}#content-start")
        return TemplateResponse(
            request,
            PAGE_TEMPLATE,
            {
                **self._admin().admin_site.each_context(request),
                **self._page_context(offer),
                # Not cached (the firms' cutoffs pass with the clock): from the kept lines.
                **reconciliation_context(request, [offer], kept_standing_counts),
                "title": f"Tabulation: {offer}",
                "opts": ExchangeOffer._meta,
                "original": offer,
                "form": form if may_record else None,
                "today": clock.today(),
            },
        )

    def _page_context(self, offer: ExchangeOffer) -> dict[str, Any]:
        svg_url = reverse("admin:notes_exchangeoffer_tabulation_svg", args=[offer.pk])
        return {
            **cached_figures(offer, _page_figures),
            "offer": offer,
            "report": latest_agent_report(offer=offer),
            # Read each time: a reversal in the books moves no data version.
            "exchanged": offer_exchanged(offer=offer),
            "reports": list(agent_reports(offer=offer)[:REPORTS_SHOWN]),
            "svg_url": svg_url,
            "csv_url": reverse("admin:notes_exchangeoffer_tabulation_csv", args=[offer.pk]),
        }

    def tabulation_csv_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        offer = self._viewable_offer(request, object_id)
        tabulation = offer_tabulation(offer=offer)
        response = HttpResponse(tabulation_csv(tabulation), content_type="text/csv; charset=utf-8")
        filename = f"tabulation-{offer.slug}-{clock.today().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def tabulation_svg_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        offer = self._viewable_offer(request, object_id)
        y_from = CLOSE_UP_FROM if request.GET.get("from") == str(CLOSE_UP_FROM) else 0
        history = tendered_over_time(tabulation=offer_tabulation(offer=offer))
        svg = render_to_string(
            CHART_TEMPLATE,
            {"chart": build_chart(history, y_from=y_from), "chart_id": "tabulation-chart"},
        )
        return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


def kept_unsent_index_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The admin index's panel of what is left unsent, from the tabulation's kept lines."""
    return unsent_index_panel(request, counts_of=kept_standing_counts)


if isinstance(admin.site, OfficeAdminSite):
    admin.site.add_index_panel(kept_unsent_index_panel)
