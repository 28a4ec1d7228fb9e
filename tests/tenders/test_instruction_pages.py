"""The representative's pages: take, review, amend and withdraw an instruction, see the
account's history, and get every refusal next to its field with the typed input kept."""

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from notes.models import ExcludedJurisdiction
from tenders.intake.services import instruction_submit
from tenders.models import Instruction, InstructionStatus, TinReveal
from tests.forms import form_data
from tests.tenders.conftest import CUTOFF, amount_input, make_input, notice_for

pytestmark = pytest.mark.django_db


def url(name: str, account: Any) -> str:
    return reverse(f"tenders:{name}", args=[account.pk])


def fill(client: Any, account: Any, name: str = "instruction_new", **changes: Any) -> dict:
    """The form as the page renders it, filled in: tender all, every owner signed."""
    data = form_data(client.get(url(name, account)).content.decode(), "instruction-form")
    data.update({"choice": "ALL"})
    for index, owner in enumerate(account.owners.all()):
        data[f"signers-{index}-typed_name"] = owner.name
        data[f"signers-{index}-attested"] = "on"
    data.update(changes)
    return data


@pytest.fixture
def rep_client(client: Any, rep: Any) -> Any:
    client.force_login(rep)
    return client


def test_form_offers_the_two_choices_of_the_seed_letter(rep_client, account, offer) -> None:
    page = rep_client.get(url("instruction_new", account)).content.decode()
    assert "Tender all Old Notes held for my account" in page
    assert "Tender only the aggregate principal amount indicated" in page
    assert "Signature of Eleanor J. Whitfield" in page


def test_form_is_pre_filled_from_the_account(rep_client, account, offer) -> None:
    page = rep_client.get(url("instruction_new", account)).content.decode()
    data = form_data(page, "instruction-form")
    assert data["address"] == "1 Main Street\nNew York, NY 10004"
    assert data["phone"] == "(212) 555-0100"
    assert data["tin_type"] == "SSN"
    assert data["tin"] == ""
    assert data["form_date"] == "2001-08-20"


def test_form_never_shows_the_full_tin(rep_client, account, offer) -> None:
    page = rep_client.get(url("instruction_new", account)).content.decode()
    assert "123-45-6789" not in page
    assert "***-**-6789" in page


def test_review_shows_the_projected_entitlement(rep_client, account, offer) -> None:
    data = fill(rep_client, account, _review="")
    page = rep_client.post(url("instruction_new", account), data).content.decode()
    assert "projected, assuming consummation on Wednesday, September 5, 2001" in page
    assert "$158,380.00" in page  # New Notes principal for $125,000
    assert "$33,380.00" in page
    assert "682" in page
    assert "Mon, Oct 1, 2001" in page  # the Sep 30 installment, paid on the banking day after
    assert not Instruction.objects.exists()


def test_confirming_the_review_records_the_instruction(rep_client, account, offer, rep) -> None:
    data = fill(rep_client, account, _confirm="")
    response = rep_client.post(url("instruction_new", account), data, follow=True)
    instruction = Instruction.objects.get()
    assert (instruction.choice, instruction.entered_by) == ("ALL", rep)
    assert "Instruction recorded for account HB-100003 (version 1)" in response.content.decode()


def test_double_click_on_confirm_records_one_instruction(rep_client, account, offer) -> None:
    data = fill(rep_client, account, _confirm="")
    rep_client.post(url("instruction_new", account), data)
    rep_client.post(url("instruction_new", account), data)
    assert Instruction.objects.count() == 1


def test_amount_of_1500_is_refused_next_to_the_field_keeping_the_input(
    rep_client, account, offer
) -> None:
    data = fill(rep_client, account, choice="AMOUNT", amount="1,500", _review="")
    page = rep_client.post(url("instruction_new", account), data).content.decode()
    assert (
        '<p id="error_1_id_amount"><strong>'
        "The amount must be a positive whole multiple of $1,000.</strong></p>"
    ) in page
    assert 'name="amount" value="1,500"' in page
    assert not Instruction.objects.exists()


def test_tender_all_with_an_amount_written_is_refused_at_the_field_keeping_the_amount(
    rep_client, account, offer
) -> None:
    """Neither is dropped: the form does not say which the client meant."""
    data = fill(rep_client, account, choice="ALL", amount="50,000", _review="")
    page = rep_client.post(url("instruction_new", account), data).content.decode()
    assert (
        '<p id="error_1_id_amount"><strong>“Tender all” is ticked and $50,000 is written'
    ) in page
    assert 'name="amount" value="50,000"' in page
    data["_confirm"] = ""
    rep_client.post(url("instruction_new", account), data)
    assert not Instruction.objects.exists()


