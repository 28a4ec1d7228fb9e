"""The 2001 replay pays on its payment dates (issue 23's "Done when"): replayed to Jan 2, 2002
with an (invented) Nov 1, 2001 consummation, the books as of Dec 31, 2001 show the whole $30
fee for each $1,000 accepted (installments 1 and 2 on consummation, 3 by the Dec 31 run) and
the Dec 31 coupons: 60 days at 14% on each holder's New Notes ($1,286.88 per $1,000)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from exchange_office.tagged import decode
from notes.domain.money import quantize_cents
from notes.models import ExchangeOffer
from tenders.documents.models import DocumentKind, DocumentSnapshot
from tenders.instructions.models import Instruction, InstructionStatus
from tenders.ledger.models import EntryKind, JournalEntry, Leg
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


def test_after_the_replay_the_dec_31_advices_add_up_to_the_runs_postings(
    replayed: list[str],
) -> None:
    offer = ExchangeOffer.objects.get(slug="lexington-2001")
    advices = [
        decode(data)
        for data in DocumentSnapshot.objects.filter(
            offer=offer, kind=DocumentKind.PAYMENT_ADVICE
        ).values_list("data", flat=True)
    ]
    fees = sum((fee["amount"] for a in advices for fee in a["fees"]), Decimal("0"))
    coupons = sum((a["coupon"]["amount"] for a in advices if a["coupon"]), Decimal("0"))
    posted_on_dec_31 = JournalEntry.objects.filter(offer=offer, posted_on=DEC_31)
    client_cash = Leg.objects.filter(entry__in=posted_on_dec_31, asset__code="USD", quantity__gt=0)
    fees_posted = client_cash.filter(entry__kind=EntryKind.FEE).aggregate(s=Sum("quantity"))["s"]
    coupons_posted = client_cash.filter(entry__kind=EntryKind.COUPON).aggregate(s=Sum("quantity"))[
        "s"
    ]
    assert (fees * 100, coupons * 100) == (fees_posted, coupons_posted)
    assert sum((a["total"] for a in advices), Decimal("0")) == PaymentRun.objects.get().total
