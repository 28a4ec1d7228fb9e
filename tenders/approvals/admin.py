"""The instructions held for a firm's supervisor, read-only here: supervisors approve them on
the representatives' pages. The proposals are decided in Admin > Proposals
(`tenders.offers.admin.proposals`), where an approved offer decision is carried out. A firm's
page proposes a change of its cutoff or threshold (`FirmControlsAdminMixin`)."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from exchange_office.admin_mixins import ReadOnlyAdminMixin, ReadOnlyHistoryAdmin
from exchange_office.formatting import describe_instant, timestamp
from tenders.accounts.models import FIRM_CONTROL_FIELDS, BrokerFirm
from tenders.approvals.firm_controls import firm_controls_of, firm_controls_propose
from tenders.approvals.forms import FirmControlsForm
from tenders.approvals.models import HeldInstruction, Proposal
from tenders.approvals.permissions import may_change_firm_controls
from tenders.approvals.selectors import firm_control_changes

# The second person's decision, on every row that waits for one (SecondPersonDecision).
DECISION_FIELDS = ["status", "decided_by", "decided_at", "decided_wall_at", "decision_note"]


@admin.register(HeldInstruction)
class HeldInstructionAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryAdmin):
    list_display = [
        "account",
        "reason",
        "tendered",
        "entered_by",
        "entered_at",
        "status",
        "decided_by",
    ]
    list_filter = ["status", "reason"]
    list_select_related = ["account__firm", "entered_by", "decided_by"]
    exclude = ["data", "tin"]  # the form as typed, and its taxpayer ID, stay out of the admin
    readonly_fields = [
        "account",
        "offer",
        "reason",
        "tendered",
        "amends",
        "entered_by",
        "entered_at",
        "entered_wall_at",
        "expires_at",
        *DECISION_FIELDS,
        "instruction",
    ]


class FirmControlsAdminMixin:
    """Mixed into the firm's ModelAdmin (`tenders.pages.admin.FirmAdmin`). A firm's cutoff and
    threshold are read-only on its page (`BrokerFirmAdmin`); here, the page where an operator
    proposes a change for another to approve (also an action on the firm list), and the
    record of every change proposed, with who, when and why, on the firm's page."""

    admin_site: admin.AdminSite
    CONTROL_CHANGES_FIELD = "control_changes"
    FIRM_CONTROL_ACTIONS = ("propose_controls_change",)

    def has_change_firm_controls_permission(self, request: HttpRequest) -> bool:
        return may_change_firm_controls(user=request.user)

    @admin.display(description="changes of the cutoff and second approval")
    def control_changes(self, firm: BrokerFirm) -> str:
        if firm.pk is None:
            return ""
        url = reverse("admin:tenders_brokerfirm_propose_controls", args=[firm.pk])
        propose = format_html(
            '<p><a class="button" href="{}" data-testid="propose-controls">'
            "Propose a change of cutoff/threshold…</a></p>",
            url,
        )
        changes = list(firm_control_changes(firm=firm))
        if not changes:
            return format_html("{}<p>None proposed yet.</p>", propose)
        rows = format_html_join(
            "",
            "<tr><td>{}<br>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timestamp(change.proposed_at),
                    change.proposed_by.get_username(),
                    change.summary,
                    change.reason,
                    self._decision(change),
                )
                for change in changes
            ),
        )
        return format_html(
            '{}<table data-testid="control-changes"><thead><tr><th scope="col">Proposed</th>'
            '<th scope="col">Change</th><th scope="col">Why</th><th scope="col">Decision</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            propose,
            rows,
        )

    @staticmethod
    def _decision(change: Proposal) -> str:
        if change.decided_by is None or change.decided_at is None:
            return change.get_status_display()
        note = change.outcome or change.decision_note
        return format_html(
            "{} by {}, {}{}",
            change.get_status_display(),
            change.decided_by.get_username(),
            timestamp(change.decided_at),
            format_html(": {}", note) if note else "",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]  # mixed into a ModelAdmin
        return [*fields, self.CONTROL_CHANGES_FIELD]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]  # mixed into a ModelAdmin
        if obj is None:
            return fieldsets
        return [
            *fieldsets,
            ("Changes of the cutoff and second approval", {"fields": [self.CONTROL_CHANGES_FIELD]}),
        ]

    def get_urls(self) -> list[URLPattern]:
        propose = self.admin_site.admin_view(self.propose_controls_view)
        return [
            path(
                "<int:firm_id>/propose-controls/",
                propose,
                name="tenders_brokerfirm_propose_controls",
            ),
            *super().get_urls(),  # type: ignore[misc]  # mixed into a ModelAdmin
        ]

    @admin.action(
        description="Propose a change of cutoff/threshold…", permissions=["change_firm_controls"]
    )
    def propose_controls_change(
        self, request: HttpRequest, queryset: QuerySet[BrokerFirm]
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, "Select one firm to propose a change for.", messages.ERROR)  # type: ignore[attr-defined]  # mixed into a ModelAdmin
            return None
        return redirect("admin:tenders_brokerfirm_propose_controls", queryset.get().pk)

    def propose_controls_view(self, request: HttpRequest, firm_id: int) -> HttpResponse:
        firm = get_object_or_404(BrokerFirm, pk=firm_id)
        if not may_change_firm_controls(user=request.user):
            raise PermissionDenied
        form = FirmControlsForm(
            request.POST if request.method == "POST" else None,
            initial={name: getattr(firm, name) for name in FIRM_CONTROL_FIELDS},
        )
        if request.method == "POST" and form.is_valid():
            user: Any = request.user
            try:
                proposal = firm_controls_propose(
                    firm=firm,
                    after=form.controls(),
                    reason=form.cleaned_data["reason"],
                    late_exception=form.cleaned_data["late_exception"],
                    by=user,
                )
            except ValidationError as refusal:
                for field, field_messages in refusal.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_messages)
            else:
                self.message_user(  # type: ignore[attr-defined]  # mixed into a ModelAdmin
                    request,
                    f"Proposed: {proposal.summary} Another operator approves it in Admin > "
                    f"Proposals before {describe_instant(proposal.expires_at)}; until then the "
                    "firm's cutoff and threshold are unchanged.",
                    messages.SUCCESS,
                )
                return redirect("admin:tenders_brokerfirm_change", firm.pk)
        return TemplateResponse(
            request,
            "admin/tenders/brokerfirm/propose_controls.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Propose a change of cutoff/threshold: {firm.name}",
                "firm": firm,
                "current": firm_controls_of(firm),
                "form": form,
                "opts": BrokerFirm._meta,
            },
        )


__all__ = ["DECISION_FIELDS", "FirmControlsAdminMixin", "HeldInstructionAdmin"]
