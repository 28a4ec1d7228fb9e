"""Operations' view of payment runs (read-only: a run is started, never edited), and the
offer's action that starts the runs due (composed into the offer's admin by
`tenders.pages.admin`). A run not yet due is refused with its date."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from exchange_office.admin_mixins import ReadOnlyAdminMixin
from exchange_office.formatting import money
from exchange_office.http import AuthenticatedHttpRequest
from notes.models import ExchangeOffer
from tenders.payments.models import PaymentRun
from tenders.payments.services import payments_nothing_due, payments_pay_due


@admin.register(PaymentRun)
class PaymentRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # What fits at 1,280 pixels: the parts of the total (fees, coupons, principal), the bulk
    # run and who started it are on each run's page.
    list_display = [
        "payment_date", "offer", "what", "record_date", "status", "clients", "paid", "business_at",
    ]  # fmt: skip
    list_filter = ["offer", "status"]
    list_select_related = ["offer", "bulk_run__offer", "started_by"]
    date_hierarchy = "payment_date"
    # The run's page: each amount in dollars, in place of the raw decimals.
    fields = [
        "offer", "payment_date", "record_date", "what", "status", "clients", "entries", "fees",
        "coupons", "redemption", "paid", "bulk_run", "started_by", "business_at", "wall_at",
    ]  # fmt: skip
    readonly_fields = ["fees", "coupons", "redemption", "paid"]

    @admin.display(description="total paid", ordering="total")
    def paid(self, run: PaymentRun) -> str:
        return money(run.total)

    @admin.display(description="fees")
    def fees(self, run: PaymentRun) -> str:
        return money(run.fees_total)

    @admin.display(description="coupons")
    def coupons(self, run: PaymentRun) -> str:
        return money(run.coupons_total)

    @admin.display(description="principal repaid")
    def redemption(self, run: PaymentRun) -> str:
        return money(run.redemption_total)


class PaymentsDueOfferMixin:
    payment_actions = ["pay_due"]

    @admin.action(description="Run the payments due", permissions=["run_offer"])
    def pay_due(self, request: AuthenticatedHttpRequest, queryset: QuerySet[ExchangeOffer]) -> Any:
        model_admin: Any = self
        for offer in queryset:
            try:
                runs = payments_pay_due(offer=offer, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                messages_of = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                model_admin.message_user(request, " ".join(messages_of), messages.ERROR)
                continue
            if not runs:
                model_admin.message_user(request, payments_nothing_due(offer=offer), messages.ERROR)
            for run in runs:
                model_admin.message_user(
                    request,
                    f"{offer}: paid {run.what} of {run.payment_date.isoformat()} to "
                    f"{run.clients} client(s), {money(run.total)}; the advices are on their way.",
                    messages.SUCCESS,
                )
        return None
