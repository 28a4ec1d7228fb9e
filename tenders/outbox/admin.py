"""Operations' view of the outbox: every e-mail of a document, read-only, with a resend
action for a person to decide on a failed message or one whose outcome is unknown."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from exchange_office.admin_mixins import ReadOnlyAdminMixin
from exchange_office.http import AuthenticatedHttpRequest
from tenders import permissions
from tenders.operations.services import outbox_message_resend
from tenders.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "queued_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["document"]
    search_fields = ["to", "subject", "document__number"]
    actions = ["resend"]
    fields = [
        "document",
        "to",
        "subject",
        "body",
        "status",
        "attempts",
        "queued_at",
        "attempted_at",
        "finished_at",
        "error",
        "resend_of",
        "queued_by",
    ]

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return permissions.may_resend_email(user=request.user)

    @admin.action(
        description="Resend (for failed messages, or ones whose outcome is unknown)",
        permissions=["resend"],
    )
    def resend(self, request: AuthenticatedHttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        for message in queryset:
            try:
                outbox_message_resend(message=message, by=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.WARNING)
            else:
                self.message_user(request, f"Queued again: {message}.", messages.SUCCESS)