def test_amount_above_the_position_is_refused_on_the_page(rep_client, account, offer) -> None:
    data = fill(rep_client, account, choice="AMOUNT", amount="200000", _confirm="")
    page = rep_client.post(url("instruction_new", account), data).content.decode()
    assert "The amount $200,000 is more than the $125,000 held for the account." in page
    assert not Instruction.objects.exists()


def test_missing_signature_is_refused_keeping_what_was_typed(
    rep_client, joint_account, offer
) -> None:
    data = fill(rep_client, joint_account, **{"signers-1-attested": ""}, _review="")
    del data["signers-1-attested"]
    page = rep_client.post(url("instruction_new", joint_account), data).content.decode()
    assert "Attest that Linda M. Chen signed the instruction form." in page
    assert 'value="Linda M. Chen"' in page


def test_excluded_state_is_refused_with_the_reason(rep_client, account, offer) -> None:
    ExcludedJurisdiction.objects.create(offer=offer, state="NY", reason="state statute")
    data = fill(rep_client, account, _review="")
    page = rep_client.post(url("instruction_new", account), data).content.decode()
    assert "not made to holders domiciled in New York (state statute)" in page


def test_after_the_cutoff_the_representative_is_refused(rep_client, account, offer, at) -> None:
    at(CUTOFF)
    data = fill(rep_client, account, _review="")
    page = rep_client.post(url("instruction_new", account), data).content.decode()
    assert "The firm&#x27;s cutoff passed at 5:00 p.m. EDT on Friday, August 31, 2001" in page


def test_operations_see_the_late_reason_field(client, ops, account, offer) -> None:
    client.force_login(ops)
    page = client.get(url("instruction_new", account)).content.decode()
    assert "Reason for accepting after the firm" in page


def test_amend_flow_records_a_new_version(rep_client, account, offer, rep) -> None:
    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    data = fill(rep_client, account, "instruction_amend", choice="AMOUNT", amount="60000")
    data["_confirm"] = ""
    rep_client.post(url("instruction_amend", account), data)
    assert list(Instruction.objects.order_by("version").values_list("version", "status")) == [
        (1, InstructionStatus.SUPERSEDED),
        (2, InstructionStatus.RECEIVED),
    ]
    assert Instruction.objects.get(version=2).amount == Decimal("60000")


def test_amend_form_starts_from_the_current_instruction(rep_client, account, offer, rep) -> None:
    instruction_submit(
        account=account,
        offer=offer,
        data=make_input(account, choice="AMOUNT", amount=Decimal("40000")),
        by=rep,
    )
    page = rep_client.get(url("instruction_amend", account)).content.decode()
    data = form_data(page, "instruction-form")
    assert (data["choice"], data["amount"], data["version"]) == ("AMOUNT", "40000.00", "1")


def test_stale_amendment_is_refused_on_the_page(rep_client, account, offer, rep, rep2) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    data = fill(rep_client, account, "instruction_amend", choice="AMOUNT", amount="60000")
    from tenders.intake.services import instruction_amend

    instruction_amend(
        instruction=first,
        expected_version=1,
        data=make_input(account, choice="AMOUNT", amount=Decimal("70000")),
        by=rep2,
    )
    data["_confirm"] = ""
    page = rep_client.post(url("instruction_amend", account), data).content.decode()
    assert "changed while you were looking at it" in page
    assert Instruction.objects.get(status="received").amount == Decimal("70000")


def test_new_instruction_page_sends_to_amend_when_one_exists(rep_client, account, offer, rep):
    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    response = rep_client.get(url("instruction_new", account))
    assert response["Location"] == url("instruction_amend", account)


def test_withdraw_flow_keeps_the_instruction_marked_withdrawn(
    rep_client, account, offer, rep
) -> None:
    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    page = rep_client.get(url("instruction_withdraw", account)).content.decode()
    data = form_data(page, "withdraw-form")
    data.update(
        {"method": "letter", "signers-0-typed_name": "Eleanor J. Whitfield", "attested": "on"}
    )
    response = rep_client.post(url("instruction_withdraw", account), data, follow=True)
    assert "withdrawn" in response.content.decode()
    assert Instruction.objects.get().status == InstructionStatus.WITHDRAWN
    notice = Instruction.objects.get().withdrawal_notice
    assert (notice.method, notice.received_on.isoformat()) == ("letter", "2001-08-20")


