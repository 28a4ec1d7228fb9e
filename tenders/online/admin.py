"""Operations see the clients' links, their identity checks (and who unlocked one) and what
clients submitted online, read-only: representatives review submissions on their own pages.
The firms' admin gains the actions that send the letter and the reminders, which carry the
client's link (`ClientLetterActionsMixin`, mixed in by `tenders.pages.admin`)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from exchange_office.admin_mixins import ReadOnlyAdminMixin, ReadOnlyHistoryAdmin
from exchange_office.http import AuthenticatedHttpRequest, refusal_text
from notes.selectors import current_offer
from tenders.accounts.models import BrokerFirm
from tenders.documents.models import LetterDelivery
from tenders.links.models import ClientCheck, ClientLink
from tenders.online.letters import client_letters_send, reminders_send
from tenders.online.models import ClientSubmission, ClientSubmissionSigner


@admin.register(ClientLink)
class ClientLinkAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryAdmin):
    # No expiry column: a link is valid until the offer's current deadlines (the account page
    # shows them), and forwards to the account's newest link.
    list_display = ["account", "offer", "event_id", "issued_at"]
    list_select_related = ["account__firm", "offer"]
    search_fields = ["account__account_number"]


@admin.register(ClientCheck)
class ClientCheckAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ["account", "offer", "failed_checks", "locked_at", "unlocked_by"]
    list_filter = ["locked_at"]
    list_select_related = ["account__firm", "offer", "unlocked_by"]
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


class ClientLetterActionsMixin:
    """Actions on the firms: the letter and the reminders go to each selected firm's clients
    for the current offer."""

    LETTER_ACTIONS = ("send_letters_by_email", "print_letters_for_mailing", "send_reminders")

    def _send(
        self, request: AuthenticatedHttpRequest, firms: QuerySet[BrokerFirm], delivery: str
    ) -> None:
        assert isinstance(self, admin.ModelAdmin)
        offer = current_offer()
        if offer is None:
            self.message_user(request, "There is no exchange offer.", messages.ERROR)
            return
        for firm in firms.order_by("dtc_participant_number"):
            try:
                run = client_letters_send(
                    offer=offer, firm=firm, delivery=delivery, by=request.user
                )
            except (ValidationError, PermissionDenied) as exc:
                text = refusal_text(exc)
                self.message_user(request, f"{firm.name}: {text}", messages.ERROR)
                continue
            count = run.items.count()
            if not count:
                self.message_user(
                    request,
                    f"{firm.name}: nothing to send: each client's letter for the offer as it "
                    "stands was sent already, or another run is sending it (see Client letters "
                    "sent).",
                    messages.WARNING,
                )
                continue
            self.message_user(
                request,
                f"{firm.name}: client letters for {count} client(s), "
                f"{LetterDelivery(delivery).label.lower()} (see Bulk runs for the progress).",
            )

    @admin.action(description="Send the client letter by e-mail (printed where no address)")
    def send_letters_by_email(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[BrokerFirm]
    ) -> None:
        self._send(request, queryset, LetterDelivery.EMAIL)

    @admin.action(description="Print the client letters for mailing")
    def print_letters_for_mailing(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[BrokerFirm]
    ) -> None:
        self._send(request, queryset, LetterDelivery.PRINT)

    @admin.action(description="Send reminders to the clients who have not answered")
    def send_reminders(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[BrokerFirm]
    ) -> None:
        assert isinstance(self, admin.ModelAdmin)
        offer = current_offer()
        if offer is None:
            self.message_user(request, "There is no exchange offer.", messages.ERROR)
            return
        for firm in queryset.order_by("dtc_participant_number"):
            try:
                result = reminders_send(offer=offer, firm=firm, by=request.user)
            except PermissionDenied as exc:
                self.message_user(request, f"{firm.name}: {exc}", messages.ERROR)
                continue
            self.message_user(
                request, f"{firm.name}: reminders sent={result.sent} skipped={result.skipped}"
            )
