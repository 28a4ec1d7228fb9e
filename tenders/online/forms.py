"""The client's own forms: the identity check, and the letter's instruction form online."""

from typing import Any

from django import forms
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from tenders.accounts.models import AccountOwner
from tenders.instructions.forms import PrincipalAmountField
from tenders.instructions.models import InstructionChoice
from tenders.online.agreement import ESIGN_CONSENT
from tenders.online.models import SubmissionKind
from tenders.online.services import OnlineInput


class IdentityForm(forms.Form):
    tin_last4 = forms.CharField(
        label="Last four digits of your taxpayer ID or social security number",
        max_length=4,
        min_length=4,
        widget=forms.PasswordInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"}
        ),
        # The box is emptied after a refusal (a password input): say what to type, not "it
        # has 2 characters" about nothing visible.
        error_messages={
            "required": "Enter the last four digits of your taxpayer ID.",
            "min_length": "Enter all four last digits of your taxpayer ID.",
            "max_length": "Enter only the last four digits of your taxpayer ID.",
        },
    )
    postal_code = forms.CharField(
        label="ZIP code of the address on your account",
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        error_messages={"required": "Enter the ZIP code of the address on your account."},
    )


def signature_field_name(index: int) -> str:
    return f"signature_{index}"


class ConsentField(forms.BooleanField):
    """The consent to sign electronically: its label is the whole consent, so the error
    summary names the error alone ("Tick the box to agree …"), not the paragraph again."""

    summary_label = ""


KIND_CHOICES = [
    (SubmissionKind.TENDER, "Tender my Old Notes (or change my instruction)"),
    (SubmissionKind.WITHDRAWAL, "Withdraw my instruction"),
]


class ClientInstructionForm(forms.Form):
    """The letter's form: tender all, or a stated amount (or withdraw a live instruction);
    each owner's name typed as a signature; address and telephone as on file, correctable;
    the consent to sign electronically. Nothing is chosen for the client: no box is ticked
    when the page opens, and what they do comes from what they post (`kind`: a radio where
    the page offers both, else the one thing the page offers), never from a default."""

    kind = forms.ChoiceField(
        label="What would you like to do?",
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        required=False,  # the service refuses a missing one, with the other refusals
    )
    choice = forms.ChoiceField(
        label="How much to tender",
        choices=InstructionChoice.choices,  # the letter's form, as the representative's
        widget=forms.RadioSelect,
        required=False,
    )
    amount = PrincipalAmountField(
        label="Principal amount to tender",
        required=False,
        max_digits=15,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "placeholder": "e.g. 50,000", "autocomplete": "off"}
        ),
        help_text="Only if you tender part: in whole thousands of dollars, up to what you hold.",
    )
    address = forms.CharField(
        label="Address",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        max_length=500,
        required=False,
        help_text="As on file: correct it if it changed.",
    )
    phone = PhoneNumberField(
        label="Area code and telephone number",
        region="US",
        required=False,
        # Shown as people write it, (914) 555-0121, not as stored (+19145550121).
        widget=RegionalPhoneNumberWidget(
            region="US", attrs={"autocomplete": "tel", "inputmode": "tel"}
        ),
    )
    esign_consent = ConsentField(label=ESIGN_CONSENT, required=False)
    # Written by the page (a new one each time it is opened): the same page posted twice is
    # recorded once. A post without it did not come from the page and records nothing.
    submission_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This form is incomplete: nothing was recorded. Reload the page and "
            "submit it again.",
            "invalid": "This form is incomplete: nothing was recorded. Reload the page and "
            "submit it again.",
        },
    )
    # The digest of what the page showed (written by the template, not bound back).
    shown = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(
        self,
        *args: Any,
        owners: list[AccountOwner],
        offered: tuple[str, ...],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.owners = owners
        self.offered = offered
        if len(offered) == 1:
            # The page offers one thing: its form says which, and the post carries it.
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["kind"].initial = offered[0]
        if SubmissionKind.TENDER not in offered:
            # Only a withdrawal (past the firm's cutoff, until the offer expires).
            for name in ("choice", "amount", "address", "phone"):
                del self.fields[name]
        for index, owner in enumerate(owners):
            self.fields[signature_field_name(index)] = forms.CharField(
                label=f"Signature of {owner.name}: type the full name",
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )

    def signature_fields(self) -> list[forms.BoundField]:
        return [self[signature_field_name(i)] for i in range(len(self.owners))]

    def online_input(self, *, ip_address: str | None, user_agent: str) -> OnlineInput:
        data = self.cleaned_data
        return OnlineInput(
            kind=data.get("kind") or "",  # as posted: never assumed
            choice=data.get("choice") or "",
            amount=data.get("amount"),
            names={
                owner.pk: data.get(signature_field_name(i), "")
                for i, owner in enumerate(self.owners)
            },
            address=data.get("address", ""),
            phone=str(data.get("phone") or ""),
            esign_consent=bool(data.get("esign_consent")),
            ip_address=ip_address,
            user_agent=user_agent,
            submission_token=data.get("submission_token"),
            shown_digest=data.get("shown", ""),
        )

    def add_refusal(self, field: str, message: str) -> None:
        """A service refusal next to its field ("signer-1-typed_name": the second owner's)."""
        if field.startswith("signer-") and field.endswith("-typed_name"):
            index = field.removeprefix("signer-").removesuffix("-typed_name")
            if index.isdigit() and int(index) < len(self.owners):
                field = signature_field_name(int(index))
        if field == "form_date" or field == "tin" or field not in self.fields:
            self.add_error(None, message)
        else:
            self.add_error(field, message)
