"""Payment runs (issue 23, point 4; docs/rules.md "Payment runs"): on each payment date after
the consummation, the later fee installments and the New Notes' coupons (and the principal at
maturity) are posted once, in one transaction, and each client gets one payment advice,
e-mailed once. Figures: HB-100007 after a Nov 1, 2001 consummation (domain.md)."""

import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pdfplumber
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from notes.models import ExchangeOffer
from tenders.bulk_runs.services import bulk_run_drain
from tenders.documents.models import Document, DocumentKind
from tenders.documents.services import document_issue
from tenders.intake.services import instruction_submit
from tenders.ledger.models import EntryKind, JournalEntry, Leg
from tenders.ledger.selectors import ledger_position_mismatches, unbalanced_entries
from tenders.ledger.trial_balance import trial_balance
from tenders.models import Position
from tenders.offers.consummation import offer_consummate
from tenders.outbox.models import OutboxMessage
from tenders.payments import services as payment_services
from tenders.payments.models import PaymentRun, PaymentRunStatus
from tenders.payments.services import payment_run_start, payments_pay_due
from tenders.sweep import sweep
from tests import factories
from tests.tenders.conftest import NY, POSTGRES_RACES, make_input, send_to_agent
from tests.tenders.payments_scene import (
    DEC_28,
    DEC_31,
    NEW_NOTES,
    consummate_on_nov_1,
    exchanged,
    new_notes_moved_in,
)
from tests.tenders.test_races import race

pytestmark = pytest.mark.django_db

DEC_31_MORNING = "2001-12-31T09:00:00-05:00"
SEP_5 = date(2001, 9, 5)
OCT_1 = date(2001, 10, 1)


@pytest.fixture
def hb(offer: ExchangeOffer, firm: Any, ops: Any, pin_clock: Callable[[str], None]) -> Any:
    consummate_on_nov_1(offer)
    account, _ = exchanged(offer, firm, ops)
    pin_clock(DEC_31_MORNING)
    return account


def test_the_dec_31_run_pays_installment_3_and_the_coupon(hb: Any, offer: Any, ops: Any) -> None:
    run = payment_run_start(offer=offer, on=DEC_31, by=ops)
    assert (run.status, run.clients, run.record_date) == (PaymentRunStatus.PAID, 1, DEC_28)
    assert (run.fees_total, run.coupons_total) == (Decimal("4800.00"), Decimal("14413.06"))
    assert run.total == Decimal("19213.06")
    fee = JournalEntry.objects.get(kind=EntryKind.FEE, client_account=hb)
    coupon = JournalEntry.objects.get(kind=EntryKind.COUPON, client_account=hb)
    assert fee.occasion.endswith(":3") and fee.posted_on == DEC_31
    assert coupon.occasion == f"coupon:o{offer.pk}:a{hb.pk}:2001-12-31"
    assert unbalanced_entries() == [] and ledger_position_mismatches() == []


def test_a_run_started_twice_posts_once(hb: Any, offer: Any, ops: Any) -> None:
    first = payment_run_start(offer=offer, on=DEC_31, by=ops)
    again = payment_run_start(offer=offer, on=DEC_31, by=ops)
    assert again.pk == first.pk
    assert PaymentRun.objects.count() == 1
    assert JournalEntry.objects.filter(kind__in=[EntryKind.FEE, EntryKind.COUPON]).count() == 2


def test_a_run_before_its_date_is_refused(
    hb: Any, offer: Any, ops: Any, pin_clock: Callable[[str], None]
) -> None:
    pin_clock("2001-12-28T17:00:00-05:00")
    with pytest.raises(ValidationError, match="not due yet"):
        payment_run_start(offer=offer, on=DEC_31, by=ops)
    assert not PaymentRun.objects.exists()


def test_a_date_the_offer_pays_nothing_on_is_refused(hb: Any, offer: Any, ops: Any) -> None:
    with pytest.raises(ValidationError, match="2001-12-28 is not a payment date"):
        payment_run_start(offer=offer, on=DEC_28, by=ops)


def test_an_offer_not_consummated_pays_nothing(offer: Any, ops: Any) -> None:
    with pytest.raises(ValidationError, match="is not consummated"):
        payment_run_start(offer=offer, on=DEC_31, by=ops)


def test_a_representative_may_not_start_a_run(hb: Any, offer: Any, rep: Any) -> None:
    with pytest.raises(PermissionDenied):
        payment_run_start(offer=offer, on=DEC_31, by=rep)


