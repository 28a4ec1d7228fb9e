"""What an instruction tenders (the one function every caller uses)."""

from decimal import Decimal

import pytest

from tenders.domain.tender import TenderBasis, Voice, choice_text, tendered_principal

HELD = Decimal("480000")


def test_a_stated_amount_tenders_that_amount_whatever_is_held() -> None:
    tendered = tendered_principal(
        choice="AMOUNT", stated=Decimal("400000"), resolved=None, position=HELD
    )
    assert (tendered.principal, tendered.basis) == (Decimal("400000"), TenderBasis.STATED)


def test_a_stated_amount_is_not_replaced_by_its_resolution() -> None:
    tendered = tendered_principal(
        choice="AMOUNT", stated=Decimal("400000"), resolved=Decimal("400000"), position=HELD
    )
    assert tendered.basis is TenderBasis.STATED


def test_tender_all_not_yet_resolved_tenders_the_position_held_now() -> None:
    tendered = tendered_principal(choice="ALL", stated=None, resolved=None, position=HELD)
    assert (tendered.principal, tendered.basis) == (HELD, TenderBasis.POSITION)


def test_tender_all_once_resolved_keeps_the_resolved_amount_when_the_position_moves() -> None:
    tendered = tendered_principal(
        choice="ALL", stated=None, resolved=Decimal("450000"), position=Decimal("500000")
    )
    assert (tendered.principal, tendered.basis) == (Decimal("450000"), TenderBasis.RESOLVED)


def test_a_stated_amount_without_the_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="needs the amount"):
        tendered_principal(choice="AMOUNT", stated=None, resolved=None, position=HELD)


def test_an_unknown_choice_is_refused() -> None:
    with pytest.raises(ValueError, match="'SOME' is not a valid Choice"):
        tendered_principal(choice="SOME", stated=None, resolved=None, position=HELD)


class TestChoiceText:
    """The client's choice is worded in one place, for whoever reads it."""

    @pytest.mark.parametrize(
        ("voice", "words"),
        [
            (Voice.SHORT, "Tender all"),
            (Voice.ACCOUNT, "Tender all Old Notes held for the account"),
            (Voice.YOURS, "Tender all Old Notes held for your account"),
            (Voice.MINE, "Tender all Old Notes held for my account"),
        ],
    )
    def test_tender_all_names_whose_notes(self, voice: Voice, words: str) -> None:
        assert choice_text(tenders_all=True, amount=None, voice=voice) == words

    def test_a_stated_amount_is_short_on_the_representatives_pages(self) -> None:
        assert (
            choice_text(tenders_all=False, amount=Decimal("50000"), voice=Voice.ACCOUNT)
            == "Tender $50,000"
        )

    def test_a_stated_amount_is_the_letters_words_for_the_client(self) -> None:
        assert (
            choice_text(tenders_all=False, amount=Decimal("50000"), voice=Voice.YOURS)
            == "Tender only $50,000 principal amount of Old Notes"
        )
