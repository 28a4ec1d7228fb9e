"""An account's number, address and owners' names obey one set of rules wherever they are
entered: the admin (next to the field, keeping what was typed), the positions feed, the
services and the writers that create accounts (the demo, load_scale) (issue 22, point 2).
Rows stored before the rules stay readable."""

import dataclasses
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape

from tenders import demo, scale
from tenders.accounts.services import account_owner_save, account_save
from tenders.accounts.validators import validate_account_fields
from tenders.domain.account_fields import account_number_problem, name_problem
from tenders.models import AccountOwner, ClientAccount
from tenders.positions.imports import positions_preview
from tests import factories
from tests.forms import form_data
from tests.tenders.test_position_imports import feed, line

ATTACKERS_NUMBER = 'HB<&]]>"x\n:16R:'


# The rules


@pytest.mark.parametrize("number", ["HB-100001", "SC1-0000001", "0901/77.5", "a"])
def test_an_account_number_of_letters_digits_and_separators_is_accepted(number: str) -> None:
    assert account_number_problem(number) == ""


@pytest.mark.parametrize("number", ["=1+1", "-5", "+1", "@A1", "HB 100001", "HB-1ä", "'HB-1"])
def test_an_account_number_with_other_characters_is_refused(number: str) -> None:
    assert "is not letters and digits" in account_number_problem(number)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (ATTACKERS_NUMBER, "holds a line break"),
        ("HB\t1", "holds a tab"),
        ("HB\r1", "holds a line break"),
        ("HB\x851", "holds a line break"),
        ("HB\u20281", "holds a line break"),
        ("HB\u202e1", "holds an invisible control character (U+202E)"),
        ("HB\x7f1", "holds an invisible control character (U+007F)"),
        ("HB\u200b1", "holds an invisible control character (U+200B)"),
        ("\ufeffHB1", "holds an invisible control character (U+FEFF)"),
    ],
)
def test_a_control_character_is_refused_in_an_account_number_and_named(
    text: str, problem: str
) -> None:
    assert account_number_problem(text) == problem


@pytest.mark.parametrize("name", ["Ann; Bob", ";;"])
def test_a_name_holding_the_feeds_owner_separator_is_refused(name: str) -> None:
    assert "holds a ';', which separates owners" in name_problem(name)


@pytest.mark.parametrize("name", ["Seán O'Brien-Smith", "Müller & Söhne GmbH", "李小龍", "=X"])
def test_a_name_may_hold_any_letters_and_signs(name: str) -> None:
    assert name_problem(name) == ""


@pytest.mark.parametrize("name", ["Ann\nNew", "Ann\u202eweN", "Ann\x00"])
def test_a_name_on_more_than_one_line_or_reordered_is_refused(name: str) -> None:
    assert name_problem(name).startswith("holds a")


# The admin


@pytest.fixture
def ops_client(client: Any, ops: Any) -> Any:
    client.force_login(ops)
    return client


def change_url(account: ClientAccount) -> str:
    return reverse("admin:tenders_clientaccount_change", args=[account.pk])


def post_change(ops_client: Any, account: ClientAccount, **changes: str) -> Any:
    data = form_data(ops_client.get(change_url(account)).content.decode(), "clientaccount_form")
    return ops_client.post(change_url(account), {**data, **changes})


def _form(response: Any) -> Any:
    return response.context["adminform"].form


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["=1+1", ATTACKERS_NUMBER])
def test_a_bad_account_number_is_refused_next_to_the_field_keeping_what_was_typed(
    ops_client: Any, account: ClientAccount, number: str
) -> None:
    response = post_change(ops_client, account, account_number=number)
    assert response.status_code == 200
    assert _form(response).errors["account_number"] == [
        f"The account number {account_number_problem(number)}."
    ]
    assert _form(response)["account_number"].value() == number
    assert escape(number) in response.content.decode()
    account.refresh_from_db()
    assert account.account_number == "HB-100003"


@pytest.mark.django_db
def test_an_address_on_two_lines_is_refused_next_to_the_field(
    ops_client: Any, account: ClientAccount
) -> None:
    on_file = account.address_line1
    response = post_change(ops_client, account, address_line1="12 Elm Street\n:16R:GENL")
    assert _form(response).errors["address_line1"] == ["The text holds a line break."]
    account.refresh_from_db()
    assert account.address_line1 == on_file


