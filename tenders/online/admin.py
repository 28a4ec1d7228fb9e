"""Operations see the clients' links, their identity checks (and who unlocked one) and what
clients submitted online, read-only: representatives review submissions on their own pages.
Operations see too what still waits for a representative and what was missed at the expiration
(the exception list, and the counts on the offer's pages: `OnlineReviewsOfferMixin`, mixed in
by `tenders.pages.admin`). The firms' admin gains the actions that send the letter and the
reminders, which carry the client's link (`ClientLetterActionsMixin`, the same)."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from exchange_office import clock
from exchange_office.admin_mixins import ReadOnlyAdminMixin, ReadOnlyHistoryAdmin
from exchange_office.formatting import describe_instant, dollars, time_left, timestamp
from exchange_office.http import AuthenticatedHttpRequest, refusal_text
from notes.models import ExchangeOffer
from notes.selectors import current_offer
from tenders.accounts.models import BrokerFirm
from tenders.documents.models import LetterDelivery
from tenders.links.models import ClientCheck, ClientLink
from tenders.online.letters import client_letters_send, reminders_send
from tenders.online.models import (
    ClientSubmission,
    ClientSubmissionSigner,
    ReviewStatus,
    SubmissionAlert,
)
from tenders.online.selectors import offers_with_review_counts, review_counts


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


class AlertInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SubmissionAlert
    fields = ["occasion", "expiration", "sent_to", "created_at"]
    extra = 0


class ExceptionFilter(admin.SimpleListFilter):
    """What operations must look at: submissions missed at the expiration (an exception: the
    client's answer did not count), and those still waiting for a representative."""

    title = "exception"
    parameter_name = "exception"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (ReviewStatus.MISSED, "Missed at the expiration"),
            (ReviewStatus.AWAITING, "Still awaiting review"),
        ]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[ClientSubmission]
    ) -> QuerySet[ClientSubmission]:
        if self.value() in (ReviewStatus.MISSED, ReviewStatus.AWAITING):
            return queryset.filter(status=self.value())
        return queryset


@admin.register(ClientSubmission)
class ClientSubmissionAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryAdmin):
    list_display = [
        "account",
        "kind",
        "choice",
        "amount_text",
        "submitted_at",
        "status",
        "reviewed_by",
    ]
    list_filter = [ExceptionFilter, "status", "kind"]
    list_select_related = ["account__firm", "reviewed_by"]
    search_fields = ["account__account_number"]
    inlines = [SignerInline, AlertInline]

    @admin.display(description="Amount", ordering="amount")
    def amount_text(self, submission: ClientSubmission) -> str:
        return dollars(submission.amount) if submission.amount is not None else "—"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        offer = current_offer()
        if offer is not None and request.method == "GET":
            counts = review_counts(offer=offer)
            if counts.missed:
                self.message_user(
                    request,
                    f"{counts.missed} online submission(s) were missed: not reviewed before the "
                    "offer expired, they did not count, and each client was told by e-mail. "
                    "Filter by exception: Missed at the expiration.",
                    messages.ERROR,
                )
            if counts.awaiting:
                self.message_user(
                    request,
                    f"{counts.awaiting} online submission(s) await a representative's review; "
                    f"the offer expires {describe_instant(offer.expiration)} "
                    f"({time_left(offer.expiration, clock.now())} left).",
                    messages.WARNING,
                )
        return super().changelist_view(request, extra_context)


class OnlineReviewsOfferMixin:
    """The offer's list and page show operations what clients submitted online that still
    waits for a representative, and what was missed at the expiration, with links to them."""

    def _after_reviews(self) -> Any:
        """The ModelAdmin methods this mixin extends, as the classes after it define them (a
        name of its own: the offer's other mixins have their `_next`)."""
        return super()

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExchangeOffer]:
        return offers_with_review_counts(self._after_reviews().get_queryset(request))

    def get_list_display(self, request: HttpRequest) -> Any:
        return [*self._after_reviews().get_list_display(request), "online_reviews"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self._after_reviews().get_readonly_fields(request, obj), "online_reviews"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(self._after_reviews().get_fieldsets(request, obj))
        if obj is None or obj.pk is None:
            return fieldsets
        reviews = (
            "Clients' online submissions",
            {
                "fields": ["online_reviews"],
                "description": "A client's online submission counts once a representative "
                "approves it, and nothing is approved at or after the expiration: one still "
                "waiting then is missed, and the client is told.",
            },
        )
        return [*fieldsets[:1], reviews, *fieldsets[1:]]

    @admin.display(description="Online submissions")
    def online_reviews(self, offer: ExchangeOffer) -> SafeString | str:
        if offer.pk is None:
            return ""
        counts = review_counts(offer=offer)
        listed = reverse("admin:tenders_clientsubmission_changelist")
        waiting = format_html(
            '<a href="{}?exception=awaiting" data-testid="online-awaiting">{} awaiting review</a>'
            "{}",
            listed,
            counts.awaiting,
            f" (the oldest submitted {timestamp(counts.oldest_awaiting_at)})"
            if counts.oldest_awaiting_at
            else "",
        )
        if not counts.missed:
            return waiting
        return format_html(
            '{}; <a href="{}?exception=missed" data-testid="online-missed">'
            "<strong>{} missed at the expiration</strong></a>",
            waiting,
            listed,
            counts.missed,
        )


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
