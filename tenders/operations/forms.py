"""Forms of operations' actions."""

from django import forms


class ConsummateForm(forms.Form):
    consummation_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
