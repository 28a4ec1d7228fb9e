"""Every rule of a client instruction, through the services that apply them."""

import uuid
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from notes.models import ExcludedJurisdiction
from tenders.accounts.selectors import firm_deadlines
from tenders.instructions.services import SignatureInput
from tenders.intake.services import instruction_amend, instruction_submit, instruction_withdraw
from tenders.models import Instruction, InstructionStatus, Position, WithdrawalNotice
from tenders.submissions.services import instructions_submit_to_agent
from tests.tenders.conftest import (
    CUTOFF,
    EXPIRATION,
    NY,
    ONE_SECOND,
    amount_input,
    make_input,
    notice_for,
)

pytestmark = pytest.mark.django_db


def refusal(exc: pytest.ExceptionInfo[ValidationError], field: str = NON_FIELD_ERRORS) -> str:
    return " ".join(exc.value.message_dict[field])


# Amounts


@pytest.mark.parametrize("amount", ["1500", "0", "-1000", "1000.50"])
def test_amount_must_be_a_positive_whole_multiple_of_1000(account, offer, rep, amount) -> None:
    with pytest.raises(ValidationError) as exc:
        instruction_submit(account=account, offer=offer, data=amount_input(account, amount), by=rep)
    assert "positive whole multiple of $1,000" in refusal(exc, "amount")
    assert not Instruction.objects.exists()


def test_amount_above_the_position_is_refused(account, offer, rep) -> None:
    with pytest.raises(ValidationError) as exc:
        instruction_submit(
            account=account, offer=offer, data=amount_input(account, "126000"), by=rep
        )
    assert "more than the $125,000 held" in refusal(exc, "amount")


def test_the_address_written_on_the_form_is_required(account, offer, rep) -> None:
    with pytest.raises(ValidationError) as exc:
        instruction_submit(
            account=account, offer=offer, data=make_input(account, address=" "), by=rep
        )
    assert exc.value.message_dict["address"] == ["Enter the address as written on the form."]
    assert not Instruction.objects.exists()


def test_a_position_is_a_whole_multiple_of_the_denomination(account, offer, ops) -> None:
    from tenders.positions.services import position_save

    position = Position.objects.get(account=account)
    position.principal = Decimal("125500")
    with pytest.raises(ValidationError, match=r"Must be a whole multiple of \$1,000"):
        position_save(position=position, by=ops)
    position.refresh_from_db()
    assert position.principal == Decimal("125000")


def test_stated_amount_within_the_position_is_recorded(account, offer, rep) -> None:
    instruction = instruction_submit(
        account=account, offer=offer, data=amount_input(account, "50000"), by=rep
    )
    assert (instruction.choice, instruction.amount) == ("AMOUNT", Decimal("50000"))
    assert instruction.resolved_amount == Decimal("50000")


def test_database_refuses_an_amount_that_is_not_whole_thousands(account, offer, rep) -> None:
    instruction = instruction_submit(
        account=account, offer=offer, data=amount_input(account, "50000"), by=rep
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Instruction.objects.filter(pk=instruction.pk).update(amount=Decimal("50500"))


# Tender all


def test_tender_all_is_recorded_without_an_amount(account, offer, rep) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    assert (instruction.choice, instruction.amount, instruction.resolved_amount) == (
        "ALL",
        None,
        None,
    )


def test_tender_all_resolves_to_the_position_at_submission_to_the_agent(
    account, offer, rep, ops
) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    Position.objects.filter(account=account).update(principal=Decimal("140000"))
    result = instructions_submit_to_agent(offer=offer, instructions=[instruction], by=ops)
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.SUBMITTED
    assert instruction.resolved_amount == Decimal("140000")
    assert result.principal == Decimal("140000")


def test_stated_amount_above_a_reduced_position_is_not_submitted(account, offer, rep, ops) -> None:
    instruction = instruction_submit(
        account=account, offer=offer, data=amount_input(account, "100000"), by=rep
    )
    Position.objects.filter(account=account).update(principal=Decimal("60000"))
    result = instructions_submit_to_agent(offer=offer, instructions=[instruction], by=ops)
    assert result.submitted == ()
    assert "$100,000 instructed but $60,000 held" in result.refused[0][1]
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.RECEIVED


def test_only_received_instructions_are_submitted_the_others_are_counted_as_skipped(
    account, joint_account, offer, rep, ops
) -> None:
    received = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    withdrawn = instruction_submit(
        account=joint_account, offer=offer, data=make_input(joint_account), by=rep
    )
    instruction_withdraw(
        notice=notice_for(withdrawn), instruction=withdrawn, expected_version=1, by=rep
    )
    result = instructions_submit_to_agent(offer=offer, instructions=[received, withdrawn], by=ops)
    assert [i.pk for i in result.submitted] == [received.pk]
    assert result.skipped == 1
    withdrawn.refresh_from_db()
    assert withdrawn.status == InstructionStatus.WITHDRAWN


def test_nothing_is_submitted_to_the_agent_at_the_expiration_instant(
    account, offer, rep, ops, at
) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    at(EXPIRATION)
    with pytest.raises(ValidationError, match="the agent takes no more tenders"):
        instructions_submit_to_agent(offer=offer, instructions=[instruction], by=ops)
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.RECEIVED


def test_representatives_cannot_submit_to_the_agent(account, offer, rep) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    with pytest.raises(PermissionDenied, match="Only operations staff submit"):
        instructions_submit_to_agent(offer=offer, instructions=[instruction], by=rep)


# Excluded jurisdictions


def test_account_domiciled_in_an_excluded_state_is_refused_with_the_reason(
    account, offer, rep
) -> None:
    ExcludedJurisdiction.objects.create(offer=offer, state="NY", reason="N.Y. statute (example)")
    with pytest.raises(ValidationError) as exc:
        instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    assert refusal(exc) == (
        "The offer is not made to holders domiciled in New York (N.Y. statute (example)): "
        "this account cannot tender."
    )


def test_exclusion_of_another_state_does_not_refuse(account, offer, rep) -> None:
    ExcludedJurisdiction.objects.create(offer=offer, state="OH")
    assert instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)


