"""The books in the admin, read-only: journal entries with their legs. Nothing is added, changed
or deleted here; an entry is corrected by its reversal (the action "Reverse the entry…"), which
asks for the date and the reason and posts through `entry_reverse`."""

from datetime import date
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from exchange_office import clock
from exchange_office.admin_mixins import ReadOnlyAdminMixin
from exchange_office.formatting import short_date
from exchange_office.http import AuthenticatedHttpRequest, refusal_text
from tenders.ledger.forms import ReverseEntryForm
from tenders.ledger.models import JournalEntry, Leg
from tenders.ledger.permissions import may_reverse_entries
from tenders.ledger.services import entry_reverse

# Each ledger account's owner, for its name in a list of legs.
LEG_OWNERS = ["account__client_account", "account__firm", "account__offer", "asset"]


class PostedOnFilter(admin.SimpleListFilter):
    """The business date an entry is posted on: the dates entries were posted on (few: the
    consummation, the payment dates), not Django's "past 7 days" by the wall clock."""

    title = "posted on"
    parameter_name = "posted_on"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        days = JournalEntry.objects.order_by("-posted_on").values_list("posted_on", flat=True)
        return [(day.isoformat(), short_date(day)) for day in days.distinct()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.value():
            return queryset
        try:
            day = date.fromisoformat(str(self.value()))
        except ValueError as exc:
            raise IncorrectLookupParameters(f"Not a date: {self.value()!r}") from exc
        return queryset.filter(posted_on=day)


class LegInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Leg
    extra = 0
    fields = ["account", "asset", "amount", "smallest_units"]
    readonly_fields = ["amount", "smallest_units"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Leg]:
        return super().get_queryset(request).select_related(*LEG_OWNERS)

    @admin.display(description="amount")
    def amount(self, leg: Leg) -> str:
        return f"{leg.asset.amount(leg.quantity):,}"

    @admin.display(description="in the asset's smallest unit (cents for dollars)")
    def smallest_units(self, leg: Leg) -> str:
        return f"{leg.quantity:+,}"


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occasion", "kind", "posted_on", "description", "client_account", "by"]
    list_filter = ["kind", PostedOnFilter]
    list_select_related = ["client_account__firm", "by"]
    search_fields = [
        "occasion",
        "=client_account__account_number",
        "=legs__account__client_account__account_number",
    ]
    fields = [
        "occasion",
        "kind",
        "posted_on",
        "description",
        "offer",
        "instruction",
        "client_account",
        "reverses",
        "reversal",
        "by",
        "business_at",
        "wall_at",
    ]
    readonly_fields = ["reversal"]
    inlines = [LegInline]
    actions = ["reverse"]

    @admin.display(description="reversed by")
    def reversal(self, entry: JournalEntry) -> str:
        reversal = JournalEntry.objects.filter(reverses=entry).first()
        return str(reversal) if reversal else "-"

    def has_reverse_permission(self, request: HttpRequest) -> bool:
        return may_reverse_entries(user=request.user)

    @admin.action(description="Reverse the entry…", permissions=["reverse"])
    def reverse(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[JournalEntry]
    ) -> TemplateResponse | None:
        if queryset.count() != 1:
            self.message_user(request, "Select one entry to reverse.", messages.ERROR)
            return None
        entry = queryset.get()
        bound = "_reverse" in request.POST
        form = ReverseEntryForm(request.POST if bound else None, initial={"on": clock.today()})
        if bound and form.is_valid():
            try:
                reversal = entry_reverse(
                    entry=entry,
                    on=form.cleaned_data["on"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except PermissionDenied as refusal:
                self.message_user(request, refusal_text(refusal), messages.ERROR)
                return None
            except ValidationError as refusal:
                errors = (
                    refusal.message_dict
                    if hasattr(refusal, "error_dict")
                    else {NON_FIELD_ERRORS: refusal.messages}
                )
                for field, field_messages in errors.items():
                    form.add_error(field if field in form.fields else None, field_messages)
            else:
                self.message_user(
                    request, f"Posted {reversal.occasion}: {reversal.description}", messages.SUCCESS
                )
                return None
        legs = entry.legs.select_related(*LEG_OWNERS).order_by("pk")
        return TemplateResponse(
            request,
            "admin/tenders/journalentry/reverse.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Reverse {entry.occasion}",
                "entry": entry,
                "legs": [
                    (str(leg.account), f"{leg.asset.amount(leg.quantity):,}", leg.asset.code)
                    for leg in legs
                ],
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )
