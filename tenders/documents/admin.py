"""Operations' view of the issued documents: read-only, with their download and a regenerate
action that issues a new revision (the stored bytes of a document never change)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from exchange_office.admin_mixins import ReadOnlyAdminMixin
from exchange_office.http import AuthenticatedHttpRequest
from tenders.documents.models import Document
from tenders.documents.permissions import may_issue_documents
from tenders.documents.services import document_regenerate


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "number", "kind", "revision", "account_number", "instruction_version", "pages", "size",
        "generated_at",
    ]  # fmt: skip
    list_filter = ["kind", "offer", "account__firm"]
    list_select_related = ["account", "instruction"]
    search_fields = ["number", "account__account_number", "sha256", "key"]
    actions = ["regenerate"]
    fields = [
        "number",
        "kind",
        "revision",
        "account",
        "offer",
        "instruction",
        "key",
        "download",
        "sha256",
        "size",
        "pages",
        "generated_at",
        "generated_wall_at",
        "generated_by",
    ]
    readonly_fields = ["download"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        return super().get_queryset(request).defer("content")

    @admin.display(description="account", ordering="account__account_number")
    def account_number(self, obj: Document) -> str:
        return obj.account.account_number

    @admin.display(description="instruction")
    def instruction_version(self, obj: Document) -> str:
        """The instruction's version; a document about the account alone has none."""
        return f"version {obj.instruction.version}" if obj.instruction else "—"

    @admin.display(description="PDF")
    def download(self, obj: Document) -> str:
        return format_html(
            '<a href="{}">Download {}</a>',
            reverse("tenders:document_download", args=[obj.pk]),
            obj.filename,
        )

    def has_issue_permission(self, request: HttpRequest) -> bool:
        return may_issue_documents(user=request.user)

    @admin.action(
        description="Regenerate as a new revision (the old one is kept, not re-sent)",
        permissions=["issue"],
    )
    def regenerate(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Document]) -> None:
        for document in queryset:
            try:
                new = document_regenerate(document=document, by=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, f"Issued {new.number}.", messages.SUCCESS)