# Deadlines: the firm's cutoff, then the expiration instant


def test_representative_may_instruct_one_second_before_the_cutoff(account, offer, rep, at) -> None:
    at(CUTOFF - ONE_SECOND)
    assert instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)


def test_representative_cannot_instruct_at_the_cutoff(account, offer, rep, at) -> None:
    at(CUTOFF)
    with pytest.raises(ValidationError) as exc:
        instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    assert "The firm's cutoff passed at 5:00 p.m. EDT on Friday, August 31, 2001" in refusal(exc)


def test_operations_must_record_a_reason_after_the_cutoff(account, offer, ops, at) -> None:
    at(CUTOFF)
    with pytest.raises(ValidationError) as exc:
        instruction_submit(account=account, offer=offer, data=make_input(account), by=ops)
    assert "give the reason" in refusal(exc, "late_reason")


def test_operations_may_instruct_after_the_cutoff_with_a_reason(account, offer, ops, at) -> None:
    at(EXPIRATION - ONE_SECOND)
    reason = "Form faxed by the client at 4:50 p.m. Aug 31; confirmed by phone."
    instruction = instruction_submit(
        account=account, offer=offer, data=make_input(account, late_reason=reason), by=ops
    )
    assert instruction.late_reason == reason
    assert instruction.transitions.get().reason == reason


@pytest.mark.parametrize("who", ["rep", "ops"])
def test_nobody_may_instruct_at_the_expiration_instant(account, offer, at, request, who) -> None:
    at(EXPIRATION)
    data = make_input(account, late_reason="late")
    with pytest.raises(ValidationError) as exc:
        instruction_submit(account=account, offer=offer, data=data, by=request.getfixturevalue(who))
    assert "expired at 12 midnight EDT at the end of Tuesday, September 4, 2001" in refusal(exc)


def test_representative_cannot_amend_after_the_cutoff(account, offer, rep, at) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    at(CUTOFF)
    with pytest.raises(ValidationError, match=r"The firm's cutoff passed at 5:00 p\.m\. EDT"):
        instruction_amend(
            instruction=instruction,
            expected_version=1,
            data=amount_input(account, "50000"),
            by=rep,
        )


def test_representative_cannot_withdraw_after_the_cutoff(account, offer, rep, at) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    at(CUTOFF)
    with pytest.raises(ValidationError) as exc:
        instruction_withdraw(
            notice=notice_for(instruction), instruction=instruction, expected_version=1, by=rep
        )
    assert "cutoff passed" in refusal(exc)


def test_operations_may_withdraw_one_second_before_expiration(account, offer, rep, ops, at) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    at(EXPIRATION - ONE_SECOND)
    withdrawn = instruction_withdraw(
        notice=notice_for(instruction),
        instruction=instruction,
        expected_version=1,
        by=ops,
        late_reason="Client called 11:50 p.m.",
    )
    assert withdrawn.status == InstructionStatus.WITHDRAWN


