"""The offer's lifecycle as operations run it: extend (Rule 14e-1(d)), amend the terms (Rule
14e-1(b)), clear the conditions, terminate. Each is recorded as an event with who and why."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from notes.models import ExchangeOffer, OfferEvent, OfferEventKind, OfferStatus
from tenders.accounts.selectors import firm_deadlines
from tenders.intake.services import instruction_submit, instruction_withdraw
from tenders.models import Instruction, InstructionStatus
from tenders.offers.consummation import offer_consummate
from tenders.offers.lifecycle import (
    extension_announcement,
    offer_amend_terms,
    offer_amend_terms_check,
    offer_condition_meet,
    offer_condition_waive,
    offer_extend,
    offer_terminate,
)
from tests.forms import form_data
from tests.tenders.conftest import NY, make_input, notice_for, send_to_agent

pytestmark = pytest.mark.django_db

MIDNIGHT_SEP_4 = datetime(2001, 9, 5, 0, 0, tzinfo=NY)
FIVE_PM_SEP_17 = datetime(2001, 9, 17, 17, 0, tzinfo=NY)
BEFORE_ANNOUNCEMENT = datetime(2001, 9, 5, 8, 30, tzinfo=NY)


@pytest.fixture
def instructed(account: Any, offer: ExchangeOffer, rep: Any) -> Instruction:
    return instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)


def refusal(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


# Extend


def test_an_extension_moves_the_expiration_and_records_the_event(
    offer, instructed, ops, at
) -> None:
    at(BEFORE_ANNOUNCEMENT)
    event = offer_extend(
        offer=offer,
        new_expiration=FIVE_PM_SEP_17,
        reason="Minimum condition not met (97%).",
        announcement="As of Sep 5, approximately $26,601,000 (97%) had been tendered.",
        by=ops,
    )
    offer.refresh_from_db()
    assert offer.expiration == FIVE_PM_SEP_17
    assert (event.kind, event.previous_expiration, event.new_expiration) == (
        OfferEventKind.EXTENDED,
        MIDNIGHT_SEP_4,
        FIVE_PM_SEP_17,
    )
    assert event.announcement_deadline == datetime(2001, 9, 5, 9, 0, tzinfo=NY)
    assert (event.by, event.reason) == (ops, "Minimum condition not met (97%).")


def test_after_an_extension_the_instructions_stay_live_and_the_cutoff_moves(
    offer, instructed, ops, firm, at
) -> None:
    at(BEFORE_ANNOUNCEMENT)
    offer_extend(offer=offer, new_expiration=FIVE_PM_SEP_17, reason="r", announcement="a", by=ops)
    instructed.refresh_from_db()
    assert instructed.status == InstructionStatus.RECEIVED
    offer.refresh_from_db()
    # One banking day before Monday Sep 17, at 5:00 p.m.: Friday Sep 14.
    assert firm_deadlines(firm=firm, offer=offer).firm_cutoff == datetime(
        2001, 9, 14, 17, 0, tzinfo=NY
    )


def test_a_client_may_tender_after_the_old_expiration_inside_the_extension(
    offer, joint_account, rep, ops, at
) -> None:
    at(BEFORE_ANNOUNCEMENT)
    offer_extend(offer=offer, new_expiration=FIVE_PM_SEP_17, reason="r", announcement="a", by=ops)
    at(datetime(2001, 9, 10, 11, 0, tzinfo=NY))
    offer.refresh_from_db()
    tendered = instruction_submit(
        account=joint_account, offer=offer, data=make_input(joint_account), by=rep
    )
    assert tendered.status == InstructionStatus.RECEIVED


def test_an_extension_is_refused_after_nine_on_the_next_business_day(offer, ops, at) -> None:
    at(datetime(2001, 9, 5, 9, 0, 1, tzinfo=NY))
    with pytest.raises(ValidationError) as exc:
        offer_extend(
            offer=offer, new_expiration=FIVE_PM_SEP_17, reason="r", announcement="a", by=ops
        )
    assert "had to be announced by 9:00 a.m. EDT on Wednesday, September 5, 2001" in refusal(exc)
    offer.refresh_from_db()
    assert offer.expiration == MIDNIGHT_SEP_4


def test_an_extension_at_nine_exactly_is_still_allowed(offer, ops, at) -> None:
    at(datetime(2001, 9, 5, 9, 0, tzinfo=NY))
    offer_extend(offer=offer, new_expiration=FIVE_PM_SEP_17, reason="r", announcement="a", by=ops)
    offer.refresh_from_db()
    assert offer.expiration == FIVE_PM_SEP_17


def test_an_extension_must_move_the_expiration_later(offer, ops, at) -> None:
    with pytest.raises(ValidationError, match="moves the expiration later than 12 midnight"):
        offer_extend(
            offer=offer,
            new_expiration=datetime(2001, 9, 4, 17, 0, tzinfo=NY),
            reason="r",
            announcement="a",
            by=ops,
        )


@pytest.mark.parametrize(("reason", "announcement"), [("", "a"), ("r", " ")])
def test_an_extension_needs_its_reason_and_its_announcement(
    offer, ops, reason: str, announcement: str
) -> None:
    with pytest.raises(ValidationError, match=r"Say why|announcement's text"):
        offer_extend(
            offer=offer,
            new_expiration=FIVE_PM_SEP_17,
            reason=reason,
            announcement=announcement,
            by=ops,
        )
    assert not OfferEvent.objects.exists()


def test_representatives_cannot_extend(offer, rep) -> None:
    with pytest.raises(PermissionDenied, match="Only operations staff extend an offer"):
        offer_extend(
            offer=offer, new_expiration=FIVE_PM_SEP_17, reason="r", announcement="a", by=rep
        )


def test_the_announcement_states_the_amount_tendered_so_far(offer, instructed, at) -> None:
    at(BEFORE_ANNOUNCEMENT)
    text = extension_announcement(offer=offer)
    # $125,000 of the factory's $27,412,000 outstanding.
    assert "approximately $125,000 (0.46%)" in text
    assert text.startswith("As of Sep 5, 2001, 8:30:00 a.m. EDT")


# Amend the terms


def test_a_consideration_change_with_ten_business_days_left_is_recorded(
    offer, instructed, ops
) -> None:
    # Mon Aug 20 + 10 business days (counting it) ends Fri Aug 31: before the Sep 4 expiration.
    event = offer_amend_terms(
        offer=offer, changes={"accrual_rate": Decimal("0.13")}, reason="Sweetened", by=ops
    )
    offer.refresh_from_db()
    assert offer.accrual_rate == Decimal("0.13")
    assert event.changes == {"accrual_rate": ["0.1275", "0.13"]}
    assert event.kind == OfferEventKind.TERMS_AMENDED


def test_a_consideration_change_too_close_to_the_expiration_is_refused_with_the_earliest(
    offer, ops, at
) -> None:
    at(datetime(2001, 8, 28, 10, 0, tzinfo=NY))
    # Aug 28, 29, 30, 31, Sep 4 (Labor Day closed), 5, 6, 7, 10, 11: open until Sep 11 ends.
    with pytest.raises(ValidationError) as exc:
        offer_amend_terms(
            offer=offer, changes={"warrants_per_unit": Decimal("6")}, reason="r", by=ops
        )
    assert "open until at least 12 midnight EDT at the end of Tuesday, September 11, 2001" in (
        refusal(exc)
    )
    offer.refresh_from_db()
    assert offer.warrants_per_unit == Decimal("5.45")


def test_a_change_with_its_extension_extends_and_amends_in_one_step(offer, ops, at) -> None:
    at(datetime(2001, 8, 28, 10, 0, tzinfo=NY))
    offer_amend_terms(
        offer=offer,
        changes={"warrants_per_unit": Decimal("6")},
        reason="More warrants",
        by=ops,
        extend_to=datetime(2001, 9, 12, 0, 0, tzinfo=NY),
        announcement="Extended with the new warrant terms.",
    )
    offer.refresh_from_db()
    assert (offer.warrants_per_unit, offer.expiration) == (
        Decimal("6"),
        datetime(2001, 9, 12, 0, 0, tzinfo=NY),
    )
    kinds = list(OfferEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [OfferEventKind.EXTENDED, OfferEventKind.TERMS_AMENDED]


def test_an_extension_shorter_than_the_change_needs_is_refused(offer, ops, at) -> None:
    at(datetime(2001, 8, 28, 10, 0, tzinfo=NY))
    with pytest.raises(ValidationError, match="open until at least 12 midnight EDT at the end"):
        offer_amend_terms(
            offer=offer,
            changes={"warrants_per_unit": Decimal("6")},
            reason="r",
            by=ops,
            extend_to=datetime(2001, 9, 10, 17, 0, tzinfo=NY),
            announcement="a",
        )
    assert not OfferEvent.objects.exists()


def test_lowering_the_minimum_needs_five_business_days(offer, ops, at) -> None:
    # Aug 28, 29, 30, 31, Sep 4: open until Sep 4 ends, which the expiration already is.
    at(datetime(2001, 8, 28, 10, 0, tzinfo=NY))
    offer_amend_terms(
        offer=offer, changes={"minimum_tender_percent": Decimal("95")}, reason="r", by=ops
    )
    offer.refresh_from_db()
    assert offer.minimum_tender_percent == Decimal("95")


def test_a_new_fee_is_paid_in_the_same_installments_in_proportion(offer, ops) -> None:
    offer_amend_terms(
        offer=offer, changes={"participation_fee_per_unit": Decimal("36")}, reason="r", by=ops
    )
    installments = offer.fee_installments.order_by("sequence")
    amounts = list(installments.values_list("amount_per_unit", flat=True))
    assert amounts == [Decimal("12"), Decimal("12"), Decimal("12")]


def test_an_amendment_that_changes_nothing_is_refused(offer, ops) -> None:
    with pytest.raises(ValidationError, match="Nothing would change"):
        offer_amend_terms(
            offer=offer, changes={"accrual_rate": Decimal("0.1275")}, reason="r", by=ops
        )


def test_unusable_terms_are_refused_and_nothing_is_saved(offer, ops) -> None:
    with pytest.raises(ValidationError, match="These terms cannot be used"):
        offer_amend_terms(
            offer=offer, changes={"accrual_rate": Decimal("12.75")}, reason="r", by=ops
        )
    offer.refresh_from_db()
    assert offer.accrual_rate == Decimal("0.1275")
    assert not OfferEvent.objects.exists()


# Conditions


def test_checking_an_amendment_with_its_extension_writes_nothing(offer, ops, at) -> None:
    """What a proposal runs before it is recorded: every rule, and the new installments worked
    out in memory only."""
    at(datetime(2001, 8, 28, 10, 0, tzinfo=NY))
    checked = offer_amend_terms_check(
        offer=offer,
        changes={"participation_fee_per_unit": Decimal("36")},
        reason="Sweetened",
        by=ops,
        extend_to=datetime(2001, 9, 12, 17, 0, tzinfo=NY),
        announcement="As of today, approximately $26,601,000 had been tendered.",
    )
    assert [i.amount_per_unit for i in checked.amended.fee_installments.all()] == [
        Decimal("12")
    ] * 3
    offer.refresh_from_db()
    assert offer.participation_fee_per_unit == Decimal("30")
    assert offer.expiration == datetime(2001, 9, 5, 0, 0, tzinfo=NY)
    assert [i.amount_per_unit for i in offer.fee_installments.all()] == [Decimal("10")] * 3
    assert not OfferEvent.objects.filter(offer=offer).exists()


def test_checking_an_amendment_refuses_terms_the_engine_cannot_use(offer, ops) -> None:
    """The engine reads the amended terms in memory: no need to save them to refuse them."""
    with pytest.raises(ValidationError, match="These terms cannot be used"):
        offer_amend_terms_check(
            offer=offer, changes={"accrual_rate": Decimal("12.75")}, reason="r", by=ops
        )
    offer.refresh_from_db()
    assert offer.accrual_rate == Decimal("0.1275")


def test_a_condition_is_met_with_its_date_and_recorded(offer, ops) -> None:
    condition = offer.conditions.first()
    offer_condition_meet(condition=condition, on=date(2001, 8, 17), note="Signed", by=ops)
    condition.refresh_from_db()
    assert (condition.is_satisfied, condition.satisfied_on) == (True, date(2001, 8, 17))
    assert OfferEvent.objects.get().kind == OfferEventKind.CONDITION_MET


def test_a_waiver_needs_a_reason(offer, ops) -> None:
    with pytest.raises(ValidationError, match="Say why"):
        offer_condition_waive(condition=offer.conditions.first(), reason=" ", by=ops)


def test_a_condition_is_cleared_once(offer, ops) -> None:
    condition = offer.conditions.first()
    offer_condition_waive(condition=condition, reason="Lenders agreed", by=ops)
    with pytest.raises(ValidationError, match="is already waived"):
        offer_condition_meet(condition=condition, on=date(2001, 8, 17), note="", by=ops)


def test_consummation_waits_for_every_condition_met_or_waived(offer, account, rep, ops, at) -> None:
    offer.outstanding_principal = Decimal("125000")
    offer.save()
    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    send_to_agent(offer, ops)  # consummation accepts what the agent holds
    conditions = list(offer.conditions.all())
    for condition in conditions[:-1]:
        offer_condition_meet(condition=condition, on=date(2001, 8, 20), note="", by=ops)
    at(datetime(2001, 9, 5, 10, 0, tzinfo=NY))
    with pytest.raises(ValidationError, match="Condition not satisfied"):
        offer_consummate(offer=offer, on=date(2001, 9, 5), by=ops)
    offer_condition_waive(condition=conditions[-1], reason="Waived by the company", by=ops)
    offer_consummate(offer=offer, on=date(2001, 9, 5), by=ops)
    assert OfferEvent.objects.filter(kind=OfferEventKind.CONSUMMATED).count() == 1


# Terminate


def test_termination_returns_every_live_instruction_and_records_the_event(
    offer, instructed, ops
) -> None:
    event = offer_terminate(offer=offer, reason="Financing not obtained", by=ops)
    offer.refresh_from_db()
    instructed.refresh_from_db()
    assert offer.status == OfferStatus.TERMINATED
    assert instructed.status == InstructionStatus.RETURNED
    assert instructed.transitions.last().reason == "Terminated: Financing not obtained"
    assert event.changes == {"returned_instructions": "1"}


def test_nothing_can_be_changed_after_termination(
    offer, instructed, joint_account, rep, ops, at
) -> None:
    offer_terminate(offer=offer, reason="r", by=ops)
    offer.refresh_from_db()
    with pytest.raises(ValidationError, match="The offer is terminated: instructions can no"):
        instruction_submit(
            account=joint_account, offer=offer, data=make_input(joint_account), by=rep
        )
    with pytest.raises(ValidationError, match="is returned on termination cannot be withdrawn"):
        instruction_withdraw(
            notice=notice_for(instructed), instruction=instructed, expected_version=1, by=rep
        )
    with pytest.raises(ValidationError, match="The offer is terminated: it cannot be extended"):
        offer_extend(
            offer=offer, new_expiration=FIVE_PM_SEP_17, reason="r", announcement="a", by=ops
        )


# In the admin


@pytest.fixture
def ops_client(client: Any, ops: Any) -> Any:
    client.force_login(ops)
    return client


def _run_action(client: Any, offer: ExchangeOffer, action: str, **data: str) -> Any:
    changelist = reverse("admin:notes_exchangeoffer_changelist")
    page = client.post(changelist, {"action": action, "_selected_action": [offer.pk]})
    fields = form_data(page.content.decode(), None)
    fields.pop("csrfmiddlewaretoken", None)
    return client.post(changelist, {**fields, **data}, follow=True)


def test_operations_extend_from_the_admin(ops_client, offer, instructed, at) -> None:
    at(BEFORE_ANNOUNCEMENT)
    response = _run_action(
        ops_client,
        offer,
        "extend",
        new_expiration_0="2001-09-17",
        new_expiration_1="17:00",
        reason="Minimum not met",
        _extend="Extend the offer",
    )
    assert "Extended to 5:00 p.m. EDT on Monday, September 17, 2001" in response.content.decode()
    offer.refresh_from_db()
    assert offer.expiration == FIVE_PM_SEP_17


def test_the_extend_page_shows_the_announcement_deadline_and_prefills_the_text(
    ops_client, offer, instructed, at
) -> None:
    at(BEFORE_ANNOUNCEMENT)
    changelist = reverse("admin:notes_exchangeoffer_changelist")
    page = ops_client.post(changelist, {"action": "extend", "_selected_action": [offer.pk]})
    text = page.content.decode()
    assert "9:00 a.m. EDT on Wednesday, September 5, 2001" in text
    assert "approximately $125,000 (0.46%)" in text


def test_the_admin_offers_the_smallest_extension_a_change_needs(ops_client, offer, at) -> None:
    at(datetime(2001, 8, 28, 10, 0, tzinfo=NY))
    response = _run_action(
        ops_client, offer, "amend_terms", warrants_per_unit="6", reason="r", _amend="Amend"
    )
    page = response.content.decode()
    assert (
        "again to extend the offer to 12 midnight EDT at the end of Tuesday, September 11" in page
    )
    assert 'value="2001-09-12"' in page and 'value="00:00"' in page
    offer.refresh_from_db()
    assert offer.warrants_per_unit == Decimal("5.45")


def test_operations_terminate_from_the_admin(ops_client, offer, instructed) -> None:
    response = _run_action(
        ops_client, offer, "terminate", reason="Financing not obtained", confirm="on",
        _terminate="Terminate",
    )  # fmt: skip
    assert "Terminated: 1 instruction(s) returned" in response.content.decode()
    instructed.refresh_from_db()
    assert instructed.status == InstructionStatus.RETURNED


def test_the_offer_page_shows_the_timeline(ops_client, offer, ops, at) -> None:
    at(BEFORE_ANNOUNCEMENT)
    offer_extend(
        offer=offer,
        new_expiration=FIVE_PM_SEP_17,
        reason="Short of 99%",
        announcement="Announced.",
        by=ops,
    )
    page = ops_client.get(reverse("admin:notes_exchangeoffer_change", args=[offer.pk]))
    text = page.content.decode()
    assert 'data-testid="offer-timeline"' in text
    assert "to <strong>5:00 p.m. EDT on Monday, September 17, 2001</strong>" in text
    assert "Short of 99%" in text
