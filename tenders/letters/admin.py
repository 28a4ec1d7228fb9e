"""Operations' side of the client letter: send it to the clients of the selected firms (select
them all for the whole office) by e-mail or printed for mailing, send reminders, and see per
client what was sent, and when (read-only lists)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from exchange_office.admin_mixins import ReadOnlyAdminMixin
from exchange_office.http import AuthenticatedHttpRequest, refusal_text
from notes.selectors import current_offer
from tenders.accounts.models import BrokerFirm
from tenders.documents.models import LetterDelivery, LetterDispatch
from tenders.letters.models import Reminder
from tenders.letters.services import client_letters_send, reminders_send


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
            self.message_user(
                request,
                f"{firm.name}: client letters for {run.items.count()} client(s), "
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


@admin.register(LetterDispatch)
class LetterDispatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["document", "account", "channel", "business_at", "wall_at", "run", "by"]
    list_filter = ["channel", "offer", "account__firm"]
    list_select_related = ["document", "account", "run", "by"]
    search_fields = ["document__number", "account__account_number"]
    fields = [
        "document",
        "account",
        "offer",
        "channel",
        "run",
        "message",
        "business_at",
        "wall_at",
        "by",
    ]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["account", "business_day", "business_at", "firm_cutoff", "letter", "by"]
    list_filter = ["offer", "business_day", "account__firm"]
    list_select_related = ["account", "letter", "by"]
    search_fields = ["account__account_number", "letter__number"]
    fields = [
        "offer",
        "account",
        "business_day",
        "business_at",
        "wall_at",
        "firm_cutoff",
        "letter",
        "message",
        "by",
    ]
