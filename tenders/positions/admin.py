"""Positions in the admin: the list, each position's page and the inline on the account's page
(each saved through `position_save`, which refuses a position below a live tender), and the
positions feed, on django-import-export's pages: Positions > Import takes
the file (refused from its size, next to the field, before it is read) and shows the preview
(what each line does: a new account, updated, unchanged or refused, the first 500 of each
with the full counts); *Confirm import* imports it whole, and creates the new accounts only
when its tick is given.

django-import-export brings the pages (its upload form, the confirm form); the file is kept
between the preview and the confirmation in the database, for the operator who uploaded it
(`tenders.positions.pending`), so that any web server may take the confirmation; the rows are
this package's
(`positions_preview`, `positions_import`): its per-row saves reach some hundreds of lines a
second, and the feed writes its rows and audit trail in bulk instead (bench/README.md).
The confirmation carries the preview's fingerprint: the import writes only if its plan, made
again under the accounts' locks, is the one previewed.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import tablib
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from import_export import resources
from import_export.admin import ImportMixin
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.results import Error, Result, RowResult

from exchange_office.admin_mixins import (
    ListWithoutColumnsMixin,
    NoDeleteAdminMixin,
    ReadOnlyHistoryAdmin,
)
from tenders.accounts.models import Position
from tenders.data_version.cache import DataVersionPaginator
from tenders.positions.forms import ConfirmFeedForm, FeedUploadForm, PositionForm
from tenders.positions.imports import (
    ImportRefused,
    ImportReport,
    Outcome,
    RowPlan,
    positions_import,
    positions_preview,
)
from tenders.positions.pending import PendingImportStorage
from tenders.positions.permissions import may_import_positions
from tenders.positions.rows import COLUMNS, FileRefused, Refusal
from tenders.positions.services import position_save

ROWS_SHOWN = 500  # lines listed for each outcome in the preview (the counts are exact)


class FeedDataset(tablib.Dataset):
    """The file's text as it came: the feed reads it line by line itself, so that every
    refusal names the line of the file."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def __len__(self) -> int:
        return 1 if self.text.strip() else 0


class FeedCSV(base_formats.CSV):
    def get_title(self) -> str:
        return "csv"

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> FeedDataset:
        return FeedDataset(in_stream if isinstance(in_stream, str) else in_stream.decode())


class PositionsFeed(resources.Resource):
    """The feed's columns (for the import page's list), and the preview and import."""

    participant = Field(column_name="participant")
    account_number = Field(column_name="account_number")
    owners = Field(column_name="owners")
    address_line1 = Field(column_name="address_line1")
    address_line2 = Field(column_name="address_line2")
    city = Field(column_name="city")
    state = Field(column_name="state")
    postal_code = Field(column_name="postal_code")
    country = Field(column_name="country")
    email = Field(column_name="email")
    phone = Field(column_name="phone")
    principal = Field(column_name="principal")

    @classmethod
    def get_display_name(cls) -> str:
        return "Positions feed"

    def import_data(self, dataset: FeedDataset, dry_run: bool = False, **kwargs: Any) -> Result:
        request: HttpRequest = kwargs["request"]
        user = request.user
        assert user.is_authenticated, "the admin serves signed-in staff only"
        try:
            if dry_run:
                # New accounts are listed as such: the confirmation's tick creates them.
                report = positions_preview(text=dataset.text, by=user, create_accounts=True)
                request._positions_preview = report  # type: ignore[attr-defined]  # read by the confirm form
            else:
                report = positions_import(
                    text=dataset.text,
                    by=user,
                    file_name=kwargs.get("file_name") or "",
                    previewed=kwargs.get("previewed", ""),
                    create_accounts=kwargs.get("create_accounts", False),
                )
        except FileRefused as exc:
            report = ImportReport((), (Refusal(0, "", str(exc)),))
        except ImportRefused as exc:
            report = exc.report
        return _result(report)


@dataclass(frozen=True, slots=True)
class Section:
    """One kind of line in the preview: its first ROWS_SHOWN lines and how many more."""

    kind: str  # "created", "updated", "unchanged", "refused"
    title: str
    count: int
    rows: list[RowPlan] | list[Refusal]
    more: str  # "and 19,500 more refused lines", or ""