def test_a_withdrawal_without_the_clients_notice_is_refused_at_the_fields(
    rep_client, account, offer, rep
) -> None:
    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    data = form_data(
        rep_client.get(url("instruction_withdraw", account)).content.decode(), "withdraw-form"
    )
    data.update({"method": "letter", "signers-0-typed_name": "Ellie Whitfield"})
    page = rep_client.post(url("instruction_withdraw", account), data).content.decode()
    assert "The printed name must be the owner&#x27;s as on file: Eleanor J. Whitfield." in page
    assert 'value="Ellie Whitfield"' in page
    assert "Attest that the client gave this notice as recorded." in page
    assert Instruction.objects.get().status == InstructionStatus.RECEIVED


def test_history_page_shows_every_version_and_the_audit_trail(
    rep_client, account, offer, rep
) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    from tenders.intake.services import instruction_withdraw

    instruction_withdraw(notice=notice_for(first), instruction=first, expected_version=1, by=rep)
    page = rep_client.get(url("account_history", account)).content.decode()
    assert page.count('data-testid="instruction-version"') == 1
    assert "Received → Withdrawn" in page
    assert "Aug 20, 2001, 10:00:00 a.m. EDT" in page  # business time of each change
    assert "Instruction version 1" in page
    assert "dated: Aug 18, 2001" in " ".join(page.replace("</span>", "").split())
    assert "2001-08-18" not in page  # dates are written as people read them
    assert "123-45-6789" not in page


def test_account_list_filters_by_answer(rep_client, account, joint_account, offer, rep) -> None:
    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    list_url = reverse("tenders:account_list")
    tendered = rep_client.get(list_url, {"answer": "all"}).content.decode()
    silent = rep_client.get(list_url, {"answer": "not-answered"}).content.decode()
    assert "HB-100003" in tendered and "HB-100004" not in tendered
    assert "HB-100004" in silent and "HB-100003" not in silent


def test_account_list_searches_owner_names(rep_client, account, joint_account, offer) -> None:
    page = rep_client.get(reverse("tenders:account_list"), {"q": "linda"}).content.decode()
    assert "HB-100004" in page and "HB-100003" not in page


def test_account_list_is_paginated(rep_client, firm, offer) -> None:
    from tests.factories import ClientAccountFactory

    ClientAccountFactory.create_batch(30, firm=firm)
    page = rep_client.get(reverse("tenders:account_list")).content.decode()
    assert "Page 1 of 2" in page


def test_account_page_counts_down_to_the_cutoff_and_the_expiration(
    rep_client, account, offer
) -> None:
    page = rep_client.get(url("account_detail", account)).content.decode()
    assert "5:00 p.m. EDT on Friday, August 31, 2001" in page
    assert "11 days, 7 hours" in page
    assert "12 midnight EDT at the end of Tuesday, September 4, 2001" in page
    assert "15 days, 14 hours" in page


def test_blank_form_prints_the_seed_form(rep_client, account, offer) -> None:
    page = rep_client.get(reverse("tenders:blank_form"), {"account": account.pk}).content
    text = page.decode()
    assert "INSTRUCTIONS WITH RESPECT TO THE EXCHANGE OFFER" in text
    assert "Tender all Old Notes held for my account." in text
    assert "Taxpayer identification or social security number" in text
    assert "Eleanor J. Whitfield" in text


# Revealing a TIN


def test_representative_cannot_reveal_a_tin(rep_client, account, offer) -> None:
    page = rep_client.get(url("account_detail", account)).content.decode()
    assert "Reveal the full number" not in page
    response = rep_client.post(url("reveal_tin", account), {"reason": "curious"})
    assert response.status_code == 403
    assert not TinReveal.objects.exists()


def test_operations_reveal_a_tin_and_the_reveal_is_recorded(client, ops, account, offer) -> None:
    client.force_login(ops)
    page = client.post(url("reveal_tin", account), {"reason": "Client asked"}).content.decode()
    assert "123-45-6789" in page
    reveal = TinReveal.objects.get()
    assert (reveal.account, reveal.by, reveal.reason) == (account, ops, "Client asked")


