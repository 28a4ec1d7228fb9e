"""Base behaviour shared by the apps' admin classes."""

from typing import Any

from django.http import HttpRequest


class NoDeleteAdminMixin:
    """Nothing in the office is deleted: withdrawn, superseded and failed rows stay on record."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdminMixin(NoDeleteAdminMixin):
    """Rows that only services write (instructions, documents, the outbox, bulk runs, audit
    rows): the admin shows them and runs its actions, but its forms never add or change one.
    Works for a ModelAdmin and for an inline."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
