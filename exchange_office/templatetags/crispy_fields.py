"""`as_crispy_field_fast`: crispy-forms' `as_crispy_field` (Bootstrap 5), written out in Python
for the fields the client's page shows: text inputs, text areas, checkboxes and radios, with
their label, help text and errors. It returns the same HTML, byte for byte, as crispy's
templates (`bootstrap5/field.html` and its includes, with no form helper): those templates
took a fifth of the client's page. Any other field (hidden, select, file, several widgets, a
form with a helper) goes to crispy itself. tests/test_crispy_fields.py holds the two equal."""

from collections.abc import Iterable
from typing import Any

from crispy_forms.templatetags.crispy_forms_field import (
    is_checkbox,
    is_checkboxselectmultiple,
    is_file,
    is_radioselect,
    is_select,
)
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, optgroups
from django import template
from django.conf import settings
from django.forms import BoundField
from django.templatetags.l10n import unlocalize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()


def _e(value: Any) -> str:
    return str(conditional_escape(value))


def _falls_to_crispy(field: BoundField) -> bool:
    widget = field.field.widget
    return (
        getattr(field.form, "helper", None) is not None
        or settings.CRISPY_TEMPLATE_PACK != "bootstrap5"
        or field.is_hidden
        or is_select(field)
        or is_file(field)
        or is_checkboxselectmultiple(field)
        or hasattr(widget, "widgets")
        or hasattr(widget, "widget")
        or bool(getattr(settings, "CRISPY_CLASS_CONVERTERS", {}))
    )


def _widget(field: BoundField, classes: str) -> str:
    """crispy's `{% crispy_field field 'class' classes %}`: the widget's class name and the
    classes added to its attributes (kept on the widget, as crispy keeps them), rendered."""
    widget = field.field.widget
    class_name = widget.__class__.__name__.lower()
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(class_name) == -1:
            css_class += f" {class_name}"
    else:
        css_class = class_name
    widget.attrs["class"] = css_class
    for name in classes.split():
        if name not in widget.attrs["class"].split():
            widget.attrs["class"] += " " + name
    return str(field)


def _errors_block(field: BoundField) -> str:
    """bootstrap5/layout/field_errors_block.html."""
    if not field.errors:
        return "\n"
    lines = "".join(
        f'\n        <p id="error_{number}_{_e(field.auto_id)}">'
        f"<strong>{_e(error)}</strong></p>\n    "
        for number, error in enumerate(field.errors, start=1)
    )
    field_id = _e(getattr(field.errors, "field_id", ""))
    return (
        f'\n    <div id="{field_id}_error" class="invalid-feedback">\n    {lines}\n    </div>\n\n'
    )


def _help_text(field: BoundField) -> str:
    """bootstrap5/layout/help_text.html (not inline)."""
    if not field.help_text:
        return "\n"
    where = f'id="{_e(field.auto_id)}_helptext" ' if field.auto_id else ""
    return f'\n    \n        <div {where}class="form-text">{field.help_text}</div>\n    \n\n'


def _help_text_and_errors(field: BoundField) -> str:
    """bootstrap5/layout/help_text_and_errors.html (neither inline)."""
    return f"\n\n\n    {_errors_block(field)}\n\n\n\n    {_help_text(field)}\n\n"


