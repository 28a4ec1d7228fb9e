"""The admin changelist's rows, kept under the data version for the long lists that opt in.

Django draws each row cell by cell (about 1 ms a row of Admin > Instructions); the rows show
only what the data version's triggers watch, so a ModelAdmin with `rows_under_data_version`
keeps them until the next write. The key holds the user, what the user may do (their
permissions decide the links and the action boxes: a right taken away is seen by the next
request, not when the cache expires) and the list's query string (filters, search, ordering,
page)."""

import hashlib
from typing import Any

from django import template
from django.contrib.admin.templatetags.admin_list import result_list
from django.contrib.admin.views.main import ChangeList
from django.template.loader import select_template
from django.utils.safestring import SafeString, mark_safe

from tenders.data_version.cache import cached_under_version

register = template.Library()


def permissions_version(user: Any) -> str:
    """A digest of everything the admin asks of the user's rights: active, staff and superuser
    status, and every permission held directly or through a group. Computed on each request,
    never stored, so no change can miss it (a group's permissions edited, a status changed in
    the database). The admin has already read the permissions for this request (Django keeps
    them on the user object): no further query, and none for a superuser, who holds them all."""
    held = "all" if user.is_superuser else ",".join(sorted(user.get_all_permissions()))
    rights = f"{user.is_active}:{user.is_staff}:{user.is_superuser}:{held}"
    return hashlib.sha256(rights.encode()).hexdigest()[:16]


@register.simple_tag(takes_context=True)
def result_rows(context: template.Context, cl: ChangeList) -> SafeString:
    """What `{% result_list cl %}` draws, from the cache where the ModelAdmin allows it."""
    opts = cl.opts

    def render() -> str:
        chosen = select_template(
            [
                f"admin/{opts.app_label}/{opts.model_name}/change_list_results.html",
                f"admin/{opts.app_label}/change_list_results.html",
                "admin/change_list_results.html",
            ]
        )
        return chosen.render(result_list(cl), context.get("request"))

    if not getattr(cl.model_admin, "rows_under_data_version", False):
        return mark_safe(render())
    request: Any = context.get("request")
    rights = permissions_version(request.user)
    key = f"admin-rows:{opts.label}:{request.user.pk}:{rights}:{cl.get_query_string()}"
    return mark_safe(cached_under_version(key, render))
