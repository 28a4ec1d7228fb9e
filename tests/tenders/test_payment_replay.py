"""The 2001 replay pays on its payment dates (issue 23's "Done when"): replayed to Jan 2, 2002
with an (invented) Nov 1, 2001 consummation, the books as of Dec 31, 2001 show the whole $30
fee for each $1,000 accepted (installments 1 and 2 on consummation, 3 by the Dec 31 run) and
the Dec 31 coupons: 60 days at 14% on each holder's New Notes ($1,286.88 per $1,000)."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from notes.domain.money import quantize_cents
from notes.models import ExchangeOffer
from tenders.instructions.models import Instruction, InstructionStatus
from tenders.ledger.trial_balance import trial_balance
from tenders.payments.models import PaymentRun
from tenders.replay import replay_2001
from tests.tenders.conftest import NY

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

JAN_2_2002_NOON = datetime(2002, 1, 2, 12, 0, tzinfo=NY)
NOV_1 = date(2001, 11, 1)
DEC_31 = date(2001, 12, 31)


@pytest.fixture
def replayed() -> list[str]:
    lines: list[str] = []
    replay_2001(until=JAN_2_2002_NOON, consummate_on=NOV_1, out=lines.append)
    return lines


def test_the_replay_starts_the_dec_31_run_at_nine_labelled_invented(replayed: list[str]) -> None:
    (line,) = [line for line in replayed if "Payments of December 31, 2001" in line]
    assert "fee installment 3, coupon" in line
    assert line.endswith("[invented: in fact the offer was extended into 2002 and then "
                         "replaced, never consummated]")  # fmt: skip
    assert PaymentRun.objects.get().payment_date == DEC_31


def test_after_the_replay_the_books_show_the_whole_fee_and_the_dec_31_coupons(
    replayed: list[str],
) -> None:
    offer = ExchangeOffer.objects.get(slug="lexington-2001")
    accepted = [
        i.resolved_amount or Decimal(0)
        for i in Instruction.objects.filter(offer=offer, status=InstructionStatus.ACCEPTED)
    ]
    units = [int(a / 1000) for a in accepted]
    books = trial_balance(offer=offer, on=DEC_31)
    assert books.balanced
    assert books.figures["fees_paid"] == sum(accepted) / 1000 * 30
    coupons = sum(
        (quantize_cents(n * Decimal("1286.88") * Decimal("0.14") * 60 / 360) for n in units),
        Decimal("0"),
    )
    assert books.figures["coupons_paid"] == coupons
    assert PaymentRun.objects.get(payment_date=DEC_31).coupons_total == coupons
