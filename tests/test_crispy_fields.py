"""`as_crispy_field_fast` writes the same HTML as crispy-forms' `as_crispy_field`, byte for
byte, for every field of the client's forms as they are shown: opened, refused with errors,
filled in; and leaves to crispy what it does not write itself."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.template import Context, Template

from exchange_office.templatetags.crispy_fields import _falls_to_crispy, as_crispy_field_fast
from tenders.online.forms import ClientInstructionForm, IdentityForm


@dataclass
class Owner:
    name: str


OWNERS = [Owner("Ann <B> O'Hara"), Owner("C & D Trust")]
BOTH = ("tender", "withdrawal")


def client_forms() -> Iterator[tuple[str, forms.Form]]:
    """Each form the client's page can show (a new instance each call: crispy's rendering
    changes the widgets' classes, as ours does)."""
    initial = {"address": "1 Main St\nApt 2", "phone": "+19145550121"}
    yield "opened", ClientInstructionForm(initial=initial, owners=OWNERS, offered=BOTH)
    yield "one owner", ClientInstructionForm(initial=initial, owners=OWNERS[:1], offered=BOTH)
    yield "tender only", ClientInstructionForm(owners=OWNERS, offered=("tender",))
    yield "withdrawal only", ClientInstructionForm(owners=OWNERS, offered=("withdrawal",))
    refused = ClientInstructionForm(
        {
            "kind": "tender",
            "choice": "AMOUNT",
            "amount": "12x",
            "address": "<b>2 Elm</b>",
            "phone": "not a phone",
            "esign_consent": "on",
            "signature_0": "Ann",
        },
        owners=OWNERS,
        offered=BOTH,
    )
    refused.is_valid()
    for name in ("kind", "choice", "esign_consent", "signature_1", "address"):
        refused.add_error(name, "Wrong <here> & there.")
        refused.add_error(name, "A second refusal.")
    yield "refused", refused
    filled = ClientInstructionForm(
        {"kind": "withdrawal", "choice": "ALL", "esign_consent": "on", "signature_0": "Ann"},
        owners=OWNERS,
        offered=BOTH,
    )
    filled.is_valid()
    yield "filled", filled
    yield "identity", IdentityForm()
    identity = IdentityForm({"tin_last4": "12"})
    identity.is_valid()
    yield "identity refused", identity


@pytest.mark.parametrize("state", [state for state, _ in client_forms()])
def test_every_field_is_written_as_crispy_writes_it(state: str) -> None:
    ours = dict(client_forms())[state]
    theirs = dict(client_forms())[state]
    assert list(ours.fields) == list(theirs.fields)
    for name in ours.fields:
        written = str(as_crispy_field_fast(ours[name]))
        assert written == str(as_crispy_field(theirs[name])), name
        assert str(as_crispy_field_fast(ours[name])) == written, name  # written again


def test_the_filter_in_a_template_writes_what_crispys_does() -> None:
    ours, theirs = (ClientInstructionForm(owners=OWNERS, offered=BOTH) for _ in range(2))
    fast = Template("{% load crispy_fields %}{{ form.choice|as_crispy_field_fast }}")
    crispy = Template("{% load crispy_forms_tags %}{{ form.choice|as_crispy_field }}")
    assert fast.render(Context({"form": ours})) == crispy.render(Context({"form": theirs}))


class Other(forms.Form):
    hidden = forms.CharField(widget=forms.HiddenInput)
    pick = forms.ChoiceField(choices=[("a", "A")])
    upload = forms.FileField()
    when = forms.SplitDateTimeField()


@pytest.mark.parametrize("name", ["hidden", "pick", "upload", "when"])
def test_what_it_does_not_write_itself_goes_to_crispy(name: str) -> None:
    form = Other()
    assert _falls_to_crispy(form[name])
    assert str(as_crispy_field_fast(form[name])) == str(as_crispy_field(Other()[name]))


def test_the_client_forms_fields_are_written_here_not_by_crispy() -> None:
    form = ClientInstructionForm(owners=OWNERS, offered=BOTH)
    shown = [name for name in form.fields if not form[name].is_hidden]
    assert len(shown) == 8
    assert not any(_falls_to_crispy(form[name]) for name in shown)