def test_nobody_may_withdraw_at_the_expiration_instant(account, offer, rep, ops, at) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    at(EXPIRATION)
    with pytest.raises(ValidationError, match="withdrawal rights expired at 12 midnight EDT"):
        instruction_withdraw(
            notice=notice_for(instruction),
            instruction=instruction,
            expected_version=1,
            by=ops,
            late_reason="too late",
        )
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.RECEIVED


def test_extending_the_offer_moves_the_cutoff_and_the_expiration(account, offer, rep, at) -> None:
    offer.expiration = datetime(2001, 9, 17, 17, 0, tzinfo=NY)
    offer.save()
    deadlines = firm_deadlines(firm=account.firm, offer=offer)
    assert deadlines.firm_cutoff == datetime(2001, 9, 14, 17, 0, tzinfo=NY)
    assert deadlines.expiration == datetime(2001, 9, 17, 17, 0, tzinfo=NY)
    at(datetime(2001, 9, 10, 12, 0, tzinfo=NY))  # after the original expiration
    assert instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)


# Signers, TIN, telephone, date


def test_each_owner_of_a_joint_account_must_sign(joint_account, offer, rep) -> None:
    data = make_input(joint_account, signatures=(make_input(joint_account).signatures[0],))
    with pytest.raises(ValidationError) as exc:
        instruction_submit(account=joint_account, offer=offer, data=data, by=rep)
    assert refusal(exc, "signer-1-typed_name") == "Type the name Linda M. Chen signed with."
    assert refusal(exc, "signer-1-attested") == (
        "Attest that Linda M. Chen signed the instruction form."
    )


def test_joint_account_instruction_keeps_both_signatures(joint_account, offer, rep) -> None:
    instruction = instruction_submit(
        account=joint_account, offer=offer, data=make_input(joint_account), by=rep
    )
    signers = list(instruction.signers.all())
    assert [s.typed_name for s in signers] == ["Robert A. Chen", "Linda M. Chen"]
    assert all(s.recorded_by == rep and s.business_at and s.wall_at for s in signers)


def test_invalid_tin_is_refused(account, offer, rep) -> None:
    with pytest.raises(ValidationError) as exc:
        instruction_submit(
            account=account, offer=offer, data=make_input(account, tin="666-12-3456"), by=rep
        )
    assert "not a valid social security number" in refusal(exc, "tin")


def test_tin_written_on_the_form_is_kept_encrypted_and_masked(account, offer, rep) -> None:
    instruction = instruction_submit(
        account=account, offer=offer, data=make_input(account, tin="234 56 7890"), by=rep
    )
    instruction.refresh_from_db()
    assert instruction.tin == "234-56-7890"
    assert instruction.masked_tin == "***-**-7890"


def test_blank_tin_takes_the_one_on_file(account, offer, rep) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    assert instruction.masked_tin == "***-**-6789"


def test_blank_tin_of_another_type_than_on_file_is_refused(account, offer, rep) -> None:
    with pytest.raises(ValidationError) as exc:
        instruction_submit(
            account=account, offer=offer, data=make_input(account, tin_type="EIN"), by=rep
        )
    assert "Enter the taxpayer ID as written on the form" in refusal(exc, "tin")


def test_invalid_telephone_is_refused(account, offer, rep) -> None:
    with pytest.raises(ValidationError) as exc:
        instruction_submit(
            account=account, offer=offer, data=make_input(account, phone="555-01"), by=rep
        )
    assert "valid telephone number" in refusal(exc, "phone")


def test_every_refusal_is_reported_at_once(joint_account, offer, rep) -> None:
    data = amount_input(joint_account, "1500", phone="12", tin="1", signatures=())
    with pytest.raises(ValidationError) as exc:
        instruction_submit(account=joint_account, offer=offer, data=data, by=rep)
    assert set(exc.value.message_dict) == {
        "amount",
        "phone",
        "tin",
        "signer-0-typed_name",
        "signer-0-attested",
        "signer-1-typed_name",
        "signer-1-attested",
    }


# One live instruction, versions, withdrawals


def test_second_instruction_for_the_account_is_refused(account, offer, rep) -> None:
    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    with pytest.raises(ValidationError) as exc:
        instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    assert "already has an instruction (version 1, received): amend or withdraw" in refusal(exc)


def test_database_allows_one_live_instruction_per_account_and_offer(account, offer, rep) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    first.pk, first.version, first.submission_token = None, 2, None
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()


