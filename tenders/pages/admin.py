"""The admin pages that several concerns make up, registered here once: the offer with what its
clients submitted online that waits or was missed (`tenders.online`) and the quarterly
statements run (`tenders.statements`), a firm with the actions
that send its clients the letter and the reminders (`tenders.online`) and the page that
proposes a change of its cutoff or threshold (`tenders.approvals`), a client account with
its positions (written through `tenders.positions`) and its statements
(`tenders.statements`), and an instruction with its submission to the exchange agent
(`tenders.submissions`). Every other model's admin is registered by its own concern."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join

from exchange_office import clock
from notes.models import ExchangeOffer
from tenders.accounts.admin import AccountOwnerInline, BrokerFirmAdmin, ClientAccountAdmin
from tenders.accounts.models import BrokerFirm, ClientAccount, Position
from tenders.approvals.admin import FirmControlsAdminMixin
from tenders.instructions.admin import InstructionAdmin
from tenders.instructions.models import Instruction
from tenders.offers.admin import OfferAdmin
from tenders.online.admin import ClientLetterActionsMixin, OnlineReviewsOfferMixin
from tenders.pages.forms import AccountOwnerForm
from tenders.payments.admin import PaymentsDueOfferMixin
from tenders.positions.admin import PositionInline
from tenders.positions.services import position_save
from tenders.statements.admin import StatementsRunOfferMixin
from tenders.statements.selectors import statement_periods
from tenders.submissions.admin import AgentStandingMixin, SubmitToAgentMixin
from tenders.submissions.reconciliation_admin import FirmReconciliationMixin


@admin.register(BrokerFirm)
class FirmAdmin(
    FirmControlsAdminMixin, FirmReconciliationMixin, ClientLetterActionsMixin, BrokerFirmAdmin
):
    actions = [
        *ClientLetterActionsMixin.LETTER_ACTIONS,
        *FirmControlsAdminMixin.FIRM_CONTROL_ACTIONS,
    ]


@admin.register(ExchangeOffer)
class OfferWithOnlineReviewsAdmin(
    PaymentsDueOfferMixin, StatementsRunOfferMixin, OnlineReviewsOfferMixin, OfferAdmin
):
    """The offer (`tenders.offers`), with what clients submitted online that waits or was
    missed (`tenders.online`), the quarterly statements run (`tenders.statements`) and the
    payment runs due (`tenders.payments`)."""

    actions = [
        *OfferAdmin.actions,
        *StatementsRunOfferMixin.statement_actions,
        *PaymentsDueOfferMixin.payment_actions,
    ]


class SignedOwnerInline(AccountOwnerInline):
    """The owners, refusing to put another name on an owner who signed."""

    form = AccountOwnerForm


@admin.register(ClientAccount)
class AccountAdmin(ClientAccountAdmin):
    inlines: list[type[admin.TabularInline[Any, Any]]] = [SignedOwnerInline, PositionInline]
    readonly_fields = [*ClientAccountAdmin.readonly_fields, "statements"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        return (
            fieldsets if obj is None else [*fieldsets, ("Statements", {"fields": ["statements"]})]
        )

    @admin.display(description="statements")
    def statements(self, obj: ClientAccount) -> str:
        """A button per quarter in which the account moved: it posts the page's form (its
        CSRF token, and the button's period; nothing else is read) to the statement's URL,
        which issues the statement once and downloads it. A form of its own cannot sit inside
        the admin's form."""
        periods = statement_periods(account=obj, until=clock.today())
        if not periods:
            return "None: the account has not moved in a quarter that is over."
        return format_html_join(
            " ",
            '<button type="submit" class="button" formmethod="post" formaction="{}" '
            'formnovalidate name="period" value="{}">Statement {}</button>',
            ((reverse("tenders:statement", args=[obj.pk]), p, p) for p in periods),
        )

    def save_inline_row(self, row: Any, *, by: Any) -> None:
        if isinstance(row, Position):
            position_save(position=row, by=by)
        else:
            super().save_inline_row(row, by=by)


@admin.register(Instruction)
class InstructionWithAgentAdmin(AgentStandingMixin, SubmitToAgentMixin, InstructionAdmin):
    actions = [*InstructionAdmin.actions, *SubmitToAgentMixin.agent_actions]
    list_display = [*InstructionAdmin.list_display, *AgentStandingMixin.agent_fields]
    fields = [*InstructionAdmin.fields, *AgentStandingMixin.agent_fields]
    readonly_fields = [*InstructionAdmin.readonly_fields, *AgentStandingMixin.agent_fields]
