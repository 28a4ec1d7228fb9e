"""Forms about client accounts: operations' account form (admin) and the TIN reveal."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from exchange_office.widgets import UnechoedTextInput
from tenders.accounts.models import ClientAccount
from tenders.accounts.services import account_tin_change_check


class ClientAccountForm(forms.ModelForm):
    """The TIN is write-only here: the stored number is shown masked, and typing a new one
    replaces it. A refused number is shown next to its field and nothing is saved."""

    new_tin = forms.CharField(
        label="New taxpayer ID",
        required=False,
        help_text=(
            "Leave blank to keep the number on file. A number typed here is never shown again: "
            "after a refusal, type it again."
        ),
        widget=UnechoedTextInput,  # a refused form does not put the full number back
    )

    class Meta:
        model = ClientAccount
        fields = [
            "firm",
            "account_number",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "country",
            "phone",
            "email",
            "tin_type",
        ]

    def clean_account_number(self) -> str:
        number = str(self.cleaned_data.get("account_number", ""))
        # On an existing account the firm is read-only, so it is not a field of the form and
        # Django leaves the (firm, account number) constraint unchecked until the database
        # refuses the save: check it here, next to the field, with the firm on file.
        if "firm" not in self.fields and self.instance.firm_id is not None:
            firm_accounts = ClientAccount.objects.filter(firm_id=self.instance.firm_id)
            if firm_accounts.filter(account_number=number).exclude(pk=self.instance.pk).exists():
                raise ValidationError(
                    f"The firm already has an account {number}: account numbers are unique "
                    "within a firm.",
                    code="unique",
                )
        return number

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data (typed as possibly None)
        cleaned = self.cleaned_data
        try:
            account_tin_change_check(
                tin_type_on_file=self.instance.tin_type,
                has_tin=bool(self.instance.pk and self.instance.tin_last4),
                tin_type=cleaned.get("tin_type", ""),
                new_tin=cleaned.get("new_tin", ""),
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error("new_tin" if field == "tin" else field, messages)
        return cleaned


class RevealTinForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need the full number?",
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "e.g. client asked to confirm the TIN"}),
    )