def test_same_form_posted_twice_records_one_instruction(account, offer, rep) -> None:
    data = make_input(account, submission_token=uuid.uuid4())
    first = instruction_submit(account=account, offer=offer, data=data, by=rep)
    second = instruction_submit(account=account, offer=offer, data=data, by=rep)
    assert first == second
    assert Instruction.objects.count() == 1


def test_amendment_is_a_new_version_superseding_the_old(account, offer, rep) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    second = instruction_amend(
        instruction=first, expected_version=1, data=amount_input(account, "75000"), by=rep
    )
    first.refresh_from_db()
    assert (first.status, second.status) == (InstructionStatus.SUPERSEDED, "received")
    assert (second.version, second.supersedes, second.amount) == (2, first, Decimal("75000"))


def test_amendment_based_on_an_old_version_is_refused(account, offer, rep, rep2) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    instruction_amend(
        instruction=first, expected_version=1, data=amount_input(account, "75000"), by=rep2
    )
    with pytest.raises(ValidationError) as exc:
        instruction_amend(
            instruction=first, expected_version=1, data=amount_input(account, "50000"), by=rep
        )
    assert "changed while you were looking at it: it is now version 2" in refusal(exc)
    assert Instruction.objects.get(status="received").amount == Decimal("75000")


def test_withdrawn_instruction_stays_on_record(account, offer, rep) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    instruction_withdraw(notice=notice_for(first), instruction=first, expected_version=1, by=rep)
    first.refresh_from_db()
    assert first.status == InstructionStatus.WITHDRAWN
    assert [t.to_status for t in first.transitions.all()] == ["received", "withdrawn"]


def test_client_may_instruct_again_after_withdrawing(account, offer, rep) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    instruction_withdraw(notice=notice_for(first), instruction=first, expected_version=1, by=rep)
    again = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    assert again.version == 2
    assert again.supersedes is None


def test_withdrawn_instruction_cannot_be_withdrawn_again(account, offer, rep) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    instruction_withdraw(notice=notice_for(first), instruction=first, expected_version=1, by=rep)
    with pytest.raises(
        ValidationError, match="Version 1 of this instruction was already withdrawn"
    ):
        instruction_withdraw(
            notice=notice_for(first), instruction=first, expected_version=1, by=rep
        )


def test_withdrawn_instruction_cannot_be_amended(account, offer, rep) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    instruction_withdraw(notice=notice_for(first), instruction=first, expected_version=1, by=rep)
    with pytest.raises(ValidationError, match="was withdrawn: it cannot be amended"):
        instruction_amend(
            instruction=first,
            expected_version=1,
            data=amount_input(account, "50000"),
            by=rep,
        )


def test_withdrawing_a_version_that_was_amended_meanwhile_is_refused_as_stale(
    account, offer, rep, rep2
) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    instruction_amend(
        instruction=first, expected_version=1, data=amount_input(account, "50000"), by=rep2
    )
    with pytest.raises(ValidationError, match="changed while you were looking at it: it is now "
                       "version 2, received, recorded by rep-b"):  # fmt: skip
        instruction_withdraw(
            notice=notice_for(first), instruction=first, expected_version=1, by=rep
        )


def test_every_change_is_stamped_with_both_clocks(account, offer, rep) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    transition = first.transitions.get()
    assert transition.business_at == datetime(2001, 8, 20, 10, 0, tzinfo=NY)
    assert transition.wall_at.year >= 2026
    assert (first.received_at, first.entered_by) == (transition.business_at, rep)


def test_audit_trail_records_who_changed_the_instruction(account, offer, rep) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    instruction_withdraw(notice=notice_for(first), instruction=first, expected_version=1, by=rep)
    history = list(first.history.order_by("history_date"))
    assert [h.status for h in history] == ["received", "withdrawn"]
    assert {h.history_user for h in history} == {rep}
    assert history[0].history_business_at == datetime(2001, 8, 20, 10, 0, tzinfo=NY)


# Who may act


def test_representative_of_another_firm_cannot_instruct(account, offer) -> None:
    from tests.factories import RepresentativeFactory

    stranger = RepresentativeFactory().user
    with pytest.raises(PermissionDenied, match="Only the firm's representatives and operations"):
        instruction_submit(account=account, offer=offer, data=make_input(account), by=stranger)


# The form as the letter states it: no box ticked, printed names


