"""The review queue's form: the reason a representative rejects a client's submission."""

from django import forms


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the client is told it by e-mail)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )
