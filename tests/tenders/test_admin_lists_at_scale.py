"""The admin's long lists read only what they show: no taxpayer ID is decrypted for a list."""

from typing import Any

import pytest
from django.urls import reverse

from exchange_office import encryption
from tenders.intake.services import instruction_submit
from tests.tenders.conftest import make_input

pytestmark = pytest.mark.django_db

LISTS = [
    "admin:tenders_clientaccount_changelist",
    "admin:tenders_position_changelist",
    "admin:tenders_instruction_changelist",
]


@pytest.mark.parametrize("changelist", LISTS)
def test_a_long_list_decrypts_no_taxpayer_id(
    client, ops, account, offer, monkeypatch, changelist: str
) -> None:
    instruction_submit(account=account, offer=offer, by=ops, data=make_input(account))
    client.force_login(ops)
    decrypted: list[Any] = []
    real_decrypt = encryption.decrypt

    def counting_decrypt(value: Any) -> Any:
        decrypted.append(value)
        return real_decrypt(value)

    monkeypatch.setattr(encryption, "decrypt", counting_decrypt)
    page = client.get(reverse(changelist)).content.decode()
    assert "HB-100003" in page
    assert decrypted == []
    client.get(reverse("admin:tenders_clientaccount_change", args=[account.pk]))
    assert decrypted, "the check above can see a decryption"


def test_each_row_has_the_action_checkbox_the_admin_script_selects(
    client, ops, account, offer
) -> None:
    instruction = instruction_submit(account=account, offer=offer, by=ops, data=make_input(account))
    client.force_login(ops)
    page = client.get(reverse("admin:tenders_instruction_changelist")).content.decode()
    assert (
        f'<input type="checkbox" name="_selected_action" value="{instruction.pk}" '
        f'class="action-select" aria-label="Select this object for an action - {instruction}">'
        in page
    )
    assert 'id="action-toggle"' in page
