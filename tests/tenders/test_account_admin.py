"""Operations edit a client account in the admin: a new TIN is checked with the rest of the form,
so a refused number is shown next to its field and nothing of the change is saved."""

from typing import Any

import pytest
from django.urls import reverse

from tenders.accounts.models import state_name
from tenders.intake.services import instruction_submit
from tenders.models import ClientAccount, Position
from tests.forms import form_data
from tests.tenders.conftest import make_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops_client(client: Any, ops: Any) -> Any:
    client.force_login(ops)
    return client


def change_url(account: ClientAccount) -> str:
    return reverse("admin:tenders_clientaccount_change", args=[account.pk])


def post_change(ops_client: Any, account: ClientAccount, **changes: str) -> Any:
    data = form_data(ops_client.get(change_url(account)).content.decode(), "clientaccount_form")
    return ops_client.post(change_url(account), {**data, **changes})


def test_a_refused_tin_saves_nothing_of_the_change(ops_client, account) -> None:
    history_rows = account.history.count()
    response = post_change(ops_client, account, city="Rye", new_tin="000-00-0000")
    assert response.status_code == 200
    page = response.content.decode()
    assert "This is not a valid social security number" in page
    assert 'value="Rye"' in page  # what was typed is kept
    account.refresh_from_db()
    assert account.city != "Rye"
    assert account.tin == "123-45-6789"
    assert account.history.count() == history_rows


def test_a_valid_new_tin_is_saved_with_the_rest_in_one_change(ops_client, account) -> None:
    history_rows = account.history.count()
    response = post_change(ops_client, account, city="Rye", new_tin="401-23-4567")
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.city, account.tin, account.tin_last4) == ("Rye", "401-23-4567", "4567")
    assert account.history.count() == history_rows + 1


def test_the_tin_type_cannot_change_without_a_new_number(ops_client, account) -> None:
    response = post_change(ops_client, account, tin_type="EIN")
    assert (
        "To change the type of taxpayer ID, enter the new number too." in response.content.decode()
    )
    account.refresh_from_db()
    assert account.tin_type == "SSN"


def test_the_tin_type_changes_with_a_new_number_of_that_type(ops_client, account) -> None:
    response = post_change(ops_client, account, tin_type="EIN", new_tin="13-5550001")
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.tin_type, account.tin, account.masked_tin) == (
        "EIN",
        "13-5550001",
        "**-***0001",
    )


def test_a_position_changed_in_the_account_form_is_recorded_by_the_operator(
    ops_client, ops, account
) -> None:
    position = Position.objects.get(account=account)
    data = form_data(ops_client.get(change_url(account)).content.decode(), "clientaccount_form")
    prefix = next(k for k in data if k.endswith("-principal")).removesuffix("principal")
    response = ops_client.post(change_url(account), {**data, f"{prefix}principal": "100000"})
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.principal == 100000
    assert position.history.latest("history_date").history_user == ops


def test_the_account_list_names_each_clients_state_of_domicile(ops_client, account) -> None:
    ClientAccount.objects.filter(pk=account.pk).update(state="DC")
    page = ops_client.get(reverse("admin:tenders_clientaccount_changelist")).content.decode()
    assert '<td class="field-state_display">District of Columbia</td>' in page


@pytest.mark.parametrize(
    ("code", "name"),
    [("NY", "New York"), ("GA", "Georgia"), ("DC", "District of Columbia"), ("ZZ", "ZZ"), ("", "")],
)
def test_a_state_code_reads_as_its_name(code, name) -> None:
    assert state_name(code) == name


def test_an_accounts_firm_cannot_be_changed_in_the_admin(
    ops_client: Any, account: ClientAccount, firm_factory: Any
) -> None:
    """Moving an account to a firm with a later cutoff would reopen it with one operator."""
    other = firm_factory(dtc_participant_number="0999")
    response = post_change(ops_client, account, firm=str(other.pk), city="Rye")
    assert response.status_code == 302  # the rest of the change is saved
    account.refresh_from_db()
    assert account.city == "Rye"
    assert account.firm_id != other.pk


def test_an_account_number_the_firm_already_has_is_refused_next_to_the_field(
    ops_client: Any, account: ClientAccount, account_factory: Any
) -> None:
    account_factory(firm=account.firm, account_number="HB-100001")
    response = post_change(ops_client, account, account_number="HB-100001", city="Rye")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The firm already has an account HB-100001" in page
    assert 'value="Rye"' in page  # what was typed is kept
    account.refresh_from_db()
    assert account.account_number == "HB-100003"


def _owner_name_field(ops_client: Any, account: ClientAccount) -> str:
    data = form_data(ops_client.get(change_url(account)).content.decode(), "clientaccount_form")
    return next(key for key in data if key.endswith("-0-name"))


def test_an_owner_who_signed_cannot_be_renamed_to_someone_else(
    ops_client: Any, account: ClientAccount, offer: Any, rep: Any
) -> None:
    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    field = _owner_name_field(ops_client, account)
    response = post_change(ops_client, account, **{field: "Somebody Else"})
    assert response.status_code == 200
    assert "signed an instruction: the name may be respelled, not replaced" in (
        response.content.decode()
    )
    assert account.owners.get().name == "Eleanor J. Whitfield"


def test_an_owner_who_signed_may_be_respelled(
    ops_client: Any, account: ClientAccount, offer: Any, rep: Any
) -> None:
    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    field = _owner_name_field(ops_client, account)
    response = post_change(ops_client, account, **{field: "ELEANOR J WHITFIELD"})
    assert response.status_code == 302
    assert account.owners.get().name == "ELEANOR J WHITFIELD"


def test_an_owner_who_never_signed_may_be_renamed(ops_client: Any, account: ClientAccount) -> None:
    field = _owner_name_field(ops_client, account)
    response = post_change(ops_client, account, **{field: "Eleanor Whitfield-Ames"})
    assert response.status_code == 302
    assert account.owners.get().name == "Eleanor Whitfield-Ames"