def _attrs(attrs: dict[str, Any]) -> str:
    """bootstrap5/layout/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_e(name)}")
        if value is not True:
            text = "%s" % value  # noqa: UP031  # the template's stringformat:'s'
            out.append(f'="{text if isinstance(value, SafeData) else _e(text)}"')
    return "".join(out)


def _radios(field: BoundField) -> str:
    """bootstrap5/layout/radio_checkbox_select.html (no field class, not inline)."""
    invalid = " is-invalid" if field.errors else ""
    groups: list[tuple[Any, Iterable[dict[str, Any]], int]] = list(optgroups(field))
    out = ["\n\n\n<div >\n\n    "]
    for group_number, (group, options, _index) in enumerate(groups, start=1):
        out.append("\n    ")
        if group:
            out.append(f"<strong>{_e(group)}</strong>")
        out.append("\n    ")
        options = list(options)
        for number, option in enumerate(options, start=1):
            out.append(
                f'\n      <div class="form-check">\n'
                f'        <input type="{_e(option["type"])}" class="form-check-input{invalid}"  '
                f'name="{_e(field.html_name)}" value="{_e(unlocalize(option["value"]))}" '
                f"{_attrs(option['attrs'])}>\n"
                f'        <label for="{_e(option["attrs"].get("id", ""))}" '
                f'class="form-check-label">\n'
                f"            {_e(unlocalize(option['label']))}\n"
                f"        </label>\n        "
            )
            if field.errors and number == len(options) and group_number == len(groups):
                out.append(f"\n            {_errors_block(field)}\n        ")
            out.append("\n     </div>\n    ")
        out.append("\n    ")
    out.append(f"\n\n</div>\n\n{_help_text(field)}\n")
    return "".join(out)


def _label(field: BoundField) -> str:
    required = " requiredField" if field.field.required else ""
    asterisk = '<span class="asteriskField">*</span>' if field.field.required else ""
    fieldset = ""
    if field.use_fieldset:
        described = field.aria_describedby
        fieldset = f'<fieldset aria-describedby="{_e(described)}">' if described else "<fieldset>"
    tag = "legend" if field.use_fieldset else "label"
    label_for = f'for="{_e(field.id_for_label)}"' if field.id_for_label else ""
    fs6 = " fs-6" if field.use_fieldset else ""
    return (
        f"\n            {fieldset}\n            <{tag}\n                {label_for} "
        f'class="form-label{required}{fs6}">\n                {_e(field.label)}{asterisk}\n'
        f"            </{tag}>\n        "
    )


def _field(field: BoundField) -> str:
    checkbox = is_checkbox(field)
    radio = is_radioselect(field)
    out = ["\n\n\n    "]
    if checkbox:
        out.append('\n        <div class="mb-3">\n        \n    ')
    css = f" {_e(field.css_classes())}" if field.css_classes() else ""
    wrapper = "form-check" if checkbox else "mb-3"
    out.append(f'\n    <div id="div_{_e(field.auto_id)}" class="{wrapper}{css}">\n        ')
    if field.label and not checkbox:
        out.append(_label(field))
    out.append("\n\n        ")
    if radio:
        out.append(f"\n            {_radios(field)}\n        ")
    out.append("\n\n        ")
    if not radio:
        out.append("\n            ")
        if checkbox:
            classes = "form-check-input is-invalid" if field.errors else "form-check-input"
            required = " requiredField" if field.field.required else ""
            asterisk = '<span class="asteriskField">*</span>' if field.field.required else ""
            out.append(
                f"\n                    \n                        {_widget(field, classes)}\n"
                f'                    \n                <label for="{_e(field.id_for_label)}" '
                f'class="form-check-label{required}">\n'
                f"                    {_e(field.label)}{asterisk}\n                </label>\n"
                f"                {_help_text_and_errors(field)}\n            "
            )
        else:
            classes = "form-control is-invalid" if field.errors else "form-control"
            out.append(
                f"\n                \n                    \n                        "
                f"{_widget(field, classes)}\n                    \n                    "
                f"\n                        {_help_text_and_errors(field)}\n                    "
                f"\n                \n            "
            )
        out.append("\n        ")
    out.append("\n        ")
    if field.use_fieldset and field.label:
        out.append("</fieldset>")
    out.append("\n    </div>\n    ")
    if checkbox:
        out.append("\n        \n        </div>\n    ")
    out.append("\n\n")
    return "".join(out)


@register.filter
def as_crispy_field_fast(field: BoundField) -> SafeString:
    if _falls_to_crispy(field):
        return mark_safe(as_crispy_field(field))
    return mark_safe(_field(field))
