"""The instructions held for a firm's supervisor, read-only here: supervisors approve them on
the representatives' pages. The proposals are decided in Admin > Proposals
(`tenders.offers.admin.proposals`), where an approved offer decision is carried out."""

from django.contrib import admin

from exchange_office.admin_mixins import ReadOnlyAdminMixin, ReadOnlyHistoryAdmin
from tenders.approvals.models import HeldInstruction

# The second person's decision, on every row that waits for one (SecondPersonDecision).
DECISION_FIELDS = ["status", "decided_by", "decided_at", "decided_wall_at", "decision_note"]


@admin.register(HeldInstruction)
class HeldInstructionAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryAdmin):
    list_display = [
        "account",
        "reason",
        "tendered",
        "entered_by",
        "entered_at",
        "status",
        "decided_by",
    ]
    list_filter = ["status", "reason"]
    list_select_related = ["account__firm", "entered_by", "decided_by"]
    exclude = ["data", "tin"]  # the form as typed, and its taxpayer ID, stay out of the admin
    readonly_fields = [
        "account",
        "offer",
        "reason",
        "tendered",
        "amends",
        "entered_by",
        "entered_at",
        "entered_wall_at",
        "expires_at",
        *DECISION_FIELDS,
        "instruction",
    ]


__all__ = ["DECISION_FIELDS", "HeldInstructionAdmin"]
