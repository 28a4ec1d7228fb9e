"""Form widgets shared by the apps."""

from typing import Any

from django import forms


class UnechoedTextInput(forms.TextInput):
    """A text box that never writes a value into the page: what was typed in it (a full taxpayer
    ID) is not sent back in the HTML when the form is refused, and must be typed again. Unlike a
    password box it shows what is being typed. Browsers are asked not to remember it."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> None:
        return None