def _section(kind: str, title: str, rows: list[Any], noun: str) -> Section:
    more = len(rows) - ROWS_SHOWN
    text = f"and {more:,} more {noun}{'s' if more != 1 else ''}" if more > 0 else ""
    return Section(kind, title, len(rows), rows[:ROWS_SHOWN], text)


def feed_sections(report: ImportReport) -> list[Section]:
    """What each line does, kind by kind, each list cut at ROWS_SHOWN (a page of 20,000
    refused lines was 50 MB of HTML), with the exact counts."""
    return [
        _section("refused", "Refused", list(report.refused), "refused line"),
        _section("created", "New accounts", report.of(Outcome.CREATED), "new account"),
        _section("updated", "Updated", report.of(Outcome.UPDATED), "updated line"),
        _section("unchanged", "Left unchanged", report.of(Outcome.UNCHANGED), "unchanged line"),
    ]


def _result(report: ImportReport) -> Result:
    """django-import-export's result of the feed's report: its totals, the refusals as
    invalid rows (so that no confirm button is offered; the first ROWS_SHOWN, the count is in
    the totals), and the report with its sections for the page."""
    result = Result()
    result.feed_report = report  # read by the template
    result.feed_sections = feed_sections(report)  # read by the template
    result.totals[RowResult.IMPORT_TYPE_NEW] = report.created
    result.totals[RowResult.IMPORT_TYPE_UPDATE] = report.updated
    result.totals[RowResult.IMPORT_TYPE_SKIP] = report.unchanged
    result.totals[RowResult.IMPORT_TYPE_INVALID] = len(report.refused)
    for refusal in report.refused[:ROWS_SHOWN]:
        result.append_invalid_row(refusal.line, {}, ValidationError(str(refusal)))
    if report.changed_since_preview:
        result.append_base_error(Error(ImportRefused(report)))
    return result


# The user whose upload the import pages keep and read. django-import-export makes its storage
# with `get_tmp_storage_class_kwargs()`, which is given no request: the two pages that reach
# the storage set this for the length of their request (a ContextVar: each thread's own).
_uploader: ContextVar[User | AnonymousUser | None] = ContextVar("positions_uploader", default=None)


@contextmanager
def _uploads_of(request: HttpRequest) -> Iterator[None]:
    token = _uploader.set(request.user)
    try:
        yield
    finally:
        _uploader.reset(token)


