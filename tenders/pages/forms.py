"""The review queue's form (the reason a representative rejects a client's submission), and
the admin's owner row, which knows who signed (`tenders.instructions`)."""

from django import forms
from django.core.exceptions import ValidationError

from tenders.accounts.models import AccountOwner
from tenders.domain.owners import owner_key
from tenders.instructions.models import InstructionSigner, WithdrawalNoticeSigner


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the client is told it by e-mail)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


class AccountOwnerForm(forms.ModelForm):
    """An owner's row on the account's admin page. An owner who signed an instruction or a
    notice of withdrawal may be respelled ("ELEANOR J WHITFIELD"), not replaced by another
    name: the signature would then stand under someone else's name. The positions feed refuses
    the same change (`tenders.domain.owners.plan_owners`)."""

    class Meta:
        model = AccountOwner
        fields = ["account", "sequence", "name"]  # every field of the inline row

    def clean_name(self) -> str:
        name = str(self.cleaned_data.get("name", ""))
        owner = self.instance
        if owner.pk is None or owner_key(name) == owner_key(owner.name):
            return name
        if (
            InstructionSigner.objects.filter(owner=owner).exists()
            or WithdrawalNoticeSigner.objects.filter(owner=owner).exists()
        ):
            raise ValidationError(
                f"{owner.name} signed an instruction: the name may be respelled, not replaced. "
                "Add another owner as a new row instead.",
                code="signed",
            )
        return name
