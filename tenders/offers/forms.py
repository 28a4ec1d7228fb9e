"""Forms of operations' actions on the offer."""

from datetime import datetime
from typing import Any

from django import forms

from exchange_office.formatting import NEW_YORK
from notes.models import ExchangeOffer, OfferCondition
from tenders.offers.lifecycle import AMENDABLE_TERMS


class ConsummateForm(forms.Form):
    consummation_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class NewYorkInstantField(forms.MultiValueField):
    """A date and a time of day in New York, as the offer documents state deadlines."""

    widget: forms.MultiWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (forms.DateField(), forms.TimeField())
        widget = forms.MultiWidget(
            widgets=[
                forms.DateInput(attrs={"type": "date"}),
                forms.TimeInput(attrs={"type": "time", "step": 60}, format="%H:%M"),
            ]
        )
        widget.decompress = _decompress  # type: ignore[method-assign]  # the widget's own hook
        super().__init__(fields=fields, widget=widget, require_all_fields=True, **kwargs)

    def compress(self, data_list: list[Any]) -> datetime | None:
        if not data_list:
            return None
        day, time_of_day = data_list
        return datetime.combine(day, time_of_day, tzinfo=NEW_YORK)


def _decompress(value: Any) -> list[Any]:
    if isinstance(value, datetime):
        local = value.astimezone(NEW_YORK)
        return [local.date(), local.time()]
    return [None, None]


class ExtendForm(forms.Form):
    new_expiration = NewYorkInstantField(
        label="New expiration (New York time)",
        help_text="12 midnight at the end of a day is 00:00 on the next day.",
    )
    announcement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="The public announcement (Rule 14e-1(d)): it states the approximate amount "
        "tendered so far.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 80}))


class AmendTermsForm(forms.ModelForm):
    """The terms as they are, to change; a change that needs the offer open longer than it
    is can extend it in the same step."""

    extend_to = NewYorkInstantField(
        label="Extend to (New York time)",
        required=False,
        help_text="Only if the change needs the offer open longer (Rule 14e-1).",
    )
    announcement = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="The extension's announcement, if it extends.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 80}))

    class Meta:
        model = ExchangeOffer
        fields = list(AMENDABLE_TERMS)


class ConditionMetForm(forms.Form):
    condition = forms.ModelChoiceField(queryset=OfferCondition.objects.none())
    on = forms.DateField(label="Met on", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))

    def __init__(self, *args: Any, offer: ExchangeOffer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pending = offer.conditions.filter(is_satisfied=False, is_waived=False)
        self.fields["condition"].queryset = pending  # type: ignore[attr-defined]  # a ModelChoiceField


class ConditionWaivedForm(forms.Form):
    condition = forms.ModelChoiceField(queryset=OfferCondition.objects.none())
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))

    def __init__(self, *args: Any, offer: ExchangeOffer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pending = offer.conditions.filter(is_satisfied=False, is_waived=False)
        self.fields["condition"].queryset = pending  # type: ignore[attr-defined]  # a ModelChoiceField


class TerminateForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))
    confirm = forms.BooleanField(
        label="Every live instruction is returned and the clients are told; nothing can be "
        "changed afterwards."
    )