def test_a_signed_form_with_neither_box_ticked_records_tender_all(account, offer, rep) -> None:
    instruction = instruction_submit(
        account=account, offer=offer, data=make_input(account, choice=""), by=rep
    )
    assert (instruction.choice, instruction.amount, instruction.no_box_ticked) == (
        "ALL",
        None,
        True,
    )


def test_a_ticked_box_is_not_recorded_as_unticked(account, offer, rep) -> None:
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    assert instruction.no_box_ticked is False


def test_an_amount_without_its_box_ticked_is_refused(account, offer, rep) -> None:
    with pytest.raises(ValidationError) as exc:
        instruction_submit(
            account=account,
            offer=offer,
            data=make_input(account, choice="", amount=Decimal("50000")),
            by=rep,
        )
    assert refusal(exc, "choice").startswith("An amount is written but neither box is ticked")
    assert not Instruction.objects.exists()


def test_a_printed_name_that_is_not_the_owners_is_refused(account, offer, rep) -> None:
    (signature,) = make_input(account).signatures
    typed = uuid.uuid4().hex  # anything but the owner's name
    data = make_input(account, signatures=(SignatureInput(signature.owner_id, typed, True),))
    with pytest.raises(ValidationError) as exc:
        instruction_submit(account=account, offer=offer, data=data, by=rep)
    assert refusal(exc, "signer-0-typed_name") == (
        "The printed name must be the owner's as on file: Eleanor J. Whitfield."
    )
    assert not Instruction.objects.exists()


def test_a_printed_name_in_other_case_and_punctuation_is_accepted(account, offer, rep) -> None:
    (signature,) = make_input(account).signatures
    data = make_input(
        account, signatures=(SignatureInput(signature.owner_id, "ELEANOR J WHITFIELD", True),)
    )
    instruction = instruction_submit(account=account, offer=offer, data=data, by=rep)
    assert instruction.signers.get().typed_name == "ELEANOR J WHITFIELD"


def test_operations_accept_a_different_name_and_the_reason_is_recorded(account, offer, ops) -> None:
    (signature,) = make_input(account).signatures
    accepted = SignatureInput(
        signature.owner_id, "Daniel Whitfield", True, "Power of attorney dated Jul 2, 2001"
    )
    instruction = instruction_submit(
        account=account, offer=offer, data=make_input(account, signatures=(accepted,)), by=ops
    )
    signer = instruction.signers.get()
    assert (signer.typed_name, signer.mismatch_reason, signer.recorded_by) == (
        "Daniel Whitfield",
        "Power of attorney dated Jul 2, 2001",
        ops,
    )


def test_a_representative_cannot_accept_a_different_name(account, offer, rep) -> None:
    (signature,) = make_input(account).signatures
    accepted = SignatureInput(signature.owner_id, "Daniel Whitfield", True, "Power of attorney")
    with pytest.raises(ValidationError, match="Only operations accept a printed name"):
        instruction_submit(
            account=account, offer=offer, data=make_input(account, signatures=(accepted,)), by=rep
        )


# The client's notice of withdrawal


def test_a_withdrawal_records_the_clients_signed_letter(account, offer, rep) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    notice = notice_for(first, method="fax", received_on=datetime(2001, 8, 19).date())
    instruction_withdraw(instruction=first, expected_version=1, by=rep, notice=notice)
    recorded = WithdrawalNotice.objects.get(instruction=first)
    assert (recorded.method, str(recorded.received_on), recorded.recorded_by) == (
        "fax",
        "2001-08-19",
        rep,
    )
    assert [s.typed_name for s in recorded.signers.all()] == ["Eleanor J. Whitfield"]


def test_a_withdrawal_without_the_clients_notice_is_refused_and_nothing_changes(
    account, offer, rep
) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    with pytest.raises(ValidationError) as exc:
        instruction_withdraw(
            instruction=first,
            expected_version=1,
            by=rep,
            notice=notice_for(first, signatures=(), attested=False),
        )
    assert set(exc.value.message_dict) == {"signer-0-typed_name", "attested"}
    first.refresh_from_db()
    assert first.status == "received"
    assert not WithdrawalNotice.objects.exists()


def test_a_telephone_withdrawal_records_the_call_back_and_no_signatures(
    account, offer, rep
) -> None:
    first = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    notice = notice_for(
        first, method="telephone", callback_number="(914) 555-0121", called_back=True
    )
    instruction_withdraw(instruction=first, expected_version=1, by=rep, notice=notice)
    recorded = WithdrawalNotice.objects.get(instruction=first)
    assert (recorded.method, recorded.callback_number) == ("telephone", "(914) 555-0121")
    assert not recorded.signers.exists()
