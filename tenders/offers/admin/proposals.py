"""Admin > Proposals: the offer's decisions, changes of a firm's cutoff or threshold (and full
TIN reveals) one operator proposed, with a page where another approves or rejects each.
Approving carries it out (`tenders.offers.decisions.proposal_approve`)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from exchange_office.admin_mixins import ReadOnlyAdminMixin, ReadOnlyHistoryAdmin
from exchange_office.formatting import describe_instant
from tenders.approvals.admin import DECISION_FIELDS
from tenders.approvals.firm_controls import firm_change_now
from tenders.approvals.models import ApprovalStatus, Proposal, ProposalKind
from tenders.approvals.services import proposal_reject
from tenders.offers.decisions import proposal_approve
from tenders.offers.selectors import tabulate


class DecisionForm(forms.Form):
    note = forms.CharField(
        label="Note (required to reject: the proposer sees it)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryAdmin):
    list_display = [
        "summary",
        "status",
        "proposed_by",
        "proposed_when",
        "expires_when",
        "decided_by",
        "decide_link",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["proposed_by", "decided_by", "offer", "firm"]
    exclude = ["params"]
    readonly_fields = [
        "kind",
        "offer",
        "firm",
        "late_exception",
        "account",
        "summary",
        "reason",
        "proposed_by",
        "proposed_at",
        "proposed_wall_at",
        "expires_at",
        *DECISION_FIELDS,
        "outcome",
        "used_at",
    ]

    @admin.display(description="proposed")
    def proposed_when(self, proposal: Proposal) -> str:
        return describe_instant(proposal.proposed_at)

    @admin.display(description="expires")
    def expires_when(self, proposal: Proposal) -> str:
        return describe_instant(proposal.expires_at)

    @admin.display(description="decision")
    def decide_link(self, proposal: Proposal) -> str:
        if proposal.status != ApprovalStatus.AWAITING:
            return ""
        url = reverse("admin:tenders_proposal_decide", args=[proposal.pk])
        return format_html('<a class="button" href="{}">Approve or reject…</a>', url)

    def get_urls(self) -> list[URLPattern]:
        decide = self.admin_site.admin_view(self.decide_view)
        return [
            path("<int:pk>/decide/", decide, name="tenders_proposal_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        proposal = get_object_or_404(
            Proposal.objects.select_related("proposed_by", "offer", "firm", "account"), pk=pk
        )
        if not self.has_view_permission(request, proposal):
            raise PermissionDenied
        form = DecisionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            user: Any = request.user
            try:
                if "_reject" in request.POST:
                    proposal_reject(proposal=proposal, by=user, note=form.cleaned_data["note"])
                    self.message_user(request, f"Rejected: {proposal.summary}", messages.SUCCESS)
                else:
                    done = proposal_approve(proposal=proposal, by=user)
                    self.message_user(
                        request,
                        f"Approved and carried out: {done.outcome or done.summary}",
                        messages.SUCCESS,
                    )
                return redirect("admin:tenders_proposal_changelist")
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                by_field = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for field, field_messages in by_field.items():
                    form.add_error("note" if field == "note" else None, field_messages)
        return TemplateResponse(
            request,
            "admin/tenders/proposal/decide.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Approve or reject: {proposal.summary}",
                "proposal": proposal,
                "own_proposal": proposal.proposed_by_id == request.user.pk,
                "form": form,
                "opts": Proposal._meta,
                **self._what_it_does(proposal),
            },
        )

    @staticmethod
    def _what_it_does(proposal: Proposal) -> dict[str, Any]:
        """What the approver must see before carrying the proposal out: for a consummation
        awaiting approval, the tabulation the consummation page shows (the minimum and the
        exceptions: instructions the agent does not hold, which will not be accepted); for a
        firm's change, what it changes and which passed cutoffs it would reopen now."""
        if proposal.status != ApprovalStatus.AWAITING:
            return {}
        if proposal.kind == ProposalKind.FIRM_CONTROLS:
            return {"firm_change": firm_change_now(proposal)}
        if proposal.kind != ProposalKind.CONSUMMATE or proposal.offer is None:
            return {}
        return {"offer": proposal.offer, "tabulation": tabulate(offer=proposal.offer)}
