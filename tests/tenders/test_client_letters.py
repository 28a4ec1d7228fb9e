"""The letter "To Our Clients" per client and the reminders to clients who have not answered.

Figures from the seeds and domain.md: the offer expires at 12 midnight New York City time at
the end of Tuesday, Sep 4, 2001; a firm's cutoff one banking day before at 5:00 p.m. is Friday,
Aug 31, 2001 (Sep 3 was Labor Day); extended to 5:00 p.m. on Monday, Sep 17, 2001, the cutoff
moves to Friday, Sep 14. Per $1,000: warrants for 5.45 shares and a 3% participation fee.
"""

import io
import threading
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, close_old_connections, transaction
from django.urls import reverse

from exchange_office import clock
from tenders.bulk_runs.services import bulk_run_drain
from tenders.documents.services import document_issue, letter_dispatch
from tenders.letters.services import reminder_key
from tenders.models import (
    BulkRunItem,
    Document,
    DocumentKind,
    InstructionStatus,
    LetterDispatch,
    OutboxMessage,
    OutboxStatus,
    Reminder,
)
from tenders.offers.lifecycle import offer_extend
from tenders.online.letters import (
    client_letter_issue,
    client_letters_send,
    reminders_send,
    reminders_send_waiting,
)
from tenders.outbox.actions import outbox_message_resend
from tenders.outbox.services import outbox_message_create
from tests import factories
from tests.tenders.conftest import AUG_20, CUTOFF, NY, ONE_SECOND, POSTGRES_RACES
from tests.tenders.test_races import race

pytestmark = pytest.mark.django_db

SATURDAY_AUG_25 = datetime(2001, 8, 25, 11, 0, tzinfo=NY)


def _text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)


def _client(firm: Any, offer: Any, number: str, *, email: str = "", held: str = "125000") -> Any:
    account = factories.ClientAccountFactory(
        firm=firm, account_number=number, owners=[f"Owner of {number}"], email=email
    )
    if held:
        factories.PositionFactory(
            account=account, security=offer.old_security, principal=Decimal(held)
        )
    return account


# The letter's PDF, read back as the client reads it


@pytest.fixture
def letter_text(offer: Any, account: Any) -> str:
    return _text(bytes(client_letter_issue(offer=offer, account=account).content))


@pytest.mark.slow
def test_the_letter_states_the_consideration_and_conditions_of_the_offer(letter_text: str) -> None:
    assert "To Our Clients" in letter_text
    assert "accrued interest on those Old Notes from August 1, 1999" in letter_text
    assert "warrants to purchase 5.45 shares of common stock" in letter_text
    assert "for each $1,000 principal amount" in letter_text
    assert "equal to 3% of the principal amount" in letter_text
    assert "not less than 99% in principal amount" in letter_text
    assert "$27,138,000 of the $27,412,000 outstanding" in letter_text
    # Each condition a clause of the letter's sentence, as the offer's own letter states them.
    assert "among other things, (i) senior secured financing. If any of these" in letter_text
    assert "will not be obligated to pay brokerage fees or commissions" in letter_text


@pytest.mark.slow
def test_the_letter_gives_the_expiration_and_the_firms_cutoff_as_in_ample_time(
    letter_text: str,
) -> None:
    assert "12 midnight EDT at the end of Tuesday, September 4, 2001" in letter_text
    assert "in ample time" in letter_text
    assert "we must receive them by 5:00 p.m. EDT on Friday, August 31, 2001" in letter_text


@pytest.mark.slow
def test_the_instruction_form_is_filled_in_for_the_account_and_left_blank_for_the_client(
    letter_text: str,
) -> None:
    form = letter_text[letter_text.index("INSTRUCTIONS WITH RESPECT TO THE EXCHANGE OFFER") :]
    assert "Tender all Old Notes held for my account." in form
    assert "Tender only the aggregate principal amount of Old Notes indicated: $" in form
    assert "Account HB-100003" in form
    assert "$125,000" in form
    assert "Eleanor J. Whitfield" in form
    assert "1 Main Street, New York, NY 10004" in form
    assert "***-**-6789" in letter_text  # the reference block: the form leaves it blank
    assert "***-**-6789" not in form
    assert "123-45-6789" not in letter_text
    assert "Dated: SIGN HERE" in form  # the date and the signatures are the client's to write


