"""The books agree with the documents (issue 23, point 7): after a consummation, the
confirmations' New Notes add up to `new_notes_issued`, their fee installments paid that day to
`fees_paid`, and the payment notices of the Old Notes kept out to `nontender_paid`; in the
consummation demo (Sep 5, 2001), and in the 2001 replay consummated on Nov 1, 2001 and run
on through its Dec 31 payment run, whose advices add up to the rest of `fees_paid` and to
`coupons_paid`.

The confirmations' figures are read as their template gets them (`confirmation_context`), the
payment notices' from their snapshots, taken on consummation."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from exchange_office.tagged import decode
from notes.models import ExchangeOffer
from tenders.demo import load_consummation_scenario
from tenders.documents.contexts import confirmation_context
from tenders.documents.models import DocumentKind, DocumentSnapshot
from tenders.instructions.models import Instruction, InstructionStatus
from tenders.ledger.selectors import ledger_position_mismatches
from tenders.ledger.trial_balance import TrialBalance, trial_balance
from tenders.offers.consummation import offer_consummate
from tenders.replay import replay_2001
from tests.factories import StaffUserFactory
from tests.tenders.conftest import NY

pytestmark = [pytest.mark.django_db]

SEP_5 = date(2001, 9, 5)
NOV_1 = date(2001, 11, 1)
DEC_31 = date(2001, 12, 31)


class Documents:
    """What the consummation's documents state, added up."""

    def __init__(self, offer: ExchangeOffer) -> None:
        self.offer = offer
        accepted = Instruction.objects.filter(offer=offer, status=InstructionStatus.ACCEPTED)
        self.confirmations = [confirmation_context(instruction) for instruction in accepted]
        assert self.confirmations
        self.notices = [
            decode(data)
            for data in DocumentSnapshot.objects.filter(
                offer=offer, kind=DocumentKind.PAYMENT_NOTICE
            ).values_list("data", flat=True)
        ]

    @property
    def old_notes(self) -> Decimal:
        return sum((c["entitlement"].principal for c in self.confirmations), Decimal(0))

    @property
    def new_notes(self) -> Decimal:
        return sum((c["entitlement"].new_notes_principal for c in self.confirmations), Decimal(0))

    @property
    def warrants(self) -> int:
        return sum(c["entitlement"].warrants for c in self.confirmations)

    @property
    def fees_paid_on_consummation(self) -> Decimal:
        return sum(
            (
                row["amount"]
                for c in self.confirmations
                for row in c["fee_rows"]
                if row["payment_date"] == c["consummation_date"]
            ),
            Decimal(0),
        )

    @property
    def advices(self) -> list[dict[str, Any]]:
        """The payment runs' advices (the later fee installments, the coupons)."""
        return [
            decode(data)
            for data in DocumentSnapshot.objects.filter(
                offer=self.offer, kind=DocumentKind.PAYMENT_ADVICE
            ).values_list("data", flat=True)
        ]

    @property
    def fees_paid_by_payment_runs(self) -> Decimal:
        return sum((fee["amount"] for a in self.advices for fee in a["fees"]), Decimal(0))

    @property
    def coupons_paid_by_payment_runs(self) -> Decimal:
        return sum((a["coupon"]["amount"] for a in self.advices if a["coupon"]), Decimal(0))

    @property
    def kept_out(self) -> Decimal:
        return sum((n["untendered"]["principal"] for n in self.notices), Decimal(0))

    @property
    def paid_to_holders_who_kept_out(self) -> Decimal:
        return sum((n["untendered"]["payment"]["payout"] for n in self.notices), Decimal(0))


@pytest.fixture
def consummation_demo(
    pin_clock: Callable[[str], Any], fake_pdf: Any
) -> tuple[Documents, TrialBalance]:
    offer = load_consummation_scenario()
    pin_clock("2001-09-05T10:00:00-04:00")
    offer_consummate(offer=offer, on=SEP_5, by=StaffUserFactory(is_superuser=True))
    return Documents(offer), trial_balance(offer=offer, on=SEP_5)


def test_in_the_demo_the_confirmations_new_notes_add_up_to_new_notes_issued(
    consummation_demo: tuple[Documents, TrialBalance],
) -> None:
    documents, books = consummation_demo
    assert books.figures["new_notes_issued"] == documents.new_notes
    assert books.figures["old_notes_exchanged"] == documents.old_notes == Decimal("27287000")
    assert books.figures["warrants_issued"] == documents.warrants


def test_in_the_demo_the_fees_the_confirmations_pay_add_up_to_fees_paid(
    consummation_demo: tuple[Documents, TrialBalance],
) -> None:
    documents, books = consummation_demo
    # Installment 1 only on Sep 5: $10 for each $1,000 accepted.
    assert books.figures["fees_paid"] == documents.fees_paid_on_consummation == Decimal("272870")


def test_in_the_demo_the_payment_notices_add_up_to_nontender_paid(
    consummation_demo: tuple[Documents, TrialBalance],
) -> None:
    documents, books = consummation_demo
    assert documents.kept_out == Decimal("125000")
    # $1,267.04 for each $1,000 kept out on Sep 5 (754 days of accrued interest).
    assert books.figures["nontender_paid"] == documents.paid_to_holders_who_kept_out
    assert documents.paid_to_holders_who_kept_out == Decimal("158380.00")


def test_in_the_demo_the_books_balance_and_every_position_is_its_ledger_balance(
    consummation_demo: tuple[Documents, TrialBalance],
) -> None:
    _, books = consummation_demo
    assert books.balanced
    assert ledger_position_mismatches() == []


@pytest.fixture
def replay_to_jan_2(fake_pdf: Any) -> tuple[Documents, TrialBalance]:
    """The replay consummated on Nov 1, 2001 and run on through the Dec 31 payment run."""
    replay_2001(
        until=datetime(2002, 1, 2, 12, 0, tzinfo=NY), consummate_on=NOV_1, out=lambda line: None
    )
    offer = ExchangeOffer.objects.get(slug="lexington-2001")
    return Documents(offer), trial_balance(offer=offer, on=DEC_31)


@pytest.mark.slow
def test_in_the_replay_the_books_agree_with_the_documents(
    replay_to_jan_2: tuple[Documents, TrialBalance],
) -> None:
    documents, books = replay_to_jan_2
    accepted = documents.old_notes
    thousands = accepted / 1000
    assert books.figures["old_notes_exchanged"] == accepted
    # 810 days at 12.75% (30/360): $286.88 of accrued interest for each $1,000.
    assert (
        books.figures["new_notes_issued"]
        == documents.new_notes
        == accepted + thousands * (Decimal("286.88"))
    )
    assert books.figures["warrants_issued"] == documents.warrants
    # Installments 1 and 2 (Sep 30 had passed) on the confirmations, 3 on the Dec 31 advices.
    assert documents.fees_paid_on_consummation == thousands * 20
    assert documents.fees_paid_by_payment_runs == thousands * 10
    assert books.figures["fees_paid"] == thousands * 30
    assert books.figures["coupons_paid"] == documents.coupons_paid_by_payment_runs > 0
    assert (
        books.figures["nontender_paid"]
        == documents.paid_to_holders_who_kept_out
        == (documents.kept_out / 1000 * Decimal("1286.88"))
    )
    assert documents.kept_out > 0
    assert books.balanced
