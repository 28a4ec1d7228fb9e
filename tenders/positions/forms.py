"""Operations' form for a position (the admin's list and the account's inline), and the
positions feed's upload and confirm forms (django-import-export's, with the feed's limits and
the tick that creates new accounts)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from import_export.forms import ConfirmImportForm, ImportForm

from tenders.accounts.models import Position
from tenders.positions.imports import file_size_check
from tenders.positions.rows import FileRefused
from tenders.positions.services import position_check


class PositionForm(forms.ModelForm):
    """A position as operations type it: refused, next to the principal with both figures, if
    it would fall below a live tender on it."""

    class Meta:
        model = Position
        fields = ["account", "security", "principal"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        account = cleaned.get("account") or getattr(self.instance, "account", None)
        if cleaned.get("principal") is None or cleaned.get("security") is None or not account:
            return cleaned
        typed = Position(
            account=account, security=cleaned["security"], principal=cleaned["principal"]
        )
        try:
            position_check(position=typed)
        except ValidationError as exc:
            self.add_error("principal", exc.message_dict["principal"])
        return cleaned


class FeedUploadForm(ImportForm):
    """The upload, refused next to the file from its size alone: Django has streamed it to a
    temporary file in chunks, and nothing reads it before this passes."""

    def clean_import_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["import_file"]
        try:
            file_size_check(upload.size or 0)
        except FileRefused as exc:
            raise ValidationError(str(exc)) from None
        return upload


def new_accounts_label(count: int) -> str:
    return f"Create the {count:,} new account{'s' if count != 1 else ''} listed"


class ConfirmFeedForm(ConfirmImportForm):
    """The confirmation: the preview's fingerprint, and, when the file lists accounts not on
    file, the tick that creates them (without it nothing is imported)."""

    previewed = forms.CharField(widget=forms.HiddenInput(), required=False, max_length=64)
    new_accounts = forms.IntegerField(widget=forms.HiddenInput(), required=False, min_value=0)
    create_accounts = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # "Create the 3 new accounts listed", no colon
        super().__init__(*args, **kwargs)
        count = self._new_accounts()
        if count:
            self.fields["create_accounts"].label = new_accounts_label(count)
        else:
            del self.fields["create_accounts"]

    def _new_accounts(self) -> int:
        raw = self.data.get("new_accounts") if self.is_bound else self.initial.get("new_accounts")
        try:
            return max(int(raw or 0), 0)
        except (TypeError, ValueError):
            return 0

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        count = self._new_accounts()
        if count and not cleaned.get("create_accounts"):
            self.add_error(
                "create_accounts",
                "Tick this to create the new account listed, or remove its line from the file: "
                "nothing was imported."
                if count == 1
                else f"Tick this to create the {count:,} new accounts listed, or remove their "
                "lines from the file: nothing was imported.",
            )
        return cleaned
