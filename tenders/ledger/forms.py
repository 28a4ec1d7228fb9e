"""The form of a journal entry's reversal in the admin."""

from django import forms


class ReverseEntryForm(forms.Form):
    on = forms.DateField(
        label="Dated",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The business date of the reversal: on or after the entry's.",
    )
    reason = forms.CharField(
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Why the entry is reversed: it becomes the reversal's description.",
    )