class PositionsImportMixin(ImportMixin):
    """Positions > Import, for those who may import positions."""

    tmp_storage_class = PendingImportStorage
    resource_classes = [PositionsFeed]
    formats = [FeedCSV]
    import_form_class = FeedUploadForm
    confirm_form_class = ConfirmFeedForm
    import_template_name = "admin/tenders/position/import.html"
    skip_admin_log = True  # the audit trail has a row for each change

    def has_import_permission(self, request: HttpRequest) -> bool:
        return may_import_positions(user=request.user)

    def get_tmp_storage_class_kwargs(self) -> dict[str, Any]:
        return {"by": _uploader.get()}

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        with _uploads_of(request):
            return super().import_action(request, **kwargs)

    def get_import_data_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.pop("form", None)
        if isinstance(form, ConfirmFeedForm):
            kwargs["previewed"] = form.cleaned_data.get("previewed", "")
            kwargs["create_accounts"] = bool(form.cleaned_data.get("create_accounts"))
        return kwargs

    def get_confirm_form_initial(self, request: HttpRequest, import_form: Any) -> dict[str, Any]:
        initial = super().get_confirm_form_initial(request, import_form)
        preview: ImportReport | None = getattr(request, "_positions_preview", None)
        if preview is not None:
            initial["previewed"] = preview.digest
            initial["new_accounts"] = preview.created
        return initial

    def process_import(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """*Confirm import*; without the tick a file with new accounts imports nothing, and the
        preview is shown again with the error next to the tick."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        try:
            with _uploads_of(request):
                if request.method == "POST":
                    form = self.create_confirm_form(request)
                    if not form.is_valid() and set(form.errors) == {"create_accounts"}:
                        return self._confirm_again(request, form)
                return super().process_import(request, **kwargs)
        except FileNotFoundError:
            # The file kept since the upload is gone: imported already (a second click, the
            # browser's Back), deleted by the sweep after a day, another user's, or a name
            # that was never an upload (PendingImportMissing). Nothing was read or written.
            messages.error(
                request,
                "This preview was already imported, or is no longer kept: nothing was "
                "imported now. Upload the file again to see what it would change.",
            )
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))

    def _confirm_again(self, request: HttpRequest, form: ConfirmFeedForm) -> HttpResponse:
        """The confirmation page again for the file kept since the upload: the preview made
        anew, and the confirm form as posted, with its error."""
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])](
            encoding=self.from_encoding
        )
        storage = self.get_tmp_storage_class()(
            name=form.cleaned_data["import_file_name"],
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        dataset = input_format.create_dataset(storage.read())
        result = PositionsFeed().import_data(dataset, dry_run=True, request=request)
        refused = result.has_errors() or result.has_validation_errors()
        context = {
            **self.admin_site.each_context(request),
            **self.get_import_context_data(),
            "title": "Import",
            "opts": self.model._meta,
            "result": result,
            "confirm_form": None if refused else form,
            "form": self.get_import_form_class(request)(
                self.get_import_formats(), self.get_import_resource_classes(request)
            ),
        }
        return TemplateResponse(request, [self.import_template_name], context)

    def get_import_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            "columns": list(COLUMNS),
            "rows_shown": ROWS_SHOWN,
            "max_bytes": settings.POSITIONS_IMPORT_MAX_BYTES,
            "max_rows": settings.POSITIONS_IMPORT_MAX_ROWS,
        }

    def process_result(self, result: Result, request: HttpRequest) -> HttpResponse:
        """Imported: back to the positions with the counts. Refused at the last moment (a
        line no longer passes, or the plan changed since the preview): the new report, and
        nothing written."""
        if result.has_errors() or result.has_validation_errors():
            context = {
                **self.admin_site.each_context(request),
                **self.get_import_context_data(),
                "title": "Import refused: nothing was imported",
                "opts": self.model._meta,
                "result": result,
                "form": self.get_import_form_class(request)(
                    self.get_import_formats(), self.get_import_resource_classes(request)
                ),
            }
            return TemplateResponse(request, [self.import_template_name], context)
        report: ImportReport = result.feed_report  # set by _result
        messages.success(
            request,
            f"Positions feed imported: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged.",
        )
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))


class PositionInline(NoDeleteAdminMixin, admin.TabularInline):
    model = Position
    form = PositionForm
    extra = 0
    autocomplete_fields = ["security"]


@admin.register(Position)
class PositionAdmin(
    ListWithoutColumnsMixin, PositionsImportMixin, NoDeleteAdminMixin, ReadOnlyHistoryAdmin
):
    """Positions, and the positions feed's import (Positions > Import)."""

    form = PositionForm
    list_display = ["account", "account_firm", "security", "principal"]
    list_filter = ["security", "account__firm"]
    list_select_related = ["account__firm", "security"]
    # By firm number and account number (the accounts' unique index), not by firm name: the
    # default order sorted every position of the book for each page (215 ms at 100,000).
    ordering = ["account__firm_id", "account__account_number", "security_id"]
    show_full_result_count = False  # one COUNT(*) per page, not two
    paginator = DataVersionPaginator  # the COUNT(*) from the cache while nothing changed
    list_per_page = 50  # a page renders in about half the time of Django's 100 rows
    changelist_defer = ("account__tin",)
    rows_under_data_version = True  # tenders/templatetags/admin_rows.py
    search_fields = ["account__account_number", "account__owners__name"]
    autocomplete_fields = ["account", "security"]

    @admin.display(description="firm", ordering="account__firm__name")
    def account_firm(self, obj: Position) -> str:
        return obj.account.firm.name

    def save_model(self, request: HttpRequest, obj: Position, form: Any, change: bool) -> None:
        assert request.user.is_authenticated, "the admin serves signed-in staff only"
        position_save(position=obj, by=request.user)