@pytest.mark.slow
def test_the_letter_is_dated_by_the_business_clock_and_numbered_by_account(
    offer: Any, account: Any
) -> None:
    document = client_letter_issue(offer=offer, account=account)
    assert document.kind == DocumentKind.CLIENT_LETTER
    assert document.number == f"{offer.slug.upper()}-L{account.pk:06d}-1"
    assert "August 20, 2001" in _text(bytes(document.content))


@pytest.mark.slow
def test_after_an_extension_the_letter_is_issued_again_with_the_new_dates_and_the_old_kept(
    offer: Any, account: Any, ops: Any, at: Any
) -> None:
    first = client_letter_issue(offer=offer, account=account)
    at(datetime(2001, 9, 5, 8, 30, tzinfo=NY))
    event = offer_extend(
        offer=offer,
        new_expiration=datetime(2001, 9, 17, 17, 0, tzinfo=NY),
        reason="97% tendered, short of the 99% minimum",
        announcement="Extended to 5:00 p.m. on Sep 17, 2001",
        by=ops,
    )
    offer.refresh_from_db()
    second = client_letter_issue(offer=offer, account=account)
    assert second.pk != first.pk
    assert second.number == f"{offer.slug.upper()}-L{account.pk:06d}E{event.pk}-1"
    assert Document.objects.filter(pk=first.pk).exists()
    text = _text(bytes(second.content))
    assert "5:00 p.m. EDT on Monday, September 17, 2001" in text
    assert "we must receive them by 5:00 p.m. EDT on Friday, September 14, 2001" in text
    assert "This letter replaces our earlier one" in text
    assert "12 midnight" not in _text(bytes(second.content)).split("replaces")[1]
    assert "September 4, 2001" in _text(bytes(first.content))


def test_asking_for_the_letter_again_returns_the_one_issued(
    offer: Any, account: Any, fake_pdf: Any
) -> None:
    first = client_letter_issue(offer=offer, account=account)
    assert client_letter_issue(offer=offer, account=account).pk == first.pk
    assert len(fake_pdf) == 1


def test_an_account_without_old_notes_gets_no_letter(offer: Any, firm: Any, fake_pdf: Any) -> None:
    empty = _client(firm, offer, "HB-199999", held="")
    with pytest.raises(ValidationError, match="holds no Old Notes: it gets no letter"):
        client_letter_issue(offer=offer, account=empty)


# Bulk runs: to every client of a firm (or of the office) with a position


@pytest.fixture
def book(offer: Any, firm: Any) -> dict[str, Any]:
    other = factories.BrokerFirmFactory(name="Mercer Street Brokerage")
    return {
        "mailed": _client(firm, offer, "HB-1", email="one@clients.example"),
        "mailed2": _client(firm, offer, "HB-2", email="two@clients.example"),
        "no_email": _client(firm, offer, "HB-3"),
        "no_position": _client(firm, offer, "HB-4", email="four@clients.example", held=""),
        "other_firm": _client(other, offer, "MS-1", email="ms@clients.example"),
        "other": other,
    }


