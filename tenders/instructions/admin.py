"""Operations' view of client instructions. Instructions change only through the services (the
representative's pages, or the action here), so their admin is read-only."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import QuerySet
from django.http import HttpRequest

from exchange_office import clock
from exchange_office.admin_mixins import (
    ListWithoutColumnsMixin,
    ReadOnlyAdminMixin,
    ReadOnlyHistoryAdmin,
)
from exchange_office.formatting import NEW_YORK, short_date
from notes.models import ExchangeOffer
from tenders.data_version.cache import DataVersionPaginator
from tenders.instructions.models import (
    Instruction,
    InstructionSigner,
    InstructionTransition,
    WithdrawalNotice,
)


class ReceivedOnFilter(admin.SimpleListFilter):
    """The New York business day an instruction was received. The days come from the offers'
    periods: Django's date hierarchy found them by reading every instruction's date (70 ms at
    100,000 instructions, on every page of the list)."""

    title = "received on (business day)"
    parameter_name = "received_on"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        days: set[date] = set()
        for first, expiration in ExchangeOffer.objects.values_list(
            "commencement_date", "expiration"
        ):
            last = min(expiration.astimezone(NEW_YORK).date(), clock.today())
            days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
        return [(day.isoformat(), short_date(day)) for day in sorted(days, reverse=True)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.value():
            return queryset
        try:
            day = date.fromisoformat(str(self.value()))
        except ValueError as exc:
            raise IncorrectLookupParameters(f"Not a date: {self.value()!r}") from exc
        start = datetime.combine(day, time(0, 0), tzinfo=NEW_YORK)
        end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=NEW_YORK)
        return queryset.filter(received_at__gte=start, received_at__lt=end)


class InstructionSignerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InstructionSigner
    extra = 0
    fields = [
        "owner",
        "typed_name",
        "mismatch_reason",
        "attested",
        "recorded_by",
        "business_at",
        "wall_at",
    ]


class WithdrawalNoticeInline(ReadOnlyAdminMixin, admin.StackedInline):
    """The client's notice of withdrawal, as the representative recorded it."""

    model = WithdrawalNotice
    extra = 0
    fields = [
        "method",
        "received_on",
        "signed_by",
        "callback_number",
        "attested",
        "recorded_by",
        "business_at",
        "wall_at",
    ]
    readonly_fields = ["signed_by"]

    @admin.display(description="signed by")
    def signed_by(self, obj: WithdrawalNotice) -> str:
        return (
            "; ".join(
                f"{s.typed_name} (accepted: {s.mismatch_reason})"
                if s.mismatch_reason
                else s.typed_name
                for s in obj.signers.all()
            )
            or "—"
        )


class InstructionTransitionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InstructionTransition
    extra = 0
    fields = ["from_status", "to_status", "by", "business_at", "wall_at", "reason"]


# Registered by `tenders.pages.admin`, with the action that submits to the exchange agent.
class InstructionAdmin(ListWithoutColumnsMixin, ReadOnlyAdminMixin, ReadOnlyHistoryAdmin):
    list_display = [
        "account",
        "owner_names",
        "firm",
        "version",
        "choice",
        "amount",
        "resolved_amount",
        "status",
        "received_at",
    ]
    list_filter = ["status", "choice", "offer", "account__firm", ReceivedOnFilter]
    list_select_related = ["account__firm", "offer"]
    search_fields = ["account__account_number", "account__owners__name"]
    # Newest first, by the primary key's index: the default order (the account's firm name and
    # number) sorted every instruction of the book for each page.
    ordering = ["-id"]
    show_full_result_count = False  # one COUNT(*) per page, not two
    paginator = DataVersionPaginator  # the COUNT(*) from the cache while nothing changed
    list_per_page = 50  # a page renders in about half the time of Django's 100 rows
    changelist_defer = ("tin", "account__tin")
    rows_under_data_version = True  # tenders/templatetags/admin_rows.py
    inlines = [InstructionSignerInline, WithdrawalNoticeInline, InstructionTransitionInline]
    actions: list[str] = []
    fields = [
        "account",
        "offer",
        "version",
        "supersedes",
        "status",
        "choice",
        "amount",
        "resolved_amount",
        "form_date",
        "signed_address",
        "signed_phone",
        "tin_type",
        "masked_tin",
        "entered_by",
        "received_at",
        "received_wall_at",
        "late_reason",
    ]
    readonly_fields = ["masked_tin"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Instruction]:
        return super().get_queryset(request).prefetch_related("account__owners")

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # The day received is the "received_on" filter's, which checks its date. A raw lookup
        # typed into the address (received_at__year=-1) would reach the database unchecked.
        if lookup.startswith("received_at"):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="owners")
    def owner_names(self, obj: Instruction) -> str:
        return "; ".join(owner.name for owner in obj.account.owners.all())

    @admin.display(description="firm", ordering="account__firm__name")
    def firm(self, obj: Instruction) -> str:
        return obj.account.firm.name

    @admin.display(description="taxpayer ID")
    def masked_tin(self, obj: Instruction) -> str:
        return obj.masked_tin
