"""Operations see the clients' links (and who unlocked one) and what clients submitted online,
read-only: representatives review submissions on their own pages."""

from django.contrib import admin

from exchange_office.admin_mixins import ReadOnlyAdminMixin, ReadOnlyHistoryAdmin
from tenders.online.models import ClientLink, ClientSubmission, ClientSubmissionSigner


@admin.register(ClientLink)
class ClientLinkAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryAdmin):
    list_display = [
        "account",
        "event_id",
        "expires_at",
        "failed_checks",
        "locked_at",
        "unlocked_by",
    ]
    list_filter = ["locked_at"]
    list_select_related = ["account__firm", "unlocked_by"]
    search_fields = ["account__account_number"]


class SignerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ClientSubmissionSigner
    fields = ["owner", "typed_name"]
    extra = 0


@admin.register(ClientSubmission)
class ClientSubmissionAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryAdmin):
    list_display = [
        "account",
        "kind",
        "choice",
        "amount",
        "submitted_at",
        "status",
        "reviewed_by",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["account__firm", "reviewed_by"]
    search_fields = ["account__account_number"]
    inlines = [SignerInline]
