from django.contrib import admin

from tenders.models import AccountOwner, BrokerFirm, ClientAccount, Position, Representative


@admin.register(BrokerFirm)
class BrokerFirmAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "dtc_participant_number",
        "cutoff_banking_days_before",
        "cutoff_time",
    ]
    search_fields = ["name", "dtc_participant_number"]


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ["user", "firm"]
    list_filter = ["firm"]
    list_select_related = ["user", "firm"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]


class AccountOwnerInline(admin.TabularInline):
    model = AccountOwner
    extra = 0
    min_num = 1


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0


@admin.register(ClientAccount)
class ClientAccountAdmin(admin.ModelAdmin):
    list_display = ["account_number", "firm", "city", "state"]
    list_filter = ["firm", "state"]
    list_select_related = ["firm"]
    search_fields = ["account_number", "owners__name"]
    inlines = [AccountOwnerInline, PositionInline]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["account", "security", "principal"]
    list_filter = ["security", "account__firm"]
    list_select_related = ["account__firm", "security"]
    search_fields = ["account__account_number", "account__owners__name"]
