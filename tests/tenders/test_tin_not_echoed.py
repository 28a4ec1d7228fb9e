"""A full taxpayer ID typed into a form is never written back into the page when the form is
refused (the instruction form's TIN, the admin account form's new TIN): it must be typed again,
and the page says so."""

from typing import Any

import pytest
from django.urls import reverse

from tenders.models import ClientAccount, Instruction
from tests.forms import form_data

pytestmark = pytest.mark.django_db

TYPED = "401-23-4567"


def _instruction_form(client: Any, account: ClientAccount, **changes: str) -> dict:
    url = reverse("tenders:instruction_new", args=[account.pk])
    data = form_data(client.get(url).content.decode(), "instruction-form")
    data["choice"] = "ALL"
    for index, owner in enumerate(account.owners.all()):
        data[f"signers-{index}-typed_name"] = owner.name
        data[f"signers-{index}-attested"] = "on"
    data.update(changes)
    return data


def _assert_not_in_page(page: str) -> None:
    assert TYPED not in page
    assert TYPED.replace("-", "") not in page


def test_a_form_refused_by_its_fields_does_not_echo_the_typed_tin(client, rep, account) -> None:
    client.force_login(rep)
    data = _instruction_form(client, account, tin=TYPED, form_date="", _review="")
    response = client.post(reverse("tenders:instruction_new", args=[account.pk]), data)
    assert "This field is required." in response.content.decode()
    _assert_not_in_page(response.content.decode())


def test_a_form_refused_by_the_rules_does_not_echo_the_typed_tin(client, rep, account) -> None:
    client.force_login(rep)
    data = _instruction_form(client, account, choice="AMOUNT", amount="200000", tin=TYPED)
    response = client.post(reverse("tenders:instruction_new", args=[account.pk]), data)
    assert "is more than the $125,000 held for the account" in response.content.decode()
    _assert_not_in_page(response.content.decode())


def test_the_instruction_form_says_the_tin_must_be_typed_again(client, rep, account) -> None:
    client.force_login(rep)
    page = client.get(reverse("tenders:instruction_new", args=[account.pk])).content.decode()
    assert "A number typed here is never shown again: after a refusal, type it again." in page


def test_the_instruction_forms_tin_box_is_not_remembered_by_the_browser(
    client, rep, account
) -> None:
    client.force_login(rep)
    page = client.get(reverse("tenders:instruction_new", args=[account.pk])).content.decode()
    assert 'name="tin" autocomplete="off"' in page


def test_a_refused_admin_account_form_does_not_echo_the_new_tin(client, ops, account) -> None:
    client.force_login(ops)
    url = reverse("admin:tenders_clientaccount_change", args=[account.pk])
    data = form_data(client.get(url).content.decode(), "clientaccount_form")
    response = client.post(url, {**data, "account_number": "", "new_tin": TYPED})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page
    assert "after a refusal, type it again" in page
    _assert_not_in_page(page)


def test_the_review_step_does_not_carry_the_typed_tin_in_the_page(client, rep, account) -> None:
    client.force_login(rep)
    url = reverse("tenders:instruction_new", args=[account.pk])
    review = client.post(url, _instruction_form(client, account, tin=TYPED))
    page = review.content.decode()
    assert "SSN ending 4567" in page
    _assert_not_in_page(page)
    confirm = form_data(page, None) | {"_confirm": ""}
    assert client.post(url, confirm).status_code == 302
    assert Instruction.objects.get().tin == TYPED
    assert (
        "instructions.typed-tins" not in client.session
        or not client.session["instructions.typed-tins"]
    )
