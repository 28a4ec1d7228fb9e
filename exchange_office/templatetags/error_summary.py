"""The error summary at the top of a refused form: every error, each linking to its field.

`static/js/error_summary.js` moves focus to the summary when the page loads, so a screen
reader announces it and a keyboard user starts from it; its links focus the field.

    {% load error_summary %}
    {% error_summary form rows=signer_rows general=signer_errors %}

`rows` are (owner, form) pairs of a formset, each owner's name naming its row; `general` are
messages about all rows, linked to the first row's first field. The admin passes its inline
formsets with `formsets`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms, template

register = template.Library()


@dataclass(frozen=True, slots=True)
class ErrorLink:
    message: str
    field_id: str  # the element to focus; empty when the error is about the whole form


def _field_links(form: forms.BaseForm, name_prefix: str = "") -> list[ErrorLink]:
    links = []
    for field in form:
        if field.is_hidden:
            continue
        # A field whose label is a paragraph (a consent) names itself shorter, or not at all.
        name = getattr(field.field, "summary_label", field.label)
        label = f"{name_prefix}{name}" if name else name_prefix.rstrip(": ")
        field_id = _focus_id(field)
        links += [
            ErrorLink(f"{label}: {error}" if label else str(error), field_id)
            for error in field.errors
        ]
    return links


def _focus_id(field: forms.BoundField) -> str:
    """The element a link to the field focuses. A group of radios or checkboxes has no label
    `for` (Django leaves it out, for screen readers): its first option."""
    if field.id_for_label:
        return field.id_for_label
    if isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        subwidgets = list(field.subwidgets)
        if subwidgets:
            return str(subwidgets[0].id_for_label or "")
    return ""


def _first_field_id(form: forms.BaseForm | None) -> str:
    if form is None:
        return ""
    return next((_focus_id(field) for field in form if not field.is_hidden), "")


def error_links(
    form: forms.BaseForm | None,
    rows: Sequence[tuple[Any, forms.BaseForm]] = (),
    general: Iterable[str] = (),
    formsets: Iterable[Any] = (),
) -> list[ErrorLink]:
    """Every error of the form, its rows and formsets, in the page's order."""
    links: list[ErrorLink] = []
    if form is not None:
        links += [ErrorLink(str(error), "") for error in form.non_field_errors()]
        hidden = [(field.label or field.name, field.errors) for field in form.hidden_fields()]
        links += [ErrorLink(str(e), "") for _, errors in hidden for e in errors]
    first_row = rows[0][1] if rows else None
    links += [ErrorLink(str(message), _first_field_id(first_row)) for message in general]
    if form is not None:
        links += _field_links(form)
    for owner, row in rows:
        name = getattr(owner, "name", str(owner))
        links += [ErrorLink(str(error), "") for error in row.non_field_errors()]
        links += _field_links(row, name_prefix=f"{name}, ")
    for formset in formsets:
        formset = getattr(formset, "formset", formset)  # the admin's InlineAdminFormSet
        title = str(formset.model._meta.verbose_name) if hasattr(formset, "model") else ""
        links += [ErrorLink(str(error), "") for error in formset.non_form_errors()]
        for number, row in enumerate(formset.forms, start=1):
            prefix = f"{title.capitalize()} {number}, " if title else f"Row {number}, "
            links += [ErrorLink(f"{prefix}{error}", "") for error in row.non_field_errors()]
            links += _field_links(row, name_prefix=prefix)
    return links


@register.inclusion_tag("includes/error_summary.html")
def error_summary(
    form: forms.BaseForm | None,
    rows: Sequence[tuple[Any, forms.BaseForm]] = (),
    general: Iterable[str] = (),
    formsets: Iterable[Any] = (),
    admin: bool = False,
) -> dict[str, Any]:
    return {
        "links": error_links(form, rows=rows, general=general, formsets=formsets),
        "admin": admin,
    }