def test_new_notes_arriving_after_the_record_date_earn_no_coupon_that_date(
    hb: Any, offer: Any, firm: Any, ops: Any
) -> None:
    late = factories.ClientAccountFactory(firm=firm, account_number="HB-100020")
    on_time = factories.ClientAccountFactory(firm=firm, account_number="HB-100021")
    new_notes_moved_in(offer, hb, Decimal("-100000.00"), DEC_28, ops)  # two transfers out...
    new_notes_moved_in(offer, on_time, Decimal("100000.00"), DEC_28, ops)  # ...on the record date
    new_notes_moved_in(offer, late, Decimal("50000.00"), DEC_31, ops)  # after it
    payment_run_start(offer=offer, on=DEC_31, by=ops)
    received = Leg.objects.filter(entry__kind=EntryKind.COUPON, quantity__gt=0)
    coupons = dict(received.values_list("entry__client_account__account_number", "quantity"))
    # 60 days at 14% on what each held at the close of Dec 28, in cents: HB-100020 is not paid.
    assert coupons == {"HB-100007": 1_207_972, "HB-100021": 233_333}


def test_pay_due_starts_every_run_due_once(hb: Any, offer: Any, ops: Any) -> None:
    (run,) = payments_pay_due(offer=offer, by=ops)
    assert run.payment_date == DEC_31
    assert payments_pay_due(offer=offer, by=ops) == []


def test_pay_due_refuses_a_date_after_the_business_date(hb: Any, offer: Any, ops: Any) -> None:
    with pytest.raises(ValidationError, match="after the business date"):
        payments_pay_due(offer=offer, until=date(2002, 4, 1), by=ops)


def test_each_client_is_emailed_one_advice_even_when_the_run_is_started_twice(
    hb: Any, offer: Any, ops: Any, fake_pdf: Any
) -> None:
    run = payment_run_start(offer=offer, on=DEC_31, by=ops)
    assert run.bulk_run is not None
    bulk_run_drain(run_id=run.bulk_run.pk)
    payment_run_start(offer=offer, on=DEC_31, by=ops)
    bulk_run_drain(run_id=run.bulk_run.pk)
    key = f"payment_advice:o{offer.pk}:a{hb.pk}:2001-12-31"
    assert list(OutboxMessage.objects.values_list("key", flat=True)) == [key]
    assert Document.objects.filter(kind=DocumentKind.PAYMENT_ADVICE).count() == 1


def _postgres_races(test: Any) -> Any:
    for mark in reversed(POSTGRES_RACES):
        test = mark(test)
    return test


@_postgres_races
def test_racing_runs_of_one_date_post_once_and_email_once(
    hb: Any, offer: Any, ops: Any, fake_pdf: Any
) -> None:
    def start_and_drain() -> int:
        run = payment_run_start(offer=offer, on=DEC_31, by=ops)
        if run.bulk_run_id is not None:
            bulk_run_drain(run_id=run.bulk_run_id)
        return run.pk

    assert len(set(race(4, start_and_drain))) == 1
    assert JournalEntry.objects.filter(kind__in=[EntryKind.FEE, EntryKind.COUPON]).count() == 2
    assert OutboxMessage.objects.filter(key__startswith="payment_advice:").count() == 1


def test_the_advice_pdf_states_dates_each_line_and_the_total(hb: Any, offer: Any, ops: Any) -> None:
    payment_run_start(offer=offer, on=DEC_31, by=ops)
    document = document_issue(key=f"payment_advice:o{offer.pk}:a{hb.pk}:2001-12-31")
    with pdfplumber.open(io.BytesIO(bytes(document.content))) as pdf:
        text = " ".join((page.extract_text() or "") for page in pdf.pages).replace("\n", " ")
    assert "Payment date December 31, 2001" in text
    assert "Record date December 28, 2001" in text
    assert "installment 3 of 3, on the $480,000 of Old Notes" in text and "$4,800.00" in text
    assert "November 1, 2001 to December 31, 2001: 60 days" in text
    assert "at 14% a year on $617,702.40" in text and "$14,413.06" in text
    assert "Total credited on December 31, 2001 $19,213.06" in text


# Started on its date by the worker's sweep


def test_the_sweep_starts_the_run_due_by_the_business_clock_once(
    hb: Any, offer: Any, fake_pdf: Any
) -> None:
    assert sweep().payment_runs_started == [str(PaymentRun.objects.get())]
    assert sweep().payment_runs_started == []
    assert PaymentRun.objects.get().payment_date == DEC_31


def test_the_sweep_does_not_start_a_run_before_its_date(
    hb: Any, offer: Any, pin_clock: Callable[[str], None]
) -> None:
    pin_clock("2001-12-30T23:59:59-05:00")
    assert sweep().payment_runs_started == []
    assert not PaymentRun.objects.exists()


