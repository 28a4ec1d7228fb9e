"""Operations' view of the outbox: every e-mail to a client (a document's, or a notice sent
alone), read-only, listed with its account. A message whose
outcome is unknown (its worker stopped mid-send) waits for a person: "Mark as sent" if it
reached the client, "Send again" if not. Nothing is ever resent on its own."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from exchange_office.admin_mixins import ReadOnlyAdminMixin
from exchange_office.http import AuthenticatedHttpRequest
from tenders.outbox.actions import outbox_message_mark_sent, outbox_message_resend
from tenders.outbox.models import OutboxMessage, OutboxStatus
from tenders.outbox.permissions import may_mark_email_sent, may_resend_email


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["subject", "account_number", "to", "status", "attempts", "queued_at"]
    list_filter = ["status", "offer", "account__firm"]
    list_select_related = ["account"]
    search_fields = ["to", "subject", "document__number", "account__account_number", "key"]
    actions = ["mark_sent", "resend"]
    fields = [
        "account",
        "offer",
        "document",
        "key",
        "to",
        "subject",
        "body",
        "status",
        "attempts",
        "queued_at",
        "attempted_at",
        "finished_at",
        "error",
        "holder",
        "lease_expires_at",
        "marked_sent_by",
        "marked_sent_at",
        "resend_of",
        "queued_by",
    ]

    @admin.display(description="account", ordering="account__account_number")
    def account_number(self, obj: OutboxMessage) -> str:
        return obj.account.account_number if obj.account is not None else "(to the office)"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        unknown = OutboxMessage.objects.filter(status=OutboxStatus.UNKNOWN).count()
        if unknown and request.method == "GET":
            self.message_user(
                request,
                f"{unknown} e-mail(s) of unknown outcome: their worker stopped mid-send. Check "
                "whether each reached the client, then mark it as sent or send it again.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return may_resend_email(user=request.user)

    def has_mark_sent_permission(self, request: HttpRequest) -> bool:
        return may_mark_email_sent(user=request.user)

    @admin.action(
        description="Mark as sent (outcome unknown, but it reached the client)",
        permissions=["mark_sent"],
    )
    def mark_sent(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[OutboxMessage]
    ) -> None:
        for message in queryset:
            try:
                outbox_message_mark_sent(message=message, by=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.WARNING)
            else:
                self.message_user(request, f"Marked as sent: {message.subject}.", messages.SUCCESS)

    @admin.action(
        description="Send again (for failed messages, or ones whose outcome is unknown)",
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
