"""The client instruction form of the broker's letter, as the representative fills it in."""

import uuid
from typing import Any

from django import forms
from phonenumber_field.formfields import PhoneNumberField

from exchange_office.widgets import UnechoedTextInput
from tenders.accounts.models import AccountOwner, ClientAccount, TinTypeChoice
from tenders.instructions.forms import PrincipalAmountField
from tenders.instructions.models import InstructionChoice, NoticeMethodChoice
from tenders.instructions.services import InstructionInput, SignatureInput, WithdrawalNoticeInput


class InstructionForm(forms.Form):
    choice = forms.ChoiceField(
        label="Instruction",
        choices=InstructionChoice.choices,
        widget=forms.RadioSelect,
        # Neither box ticked is "tender all", as the letter states (the service reads it).
        required=False,
        help_text="If the client ticked neither box, leave both blank: the letter reads a signed "
        "form without a box ticked as “tender all”.",
    )
    amount = PrincipalAmountField(
        label="Aggregate principal amount indicated",
        required=False,
        max_digits=15,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "e.g. 125,000"}),
        help_text=f"Only with “{InstructionChoice.AMOUNT.label}”.",
    )
    form_date = forms.DateField(
        label="Dated", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    address = forms.CharField(
        label="Address", widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )
    phone = PhoneNumberField(label="Area code and telephone number", region="US")
    tin_type = forms.ChoiceField(label="Taxpayer ID type", choices=TinTypeChoice.choices)
    tin = forms.CharField(
        label="Taxpayer identification or social security number",
        required=False,
        max_length=20,
        widget=UnechoedTextInput,  # a refused form does not put the full number back
    )
    late_reason = forms.CharField(
        label="Reason for accepting after the firm's cutoff",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    # The version an amendment replaces, as the user saw it (a stale one is refused).
    version = forms.CharField(required=False, max_length=9, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        account: ClientAccount,
        may_override_cutoff: bool,
        amends: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.amends = amends
        self.fields["tin"].help_text = (
            f"Leave blank to use the number on file ({account.masked_tin})."
            if account.masked_tin
            else "No number is on file for this account: enter the one on the form."
        ) + " A number typed here is never shown again: after a refusal, type it again."
        if not may_override_cutoff:
            del self.fields["late_reason"]

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data (typed as possibly None)
        cleaned = self.cleaned_data
        version = str(cleaned.get("version") or "")
        cleaned["version"] = int(version) if version.isascii() and version.isdigit() else None
        if self.amends and cleaned["version"] is None:
            self.errors.pop("version", None)
            self.add_error(
                None,
                "This form lost track of the version it amends: open the amend page again.",
            )
        amount_missing = cleaned.get("amount") is None and "amount" not in self.errors
        if cleaned.get("choice") == InstructionChoice.AMOUNT and amount_missing:
            self.add_error("amount", "Enter the principal amount to tender.")
        # "Tender all" with an amount written is refused by the rules (`amount_refusals`),
        # next to the amount, which stays as typed: never dropped.
        return cleaned


class SignerForm(forms.Form):
    """One owner's signature: the name as signed, and the representative's attestation."""

    owner_id = forms.IntegerField(widget=forms.HiddenInput)
    typed_name = forms.CharField(label="Name as signed", max_length=200, required=False)
    attested = forms.BooleanField(required=False)
    # Operations only (the page shows it to them): why a printed name differs from the owner's.
    mismatch_reason = forms.CharField(
        label="Why the printed name differs (operations)", max_length=500, required=False
    )


SignerFormSet = forms.formset_factory(SignerForm, extra=0)


def instruction_initial(account: ClientAccount, **values: Any) -> dict[str, Any]:
    """The form pre-filled from the account: address, telephone, TIN type."""
    lines = [account.address_line1, account.address_line2]
    lines.append(f"{account.city}, {account.state} {account.postal_code}".strip(", "))
    initial = {
        "address": "\n".join(line for line in lines if line),
        "phone": account.phone,
        "tin_type": account.tin_type or TinTypeChoice.SSN,
        "submission_token": uuid.uuid4(),
    }
    initial.update(values)
    return initial


def signer_initial(owners: list[AccountOwner]) -> list[dict[str, Any]]:
    return [{"owner_id": o.pk, "typed_name": "", "attested": False} for o in owners]


def instruction_input(form: InstructionForm, signers: forms.BaseFormSet) -> InstructionInput:
    data = form.cleaned_data
    return InstructionInput(
        choice=data["choice"],
        amount=data.get("amount"),
        form_date=data["form_date"],
        address=data["address"],
        phone=str(data["phone"]),
        tin_type=data["tin_type"],
        tin=data.get("tin", ""),
        signatures=tuple(
            SignatureInput(
                owner_id=s.cleaned_data["owner_id"],
                typed_name=s.cleaned_data.get("typed_name", ""),
                attested=s.cleaned_data.get("attested", False),
                mismatch_reason=s.cleaned_data.get("mismatch_reason", ""),
            )
            for s in signers.forms
            if s.cleaned_data
        ),
        late_reason=data.get("late_reason", ""),
        submission_token=data["submission_token"],
    )


class WithdrawForm(forms.Form):
    """The client's notice of withdrawal: when, how, and the attestation (the owners'
    signatures of a written notice are the signers formset)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    method = forms.ChoiceField(
        label="How the client's notice came",
        # An online notice comes only from the client's own page.
        choices=[c for c in NoticeMethodChoice.choices if c[0] != NoticeMethodChoice.ONLINE],
        widget=forms.RadioSelect,
        required=False,  # the service refuses a missing one, with the other refusals
    )
    received_on = forms.DateField(
        label="Dated",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The date on the letter or fax, or of the call.",
    )
    callback_number = forms.CharField(
        label="Number on file you called back (telephone notice)",
        required=False,
        max_length=40,
    )
    called_back = forms.BooleanField(
        label="I called the client back on that number and the client confirmed the withdrawal.",
        required=False,
    )
    attested = forms.BooleanField(
        label="I attest that the client gave this notice as recorded here.", required=False
    )
    late_reason = forms.CharField(
        label="Reason for accepting after the firm's cutoff",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, may_override_cutoff: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_override_cutoff:
            del self.fields["late_reason"]


def withdrawal_notice_input(
    form: WithdrawForm, signers: forms.BaseFormSet
) -> WithdrawalNoticeInput:
    data = form.cleaned_data
    return WithdrawalNoticeInput(
        method=data.get("method") or "",
        received_on=data.get("received_on"),
        signatures=tuple(
            SignatureInput(
                owner_id=s.cleaned_data["owner_id"],
                typed_name=s.cleaned_data.get("typed_name", ""),
                attested=True,
                mismatch_reason=s.cleaned_data.get("mismatch_reason", ""),
            )
            for s in signers.forms
            if s.cleaned_data
        ),
        callback_number=data.get("callback_number", ""),
        called_back=bool(data.get("called_back")),
        attested=bool(data.get("attested")),
    )
