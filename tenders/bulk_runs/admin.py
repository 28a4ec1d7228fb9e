"""Operations' view of bulk runs: progress that moves without reloading, the failures with
their reasons, and the actions that resume a run or retry its failed items."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse

from exchange_office.admin_mixins import ReadOnlyAdminMixin
from exchange_office.http import AuthenticatedHttpRequest
from tenders.bulk_runs.actions import bulk_run_resume
from tenders.bulk_runs.models import BulkItemStatus, BulkRun, BulkRunItem, BulkRunStatus
from tenders.bulk_runs.permissions import may_manage_bulk_runs
from tenders.bulk_runs.selectors import PROGRESS_ANNOTATIONS, BulkProgress, bulk_run_progress


class BulkRunItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = BulkRunItem
    extra = 0
    fields = [
        "account", "instruction", "key", "status", "attempts", "error", "document", "holder",
        "finished_at",
    ]  # fmt: skip
    verbose_name_plural = "failures"

    def get_queryset(self, request: HttpRequest) -> QuerySet[BulkRunItem]:
        return (
            super()
            .get_queryset(request)
            .filter(status=BulkItemStatus.FAILED)
            .select_related("account__firm", "instruction__account", "document")
            .defer("document__content")
        )


@admin.register(BulkRun)
class BulkRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "status", "progress_bar", "created_by", "finished_at"]
    list_filter = ["status", "kind", "offer"]
    list_select_related = ["offer", "created_by"]
    fields = ["offer", "kind", "status", "created_by", "created_at", "finished_at", "progress_bar"]
    readonly_fields = ["progress_bar"]
    inlines = [BulkRunItemInline]
    actions = ["resume", "retry_failed"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[BulkRun]:
        return super().get_queryset(request).annotate(**PROGRESS_ANNOTATIONS)

    def get_urls(self) -> list[URLPattern]:
        progress = self.admin_site.admin_view(self.progress_view)
        return [
            path("<int:pk>/progress/", progress, name="tenders_bulkrun_progress"),
            *super().get_urls(),
        ]

    def progress_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(BulkRun, pk=pk)
        return JsonResponse(bulk_run_progress(run).as_dict())

    @admin.display(description="progress")
    def progress_bar(self, obj: BulkRun) -> str:
        progress = (
            BulkProgress.from_annotated(obj) if hasattr(obj, "total") else bulk_run_progress(obj)
        )
        return render_to_string(
            "admin/tenders/bulkrun/progress.html",
            {
                "progress": progress,
                "url": reverse("admin:tenders_bulkrun_progress", args=[obj.pk]),
                "live": progress.status == BulkRunStatus.RUNNING,
            },
        )

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return may_manage_bulk_runs(user=request.user)

    @admin.action(
        description="Resume: take over items whose worker stopped", permissions=["manage"]
    )
    def resume(self, request: AuthenticatedHttpRequest, queryset: QuerySet[BulkRun]) -> None:
        for run in queryset:
            count = bulk_run_resume(run=run, by=request.user)
            self.message_user(request, f"{run}: {count} item(s) put back; drains started.")

    @admin.action(description="Retry the failed items", permissions=["manage"])
    def retry_failed(self, request: AuthenticatedHttpRequest, queryset: QuerySet[BulkRun]) -> None:
        for run in queryset:
            count = bulk_run_resume(run=run, by=request.user, retry_failed=True)
            self.message_user(request, f"{run}: {count} item(s) put back; drains started.")
