"""Per client, what was sent and when: the letters (e-mailed or printed for mailing) and the
reminders, as read-only lists. Sending them is an action on the firms
(`tenders.online.admin.ClientLetterActionsMixin`)."""

from django.contrib import admin

from exchange_office.admin_mixins import ReadOnlyAdminMixin
from tenders.documents.models import LetterDispatch
from tenders.letters.models import Reminder


@admin.register(LetterDispatch)
class LetterDispatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["document", "account", "channel", "business_at", "wall_at", "run", "by"]
    list_filter = ["channel", "offer", "account__firm"]
    list_select_related = ["document", "account", "run", "by"]
    search_fields = ["document__number", "account__account_number"]
    fields = [
        "document",
        "account",
        "offer",
        "channel",
        "run",
        "message",
        "business_at",
        "wall_at",
        "by",
    ]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["account", "business_day", "business_at", "firm_cutoff", "letter", "by"]
    list_filter = ["offer", "business_day", "account__firm"]
    list_select_related = ["account", "letter", "by"]
    search_fields = ["account__account_number", "letter__number"]
    fields = [
        "offer",
        "account",
        "business_day",
        "business_at",
        "wall_at",
        "firm_cutoff",
        "letter",
        "message",
        "by",
    ]