def test_revealing_needs_a_reason(client, ops, account, offer) -> None:
    client.force_login(ops)
    page = client.post(url("reveal_tin", account), {"reason": ""}).content.decode()
    assert "123-45-6789" not in page
    assert not TinReveal.objects.exists()


def test_account_list_flags_accounts_in_an_excluded_state(rep_client, account, offer) -> None:
    ExcludedJurisdiction.objects.create(offer=offer, state="NY")
    page = rep_client.get(reverse("tenders:account_list")).content.decode()
    assert 'NY <span class="badge text-bg-danger"' in page


def test_blank_form_is_for_representatives_and_operations_only(client, user_factory, offer):
    client.force_login(user_factory())
    assert client.get(reverse("tenders:blank_form")).status_code == 404


def _consummated(account: Any, offer: Any, rep: Any) -> None:
    """The account's instruction accepted on a consummation on Sep 5, 2001."""
    from datetime import date

    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    offer.status, offer.consummation_date = "consummated", date(2001, 9, 5)
    offer.save()
    Instruction.objects.update(status=InstructionStatus.ACCEPTED, resolved_amount=125000)


@pytest.mark.parametrize("name", ["instruction_amend", "instruction_new", "instruction_withdraw"])
def test_an_accepted_instruction_says_so_instead_of_redirecting(
    rep_client, account, offer, rep, name: str
) -> None:
    _consummated(account, offer, rep)
    response = rep_client.get(url(name, account))
    assert response.status_code == 200
    page = response.content.decode()
    assert "was accepted on consummation on September 5, 2001" in page
    assert "It can no longer be changed or withdrawn." in page


def test_posting_to_an_accepted_instruction_changes_nothing(
    rep_client, account, offer, rep
) -> None:
    _consummated(account, offer, rep)
    response = rep_client.post(url("instruction_amend", account), {"choice": "ALL"})
    assert response.status_code == 200
    assert Instruction.objects.get().status == InstructionStatus.ACCEPTED


def test_after_consummation_an_account_that_never_answered_cannot_instruct(
    rep_client, account, joint_account, offer, rep
) -> None:
    _consummated(account, offer, rep)
    page = rep_client.get(url("instruction_new", joint_account)).content.decode()
    assert "The offer is consummated: instructions can no longer be taken" in page


def test_take_an_instruction_is_not_offered_after_consummation(
    rep_client, account, joint_account, offer, rep
) -> None:
    _consummated(account, offer, rep)
    page = rep_client.get(url("account_detail", joint_account)).content.decode()
    assert "Take an instruction" not in page
    assert "The offer is consummated: no instruction can be taken" in page


def test_take_an_instruction_is_not_offered_after_termination(rep_client, account, offer) -> None:
    offer.status = "terminated"
    offer.save()
    page = rep_client.get(url("account_detail", account)).content.decode()
    assert "Take an instruction" not in page
    assert "The offer is terminated: no instruction can be taken" in page


def test_take_an_instruction_is_offered_while_the_offer_is_open(rep_client, account, offer) -> None:
    page = rep_client.get(url("account_detail", account)).content.decode()
    assert "Take an instruction" in page


def _listed(rep: Any, offer: Any, **filters: Any) -> list[str]:
    from tenders.instructions.selectors import account_rows

    return [row.account_number for row in account_rows(user=rep, offer=offer, **filters)]


def test_the_answer_filters_read_the_latest_version(account, joint_account, offer, rep) -> None:
    from tenders.instructions.selectors import AnswerFilter
    from tenders.intake.services import instruction_amend, instruction_withdraw

    # HB-100003: tendered all, then amended to a stated amount.
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    instruction_amend(
        instruction=first, expected_version=1, data=amount_input(account, "50000"), by=rep
    )
    # HB-100004: withdrew, then tendered all again.
    joint = instruction_submit(
        account=joint_account, offer=offer, data=make_input(joint_account), by=rep
    )
    instruction_withdraw(notice=notice_for(joint), instruction=joint, expected_version=1, by=rep)
    instruction_submit(account=joint_account, offer=offer, data=make_input(joint_account), by=rep)
    assert _listed(rep, offer, answer=AnswerFilter.PARTIAL) == ["HB-100003"]
    assert _listed(rep, offer, answer=AnswerFilter.TENDERED_ALL) == ["HB-100004"]
    assert _listed(rep, offer, answer=AnswerFilter.WITHDRAWN) == []
    assert _listed(rep, offer, answer=AnswerFilter.NOT_ANSWERED) == []