def test_a_bulk_run_emails_the_letter_to_each_client_of_the_firm_with_a_position(
    offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
    assert sorted(m.to[0] for m in mail.outbox) == ["one@clients.example", "two@clients.example"]
    assert all(m.attachments[0][2] == "application/pdf" for m in mail.outbox)
    sent = {d.account.account_number: d.channel for d in LetterDispatch.objects.all()}
    assert sent == {"HB-1": "email", "HB-2": "email", "HB-3": "print"}


def test_a_client_without_an_e_mail_address_is_marked_printed_for_mailing(
    offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
    printed = LetterDispatch.objects.get(account=book["no_email"])
    assert (printed.get_channel_display(), printed.message) == ("Printed for mailing", None)


def test_a_print_run_marks_every_letter_printed_and_sends_nothing(
    offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=firm, delivery="print", by=ops)
    assert mail.outbox == []
    assert set(LetterDispatch.objects.values_list("channel", flat=True)) == {"print"}
    assert LetterDispatch.objects.count() == 3


def test_a_run_for_the_whole_office_reaches_every_firm(
    offer: Any, ops: Any, book: dict[str, Any], fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=None, delivery="email", by=ops)
    assert len(mail.outbox) == 3
    assert LetterDispatch.objects.filter(account=book["other_firm"]).count() == 1


def test_a_drain_that_handles_an_item_again_sends_nothing_twice(
    offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        run = client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
    with django_capture_on_commit_callbacks(execute=True):
        document = LetterDispatch.objects.get(account=book["mailed"]).document
        again = letter_dispatch(document=document, delivery="email", run_id=run.pk)
        bulk_run_drain(run_id=run.pk)
    assert again == LetterDispatch.objects.get(account=book["mailed"])
    assert len(mail.outbox) == 2


def test_after_an_extension_a_second_run_sends_the_new_letter_and_keeps_the_first(
    offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any, at: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
    at(datetime(2001, 9, 5, 8, 30, tzinfo=NY))
    offer_extend(
        offer=offer,
        new_expiration=datetime(2001, 9, 17, 17, 0, tzinfo=NY),
        reason="short of the minimum",
        announcement="Extended to 5:00 p.m. on Sep 17, 2001",
        by=ops,
    )
    offer.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
    letters = LetterDispatch.objects.filter(account=book["mailed"]).order_by("wall_at", "id")
    first, second = (dispatch.document for dispatch in letters)
    assert first.key.endswith(":e0") and not second.key.endswith(":e0")
    assert len(mail.outbox) == 4  # HB-1 and HB-2, twice


# Once per client and occasion: repeated runs send nothing twice


def test_a_repeated_letter_run_sends_nothing_twice(
    offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
        again = client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
        client_letters_send(offer=offer, firm=firm, delivery="print", by=ops)
    assert (again.items.count(), again.get_status_display()) == (0, "Finished")
    assert len(mail.outbox) == 2  # HB-1 and HB-2, once
    assert BulkRunItem.objects.count() == LetterDispatch.objects.count() == 3
    assert OutboxMessage.objects.count() == 2


def test_a_run_for_the_whole_office_after_one_firms_adds_only_the_other_firms_clients(
    offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
        office = client_letters_send(offer=offer, firm=None, delivery="email", by=ops)
        again = client_letters_send(offer=offer, firm=book["other"], delivery="email", by=ops)
    assert [item.account for item in office.items.all()] == [book["other_firm"]]
    assert again.items.count() == 0
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ms@clients.example", "one@clients.example", "two@clients.example",
    ]  # fmt: skip


def test_each_letter_e_mail_carries_its_occasion(
    offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
    sent = LetterDispatch.objects.get(account=book["mailed"])
    occasion = f"client_letter:o{offer.pk}:a{book['mailed'].pk}:e0"
    assert (sent.key, sent.message.key, sent.document.key) == (occasion,) * 3
    assert BulkRunItem.objects.get(account=book["mailed"]).occasion == occasion


def test_the_database_refuses_a_second_sending_of_a_letter(
    offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
    sent = LetterDispatch.objects.get(account=book["mailed"])
    message, item = sent.message, BulkRunItem.objects.get(account=book["mailed"])
    for row in (sent, message, item):
        row.pk = None
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save()


def test_a_new_letter_after_an_extension_is_a_new_occasion_sent_once(
    offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any, at: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
    at(datetime(2001, 9, 5, 8, 30, tzinfo=NY))
    offer_extend(
        offer=offer,
        new_expiration=datetime(2001, 9, 17, 17, 0, tzinfo=NY),
        reason="short of the minimum",
        announcement="Extended to 5:00 p.m. on Sep 17, 2001",
        by=ops,
    )
    offer.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
        third = client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
    assert (second.items.count(), third.items.count()) == (3, 0)
    assert sorted(m.to[0] for m in mail.outbox) == ["one@clients.example", "two@clients.example"]
    new_letters = LetterDispatch.objects.exclude(key__endswith=":e0").filter(channel="email")
    assert sorted(m.attachments[0][0] for m in mail.outbox) == sorted(
        sent.document.filename for sent in new_letters
    )
    assert LetterDispatch.objects.filter(account=book["mailed"]).count() == 2


def test_a_persons_resend_of_a_letter_is_sent_and_recorded_as_a_resend(
    offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
    first = LetterDispatch.objects.get(account=book["mailed"]).message
    OutboxMessage.objects.filter(pk=first.pk).update(status=OutboxStatus.FAILED)
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        again = outbox_message_resend(message=first, by=ops)
        client_letters_send(offer=offer, firm=firm, delivery="email", by=ops)
    assert (again.key, again.resend_of, again.status) == (first.key, first, OutboxStatus.QUEUED)
    again.refresh_from_db()
    assert again.status == OutboxStatus.SENT
    assert [m.to[0] for m in mail.outbox].count("one@clients.example") == 2


def test_an_e_mail_without_a_document_needs_its_occasion(offer: Any, account: Any) -> None:
    with pytest.raises(TypeError, match="needs its occasion's key"):
        outbox_message_create(
            account=account, offer=offer, to="c@example.com", subject="s", body="", by=None
        )


def test_a_representative_cannot_start_a_bulk_run(
    offer: Any, firm: Any, rep: Any, book: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDenied, match="You may not send client letters"):
        client_letters_send(offer=offer, firm=firm, delivery="email", by=rep)


def test_the_account_page_shows_a_letter_printed_for_mailing(
    client: Any, offer: Any, firm: Any, ops: Any, rep: Any, book: dict[str, Any],
    fake_pdf: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=firm, delivery="print", by=ops)
    client.force_login(rep)
    page = client.get(reverse("tenders:account_detail", args=[book["mailed"].pk])).content.decode()
    assert "Client letter" in page
    assert "Printed for mailing" in page


# Operations in the admin


def test_operations_send_the_letter_to_a_firms_clients_from_the_admin(
    client: Any, offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    client.force_login(ops)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:tenders_brokerfirm_changelist"),
            {"action": "send_letters_by_email", "_selected_action": [firm.pk]},
            follow=True,
        )
    assert "client letters for 3 client(s), by e-mail" in response.content.decode()
    assert len(mail.outbox) == 2
    listing = client.get(reverse("admin:tenders_letterdispatch_changelist")).content.decode()
    assert "HB-3" in listing and "Printed for mailing" in listing


def test_operations_print_the_letters_for_mailing_from_the_admin(
    client: Any, offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    client.force_login(ops)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:tenders_brokerfirm_changelist"),
            {"action": "print_letters_for_mailing", "_selected_action": [firm.pk]},
        )
    assert mail.outbox == []
    assert LetterDispatch.objects.filter(channel="print").count() == 3


def test_operations_send_reminders_from_the_admin_and_see_them_listed(
    client: Any, offer: Any, firm: Any, ops: Any, book: dict[str, Any], fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    client.force_login(ops)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:tenders_brokerfirm_changelist"),
            {"action": "send_reminders", "_selected_action": [firm.pk]},
            follow=True,
        )
    assert "reminders sent=2 skipped=1" in response.content.decode()
    listing = client.get(reverse("admin:tenders_reminder_changelist")).content.decode()
    assert "HB-1" in listing and "HB-2" in listing


# A representative prints one letter from the account page


def test_a_representative_prints_the_letter_from_the_account_page(
    client: Any, rep: Any, offer: Any, account: Any, fake_pdf: Any
) -> None:
    client.force_login(rep)
    page = client.get(reverse("tenders:account_detail", args=[account.pk])).content.decode()
    assert "Print the client letter" in page
    response = client.post(reverse("tenders:client_letter", args=[account.pk]), follow=True)
    assert response["Content-Type"] == "application/pdf"
    document = Document.objects.get(kind=DocumentKind.CLIENT_LETTER, account=account)
    assert b"".join(response) == bytes(document.content)
    assert mail.outbox == []  # printed, not sent


def test_another_firms_representative_cannot_print_the_letter(
    client: Any, offer: Any, account: Any, fake_pdf: Any
) -> None:
    stranger = factories.RepresentativeFactory(user__username="stranger").user
    client.force_login(stranger)
    response = client.post(reverse("tenders:client_letter", args=[account.pk]))
    assert response.status_code == 404
    assert not Document.objects.filter(kind=DocumentKind.CLIENT_LETTER).exists()


# The command


def _letter_command(*args: str) -> str:
    out = io.StringIO()
    call_command("client_letter", "--offer", "lexington-2001", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_the_letter_of_an_account(
    offer: Any, account: Any, fake_pdf: Any, tmp_path: Path
) -> None:
    out = tmp_path / "letter.pdf"
    printed = _letter_command("--account", "HB-100003", "--out", str(out))
    document = Document.objects.get(kind=DocumentKind.CLIENT_LETTER)
    assert out.read_bytes() == bytes(document.content)
    assert document.number in printed


def test_the_command_needs_the_firm_only_where_the_account_number_is_shared(
    offer: Any, firm: Any, account: Any, fake_pdf: Any, tmp_path: Path
) -> None:
    other = factories.BrokerFirmFactory(dtc_participant_number="0902")
    _client(other, offer, "HB-100003")
    out = str(tmp_path / "letter.pdf")
    with pytest.raises(CommandError, match="used by more than one firm: name one with --firm"):
        _letter_command("--account", "HB-100003", "--out", out)
    _letter_command("--account", "HB-100003", "--firm", "0902", "--out", out)
    assert Document.objects.get(kind=DocumentKind.CLIENT_LETTER).account.firm == other


def test_the_command_refuses_an_unknown_offer_or_account_in_one_line(
    offer: Any, account: Any, tmp_path: Path
) -> None:
    out = str(tmp_path / "letter.pdf")
    with pytest.raises(CommandError, match=r"^There is no account 'XX-1'\.$"):
        _letter_command("--account", "XX-1", "--out", out)
    with pytest.raises(CommandError, match=r"^There is no offer 'nope'\.$"):
        call_command("client_letter", "--offer", "nope", "--account", "HB-100003", "--out", out)


# Reminders


@pytest.fixture
def answered(offer: Any, book: dict[str, Any]) -> Any:
    """HB-2 answered: a live instruction."""
    return factories.InstructionFactory(
        account=book["mailed2"], offer=offer, status=InstructionStatus.RECEIVED
    )


def _reminders(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("send_reminders", "--offer", "lexington-2001", *args, stdout=out)
    return out.getvalue().splitlines()


def test_a_reminder_goes_to_each_client_with_a_position_who_has_not_answered(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders_send(offer=offer, firm=firm)
    assert (result.sent, result.skipped) == (1, 1)  # HB-1 sent; HB-3 has no e-mail address
    (message,) = mail.outbox
    assert message.to == ["one@clients.example"]
    assert "we must receive it by 5:00 p.m. EDT on Friday, August 31, 2001" in message.body
    assert "http://127.0.0.1:8000/d/" in message.body  # PUBLIC_BASE_URL's signed link


def test_the_reminder_says_what_old_notes_not_tendered_receive(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(offer=offer, firm=firm)
    body = " ".join(mail.outbox[0].body.split())
    assert "you need do nothing" not in body
    assert (
        "Old Notes you do not tender stay in your account until the exchange is completed, and "
        "if it is, the company pays holders who do not tender the full principal of and accrued "
        "interest on their Old Notes"
    ) in body


def test_the_reminder_links_to_a_copy_of_the_letter(
    client: Any, offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(offer=offer, firm=firm)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/d/" in line)
    response = client.get(link[link.index("/d/") :])
    letter = Document.objects.get(kind=DocumentKind.CLIENT_LETTER, account=book["mailed"])
    assert b"".join(response) == bytes(letter.content)


def test_a_client_whose_instruction_was_accepted_gets_no_reminder(
    offer: Any, firm: Any, book: dict[str, Any], fake_pdf: Any
) -> None:
    factories.InstructionFactory(
        account=book["mailed"], offer=offer, status=InstructionStatus.ACCEPTED
    )
    factories.InstructionFactory(
        account=book["mailed2"], offer=offer, status=InstructionStatus.WITHDRAWN
    )
    result = reminders_send(offer=offer, firm=firm)
    assert Reminder.objects.get().account == book["mailed2"]  # a withdrawal is no answer
    assert result.sent == 1


def test_the_command_last_line_counts_and_a_second_run_the_same_day_sends_nothing(
    offer: Any, book: dict[str, Any], answered: Any, fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert _reminders()[-1] == "sent=2 skipped=1"  # HB-1 and MS-1; HB-3 has no address
        assert _reminders()[-1] == "sent=0 skipped=3"
    assert len(mail.outbox) == 2


def test_the_command_says_why_each_client_was_skipped_without_asking_for_verbosity(
    offer: Any, book: dict[str, Any], answered: Any, fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        _reminders()
        lines = _reminders()
    assert lines[-1] == "sent=0 skipped=3"
    assert len([line for line in lines if "already reminded on" in line]) == 2
    assert any(line.endswith(": no e-mail address") for line in lines)


def test_the_next_business_day_a_client_is_reminded_again(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any, at: Any
) -> None:
    reminders_send(offer=offer, firm=firm)
    at(datetime(2001, 8, 21, 9, 0, tzinfo=NY))
    assert reminders_send(offer=offer, firm=firm).sent == 1
    assert Reminder.objects.filter(account=book["mailed"]).count() == 2


def test_a_reminder_e_mail_carries_its_occasion_the_client_and_the_business_day(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):  # the letter issued, the e-mail sent
        reminders_send(offer=offer, firm=firm)
    reminder = Reminder.objects.get()
    assert reminder.message.key == f"reminder:o{offer.pk}:a{book['mailed'].pk}:d2001-08-20"


def test_the_database_refuses_a_second_reminder_the_same_business_day(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any
) -> None:
    reminders_send(offer=offer, firm=firm)
    first = Reminder.objects.get()
    first.pk = None
    with pytest.raises(IntegrityError, match=r"reminder|UNIQUE|unique"):
        first.save()


def test_reminders_go_out_on_a_saturday_while_the_cutoff_is_ahead(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any, at: Any
) -> None:
    at(SATURDAY_AUG_25)
    assert reminders_send(offer=offer, firm=firm).sent == 1


def test_no_reminder_once_the_firms_cutoff_has_passed(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any, at: Any
) -> None:
    at(CUTOFF - ONE_SECOND)
    assert reminders_send(offer=offer, firm=firm, dry_run=True).sent == 1
    at(CUTOFF)
    result = reminders_send(offer=offer, firm=firm)
    assert (result.sent, result.skipped) == (0, 2)
    assert "HB-1: the firm's cutoff has passed" in result.reasons


def test_a_dry_run_sends_and_records_nothing(
    offer: Any, book: dict[str, Any], answered: Any, fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert _reminders("--dry-run")[-1] == "sent=2 skipped=1"
    assert (mail.outbox, fake_pdf) == ([], [])
    assert not Reminder.objects.exists() and not OutboxMessage.objects.exists()
    assert not Document.objects.exists()


def test_the_command_refuses_an_unknown_firm_in_one_line(offer: Any) -> None:
    with pytest.raises(CommandError, match=r"^There is no firm with DTC participant number"):
        _reminders("--firm", "9999")


def test_each_reminder_shows_in_the_accounts_history(
    client: Any, rep: Any, offer: Any, firm: Any, book: dict[str, Any], answered: Any,
    fake_pdf: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):  # the letter issued, the e-mail sent
        reminders_send(offer=offer, firm=firm)
    client.force_login(rep)
    page = client.get(reverse("tenders:account_history", args=[book["mailed"].pk]))
    text = page.content.decode()
    assert "Reminder (letter" in text
    assert "By e-mail to one@clients.example" in text
    assert "Aug 20, 2001" in text or "2001-08-20" in text


def _postgres_races(test: Any) -> Any:
    for mark in reversed(POSTGRES_RACES):
        test = mark(test)
    return test


# A reminder whose letter is not issued yet: never rendered by the request or the command


def test_a_reminder_for_a_client_without_a_letter_renders_nothing_and_waits_for_it(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks() as queued:  # the request, without the worker
        assert reminders_send(offer=offer, firm=firm).sent == 1
    assert fake_pdf == []  # the renderer was not called
    reminder = Reminder.objects.get()
    assert (reminder.letter, reminder.message) == (None, None)
    assert reminder.letter_key == f"client_letter:o{offer.pk}:a{book['mailed'].pk}:e0"
    assert not OutboxMessage.objects.exists() and mail.outbox == []
    assert queued  # the letter's issue, for a worker


def test_the_waiting_reminder_goes_out_once_its_letter_is_issued_by_a_worker(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks() as queued:
        reminders_send(offer=offer, firm=firm)
    with django_capture_on_commit_callbacks(execute=True):
        for work in queued:  # what the worker does: issue the letter, then the reminder goes
            work()
    assert len(fake_pdf) == 1
    (message,) = mail.outbox
    reminder = Reminder.objects.get()
    assert reminder.letter == Document.objects.get(kind=DocumentKind.CLIENT_LETTER)
    assert message.to == ["one@clients.example"]
    assert "we must receive it by 5:00 p.m. EDT on Friday, August 31, 2001" in message.body


def test_the_sweep_sends_a_reminder_whose_letter_was_issued_after_its_worker_was_killed(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    from tenders.sweep import sweep

    reminders_send(offer=offer, firm=firm)  # its queued work lost with the worker
    reminder = Reminder.objects.get()
    document_issue(key=reminder.letter_key)  # issued, then the worker was killed
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep().reminders_sent == [reminder.pk]
        assert sweep().reminders_sent == []
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert reminder.message is not None and reminder.message.key == reminder_key(
        offer=offer, account=book["mailed"], day=reminder.business_day
    )


def test_a_waiting_reminder_sent_twice_goes_out_once(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    reminders_send(offer=offer, firm=firm)
    reminder = Reminder.objects.get()
    document_issue(key=reminder.letter_key)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_waiting() == [reminder.pk]
        assert reminders_send_waiting() == []
        assert reminders_send_waiting(reminder_ids=[reminder.pk]) == []
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.count() == 1


def test_a_waiting_reminder_whose_letter_is_not_issued_stays_waiting(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any
) -> None:
    reminders_send(offer=offer, firm=firm)
    assert reminders_send_waiting() == []
    assert Reminder.objects.get().message is None


def test_a_reminder_leaves_a_letter_its_bulk_run_holds_to_the_run(
    offer: Any, firm: Any, ops: Any, book: dict[str, Any], answered: Any, fake_pdf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    client_letters_send(offer=offer, firm=firm, delivery="print", by=ops)  # drains not run
    with django_capture_on_commit_callbacks() as queued:
        reminders_send(offer=offer, firm=firm)
    with django_capture_on_commit_callbacks(execute=True):
        for work in queued:
            work()
    assert fake_pdf == []  # the run renders the letter, not the reminder
    assert Reminder.objects.get().message is None
    run = BulkRunItem.objects.values_list("run_id", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        bulk_run_drain(run_id=run)
        assert reminders_send_waiting() == [Reminder.objects.get().pk]
    assert [m.to for m in mail.outbox] == [["one@clients.example"]]


def test_the_account_history_shows_a_reminder_waiting_for_its_letter(
    client: Any, rep: Any, offer: Any, firm: Any, book: dict[str, Any], answered: Any,
    fake_pdf: Any,
) -> None:  # fmt: skip
    reminders_send(offer=offer, firm=firm)
    client.force_login(rep)
    page = client.get(reverse("tenders:account_history", args=[book["mailed"].pk]))
    text = page.content.decode()
    assert "Reminder (its letter being issued)" in text
    assert "Waiting for its letter" in text


@_postgres_races
def test_racing_sweeps_send_a_waiting_reminder_once(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from tenders.documents import tasks as document_tasks

    # Committed at once here: the letter's queued issue is lost, so the reminder waits.
    monkeypatch.setattr(document_tasks, "enqueue_issue", lambda **kwargs: None)
    with clock.frozen_at(AUG_20):
        reminders_send(offer=offer, firm=firm)
    reminder = Reminder.objects.get()
    document_issue(key=reminder.letter_key)
    sent = race(4, reminders_send_waiting)
    assert [pk for pks in sent for pk in pks] == [reminder.pk]
    assert OutboxMessage.objects.filter(key__startswith="reminder:").count() == 1


# The demo: the clients of one firm receive their letters


def test_the_demo_clients_of_one_firm_receive_their_letters_and_one_reminder_a_day(
    fake_pdf: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.contrib.auth import get_user_model

    from notes.models import ExchangeOffer
    from tenders.demo import load_demo
    from tenders.models import BrokerFirm, ClientAccount

    load_demo()
    offer = ExchangeOffer.objects.get(slug="lexington-2001")
    mercer = BrokerFirm.objects.get(dtc_participant_number="0902")
    ops = get_user_model().objects.get(username="ops")
    holders = ClientAccount.objects.filter(
        firm=mercer, positions__security=offer.old_security, positions__principal__gt=0
    ).count()
    with django_capture_on_commit_callbacks(execute=True):
        client_letters_send(offer=offer, firm=mercer, delivery="email", by=ops)
    assert holders > 0
    assert LetterDispatch.objects.filter(account__firm=mercer).count() == holders
    assert {m.to[0].split("@")[1] for m in mail.outbox} == {"clients.example"}
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders_send(offer=offer, firm=mercer)
        second = reminders_send(offer=offer, firm=mercer)
    assert first.sent > 0
    assert second.sent == 0


# Racing reminder runs


@_postgres_races
def test_racing_reminder_runs_send_one_reminder_per_client(
    offer: Any, firm: Any, book: dict[str, Any], answered: Any, fake_pdf: Any
) -> None:
    runs = 8
    barrier = threading.Barrier(runs)
    results: list[int] = []
    errors: list[Exception] = []

    def run() -> None:
        try:
            barrier.wait()
            with clock.frozen_at(AUG_20):
                results.append(reminders_send(offer=offer, firm=firm).sent)
        except Exception as exc:  # a thread's exception would otherwise pass unseen
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 1
    assert Reminder.objects.count() == 1


# Racing letter runs: four operators sending the letter at once


@pytest.fixture
def forty_clients(offer: Any) -> dict[str, Any]:
    """40 clients with an e-mail address in three firms, 13 of them at the first."""
    firms = [factories.BrokerFirmFactory(name=f"Firm {n}") for n in (1, 2, 3)]
    for n in range(40):
        firm = firms[0] if n < 13 else firms[1] if n < 27 else firms[2]
        _client(firm, offer, f"RC-{n:03d}", email=f"client{n}@clients.example")
    return {"firms": firms, "ops": User.objects.create_superuser("ops-super", password=None)}


def _letters_sent() -> tuple[int, int, int, int]:
    return (
        OutboxMessage.objects.count(),
        len({m.to[0] for m in mail.outbox}),
        BulkRunItem.objects.count(),
        LetterDispatch.objects.count(),
    )


@_postgres_races
def test_four_racing_letter_runs_send_one_e_mail_per_client_and_a_repeat_run_none(
    offer: Any, forty_clients: dict[str, Any], fake_pdf: Any
) -> None:
    ops = forty_clients["ops"]
    race(4, lambda: client_letters_send(offer=offer, firm=None, delivery="email", by=ops))
    assert len(mail.outbox) == 40
    assert _letters_sent() == (40, 40, 40, 40)
    again = client_letters_send(
        offer=offer, firm=forty_clients["firms"][0], delivery="email", by=ops
    )
    assert again.items.count() == 0
    assert len(mail.outbox) == 40
    assert _letters_sent() == (40, 40, 40, 40)


@_postgres_races
def test_runs_for_single_firms_racing_runs_for_the_whole_office_send_each_letter_once(
    offer: Any, forty_clients: dict[str, Any], fake_pdf: Any
) -> None:
    ops = forty_clients["ops"]
    firms = iter([None, *forty_clients["firms"], None, *reversed(forty_clients["firms"])])
    race(8, lambda: client_letters_send(offer=offer, firm=next(firms), delivery="email", by=ops))
    assert len(mail.outbox) == 40
    assert _letters_sent() == (40, 40, 40, 40)
