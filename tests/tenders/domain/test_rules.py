"""The rules of a client instruction, as pure functions (services apply them)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tenders.domain.rules import (
    Actor,
    Choice,
    Deadlines,
    Refusal,
    Signature,
    WithdrawalNotice,
    amount_refusals,
    deadline_refusals,
    form_date_refusals,
    jurisdiction_refusals,
    signer_refusals,
    withdrawal_notice_refusals,
)

NY = ZoneInfo("America/New_York")
CUTOFF = datetime(2001, 8, 31, 17, 0, tzinfo=NY)
EXPIRATION = datetime(2001, 9, 5, 0, 0, tzinfo=NY)
DEADLINES = Deadlines(firm_cutoff=CUTOFF, expiration=EXPIRATION)
ONE_SECOND = timedelta(seconds=1)
UNIT = Decimal(1000)


def fields(refusals: list[Refusal]) -> list[str | None]:
    return [r.field for r in refusals]


class TestDeadlines:
    def test_anyone_may_act_before_the_cutoff(self) -> None:
        now = CUTOFF - ONE_SECOND
        for actor in Actor:
            refusals = deadline_refusals(now=now, deadlines=DEADLINES, actor=actor, late_reason="")
            assert refusals == []

    def test_representative_is_refused_at_the_cutoff(self) -> None:
        refusals = deadline_refusals(
            now=CUTOFF, deadlines=DEADLINES, actor=Actor.REPRESENTATIVE, late_reason="late"
        )
        assert fields(refusals) == [None]
        assert "cutoff passed at 5:00 p.m. EDT on Friday, August 31, 2001" in refusals[0].message

    def test_operations_must_give_a_reason_after_the_cutoff(self) -> None:
        refusals = deadline_refusals(
            now=CUTOFF, deadlines=DEADLINES, actor=Actor.OPERATIONS, late_reason="  "
        )
        assert fields(refusals) == ["late_reason"]

    def test_operations_may_act_after_the_cutoff_with_a_reason(self) -> None:
        refusals = deadline_refusals(
            now=EXPIRATION - ONE_SECOND,
            deadlines=DEADLINES,
            actor=Actor.OPERATIONS,
            late_reason="Client's form arrived by courier at 4:55 p.m.",
        )
        assert refusals == []

    @pytest.mark.parametrize("actor", list(Actor))
    def test_nobody_may_act_at_the_expiration_instant(self, actor: Actor) -> None:
        refusals = deadline_refusals(
            now=EXPIRATION, deadlines=DEADLINES, actor=actor, late_reason="late"
        )
        assert len(refusals) == 1
        assert "12 midnight EDT at the end of Tuesday, September 4, 2001" in refusals[0].message


class TestAmount:
    def test_tender_all_needs_no_amount(self) -> None:
        refusals = amount_refusals(
            choice=Choice.ALL, amount=None, position=Decimal(5000), unit=UNIT
        )
        assert refusals == []

    def test_tender_all_with_an_amount_written_is_refused_at_the_amount(self) -> None:
        refusals = amount_refusals(
            choice=Choice.ALL, amount=Decimal(50000), position=Decimal(125000), unit=UNIT
        )
        assert fields(refusals) == ["amount"]
        assert refusals[0].message.startswith("“Tender all” is ticked and $50,000 is written")

    def test_the_client_is_told_in_their_words_that_tender_all_and_an_amount_conflict(
        self,
    ) -> None:
        refusals = amount_refusals(
            choice=Choice.ALL,
            amount=Decimal(50000),
            position=Decimal(125000),
            unit=UNIT,
            actor=Actor.CLIENT,
        )
        assert refusals == [
            Refusal(
                "amount",
                "You chose to tender all and typed $50,000: choose to tender only the amount "
                "you typed, or clear the amount to tender all.",
            )
        ]

    @pytest.mark.parametrize("amount", ["1500", "0", "-1000", "999", "1000.50"])
    def test_amount_must_be_a_positive_whole_multiple_of_1000(self, amount: str) -> None:
        refusals = amount_refusals(
            choice=Choice.AMOUNT, amount=Decimal(amount), position=Decimal(125000), unit=UNIT
        )
        assert fields(refusals) == ["amount"]
        assert "positive whole multiple of $1,000" in refusals[0].message

    def test_amount_above_the_position_is_refused(self) -> None:
        refusals = amount_refusals(
            choice=Choice.AMOUNT, amount=Decimal(126000), position=Decimal(125000), unit=UNIT
        )
        assert refusals == [
            Refusal("amount", "The amount $126,000 is more than the $125,000 held for the account.")
        ]

    def test_the_client_is_told_above_the_position_what_they_hold(self) -> None:
        refusals = amount_refusals(
            choice=Choice.AMOUNT,
            amount=Decimal(126000),
            position=Decimal(125000),
            unit=UNIT,
            actor=Actor.CLIENT,
        )
        assert refusals == [
            Refusal("amount", "You hold $125,000: the amount cannot be more than that.")
        ]

    def test_amount_equal_to_the_position_is_accepted(self) -> None:
        assert (
            amount_refusals(
                choice=Choice.AMOUNT, amount=Decimal(125000), position=Decimal(125000), unit=UNIT
            )
            == []
        )

    def test_stated_amount_is_required(self) -> None:
        refusals = amount_refusals(
            choice=Choice.AMOUNT, amount=None, position=Decimal(125000), unit=UNIT
        )
        assert fields(refusals) == ["amount"]

    def test_account_without_old_notes_cannot_tender(self) -> None:
        refusals = amount_refusals(choice=Choice.ALL, amount=None, position=Decimal(0), unit=UNIT)
        assert refusals[0].message == "The account holds no Old Notes to tender."


class TestJurisdiction:
    def test_account_in_an_excluded_state_is_refused_with_the_reason(self) -> None:
        refusals = jurisdiction_refusals(
            state="OH", state_name="Ohio", excluded={"OH": "Ohio Rev. Code 1707.41"}
        )
        assert refusals == [
            Refusal(
                None,
                "The offer is not made to holders domiciled in Ohio (Ohio Rev. Code 1707.41): "
                "this account cannot tender.",
            )
        ]

    def test_account_elsewhere_may_tender(self) -> None:
        assert jurisdiction_refusals(state="NY", state_name="New York", excluded={"OH": ""}) == []


class TestSigners:
    def test_each_owner_must_sign(self) -> None:
        refusals = signer_refusals(
            signatures=[
                Signature("Robert A. Chen", "Robert A. Chen", True),
                Signature("Linda M. Chen", "", False),
            ],
            actor=Actor.REPRESENTATIVE,
        )
        assert [(r.field, r.message) for r in refusals] == [
            ("signer-1-typed_name", "Type the name Linda M. Chen signed with."),
            ("signer-1-attested", "Attest that Linda M. Chen signed the instruction form."),
        ]

    def test_all_owners_signed_and_attested_pass(self) -> None:
        signature = Signature("Pat", "Pat", True)
        assert signer_refusals(signatures=[signature], actor=Actor.REPRESENTATIVE) == []

    @pytest.mark.parametrize(
        "typed", ["thomas k nguyen", "THOMAS K. NGUYEN", "Thomas  K Nguyen.", " Thomas K. Nguyen "]
    )
    def test_a_printed_name_matches_ignoring_case_spaces_and_punctuation(self, typed) -> None:
        signature = Signature("Thomas K. Nguyen", typed, True)
        assert signer_refusals(signatures=[signature], actor=Actor.REPRESENTATIVE) == []

    @pytest.mark.parametrize(
        "typed", ["Thomas Nguyen", "<script>alert(1)</script>", "Tom K. Nguyen", "---"]
    )
    def test_a_printed_name_that_is_not_the_owners_is_refused_at_its_field(self, typed) -> None:
        refusals = signer_refusals(
            signatures=[Signature("Thomas K. Nguyen", typed, True)], actor=Actor.REPRESENTATIVE
        )
        assert [(r.field, r.message) for r in refusals] == [
            (
                "signer-0-typed_name",
                "The printed name must be the owner's as on file: Thomas K. Nguyen.",
            )
        ]

    def test_operations_accept_a_different_name_with_a_reason(self) -> None:
        signature = Signature("Thomas K. Nguyen", "Mary Nguyen", True, "Power of attorney")
        assert signer_refusals(signatures=[signature], actor=Actor.OPERATIONS) == []

    def test_a_representative_cannot_accept_a_different_name(self) -> None:
        signature = Signature("Thomas K. Nguyen", "Mary Nguyen", True, "Power of attorney")
        refusals = signer_refusals(signatures=[signature], actor=Actor.REPRESENTATIVE)
        assert [(r.field, r.message) for r in refusals] == [
            (
                "signer-0-mismatch_reason",
                "Only operations accept a printed name that differs from the owner on file.",
            )
        ]


class TestFormDate:
    def test_form_dated_in_the_future_is_refused(self) -> None:
        refusals = form_date_refusals(
            form_date=date(2001, 8, 21), today=date(2001, 8, 20), commenced=date(2001, 8, 6)
        )
        assert fields(refusals) == ["form_date"]

    def test_form_dated_before_the_offer_is_refused(self) -> None:
        refusals = form_date_refusals(
            form_date=date(2001, 8, 1), today=date(2001, 8, 20), commenced=date(2001, 8, 6)
        )
        assert "before the offer commenced on August 6, 2001" in refusals[0].message


class TestWithdrawalNotice:
    TODAY, COMMENCED = date(2001, 8, 20), date(2001, 8, 6)

    def refusals(self, actor: Actor = Actor.REPRESENTATIVE, **fields: object) -> list[Refusal]:
        values: dict = {
            "method": "letter",
            "received_on": date(2001, 8, 18),
            "signatures": [Signature("Robert A. Chen", "robert a chen", True)],
            "callback_number": "",
            "called_back": False,
            "attested": True,
        }
        values.update(fields)
        return withdrawal_notice_refusals(
            notice=WithdrawalNotice(**values),
            today=self.TODAY,
            commenced=self.COMMENCED,
            actor=actor,
        )

    def test_a_signed_letter_from_every_owner_attested_is_accepted(self) -> None:
        assert self.refusals() == []

    def test_a_written_notice_needs_each_owners_printed_name(self) -> None:
        refusals = self.refusals(method="fax", signatures=[Signature("Robert A. Chen", "", True)])
        assert [(r.field, r.message) for r in refusals] == [
            ("signer-0-typed_name", "Type the name Robert A. Chen signed with.")
        ]

    def test_a_written_notice_signed_by_someone_else_is_refused(self) -> None:
        refusals = self.refusals(signatures=[Signature("Robert A. Chen", "Rob Chen", True)])
        assert [r.field for r in refusals] == ["signer-0-typed_name"]

    def test_a_telephone_notice_needs_the_call_back(self) -> None:
        refusals = self.refusals(method="telephone", signatures=[])
        assert [(r.field, r.message) for r in refusals] == [
            ("callback_number", "Enter the number on file you called back."),
            (
                "called_back",
                "A telephone notice counts only once you have called the client back on the "
                "number on file.",
            ),
        ]

    def test_a_telephone_notice_called_back_is_accepted_without_signatures(self) -> None:
        assert (
            self.refusals(
                method="telephone",
                signatures=[],
                callback_number="(914) 555-0121",
                called_back=True,
            )
            == []
        )

    @pytest.mark.parametrize(
        ("received_on", "message"),
        [
            (None, "Enter the date of the client's notice."),
            (date(2001, 8, 21), "The notice cannot be dated after today."),
            (
                date(2001, 8, 5),
                "The notice cannot be dated before the offer commenced on August 6, 2001.",
            ),
        ],
    )
    def test_the_notice_is_dated_between_the_commencement_and_today(
        self, received_on, message
    ) -> None:
        assert [(r.field, r.message) for r in self.refusals(received_on=received_on)] == [
            ("received_on", message)
        ]

    def test_the_representative_attests_the_notice(self) -> None:
        assert [r.field for r in self.refusals(attested=False)] == ["attested"]

    def test_the_way_the_notice_came_is_required(self) -> None:
        assert [r.field for r in self.refusals(method="")] == ["method"]
