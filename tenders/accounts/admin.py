"""Operations' view of firms, their representatives and client accounts, and the record of TIN
reveals. Nothing here is ever deleted. The firms' and the accounts' admins are registered by
`tenders.pages.admin`, which adds what other concerns bring to them (the letters' actions, the
positions)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from exchange_office.admin_mixins import (
    ListWithoutColumnsMixin,
    NoDeleteAdminMixin,
    ReadOnlyAdminMixin,
    ReadOnlyHistoryAdmin,
)
from tenders.accounts.forms import ClientAccountForm
from tenders.accounts.models import (
    FIRM_CONTROL_FIELDS,
    AccountOwner,
    ClientAccount,
    Representative,
    TinReveal,
    TinTypeChoice,
)
from tenders.accounts.services import account_owner_save, account_save
from tenders.data_version.cache import DataVersionPaginator


# Registered by `tenders.pages.admin`, with the actions that send the client letters.
class BrokerFirmAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "dtc_participant_number",
        "cutoff_banking_days_before",
        "cutoff_time",
        "second_approval_threshold",
        "bic",
        "agent_format",
    ]
    search_fields = ["name", "dtc_participant_number", "bic"]
    fieldsets = [
        (None, {"fields": ["name", "dtc_participant_number"]}),
        ("Letterhead", {"fields": ["address", "phone", "email"]}),
        (
            "Channel to the exchange agent",
            {
                "fields": ["bic", "safekeeping_account", "agent_format"],
                "description": "The firm's files for the agent go from its BIC to the "
                "account servicer's (the offer's servicer BIC), tendering from its safekeeping "
                "account. Every format can be previewed; files are recorded in this one.",
            },
        ),
        (
            "Internal cutoff and second approval",
            {
                "fields": FIRM_CONTROL_FIELDS,
                "description": "Representatives stop taking instructions at this New York "
                "time, this many banking days before the offer's expiration day; above the "
                "threshold an instruction waits for a supervisor of the firm. Once the firm "
                "exists, one operator proposes a change and another approves it.",
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Set when the firm is added; then changed only through a proposal that a second
        # operator approves (its page: `tenders.approvals.admin.FirmControlsAdminMixin`).
        fields = list(super().get_readonly_fields(request, obj))
        return fields if obj is None else [*fields, *FIRM_CONTROL_FIELDS]


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ["user", "user_full_name", "firm"]
    list_filter = ["firm"]
    list_select_related = ["user", "firm"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]

    @admin.display(description="name", ordering="user__last_name")
    def user_full_name(self, obj: Representative) -> str:
        return obj.user.get_full_name()


class AccountOwnerInline(NoDeleteAdminMixin, admin.TabularInline):
    model = AccountOwner
    extra = 0
    min_num = 1


# Registered by `tenders.pages.admin`, with its positions (written through `tenders.positions`).
class ClientAccountAdmin(ListWithoutColumnsMixin, NoDeleteAdminMixin, ReadOnlyHistoryAdmin):
    form = ClientAccountForm
    list_display = ["account_number", "owner_names", "firm", "state_display", "masked_tin"]
    list_filter = ["firm", "state"]
    list_select_related = ["firm"]
    # The (firm, account number) unique index gives a page without sorting the whole book.
    ordering = ["firm_id", "account_number"]
    show_full_result_count = False  # one COUNT(*) per page, not two
    paginator = DataVersionPaginator  # the COUNT(*) from the cache while nothing changed
    list_per_page = 50  # a page renders in about half the time of Django's 100 rows
    changelist_defer = ("tin",)
    rows_under_data_version = True  # tenders/templatetags/admin_rows.py
    search_fields = ["account_number", "owners__name"]
    inlines: list[type[admin.TabularInline[Any, Any]]] = [AccountOwnerInline]
    readonly_fields = ["masked_tin"]
    fieldsets = [
        (None, {"fields": ["firm", "account_number"]}),
        (
            "Mailing address and domicile",
            {
                "fields": [
                    "address_line1",
                    "address_line2",
                    "city",
                    "state",
                    "postal_code",
                    "country",
                ]
            },
        ),
        ("Contact", {"fields": ["phone", "email"]}),
        ("Taxpayer ID", {"fields": ["tin_type", "masked_tin", "new_tin"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # An account keeps the firm it was opened at: moving it to a firm with a later cutoff
        # or a higher four-eyes threshold would let one operator around both, which a change
        # of the firm's own controls needs a second operator for (tenders/approvals).
        fields = list(super().get_readonly_fields(request, obj))
        return fields if obj is None else [*fields, "firm"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClientAccount]:
        return super().get_queryset(request).prefetch_related("owners")

    @admin.display(description="owners")
    def owner_names(self, obj: ClientAccount) -> str:
        return "; ".join(owner.name for owner in obj.owners.all())

    @admin.display(description="state of domicile", ordering="state")
    def state_display(self, obj: ClientAccount) -> str:
        return obj.state_name or "—"

    @admin.display(description="taxpayer ID")
    def masked_tin(self, obj: ClientAccount) -> str:
        return obj.masked_tin or "—"

    def save_model(self, request: HttpRequest, obj: ClientAccount, form: Any, change: bool) -> None:
        assert request.user.is_authenticated, "the admin serves signed-in staff only"
        # The form has checked the new TIN; the service stores it with the rest in one save.
        account_save(account=obj, by=request.user, new_tin=form.cleaned_data.get("new_tin", ""))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Owners are saved through their service, one row at a time."""
        assert request.user.is_authenticated, "the admin serves signed-in staff only"
        for row in formset.save(commit=False):
            self.save_inline_row(row, by=request.user)

    def save_inline_row(self, row: Any, *, by: Any) -> None:
        account_owner_save(owner=row, by=by)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"tin_type": TinTypeChoice.SSN}


@admin.register(TinReveal)
class TinRevealAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["account", "by", "reason", "business_at", "wall_at"]
    list_filter = ["by"]
    list_select_related = ["account__firm", "by"]
    search_fields = ["account__account_number", "by__username"]
    fields = ["account", "instruction", "by", "reason", "business_at", "wall_at"]
