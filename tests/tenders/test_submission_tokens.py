"""A form's one-time token stands for one account and one offer (issue 22): posted again for
the same account it returns what the first post recorded (a double click); posted for another
account, or another offer, it is refused and returns nothing of the record that carries it.

Account A is HB-100003 (Eleanor J. Whitfield), account B HB-100004 (the Chens), both at the
same firm, holding $125,000 each."""

import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tenders.accounts.services import account_set_tin
from tenders.approvals.models import HeldInstruction
from tenders.intake.services import instruction_amend, instruction_submit
from tenders.models import ClientSubmission, Instruction
from tenders.online.selectors import client_link_token
from tenders.online.services import OnlineInput, client_link_issue, client_submission_create
from tests import factories
from tests.forms import form_data
from tests.tenders.conftest import make_input

pytestmark = pytest.mark.django_db

ANOTHER_ACCOUNT = "This form was already used for another account: nothing was recorded."


def _refusal(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


# The representative's form


def test_a_token_of_another_accounts_instruction_is_refused_and_records_nothing(
    account: Any, joint_account: Any, offer: Any, rep: Any
) -> None:
    token = uuid.uuid4()
    instruction_submit(
        account=account, offer=offer, data=make_input(account, submission_token=token), by=rep
    )
    with pytest.raises(ValidationError) as exc:
        instruction_submit(
            account=joint_account,
            offer=offer,
            data=make_input(joint_account, submission_token=token),
            by=rep,
        )
    assert ANOTHER_ACCOUNT in _refusal(exc)
    assert not Instruction.objects.filter(account=joint_account).exists()


def test_a_token_of_the_same_account_for_another_offer_is_refused(
    account: Any, offer: Any, rep: Any
) -> None:
    token = uuid.uuid4()
    instruction_submit(
        account=account, offer=offer, data=make_input(account, submission_token=token), by=rep
    )
    other = factories.ExchangeOfferFactory(slug="another-2001")
    with pytest.raises(ValidationError) as exc:
        instruction_submit(
            account=account, offer=other, data=make_input(account, submission_token=token), by=rep
        )
    assert ANOTHER_ACCOUNT in _refusal(exc)
    assert not Instruction.objects.filter(offer=other).exists()


def test_an_amendment_posted_with_another_accounts_token_is_refused(
    account: Any, joint_account: Any, offer: Any, rep: Any
) -> None:
    token = uuid.uuid4()
    instruction_submit(
        account=account, offer=offer, data=make_input(account, submission_token=token), by=rep
    )
    chens = instruction_submit(
        account=joint_account, offer=offer, data=make_input(joint_account), by=rep
    )
    with pytest.raises(ValidationError) as exc:
        instruction_amend(
            instruction=chens,
            expected_version=1,
            data=make_input(
                joint_account, choice="AMOUNT", amount=Decimal("50000"), submission_token=token
            ),
            by=rep,
        )
    assert ANOTHER_ACCOUNT in _refusal(exc)
    chens.refresh_from_db()
    assert (chens.status, Instruction.objects.filter(account=joint_account).count()) == (
        "received",
        1,
    )


def test_a_token_of_another_accounts_held_instruction_is_refused(
    account: Any, joint_account: Any, offer: Any, rep: Any, firm: Any
) -> None:
    firm.second_approval_threshold = Decimal("100000")  # $125,000 tendered waits
    firm.save()
    token = uuid.uuid4()
    held = instruction_submit(
        account=account, offer=offer, data=make_input(account, submission_token=token), by=rep
    )
    assert isinstance(held, HeldInstruction)
    with pytest.raises(ValidationError) as exc:
        instruction_submit(
            account=joint_account,
            offer=offer,
            data=make_input(joint_account, submission_token=token),
            by=rep,
        )
    assert ANOTHER_ACCOUNT in _refusal(exc)
    assert not HeldInstruction.objects.filter(account=joint_account).exists()


def _filled(client: Any, account: Any, **changes: str) -> dict[str, str]:
    url = reverse("tenders:instruction_new", args=[account.pk])
    data = form_data(client.get(url).content.decode(), "instruction-form")
    data["choice"] = "ALL"
    for index, owner in enumerate(account.owners.all()):
        data[f"signers-{index}-typed_name"] = owner.name
        data[f"signers-{index}-attested"] = "on"
    data.update(changes)
    return data


def test_the_page_posted_with_another_accounts_token_says_so_and_shows_nothing_of_it(
    client: Any, account: Any, joint_account: Any, offer: Any, rep: Any
) -> None:
    client.force_login(rep)
    first = _filled(client, account, _confirm="")
    client.post(reverse("tenders:instruction_new", args=[account.pk]), first)
    whitfield = Instruction.objects.get(account=account)
    forged = _filled(client, joint_account, _confirm="", submission_token=first["submission_token"])
    response = client.post(reverse("tenders:instruction_new", args=[joint_account.pk]), forged)
    page = response.content.decode()
    assert response.status_code == 200  # the form again, not a redirect to a record
    assert ANOTHER_ACCOUNT in page
    assert "HB-100003" not in page and "Whitfield" not in page
    assert not Instruction.objects.filter(account=joint_account).exists()
    assert Instruction.objects.get(account=account) == whitfield


def test_a_tin_typed_on_one_accounts_review_is_not_used_for_another_accounts_form(
    client: Any, account: Any, joint_account: Any, offer: Any, rep: Any, ops: Any
) -> None:
    account_set_tin(account=joint_account, tin_type="SSN", tin="078-05-1121", by=ops)
    client.force_login(rep)
    first = _filled(client, account, _review="", tin="123-45-6789")
    client.post(reverse("tenders:instruction_new", args=[account.pk]), first)
    forged = _filled(client, joint_account, _confirm="", submission_token=first["submission_token"])
    client.post(reverse("tenders:instruction_new", args=[joint_account.pk]), forged)
    # None was typed for it: the TIN on file, not the one typed for the other account.
    assert Instruction.objects.get(account=joint_account).tin == "078-05-1121"


# The client's page


def _tender(account: Any, token: uuid.UUID) -> OnlineInput:
    return OnlineInput(
        kind="tender",
        choice="AMOUNT",
        amount=Decimal("50000"),
        names={owner.pk: owner.name for owner in account.owners.all()},
        address="12 Elm Street\nScarsdale, NY 10583",
        phone="+19145550121",
        esign_consent=True,
        ip_address="203.0.113.7",
        user_agent="Mozilla/5.0 (iPhone)",
        submission_token=token,
    )


def test_a_client_page_posted_with_another_accounts_token_records_nothing_and_returns_nothing(
    account: Any, joint_account: Any, offer: Any
) -> None:
    token = uuid.uuid4()
    client_submission_create(
        link=client_link_issue(offer=offer, account=account), data=_tender(account, token)
    )
    chens = client_link_issue(offer=offer, account=joint_account)
    with pytest.raises(ValidationError, match="This page was already used for another account"):
        client_submission_create(link=chens, data=_tender(joint_account, token))
    assert not ClientSubmission.objects.filter(account=joint_account).exists()


def test_the_client_page_says_the_token_was_used_for_another_account(
    client: Any, account: Any, joint_account: Any, offer: Any
) -> None:
    token = uuid.uuid4()
    client_submission_create(
        link=client_link_issue(offer=offer, account=account), data=_tender(account, token)
    )
    chens = client_link_issue(offer=offer, account=joint_account)
    path = reverse("client_page", args=[client_link_token(chens)])
    checked = client.post(path, {"step": "identity", "tin_last4": "6789", "postal_code": "10004"})
    assert checked.status_code == 302
    data = form_data(client.get(path).content.decode(), "client-form")
    data.update(
        choice="AMOUNT",
        amount="50,000",
        esign_consent="on",
        submission_token=str(token),
        **{f"signature_{i}": o.name for i, o in enumerate(joint_account.owners.all())},
    )
    response = client.post(path, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "This page was already used for another account: nothing was recorded." in page
    assert "Whitfield" not in page
    assert not ClientSubmission.objects.filter(account=joint_account).exists()
