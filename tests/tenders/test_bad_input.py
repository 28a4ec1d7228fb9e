"""Bad input gets the form's error or a 4xx, never a server error, and changes nothing: the
cases the review reproduced, one by one."""

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from tenders.intake.services import instruction_submit
from tenders.models import ClientAccount, Instruction, Position
from tests.forms import form_data
from tests.tenders.conftest import make_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client: Any, rep: Any) -> Any:
    client.force_login(rep)
    return client


@pytest.fixture
def ops_client(client: Any, ops: Any) -> Any:
    client.force_login(ops)
    return client


def amend_url(account: ClientAccount) -> str:
    return reverse("tenders:instruction_amend", args=[account.pk])


# Amounts: digits, thousands separators where they belong, an optional "$" and ".00".


def _instruct_with_amount(rep_client: Any, account: ClientAccount, amount: str) -> Any:
    url = reverse("tenders:instruction_new", args=[account.pk])
    data = form_data(rep_client.get(url).content.decode(), "instruction-form")
    data |= {"choice": "AMOUNT", "amount": amount, "signers-0-typed_name": "Eleanor J. Whitfield"}
    data |= {"signers-0-attested": "on", "_confirm": "1"}
    return rep_client.post(url, data)


@pytest.mark.parametrize(
    "typed",
    [
        "1,0,0,0",
        "1e3",
        "1_000",
        "+1000",
        "\u0661\u0660\u0660\u0660",  # 1000 in Arabic-Indic digits
        "1000.5",
        "10,00",
        "1,000.0",
        "$ 1,000",
        "0x3e8",
    ],
)
def test_a_loosely_written_amount_is_refused_next_to_the_field(
    rep_client, account, typed: str
) -> None:
    response = _instruct_with_amount(rep_client, account, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the amount in whole dollars, e.g. 125,000 or $125,000.00." in page
    assert not Instruction.objects.exists()


@pytest.mark.parametrize("typed", ["50000", "50,000", "$50,000", "50,000.00", " 50000 "])
def test_an_amount_written_as_people_write_it_is_accepted(rep_client, account, typed) -> None:
    response = _instruct_with_amount(rep_client, account, typed)
    assert response.status_code == 302
    assert Instruction.objects.get().amount == Decimal("50000")


# The amend form's version


@pytest.fixture
def instructed(account: ClientAccount, offer: Any, rep: Any) -> Instruction:
    return instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)


@pytest.mark.parametrize("version", [None, "", "abc", "1e6", "1.0", "-1", "9" * 5000, "\u0663"])
def test_an_amendment_with_a_broken_version_is_refused_above_the_form(
    rep_client, account, instructed, version: str | None
) -> None:
    data = form_data(rep_client.get(amend_url(account)).content.decode(), "instruction-form")
    data |= {"choice": "AMOUNT", "amount": "50,000", "signers-0-typed_name": "Eleanor J. Whitfield"}
    data |= {"signers-0-attested": "on", "_confirm": "1"}
    data.pop("version")
    if version is not None:
        data["version"] = version
    response = rep_client.post(amend_url(account), data)
    assert response.status_code == 200
    assert "lost track of the version it amends" in response.content.decode()
    assert Instruction.objects.count() == 1


# NUL characters: answered 400 before any view


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/?q=%00",
        "/accounts/?answer=%00",
        "/accounts/?page=%00",
        "/admin/tenders/instruction/?q=%00",
        "/admin/tenders/instruction/?status__exact=%00",
        "/admin/tenders/clientaccount/?firm__id__exact=%00",
    ],
)
def test_a_nul_character_in_a_query_is_a_bad_request(ops_client, url: str) -> None:
    response = ops_client.get(url)
    assert response.status_code == 400
    assert b"NUL character" in response.content


def test_a_nul_character_in_a_form_is_a_bad_request(rep_client, account, instructed) -> None:
    data = form_data(rep_client.get(amend_url(account)).content.decode(), "instruction-form")
    data |= {"address": "12 Elm\x00 Street", "_confirm": "1"}
    assert rep_client.post(amend_url(account), data).status_code == 400
    assert Instruction.objects.count() == 1


# Admin actions with a selection that names no row


@pytest.mark.parametrize(
    ("changelist", "action"),
    [
        ("admin:tenders_instruction_changelist", "submit_to_agent"),
        ("admin:tenders_document_changelist", "regenerate"),
        ("admin:tenders_outboxmessage_changelist", "resend"),
        ("admin:tenders_bulkrun_changelist", "resume"),
        ("admin:tenders_bulkrun_changelist", "retry_failed"),
        ("admin:notes_exchangeoffer_changelist", "consummate"),
        ("admin:notes_exchangeoffer_changelist", "issue_confirmations"),
        ("admin:tenders_clientaccount_changelist", "delete_selected"),
    ],
)
@pytest.mark.parametrize("selected", ["abc", "1.5", "99999999999999999999", "", "-1"])
def test_an_admin_action_on_a_selection_naming_no_row_is_refused_plainly(
    ops_client, instructed, changelist: str, action: str, selected: str
) -> None:
    url = reverse(changelist)
    response = ops_client.post(
        url, {"action": action, "_selected_action": [selected], "index": "0"}, follow=True
    )
    assert response.status_code == 200
    assert Instruction.objects.get().status == "received"


# Positions cannot fall below a live tender before consummation


def test_a_position_below_the_live_tender_is_refused_with_both_figures(
    ops_client, account, offer, rep
) -> None:
    instruction_submit(
        account=account,
        offer=offer,
        data=make_input(account, choice="AMOUNT", amount=Decimal("100000")),
        by=rep,
    )
    position = Position.objects.get(account=account)
    url = reverse("admin:tenders_position_change", args=[position.pk])
    data = form_data(ops_client.get(url).content.decode(), "position_form") | {"principal": "60000"}
    response = ops_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "tenders $100,000" in page and "($60,000 entered)" in page
    position.refresh_from_db()
    assert position.principal == Decimal("125000")


def test_a_position_may_drop_to_the_live_tender_but_not_below(account, offer, rep, ops) -> None:
    from django.core.exceptions import ValidationError

    from tenders.positions.services import position_save

    instruction_submit(
        account=account,
        offer=offer,
        data=make_input(account, choice="AMOUNT", amount=Decimal("100000")),
        by=rep,
    )
    position = Position.objects.get(account=account)
    position.principal = Decimal("100000")
    position_save(position=position, by=ops)
    position.principal = Decimal("99000")
    with pytest.raises(ValidationError, match=r"tenders \$100,000 .*\(\$99,000 entered\)"):
        position_save(position=position, by=ops)


def test_after_consummation_a_feed_may_lower_the_position(account, offer, rep, ops) -> None:
    from tenders.positions.services import position_save

    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    offer.status = "consummated"
    offer.save()
    Instruction.objects.update(status="accepted", resolved_amount=Decimal("125000"))
    position = Position.objects.get(account=account)
    position.principal = Decimal("0")
    position_save(position=position, by=ops)
    position.refresh_from_db()
    assert position.principal == 0
