"""Operations' form for a position (the admin's list and the account's inline)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from tenders.accounts.models import Position
from tenders.positions.services import position_check


class PositionForm(forms.ModelForm):
    """A position as operations type it: refused, next to the principal with both figures, if
    it would fall below a live tender on it."""

    class Meta:
        model = Position
        fields = ["account", "security", "principal"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        account = cleaned.get("account") or getattr(self.instance, "account", None)
        if cleaned.get("principal") is None or cleaned.get("security") is None or not account:
            return cleaned
        typed = Position(
            account=account, security=cleaned["security"], principal=cleaned["principal"]
        )
        try:
            position_check(position=typed)
        except ValidationError as exc:
            self.add_error("principal", exc.message_dict["principal"])
        return cleaned