def test_a_run_that_failed_midway_left_nothing_and_the_sweep_starts_it_again(
    hb: Any, offer: Any, ops: Any, monkeypatch: pytest.MonkeyPatch, fake_pdf: Any
) -> None:
    def killed(**kwargs: Any) -> None:
        raise RuntimeError("killed after posting, before the advices")

    with monkeypatch.context() as patched:
        patched.setattr(payment_services, "document_snapshots_record", killed)
        with pytest.raises(RuntimeError):
            payment_run_start(offer=offer, on=DEC_31, by=ops)
    assert not PaymentRun.objects.exists()
    assert not JournalEntry.objects.filter(kind=EntryKind.COUPON).exists()
    sweep()
    assert PaymentRun.objects.get().coupons_total == Decimal("14413.06")


def test_a_run_failing_in_the_sweep_is_reported_and_the_sweep_goes_on(
    hb: Any, offer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(payment_services, "document_snapshots_record", broken)
    report = sweep()
    assert report.payment_runs_failed == ["lexington-2001 2001-12-31: disk full"]
    assert "Payment run not started: lexington-2001 2001-12-31: disk full" in report.lines()
    assert not PaymentRun.objects.exists()


def test_a_run_whose_advice_drains_were_lost_is_drained_by_the_sweep_and_emailed_once(
    hb: Any,
    offer: Any,
    ops: Any,
    fake_pdf: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SWEEP_GRACE_SECONDS = 0
    # Killed after the commit, before its drains were queued: the run and its items remain.
    with django_capture_on_commit_callbacks(execute=False):
        run = payment_run_start(offer=offer, on=DEC_31, by=ops)
    with django_capture_on_commit_callbacks(execute=True):
        report = sweep()
    assert report.runs_drained == [run.bulk_run_id]
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert OutboxMessage.objects.filter(key__startswith="payment_advice:").count() == 1
    assert mail.outbox[-1].to == ["mh@example.com"]
    assert len([m for m in mail.outbox if "Payment advice" in m.subject]) == 1


# pay_due, from the shell


def _pay_due(*args: str) -> str:
    out = io.StringIO()
    call_command("pay_due", *args, stdout=out)
    return out.getvalue()


def test_pay_due_prints_one_line_per_run(hb: Any, offer: Any, fake_pdf: Any) -> None:
    assert _pay_due("--offer", "lexington-2001") == (
        "2001-12-31  fee installment 3, coupon: 1 client(s), $19,213.06\n"
    )
    assert _pay_due("--offer", "lexington-2001").startswith("Nothing to pay")


def test_pay_due_until_an_earlier_date_pays_nothing_later(hb: Any, offer: Any) -> None:
    assert _pay_due("--offer", "lexington-2001", "--until", "2001-12-30").startswith(
        "Nothing to pay"
    )
    assert not PaymentRun.objects.exists()


@pytest.mark.parametrize(
    ("args", "refused"),
    [
        (("--offer", "nope"), r"^no offer with slug 'nope'$"),
        ((), r"^--offer is required"),
        (("--offer", "lexington-2001", "--until", "31/12/2001"), r"^--until must be a date"),
        (("--offer", "lexington-2001", "--until", "2002-01-02"), "after the business date"),
    ],
)
def test_pay_due_refuses_bad_input_in_one_line(
    hb: Any, offer: Any, args: tuple[str, ...], refused: str
) -> None:
    with pytest.raises(CommandError, match=refused):
        call_command("pay_due", *args)
    assert not PaymentRun.objects.exists()


# The offer's admin


def _run_payments(client: Any, offer: ExchangeOffer) -> str:
    response = client.post(
        reverse("admin:notes_exchangeoffer_changelist"),
        {"action": "pay_due", "_selected_action": [offer.pk]},
        follow=True,
    )
    return response.content.decode()


def test_the_offer_admin_runs_the_payments_due(
    hb: Any, offer: Any, client: Any, ops: Any, fake_pdf: Any
) -> None:
    client.force_login(ops)
    page = _run_payments(client, offer)
    assert "paid fee installment 3, coupon of 2001-12-31 to 1 client(s), $19,213.06" in page
    assert PaymentRun.objects.count() == 1


def test_the_runs_list_and_page_show_the_amounts_in_dollars(
    hb: Any, offer: Any, client: Any, ops: Any
) -> None:
    run = payment_run_start(offer=offer, on=DEC_31, by=ops)
    client.force_login(ops)
    listing = client.get(reverse("admin:tenders_paymentrun_changelist")).content.decode()
    assert "$19,213.06" in listing
    page = client.get(reverse("admin:tenders_paymentrun_change", args=[run.pk])).content.decode()
    assert "$4,800.00" in page and "$14,413.06" in page and "$19,213.06" in page


def test_the_offer_admin_refuses_a_run_not_yet_due_naming_its_date(
    hb: Any, offer: Any, client: Any, ops: Any, pin_clock: Callable[[str], None]
) -> None:
    pin_clock("2001-12-28T12:00:00-05:00")
    client.force_login(ops)
    page = _run_payments(client, offer)
    assert "is not due until December 31, 2001" in page
    assert not PaymentRun.objects.exists()


# After a real consummation (Sep 5, 2001: $125,000 tendered, $158,380.00 of New Notes)


@pytest.fixture
def consummated_sep_5(
    offer: ExchangeOffer, account: Any, rep: Any, ops: Any, at: Callable[[datetime], None]
) -> Any:
    offer.outstanding_principal = Decimal("125000")
    offer.save()
    offer.conditions.update(is_satisfied=True, satisfied_on=date(2001, 9, 4))
    instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    send_to_agent(offer, ops)
    at(datetime(2001, 9, 5, 9, 0, tzinfo=NY))
    offer_consummate(offer=offer, on=SEP_5, by=ops)
    return account


def test_after_a_sep_5_consummation_oct_1_pays_installment_2_and_25_days_of_interest(
    consummated_sep_5: Any, offer: Any, ops: Any, at: Callable[[datetime], None]
) -> None:
    at(datetime(2001, 10, 1, 9, 0, tzinfo=NY))
    run = payment_run_start(offer=offer, on=OCT_1, by=ops)
    assert (run.record_date, run.what) == (date(2001, 9, 28), "fee installment 2, coupon")
    assert (run.fees_total, run.coupons_total) == (Decimal("1250.00"), Decimal("1539.81"))


def test_after_a_sep_5_consummation_the_books_show_the_whole_fee_by_dec_31(
    consummated_sep_5: Any, offer: Any, ops: Any, at: Callable[[datetime], None]
) -> None:
    at(datetime(2001, 12, 31, 9, 0, tzinfo=NY))
    oct_1, dec_31 = payments_pay_due(offer=offer, by=ops)
    assert (oct_1.payment_date, dec_31.payment_date) == (OCT_1, DEC_31)
    assert dec_31.coupons_total == Decimal("5543.30")  # 90 days at 14% on $158,380.00
    books = trial_balance(offer=offer, on=DEC_31)
    assert books.balanced
    assert books.figures["fees_paid"] == Decimal("3750.00")  # $30 for each $1,000
    assert books.figures["coupons_paid"] == Decimal("1539.81") + Decimal("5543.30")


def test_the_oct_1_advice_says_installment_2_and_the_coupon_moved_off_sunday_sep_30(
    consummated_sep_5: Any, offer: Any, ops: Any, at: Callable[[datetime], None]
) -> None:
    at(datetime(2001, 10, 1, 9, 0, tzinfo=NY))
    payment_run_start(offer=offer, on=OCT_1, by=ops)
    key = f"payment_advice:o{offer.pk}:a{consummated_sep_5.pk}:2001-10-01"
    with pdfplumber.open(io.BytesIO(bytes(document_issue(key=key).content))) as pdf:
        text = " ".join((page.extract_text() or "") for page in pdf.pages).replace("\n", " ")
    assert "scheduled September 30, 2001, paid October 1, 2001 because September 30, 2001" in text
    assert "was a Sunday, not a New York banking day" in text
    assert "September 5, 2001 to September 30, 2001: 25 days" in text
    assert "at 14% a year on $158,380.00" in text and "$1,539.81" in text
    assert "the period ends September 30, 2001, which was a Sunday" in text
    assert "Total credited on October 1, 2001 $2,789.81" in text


def test_at_maturity_the_principal_is_repaid_and_the_new_notes_leave_the_account(
    hb: Any, offer: Any, ops: Any, pin_clock: Callable[[str], None]
) -> None:
    pin_clock("2004-12-31T09:00:00-05:00")
    runs = payments_pay_due(offer=offer, by=ops)
    assert [r.payment_date for r in runs][-1] == date(2004, 12, 31)
    last = runs[-1]
    assert (last.what, last.redemption_total) == ("coupon, redemption", NEW_NOTES)
    # The last quarter at 15%: 90 days on $617,702.40.
    assert last.coupons_total == Decimal("23163.84")
    redemption = JournalEntry.objects.get(occasion=f"redemption:o{offer.pk}:a{hb.pk}")
    assert redemption.kind == EntryKind.REDEMPTION
    assert Position.objects.get(account=hb, security=offer.new_security).principal == 0
    assert unbalanced_entries() == [] and ledger_position_mismatches() == []
