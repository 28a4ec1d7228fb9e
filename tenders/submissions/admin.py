"""The admin's "Submissions to the agent": what is due on each firm's channel (new
instructions and cancellations), a preview download in every format, one button that records
the file in the firm's own format and downloads it, "send again" (every live instruction, or
a recorded file) flagged as possible duplicates, and every file sent, downloadable again
exactly as stored. Files are written only by the services: the admin never adds, changes or
deletes one."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from exchange_office.admin_mixins import ReadOnlyAdminMixin
from exchange_office.formatting import describe_instant, dollars
from exchange_office.http import AuthenticatedHttpRequest, refusal_text
from notes.models import ExchangeOffer, OfferStatus
from tenders.accounts.models import BrokerFirm
from tenders.instructions.models import Instruction
from tenders.submissions.forms import AgentFileForm, SendForm
from tenders.submissions.models import (
    FILE_TYPES,
    AgentReply,
    AgentReplyFile,
    AgentSubmission,
    AgentSubmissionItem,
    SubmissionFormat,
)
from tenders.submissions.permissions import may_import_agent_files, may_submit_to_agent
from tenders.submissions.reconciliation_admin import ReconciliationUrlsMixin, reconciliation_context
from tenders.submissions.replies import AgentFileRefused, agent_replies_import
from tenders.submissions.selectors import (
    agent_standing,
    agent_standings_of,
    agent_submission_build,
    pending_by_firm,
)
from tenders.submissions.services import (
    RecordedSubmission,
    agent_submission_record,
    agent_submission_resend,
    instructions_submit_to_agent,
)


def _file_response(
    content: bytes, *, filename: str, content_type: str, sha256: str
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-SHA256"] = sha256
    return response


SHORT_FORMAT_NAMES = {
    SubmissionFormat.SEEV033: "seev.033",
    SubmissionFormat.MT565: "MT565",
    SubmissionFormat.CSV: "CSV",
}


class AgentSubmissionItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AgentSubmissionItem
    extra = 0
    fields = [
        "sequence",
        "kind",
        "reference",
        "cancels_reference",
        "instruction",
        "choice",
        "face_amount",
        "status",
    ]


@admin.register(AgentSubmission)
class AgentSubmissionAdmin(ReconciliationUrlsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    change_list_template = "admin/tenders/agentsubmission/change_list.html"
    # The download first and short columns: the table scrolls sideways beside the filters.
    list_display = [
        "number",
        "download_button",
        "dtc",
        "short_format",
        "held",
        "possible_duplicate",
        "business_at",
        "created_by",
        "digest",
    ]
    list_display_links = ["number"]
    list_filter = ["offer", "firm", "format", "possible_duplicate"]
    list_select_related = ["offer", "firm", "created_by"]
    search_fields = ["participant", "sha256", "items__reference"]
    actions = None
    inlines = [AgentSubmissionItemInline]
    fields = [
        "offer",
        "firm",
        "participant",
        "format",
        "holds_all",
        "possible_duplicate",
        "event_id",
        "download_link",
        "sha256",
        "size",
        "created_by",
        "business_at",
        "wall_at",
    ]
    readonly_fields = ["download_link"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgentSubmission]:
        return (
            super()
            .get_queryset(request)
            .defer("content")
            .annotate(
                new=Count("items", filter=Q(items__kind="instruct")),
                cancellations=Count("items", filter=Q(items__kind="cancel")),
            )
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="tenders_agentsubmission_download",
            ),
            path(
                "<int:pk>/resend/",
                self.admin_site.admin_view(self.resend_view),
                name="tenders_agentsubmission_resend",
            ),
            path(
                "send/",
                self.admin_site.admin_view(self.send_view),
                name="tenders_agentsubmission_send",
            ),
            *self.reconciliation_urls(),
            path(
                "preview/<int:offer>/<int:firm>/<str:file_format>/",
                self.admin_site.admin_view(self.preview_view),
                name="tenders_agentsubmission_preview",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="submission", ordering="pk")
    def number(self, obj: AgentSubmission) -> str:
        return f"No. {obj.pk}"

    @admin.display(description="DTC", ordering="participant")
    def dtc(self, obj: AgentSubmission) -> str:
        return obj.participant

    @admin.display(description="format", ordering="format")
    def short_format(self, obj: AgentSubmission) -> str:
        return SHORT_FORMAT_NAMES[SubmissionFormat(obj.format)]

    @admin.display(description="file")
    def download_button(self, obj: AgentSubmission) -> str:
        return format_html(
            '<a href="{}" title="{}">Download</a>',
            reverse("admin:tenders_agentsubmission_download", args=[obj.pk]),
            obj.filename,
        )

    @admin.display(description="messages")
    def held(self, obj: AgentSubmission) -> str:
        new = getattr(obj, "new", None)
        cancellations = getattr(obj, "cancellations", None)
        if new is None or cancellations is None:
            return ""
        return f"{new} new, {cancellations} cancellation(s)"

    @admin.display(description="SHA-256")
    def digest(self, obj: AgentSubmission) -> str:
        """The start of the file's SHA-256 (the whole on the submission's page)."""
        return f"{obj.sha256[:16]}…"

    @admin.display(description="file")
    def download_link(self, obj: AgentSubmission) -> str:
        if obj.pk is None:
            return ""
        return format_html(
            '<a href="{}">Download {}</a>',
            reverse("admin:tenders_agentsubmission_download", args=[obj.pk]),
            obj.filename,
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = {"may_send": may_submit_to_agent(user=request.user), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        offers = ExchangeOffer.objects.filter(status=OfferStatus.OPEN).select_related(
            "old_security"
        )
        context = {
            "title": "Submissions to the agent",
            "pending": [(offer, pending_by_firm(offer=offer)) for offer in offers],
            "consummated": ExchangeOffer.objects.filter(status=OfferStatus.CONSUMMATED).order_by(
                "-consummation_date", "-pk"
            ),
            "firms": BrokerFirm.objects.order_by("dtc_participant_number"),
            "formats": [(f.value, SHORT_FORMAT_NAMES[f]) for f in SubmissionFormat],
            "may_send": may_submit_to_agent(user=request.user),
            **reconciliation_context(request, offers),  # issue 21: what is left unsent
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def download_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The file as it was sent: its stored bytes."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        submission = get_object_or_404(AgentSubmission.objects.select_related("offer"), pk=pk)
        return _file_response(
            bytes(submission.content),
            filename=submission.filename,
            content_type=FILE_TYPES[SubmissionFormat(submission.format)][1],
            sha256=submission.sha256,
        )

    def preview_view(
        self, request: HttpRequest, offer: int, firm: int, file_format: str
    ) -> HttpResponse:
        """What is due on the firm's channel, in any format, recording nothing."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if file_format not in SubmissionFormat.values:
            raise Http404("No such format.")
        back = HttpResponseRedirect(reverse("admin:tenders_agentsubmission_changelist"))
        try:
            built = agent_submission_build(
                offer=get_object_or_404(ExchangeOffer, pk=offer),
                firm=get_object_or_404(BrokerFirm, pk=firm),
                file_format=file_format,
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return back
        return _file_response(
            built.content,
            filename=built.filename,
            content_type=built.content_type,
            sha256=built.sha256,
        )

    def _sent(self, request: HttpRequest, recorded: RecordedSubmission) -> HttpResponse:
        submission = recorded.submission
        resend = (
            " (sent again, flagged as possible duplicates)"
            if (submission.possible_duplicate)
            else ""
        )
        self.message_user(
            request,
            f"Recorded {submission}{resend}: {recorded.new} instruction(s) and "
            f"{recorded.cancellations} cancellation(s), SHA-256 {submission.sha256}.",
            messages.SUCCESS,
        )
        for reason in recorded.held_back:
            self.message_user(request, f"Held back: {reason}", messages.WARNING)
        return _file_response(
            bytes(submission.content),
            filename=submission.filename,
            content_type=FILE_TYPES[SubmissionFormat(submission.format)][1],
            sha256=submission.sha256,
        )

    def send_view(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        """Record the firm's next file in its own format (with every live instruction, those
        sent before flagged as possible duplicates, for "send again"), and download it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not may_submit_to_agent(user=request.user):
            raise PermissionDenied("Only operations staff submit instructions to the agent.")
        back = HttpResponseRedirect(reverse("admin:tenders_agentsubmission_changelist"))
        form = SendForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "Choose an offer and a firm.", messages.ERROR)
            return back
        try:
            recorded = agent_submission_record(
                offer=form.cleaned_data["offer"],
                firm=form.cleaned_data["firm"],
                holds_all=form.cleaned_data["holds_all"],
                by=request.user,
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return back
        return self._sent(request, recorded)

    def resend_view(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        """Send a recorded file's messages again, flagged as possible duplicates."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not may_submit_to_agent(user=request.user):
            raise PermissionDenied("Only operations staff submit instructions to the agent.")
        submission = get_object_or_404(
            AgentSubmission.objects.select_related("offer", "firm"), pk=pk
        )
        try:
            recorded = agent_submission_resend(submission=submission, by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:tenders_agentsubmission_change", args=[pk]))
        return self._sent(request, recorded)


class SubmitToAgentMixin:
    """The instruction list's action: mark the selected received instructions submitted, as
    tendered in ATOP by hand, without a file (mixed into the instructions' admin by
    `tenders.pages.admin`). No file holds them yet, so they stay "not sent" with the agent
    until the participant's next file does: the action says so."""

    agent_actions = ["submit_to_agent"]

    def has_submit_to_agent_permission(self, request: HttpRequest) -> bool:
        return may_submit_to_agent(user=request.user)

    @admin.action(
        description="Mark the selected received instructions submitted in ATOP (still to send "
        "in a file)",
        permissions=["submit_to_agent"],
    )
    def submit_to_agent(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[Instruction]
    ) -> None:
        assert isinstance(self, admin.ModelAdmin)
        for offer in ExchangeOffer.objects.filter(instructions__in=queryset).distinct():
            try:
                result = instructions_submit_to_agent(
                    offer=offer, instructions=queryset.filter(offer=offer), by=request.user
                )
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, refusal_text(exc), messages.ERROR)
                continue
            if result.submitted:
                self.message_user(
                    request,
                    f"Marked {len(result.submitted)} instruction(s) for "
                    f"{dollars(result.principal)} submitted. No file holds them yet: they go in "
                    "the participant's next file, and until one does they count as not sent "
                    "(consummation does not accept them).",
                    messages.SUCCESS,
                )
            for _, reason in result.refused:
                self.message_user(request, f"Not submitted: {reason}", messages.ERROR)
            if result.skipped:
                self.message_user(
                    request,
                    f"{result.skipped} selected instruction(s) were not received ones: skipped.",
                    messages.WARNING,
                )


# Files from the agent (issue 21): uploaded, read whole, matched to what was sent

MAX_AGENT_FILE_BYTES = 20 * 1024 * 1024


class AgentReplyInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AgentReply
    extra = 0
    fields = [
        "reference",
        "instruction",
        "message_type",
        "kind",
        "status",
        "reason_code",
        "reason",
        "agent_reference",
        "advised_at",
    ]


@admin.register(AgentReplyFile)
class AgentReplyFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The agent's files as imported; "Upload" imports one (operations with
    tenders.add_agentreplyfile), refused whole when any message is unreadable or unknown."""

    change_list_template = "admin/tenders/agentreplyfile/change_list.html"
    list_display = ["filename", "format", "matched", "unmatched", "rejected", "business_at"]
    list_filter = ["offer", "format"]
    list_select_related = ["offer", "imported_by"]
    search_fields = ["filename", "sha256", "replies__reference"]
    actions = None
    inlines = [AgentReplyInline]
    exclude = ["content"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgentReplyFile]:
        return super().get_queryset(request).defer("content")

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="tenders_agentreplyfile_upload",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            # Django's default reads "Select file from the agent to view": it is the files
            # imported from the agent, and the upload of another.
            "title": "Files from the agent",
            "may_upload": may_import_agent_files(user=request.user),
            "upload_form": AgentFileForm(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def upload_view(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        """Import (or with "check only", check) one file. A refused file comes back on the
        list page with each problem beside the file field, and nothing written."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not may_import_agent_files(user=request.user):
            raise PermissionDenied("Only operations staff import the agent's files.")
        form = AgentFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._upload_refused(request, form)
        upload = form.cleaned_data["file"]
        if upload.size > MAX_AGENT_FILE_BYTES:
            form.add_error("file", "The file is larger than 20 MB.")
            return self._upload_refused(request, form)
        try:
            result = agent_replies_import(
                filename=upload.name,
                content=upload.read(),
                by=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except AgentFileRefused as exc:
            self.message_user(
                request,
                f"The file is refused, nothing was imported ({exc.result.summary}).",
                messages.ERROR,
            )
            for problem in exc.result.problems:
                form.add_error("file", problem)
            return self._upload_refused(request, form)
        if result.file is None:
            self.message_user(request, f"Checked, nothing written: {result.summary}.")
        else:
            self.message_user(
                request, f"Imported {result.file.filename}: {result.summary}.", messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:tenders_agentreplyfile_changelist"))

    def _upload_refused(self, request: HttpRequest, form: AgentFileForm) -> HttpResponse:
        """The list page again, the form bound with its errors beside the field."""
        response = self.changelist_view(request, {"upload_form": form})
        response.status_code = 400
        return response


class AgentStandingMixin:
    """The instruction list's column and change page's field: where the instruction stands
    with the agent and when the agent's status came (mixed in by `tenders.pages.admin`). The
    list reads the standings of the page's instructions in one query set per offer."""

    agent_fields = ["agent_status"]

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)  # type: ignore[misc]  # a mixin: the ModelAdmin supplies it
        by_offer: dict[int, list[Instruction]] = {}
        for instruction in changelist.result_list:
            by_offer.setdefault(instruction.offer_id, []).append(instruction)
        for rows in by_offer.values():
            standings = agent_standings_of(
                offer=rows[0].offer, instruction_ids=[row.pk for row in rows]
            )
            for row in rows:
                row._agent_standing = standings[row.pk]  # type: ignore[attr-defined]  # read by agent_status
        return changelist

    @admin.display(description="agent")
    def agent_status(self, obj: Instruction) -> str:
        row = getattr(obj, "_agent_standing", None)
        if row is None:
            if obj.pk is None:
                return ""
            row = agent_standing(instruction=obj)
        text = row.label
        if row.advised_at is not None:
            text += f" ({describe_instant(row.advised_at)})"
        if row.reason_code or row.reason:
            text += f": {' '.join(filter(None, [row.reason_code, row.reason]))}"
        return text
