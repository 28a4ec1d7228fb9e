"""Operations' view of firms, representatives, accounts, positions and instructions.

Instructions change only through the services (the representative's pages, or the actions
here), so their admin is read-only; nothing on this side is ever deleted."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from notes import admin as notes_admin
from notes.models import ExchangeOffer
from notes.selectors import offer_consummation_date
from tenders.consummation import offer_consummate, tabulate
from tenders.documents import (
    PROGRESS_ANNOTATIONS,
    BulkProgress,
    bulk_run_progress,
    bulk_run_resume,
    bulk_run_start,
    document_regenerate,
    outbox_resend,
)
from tenders.models import (
    AccountOwner,
    BrokerFirm,
    BulkItemStatus,
    BulkRun,
    BulkRunItem,
    BulkRunStatus,
    ClientAccount,
    Document,
    Instruction,
    InstructionSigner,
    InstructionStatus,
    InstructionTransition,
    OutboxMessage,
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


# Documents, the outbox and bulk runs


@admin.register(Document)
class DocumentAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "revision", "account", "pages", "size", "generated_at"]
    list_filter = ["kind", "instruction__offer", "instruction__account__firm"]
    list_select_related = ["instruction__account__firm"]
    search_fields = ["number", "instruction__account__account_number", "sha256"]
    actions = ["regenerate"]
    fields = [
        "number",
        "kind",
        "revision",
        "instruction",
        "download",
        "sha256",
        "size",
        "pages",
        "generated_at",
        "generated_wall_at",
        "generated_by",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="account", ordering="instruction__account__account_number")
    def account(self, obj: Document) -> str:
        return obj.instruction.account.account_number

    @admin.display(description="PDF")
    def download(self, obj: Document) -> str:
        return format_html(
            '<a href="{}">Download {}</a>',
            reverse("tenders:document_download", args=[obj.pk]),
            obj.filename,
        )

    @admin.action(description="Regenerate as a new revision (the old one is kept, not re-sent)")
    def regenerate(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        for document in queryset:
            try:
                new = document_regenerate(document=document, by=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, f"Issued {new.number}.", messages.SUCCESS)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "queued_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["document"]
    search_fields = ["to", "subject", "document__number"]
    actions = ["resend"]
    readonly_fields = [
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Resend (for failed messages, or ones whose outcome is unknown)")
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        for message in queryset:
            try:
                outbox_resend(message=message, by=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.WARNING)
            else:
                self.message_user(request, f"Queued again: {message}.", messages.SUCCESS)


class BulkRunItemInline(admin.TabularInline):
    model = BulkRunItem
    extra = 0
    fields = ["instruction", "status", "attempts", "error", "document", "finished_at"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "failures"

    def get_queryset(self, request: HttpRequest) -> QuerySet[BulkRunItem]:
        return (
            super()
            .get_queryset(request)
            .filter(status=BulkItemStatus.FAILED)
            .select_related("instruction__account", "document")
            .defer("document__content")
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BulkRun)
class BulkRunAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["__str__", "status", "progress_bar", "created_by", "finished_at"]
    list_filter = ["status", "offer"]
    list_select_related = ["offer", "created_by"]
    readonly_fields = [
        "offer",
        "kind",
        "status",
        "created_by",
        "created_at",
        "finished_at",
        "progress_bar",
    ]
    fields = readonly_fields
    inlines = [BulkRunItemInline]
    actions = ["resume", "retry_failed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[BulkRun]:
        return super().get_queryset(request).annotate(**PROGRESS_ANNOTATIONS)

    def get_urls(self) -> list:
        progress = self.admin_site.admin_view(self.progress_view)
        return [
            path("<int:pk>/progress/", progress, name="tenders_bulkrun_progress"),
            *super().get_urls(),
        ]

    def progress_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(BulkRun, pk=pk)
        return JsonResponse(bulk_run_progress(run).as_dict())

    @admin.display(description="progress")
    def progress_bar(self, obj: BulkRun) -> str:
        progress = (
            BulkProgress.from_annotated(obj) if hasattr(obj, "total") else bulk_run_progress(obj)
        )
        return render_to_string(
            "admin/tenders/bulkrun/progress.html",
            {
                "progress": progress,
                "url": reverse("admin:tenders_bulkrun_progress", args=[obj.pk]),
                "live": progress.status == BulkRunStatus.RUNNING,
            },
        )

    @admin.action(description="Resume: take over items whose worker stopped")
    def resume(self, request: HttpRequest, queryset: QuerySet[BulkRun]) -> None:
        for run in queryset:
            count = bulk_run_resume(run=run)
            self.message_user(request, f"{run}: {count} item(s) put back; drains started.")

    @admin.action(description="Retry the failed items")
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[BulkRun]) -> None:
        for run in queryset:
            count = bulk_run_resume(run=run, retry_failed=True)
            self.message_user(request, f"{run}: {count} item(s) put back; drains started.")


# The offer's admin gains the broker-side actions here: notes does not know about tenders.


class ConsummateForm(forms.Form):
    consummation_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class OfferAdmin(notes_admin.ExchangeOfferAdmin):
    actions = ["consummate", "issue_confirmations"]

    @admin.action(description="Consummate the offer…", permissions=["change"])
    def consummate(self, request: HttpRequest, queryset: QuerySet[ExchangeOffer]) -> Any:
        if queryset.count() != 1:
            self.message_user(request, "Consummate one offer at a time.", messages.ERROR)
            return None
        offer = queryset.get()
        form = ConsummateForm(
            request.POST if "consummation_date" in request.POST else None,
            initial={"consummation_date": offer_consummation_date(offer=offer)[0]},
        )
        if form.is_valid():
            try:
                result = offer_consummate(
                    offer=offer, on=form.cleaned_data["consummation_date"], by=request.user
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                self.message_user(
                    request,
                    f"Consummated on {result.offer.consummation_date:%B %d, %Y}: "
                    f"{result.accepted} instruction(s) accepted for ${result.tendered:,.0f}. "
                    "The exchange confirmations are being issued (see Bulk runs).",
                    messages.SUCCESS,
                )
                return None
        return TemplateResponse(
            request,
            "admin/notes/exchangeoffer/consummate.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Consummate {offer}",
                "offer": offer,
                "form": form,
                "tabulation": tabulate(offer=offer),
                "conditions": offer.conditions.all(),
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(
        description="Issue exchange confirmations for all accepted instructions",
        permissions=["change"],
    )
    def issue_confirmations(self, request: HttpRequest, queryset: QuerySet[ExchangeOffer]) -> None:
        for offer in queryset:
            if offer.status != "consummated":
                self.message_user(request, f"{offer} is not consummated.", messages.ERROR)
                continue
            run = bulk_run_start(offer_id=offer.pk, by=request.user)
            self.message_user(request, f"Started {run}.", messages.SUCCESS)


admin.site.unregister(ExchangeOffer)
admin.site.register(ExchangeOffer, OfferAdmin)
