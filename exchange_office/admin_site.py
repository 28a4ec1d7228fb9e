"""The admin site: Django's, with guards for every registered model's actions and search."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from exchange_office.logins import AdminLoginForm


class SelectionCheckMixin:
    """A changelist action posted with a selection that names no row ("abc", "1.5", a number
    too large for the database) was a server error deep in the query; it is refused here with
    a message, and nothing runs."""

    model: type[Model]

    def response_action(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_row_id(value, self.model) for value in selected):
            self.message_user(  # type: ignore[attr-defined]  # mixed into a ModelAdmin
                request,
                "The selection was not understood: tick the rows in the list and try again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)  # type: ignore[misc]  # mixed into a ModelAdmin


_BIGINT_MAX = 2**63 - 1
MAX_SEARCH_LENGTH = 200  # characters: no account number, name or slug is near it


class SearchLengthMixin:
    """A search term of a megabyte was a server error on SQLite ("LIKE or GLOB pattern too
    complex", found by the fuzz tests) and a slow scan elsewhere: a term longer than anything
    searchable finds nothing, and the page says why."""

    def get_search_results(
        self, request: HttpRequest, queryset: Any, search_term: str
    ) -> tuple[Any, bool]:
        if len(search_term) > MAX_SEARCH_LENGTH:
            self.message_user(  # type: ignore[attr-defined]  # mixed into a ModelAdmin
                request,
                f"Search for at most {MAX_SEARCH_LENGTH} characters.",
                messages.ERROR,
            )
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]  # mixed into a ModelAdmin


def _is_row_id(value: str, model: type[Model]) -> bool:
    if model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField", "SmallAutoField"}:
        return value.isascii() and value.isdigit() and 0 < int(value[:19] or "0") <= _BIGINT_MAX
    return bool(value)


# A panel on the admin's index: given the request, its template's context (with the template's
# name under "template"), or None when it has nothing to show this user.
IndexPanel = Callable[[HttpRequest], dict[str, Any] | None]


class OfficeAdminSite(admin.AdminSite):
    site_header = "Exchange Office — operations"
    site_title = "Exchange Office operations"
    index_title = "Run the offer"
    login_form = AdminLoginForm  # says so when too many failed logins locked the user out

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.index_panels: list[IndexPanel] = []

    def add_index_panel(self, panel: IndexPanel) -> None:
        """A concern shows something on the index above the models (the project names no
        app: each adds its own panel, as it registers its model admins)."""
        if panel not in self.index_panels:
            self.index_panels.append(panel)

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        panels = [shown for panel in self.index_panels if (shown := panel(request)) is not None]
        return super().index(request, {"index_panels": panels, **(extra_context or {})})

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Every model admin, ours and the libraries', gets the selection check and the search
        term's limit."""
        admin_class = admin_class or admin.ModelAdmin
        guards = tuple(
            guard
            for guard in (SelectionCheckMixin, SearchLengthMixin)
            if not issubclass(admin_class, guard)
        )
        if guards:
            admin_class = type(admin_class.__name__, (*guards, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)
