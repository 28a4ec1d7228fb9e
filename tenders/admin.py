"""Operations' view of firms, representatives, accounts, positions and instructions.

Instructions change only through the services (the representative's pages, or the actions
here), so their admin is read-only; nothing on this side is ever deleted."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from tenders.models import (
    AccountOwner,
    BrokerFirm,
    ClientAccount,
    Instruction,
    InstructionSigner,
    InstructionStatus,
    InstructionTransition,
    Position,
    Representative,
    TinReveal,
    TinTypeChoice,
)
from tenders.services import account_set_tin, instructions_submit_to_agent


class NoDeleteMixin:
    """Nothing on the broker's side is deleted: withdrawn and superseded rows stay."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BrokerFirm)
class BrokerFirmAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "dtc_participant_number",
        "cutoff_banking_days_before",
        "cutoff_time",
    ]
    search_fields = ["name", "dtc_participant_number"]
    fieldsets = [
        (None, {"fields": ["name", "dtc_participant_number"]}),
        ("Letterhead", {"fields": ["address", "phone", "email"]}),
        (
            "Internal cutoff",
            {
                "fields": ["cutoff_banking_days_before", "cutoff_time"],
                "description": "Representatives stop taking instructions at this New York "
                "time, this many banking days before the offer's expiration day.",
            },
        ),
    ]


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


class AccountOwnerInline(admin.TabularInline):
    model = AccountOwner
    extra = 0
    min_num = 1


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0
    autocomplete_fields = ["security"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClientAccountForm(forms.ModelForm):
    """The TIN is write-only here: the stored number is shown masked, and typing a new one
    replaces it (validated, encrypted, hashed by the service)."""

    new_tin = forms.CharField(
        label="New taxpayer ID",
        required=False,
        help_text="Leave blank to keep the number on file.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = ClientAccount
        fields = [
            "firm",
            "account_number",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "country",
            "phone",
            "email",
            "tin_type",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("new_tin") and not cleaned.get("tin_type"):
            self.add_error("tin_type", "Choose the type of the new taxpayer ID.")
        return cleaned


@admin.register(ClientAccount)
class ClientAccountAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    form = ClientAccountForm
    list_display = ["account_number", "owner_names", "firm", "state", "masked_tin"]
    list_filter = ["firm", "state"]
    list_select_related = ["firm"]
    search_fields = ["account_number", "owners__name"]
    inlines = [AccountOwnerInline, PositionInline]
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClientAccount]:
        return super().get_queryset(request).prefetch_related("owners")

    @admin.display(description="owners")
    def owner_names(self, obj: ClientAccount) -> str:
        return "; ".join(owner.name for owner in obj.owners.all())

    @admin.display(description="taxpayer ID")
    def masked_tin(self, obj: ClientAccount) -> str:
        return obj.masked_tin or "—"

    def save_model(self, request: HttpRequest, obj: ClientAccount, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        new_tin = form.cleaned_data.get("new_tin")
        if new_tin:
            try:
                account_set_tin(
                    account=obj,
                    tin_type=form.cleaned_data["tin_type"],
                    tin=new_tin,
                    by=request.user,
                )
            except ValidationError as exc:
                # Validated again by the service; a refusal here keeps the rest of the change.
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"tin_type": TinTypeChoice.SSN}


@admin.register(Position)
class PositionAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["account", "account_firm", "security", "principal"]
    list_filter = ["security", "account__firm"]
    list_select_related = ["account__firm", "security"]
    search_fields = ["account__account_number", "account__owners__name"]
    autocomplete_fields = ["account", "security"]

    @admin.display(description="firm", ordering="account__firm__name")
    def account_firm(self, obj: Position) -> str:
        return obj.account.firm.name


class InstructionSignerInline(admin.TabularInline):
    model = InstructionSigner
    extra = 0
    fields = ["owner", "typed_name", "attested", "recorded_by", "business_at", "wall_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InstructionTransitionInline(admin.TabularInline):
    model = InstructionTransition
    extra = 0
    fields = ["from_status", "to_status", "by", "business_at", "wall_at", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Instruction)
class InstructionAdmin(NoDeleteMixin, SimpleHistoryAdmin):
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
    list_filter = ["status", "choice", "offer", "account__firm"]
    list_select_related = ["account__firm", "offer"]
    search_fields = ["account__account_number", "account__owners__name"]
    date_hierarchy = "received_at"
    inlines = [InstructionSignerInline, InstructionTransitionInline]
    actions = ["submit_to_agent"]
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
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Instruction]:
        return super().get_queryset(request).prefetch_related("account__owners")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # instructions are taken on the representative's pages

    @admin.display(description="owners")
    def owner_names(self, obj: Instruction) -> str:
        return "; ".join(owner.name for owner in obj.account.owners.all())

    @admin.display(description="firm", ordering="account__firm__name")
    def firm(self, obj: Instruction) -> str:
        return obj.account.firm.name

    @admin.display(description="taxpayer ID")
    def masked_tin(self, obj: Instruction) -> str:
        return obj.masked_tin

    @admin.action(
        description="Submit the selected received instructions to the exchange agent",
        permissions=["change"],
    )
    def submit_to_agent(self, request: HttpRequest, queryset: QuerySet[Instruction]) -> None:
        received = queryset.filter(status=InstructionStatus.RECEIVED)
        skipped = queryset.count() - received.count()
        for offer_id in received.values_list("offer_id", flat=True).distinct():
            batch = received.filter(offer_id=offer_id).select_related("offer")
            try:
                result = instructions_submit_to_agent(
                    offer=batch[0].offer, instructions=batch, by=request.user
                )
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR
                )
                continue
            if result.submitted:
                self.message_user(
                    request,
                    f"Submitted {len(result.submitted)} instruction(s) for "
                    f"${result.principal:,.0f} to the exchange agent.",
                    messages.SUCCESS,
                )
            for _, reason in result.refused:
                self.message_user(request, f"Not submitted: {reason}", messages.ERROR)
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected instruction(s) were not received ones: skipped.",
                messages.WARNING,
            )


@admin.register(TinReveal)
class TinRevealAdmin(admin.ModelAdmin):
    list_display = ["account", "by", "reason", "business_at", "wall_at"]
    list_filter = ["by"]
    list_select_related = ["account__firm", "by"]
    search_fields = ["account__account_number", "by__username"]
    readonly_fields = ["account", "instruction", "by", "reason", "business_at", "wall_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
