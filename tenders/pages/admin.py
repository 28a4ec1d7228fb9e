"""The admin pages that several concerns make up, registered here once: the offer with what its
clients submitted online that waits or was missed (`tenders.online`), a firm with the actions
that send its clients the letter and the reminders (`tenders.online`) and the page that
proposes a change of its cutoff or threshold (`tenders.approvals`), a client account with
its positions (written through `tenders.positions`), and an instruction with its submission to
the exchange agent (`tenders.submissions`). Every other model's admin is registered by its own
concern."""

from typing import Any

from django.contrib import admin

from notes.models import ExchangeOffer
from tenders.accounts.admin import AccountOwnerInline, BrokerFirmAdmin, ClientAccountAdmin
from tenders.accounts.models import BrokerFirm, ClientAccount, Position
from tenders.approvals.admin import FirmControlsAdminMixin
from tenders.instructions.admin import InstructionAdmin
from tenders.instructions.models import Instruction
from tenders.offers.admin import OfferAdmin
from tenders.online.admin import ClientLetterActionsMixin, OnlineReviewsOfferMixin
from tenders.pages.forms import AccountOwnerForm
from tenders.positions.admin import PositionInline
from tenders.positions.services import position_save
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
class OfferWithOnlineReviewsAdmin(OnlineReviewsOfferMixin, OfferAdmin):
    """The offer (`tenders.offers`), with what clients submitted online that waits or was
    missed (`tenders.online`)."""


class SignedOwnerInline(AccountOwnerInline):
    """The owners, refusing to put another name on an owner who signed."""

    form = AccountOwnerForm


@admin.register(ClientAccount)
class AccountAdmin(ClientAccountAdmin):
    inlines: list[type[admin.TabularInline[Any, Any]]] = [SignedOwnerInline, PositionInline]

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
