"""The form an operator proposes a change of a firm's cutoff or threshold on (Admin > Broker
firms). Its controls are the model's own fields, with their validation; the rules of a change
are the service's (`tenders.approvals.firm_controls`), its refusals put back next to their
fields."""

from typing import Any

from django import forms

from tenders.accounts.models import FIRM_CONTROL_FIELDS, BrokerFirm
from tenders.domain.firm_controls import FirmControls


class FirmControlsForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        required=False,  # the service says why it is needed, next to the field
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The approver reads it, and the firm's page keeps it with the change.",
    )
    late_exception = forms.BooleanField(
        label="Late exception",
        required=False,
        help_text="Tick only to reopen a cutoff that has passed for an open offer: the "
        "approver sees that it does, and the reason must say why.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's own fields, with their labels and validation, before the reason.
        controls = forms.fields_for_model(BrokerFirm, fields=FIRM_CONTROL_FIELDS)
        self.fields = {**controls, **self.fields}

    def controls(self) -> FirmControls:
        data = self.cleaned_data
        return FirmControls(
            cutoff_banking_days_before=data["cutoff_banking_days_before"],
            cutoff_time=data["cutoff_time"],
            second_approval_threshold=data["second_approval_threshold"],
        )
