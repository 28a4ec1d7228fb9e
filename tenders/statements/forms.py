"""The form of the quarterly statements run in the admin."""

from django import forms

from tenders.domain.statements import InvalidPeriod, quarter_bounds


class StatementsRunForm(forms.Form):
    period = forms.CharField(
        label="Quarter",
        max_length=20,
        help_text="The calendar quarter, as 2001Q4: it must be over.",
    )

    def clean_period(self) -> str:
        period: str = self.cleaned_data["period"].strip()
        try:
            quarter_bounds(period)
        except InvalidPeriod as exc:
            raise forms.ValidationError(str(exc)) from None
        return period