@pytest.mark.django_db
def test_an_owner_name_with_a_control_character_is_refused_next_to_the_field(
    ops_client: Any, account: ClientAccount
) -> None:
    data = form_data(ops_client.get(change_url(account)).content.decode(), "clientaccount_form")
    name_key = next(k for k in data if k.startswith("owners-0") and k.endswith("-name"))
    response = ops_client.post(change_url(account), {**data, name_key: "Eleanor\u202e Whitfield"})
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors["name"] == [
        "The name holds an invisible control character (U+202E)."
    ]
    assert [o.name for o in account.owners.all()] == ["Eleanor J. Whitfield"]


@pytest.mark.django_db
def test_an_account_stored_before_the_rules_still_opens_in_the_admin(
    ops_client: Any, firm: Any
) -> None:
    legacy = factories.ClientAccountFactory(firm=firm, account_number="=1+1", owners=["=X"])
    assert ops_client.get(change_url(legacy)).status_code == 200
    listing = ops_client.get(reverse("admin:tenders_clientaccount_changelist"), {"q": "=1+1"})
    assert "=1+1" in listing.content.decode()


# The positions feed


@pytest.mark.django_db
def test_the_feed_refuses_an_account_number_the_admin_refuses(
    account: ClientAccount, offer: Any, ops: Any
) -> None:
    participant = account.firm.dtc_participant_number
    report = positions_preview(
        text=feed(line(participant=participant, account_number="=1+1")), by=ops
    )
    assert [str(r) for r in report.refused] == [
        "Line 2 (account =1+1): account_number '=1+1' is not letters and digits, with '-', "
        "'/' or '.' after the first (e.g. HB-100001)."
    ]


@pytest.mark.django_db
def test_the_feed_refuses_a_name_the_admin_refuses(
    account: ClientAccount, offer: Any, ops: Any
) -> None:
    participant = account.firm.dtc_participant_number
    report = positions_preview(
        text=feed(line(participant=participant, owners="Ann\u202eweN")), by=ops
    )
    assert [r.reason for r in report.refused] == [
        "owners holds an invisible control character (U+202E)."
    ]


# The services


@pytest.mark.django_db
def test_saving_an_account_refuses_an_account_number_the_admin_refuses(
    account: ClientAccount, ops: Any
) -> None:
    account.account_number = "=1+1"
    with pytest.raises(ValidationError) as refused:
        account_save(account=account, by=ops)
    assert list(refused.value.message_dict) == ["account_number"]
    assert ClientAccount.objects.get(pk=account.pk).account_number == "HB-100003"


@pytest.mark.django_db
def test_saving_an_owner_refuses_a_name_on_two_lines(account: ClientAccount, ops: Any) -> None:
    owner = account.owners.get()
    owner.name = "Eleanor\nWhitfield"
    with pytest.raises(ValidationError) as refused:
        account_owner_save(owner=owner, by=ops)
    assert list(refused.value.message_dict) == ["name"]
    assert AccountOwner.objects.get(pk=owner.pk).name == "Eleanor J. Whitfield"


def test_the_check_for_bulk_writers_names_every_refused_field() -> None:
    with pytest.raises(ValidationError) as refused:
        validate_account_fields(
            account_number="=1+1",
            owners=["Ann", "Bob\tJones"],
            address_line1="x" * 201,
            address_line2="",
            city="",
        )
    assert refused.value.message_dict == {
        "account_number": [
            "The account number '=1+1' is not letters and digits, with '-', '/' or '.' after "
            "the first (e.g. HB-100001)."
        ],
        "address_line1": ["The text is 201 characters long, at most 200."],
        "city": ["This field cannot be blank."],
        "owners": ["The name holds a tab."],
    }


@pytest.mark.django_db
def test_the_demo_refuses_an_account_the_fields_refuse(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = dataclasses.replace(demo.ACCOUNTS[0], number="=1+1")
    monkeypatch.setattr(demo, "ACCOUNTS", (bad, *demo.ACCOUNTS[1:]))
    with pytest.raises(CommandError, match=r"The account number '=1\+1' is not letters"):
        call_command("load_demo")
    assert not ClientAccount.objects.exists()


@pytest.mark.django_db
def test_load_scale_refuses_an_account_the_fields_refuse(
    offer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scale, "account_number", lambda firm_index, index: f"={index}+1")
    with pytest.raises(CommandError, match="The account number '=0\\+1' is not letters"):
        call_command("load_scale", "--accounts", "5")
    assert not ClientAccount.objects.exists()