def test_a_withdrawn_account_is_listed_as_withdrawn_not_unanswered(
    account, joint_account, offer, rep
) -> None:
    from tenders.instructions.selectors import AnswerFilter
    from tenders.intake.services import instruction_withdraw

    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    instruction_withdraw(notice=notice_for(first), instruction=first, expected_version=1, by=rep)
    assert _listed(rep, offer, answer=AnswerFilter.WITHDRAWN) == ["HB-100003"]
    assert _listed(rep, offer, answer=AnswerFilter.NOT_ANSWERED) == ["HB-100004"]


def test_a_search_matching_both_joint_owners_lists_the_account_once(
    account, joint_account, offer, rep
) -> None:
    assert _listed(rep, offer, search="chen") == ["HB-100004"]
    assert _listed(rep, offer, search="HB-1000") == ["HB-100003", "HB-100004"]


# The form as the letter states it


def test_a_form_with_neither_box_ticked_is_reviewed_in_plain_words_as_tender_all(
    rep_client, account, offer
) -> None:
    data = fill(rep_client, account, _review="")
    del data["choice"]
    page = rep_client.post(url("instruction_new", account), data).content.decode()
    assert (
        "Neither box is ticked on the form, so all of the client's Old Notes will be tendered."
        in page
    )
    assert not Instruction.objects.exists()


def test_confirming_a_form_with_neither_box_ticked_records_tender_all(
    rep_client, account, offer
) -> None:
    data = fill(rep_client, account, _confirm="")
    del data["choice"]
    rep_client.post(url("instruction_new", account), data)
    instruction = Instruction.objects.get()
    assert (instruction.choice, instruction.no_box_ticked) == ("ALL", True)


def test_a_wrong_signer_name_is_refused_at_its_field_keeping_what_was_typed(
    rep_client, account, offer
) -> None:
    typed = "<script>alert('x')</script>"
    data = fill(rep_client, account, _review="", **{"signers-0-typed_name": typed})
    page = rep_client.post(url("instruction_new", account), data).content.decode()
    field = page[page.index('id="id_signers-0-typed_name"') - 120 :]
    field = field[: field.index("</div>", field.index("invalid-feedback"))]
    assert 'class="form-control is-invalid"' in field
    assert 'aria-invalid="true" aria-describedby="id_signers-0-typed_name_error"' in field
    assert "The printed name must be the owner&#x27;s as on file: Eleanor J. Whitfield." in field
    assert 'value="&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"' in field
    assert "<script>alert" not in page
    assert not Instruction.objects.exists()


def test_only_operations_see_where_to_accept_a_different_name(
    rep_client, client, account, offer, ops
) -> None:
    field = 'name="signers-0-mismatch_reason"'
    assert field not in rep_client.get(url("instruction_new", account)).content.decode()
    client.force_login(ops)
    assert field in client.get(url("instruction_new", account)).content.decode()


def test_operations_see_the_clients_notice_on_the_instruction_in_the_admin(
    client, ops, account, offer, rep
) -> None:
    from tenders.intake.services import instruction_withdraw

    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    notice = notice_for(first, method="fax")
    instruction_withdraw(instruction=first, expected_version=1, by=rep, notice=notice)
    client.force_login(ops)
    page = client.get(reverse("admin:tenders_instruction_change", args=[first.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Withdrawal notice" in text or "withdrawal notice" in text
    assert "Fax" in text and "Eleanor J. Whitfield" in text


def test_account_page_reads_signers_and_transitions_without_joining_firm_account_and_offer(
    rep_client, account, offer, rep
) -> None:
    """Their models' orderings begin with the instruction's (firm, account number, offer):
    sorted that way, PostgreSQL read every instruction to show one account's (100,000 accounts:
    40-90 ms a page). Within one instruction the order is the same without the joins."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    with CaptureQueriesContext(connection) as queries:
        page = rep_client.get(reverse("tenders:account_detail", args=[account.pk]))
    assert page.status_code == 200
    read = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(
            ('SELECT "tenders_instructionsigner"', 'SELECT "tenders_instructiontransition"')
        )
    ]
    assert len(read) == 2
    for sql in read:
        assert "tenders_brokerfirm" not in sql and "notes_exchangeoffer" not in sql, sql
