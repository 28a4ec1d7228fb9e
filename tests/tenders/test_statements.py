"""Account statements (issue 23): per account and calendar quarter, from the books: opening
positions, each movement, closing positions and the cash received; issued once per occasion
(statement:a<id>:2001Q4), from the shell, from the account pages, and e-mailed once by the
quarterly run. Figures: HB-100007 in 2001 (tests/tenders/statements_scene.py)."""

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from notes.models import ExchangeOffer
from tenders.bulk_runs.models import BulkRun
from tenders.bulk_runs.services import bulk_run_drain
from tenders.documents.models import Document, DocumentKind
from tenders.ledger.selectors import unbalanced_entries
from tenders.models import ClientAccount
from tenders.outbox.models import OutboxMessage
from tenders.statements.selectors import statement_lines, statement_periods
from tenders.statements.services import statement_issue, statements_run_start
from tests import factories
from tests.tenders.conftest import POSTGRES_RACES
from tests.tenders.statements_scene import post_hb_100007
from tests.tenders.test_races import race

pytestmark = pytest.mark.django_db

JAN_2_2002 = "2002-01-02T12:00:00-05:00"


@pytest.fixture
def hb(
    offer: ExchangeOffer, firm: Any, ops: Any, pin_clock: Callable[[str], None]
) -> ClientAccount:
    pin_clock(JAN_2_2002)
    account = factories.ClientAccountFactory(
        firm=firm, account_number="HB-100007", owners=["Margaret Holloway"]
    )
    post_hb_100007(offer=offer, account=account, by=ops)
    assert unbalanced_entries() == []
    return account


def _pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_statement_lists_opening_movements_closing_and_cash_from_the_books(
    hb: ClientAccount, offer: ExchangeOffer
) -> None:
    lines = statement_lines(
        account=hb,
        period="2001Q4",
        securities_order=(offer.old_security_id, offer.new_security_id),
    )
    assert [(p.asset.name, p.opening, p.closing) for p in lines.positions] == [
        ("Old Notes", Decimal("480000.00"), Decimal("0.00")),
        ("New Notes", Decimal("0.00"), Decimal("617702.40")),
        ("Warrants", Decimal("0"), Decimal("2616")),
    ]
    assert [(m.posted_on.isoformat(), m.asset.name, m.quantity) for m in lines.movements] == [
        ("2001-11-01", "Old Notes", Decimal("-480000.00")),
        ("2001-11-01", "New Notes", Decimal("617702.40")),
        ("2001-11-01", "Warrants", Decimal("2616")),
    ]
    assert [(c.posted_on.isoformat(), c.quantity) for c in lines.cash] == [
        ("2001-11-01", Decimal("4800.00")),
        ("2001-11-01", Decimal("4800.00")),
        ("2001-12-31", Decimal("4800.00")),
        ("2001-12-31", Decimal("14413.06")),
    ]
    assert lines.cash_total == Decimal("28813.06")


def test_statement_pdf_states_the_positions_movements_and_cash_total(hb: ClientAccount) -> None:
    document = statement_issue(account=hb, period="2001Q4", by=None)
    text = _pdf_text(bytes(document.content))
    assert "Account statement" in text
    assert "October 1 to December 31, 2001" in text
    assert "Margaret Holloway" in text
    assert "$480,000.00" in text and "$617,702.40" in text and "2,616" in text
    assert "Exchange on consummation" in text
    assert "Cash received in the period $28,813.06" in text


def test_statement_is_issued_once_per_account_and_quarter(hb: ClientAccount, fake_pdf: Any) -> None:
    first = statement_issue(account=hb, period="2001Q4", by=None)
    again = statement_issue(account=hb, period="2001Q4", by=None)
    assert again.pk == first.pk
    assert first.key == f"statement:a{hb.pk}:2001Q4"
    assert Document.objects.filter(kind=DocumentKind.STATEMENT).count() == 1


def test_statement_of_a_quarter_not_yet_over_is_refused(
    hb: ClientAccount, pin_clock: Callable[[str], None], fake_pdf: Any
) -> None:
    pin_clock("2001-12-31T12:00:00-05:00")
    with pytest.raises(ValidationError, match="not over until the end of December 31, 2001"):
        statement_issue(account=hb, period="2001Q4", by=None)


def test_statement_command_writes_the_pdf(hb: ClientAccount, tmp_path: Path) -> None:
    out = tmp_path / "hb.pdf"
    stdout = io.StringIO()
    call_command(
        "statement",
        "--account",
        "HB-100007",
        "--period",
        "2001Q4",
        "--out",
        str(out),
        stdout=stdout,
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert "Cash received in the period $28,813.06" in _pdf_text(out.read_bytes())
    assert str(out) in stdout.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "HB-100007", "--period", "2001-Q4"], "'2001-Q4' is not a calendar quarter"),
        (["--account", "HB-999999", "--period", "2001Q4"], "There is no account 'HB-999999'"),
    ],
)
def test_statement_command_refuses_a_bad_period_or_account(
    hb: ClientAccount, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match=message):
        call_command("statement", *args, "--out", str(out))
    assert not out.exists()


def test_account_page_links_the_statement_of_each_quarter_with_movements(
    hb: ClientAccount, client: Any, rep: Any, fake_pdf: Any
) -> None:
    assert statement_periods(account=hb, until=date(2002, 1, 2)) == ["2001Q4", "2001Q3"]
    client.force_login(rep)
    page = client.get(reverse("tenders:account_detail", args=[hb.pk])).content.decode()
    assert reverse("tenders:statement", args=[hb.pk]) in page
    assert 'name="period" value="2001Q4"' in page
    assert 'name="period" value="2001Q3"' in page


def test_account_page_statement_link_downloads_the_pdf(
    hb: ClientAccount, client: Any, rep: Any, fake_pdf: Any
) -> None:
    client.force_login(rep)
    response = client.post(
        reverse("tenders:statement", args=[hb.pk]), {"period": "2001Q4"}, follow=True
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_quarterly_run_emails_each_statement_once_even_when_run_twice(
    hb: ClientAccount, offer: ExchangeOffer, ops: Any, firm: Any, fake_pdf: Any
) -> None:
    quiet = factories.ClientAccountFactory(firm=firm, account_number="HB-100008")
    assert quiet  # no movement in 2001Q4: no statement
    first = statements_run_start(period="2001Q4", by=ops)
    assert first is not None
    bulk_run_drain(run_id=first.pk)
    assert statements_run_start(period="2001Q4", by=ops) is None
    messages = OutboxMessage.objects.filter(key__startswith="statement:")
    assert list(messages.values_list("key", flat=True)) == [f"statement:a{hb.pk}:2001Q4"]


def test_statements_run_command_refuses_a_bad_period() -> None:
    with pytest.raises(CommandError, match="'2001Q9' is not a calendar quarter"):
        call_command("statements_run", "--period", "2001Q9")


def test_admin_account_page_has_a_statement_button_per_quarter_with_movements(
    hb: ClientAccount, client: Any, ops: Any, fake_pdf: Any
) -> None:
    client.force_login(ops)
    page = client.get(reverse("admin:tenders_clientaccount_change", args=[hb.pk])).content.decode()
    assert f'formaction="{reverse("tenders:statement", args=[hb.pk])}"' in page
    assert 'name="period" value="2001Q4"' in page


def test_statement_issued_from_the_account_page_is_emailed_only_by_the_run(
    hb: ClientAccount, client: Any, rep: Any, ops: Any, fake_pdf: Any
) -> None:
    client.force_login(rep)
    client.post(reverse("tenders:statement", args=[hb.pk]), {"period": "2001Q4"})
    assert not OutboxMessage.objects.filter(key__startswith="statement:").exists()
    run = statements_run_start(period="2001Q4", by=ops)
    assert run is not None
    bulk_run_drain(run_id=run.pk)
    assert OutboxMessage.objects.filter(key=f"statement:a{hb.pk}:2001Q4").count() == 1
    assert Document.objects.filter(kind=DocumentKind.STATEMENT).count() == 1


def _postgres_races(test: Any) -> Any:
    for mark in reversed(POSTGRES_RACES):
        test = mark(test)
    return test


@_postgres_races
def test_racing_quarterly_runs_email_each_statement_once(
    hb: ClientAccount, ops: Any, fake_pdf: Any
) -> None:
    def run_and_drain() -> bool:
        run = statements_run_start(period="2001Q4", by=ops)
        if run is not None:
            bulk_run_drain(run_id=run.pk)
        return run is not None

    race(4, run_and_drain)
    messages = OutboxMessage.objects.filter(key__startswith="statement:")
    assert list(messages.values_list("key", flat=True)) == [f"statement:a{hb.pk}:2001Q4"]


def _send_statements(client: Any, offer: ExchangeOffer, **data: str) -> Any:
    return client.post(
        reverse("admin:notes_exchangeoffer_changelist"),
        {"action": "send_statements", "_selected_action": [offer.pk], **data},
        follow=True,
    )


def test_offer_admin_action_keeps_a_bad_quarter_next_to_its_field(
    hb: ClientAccount, offer: ExchangeOffer, client: Any, ops: Any
) -> None:
    client.force_login(ops)
    page = _send_statements(client, offer, period="2001-Q4").content.decode()
    assert "is not a calendar quarter" in page
    assert 'value="2001-Q4"' in page
    assert not OutboxMessage.objects.filter(key__startswith="statement:").exists()


def test_offer_admin_action_starts_the_quarterly_run(
    hb: ClientAccount, offer: ExchangeOffer, client: Any, ops: Any, fake_pdf: Any
) -> None:
    client.force_login(ops)
    page = _send_statements(client, offer, period="2001Q4").content.decode()
    assert "1 statement(s) for 2001Q4" in page
    assert BulkRun.objects.get(kind=DocumentKind.STATEMENT).offer == offer


def test_account_page_states_the_new_notes_warrants_and_cash_the_books_give_it(
    hb: ClientAccount, client: Any, rep: Any
) -> None:
    client.force_login(rep)
    page = client.get(reverse("tenders:account_detail", args=[hb.pk])).content.decode()
    # By Jan 2, 2002: the exchange of Nov 1, fees 1 to 3 and the Dec 31 coupon.
    assert "$617,702.40" in page
    assert ">2,616<" in page
    assert "$28,813.06" in page  # 3 x $4,800.00 + $14,413.06


def test_statement_of_a_quarter_before_the_books_start_is_refused(hb: ClientAccount) -> None:
    # HB-100007's books start with its opening position on Aug 15, 2001.
    with pytest.raises(ValidationError, match=r"start on August 15, 2001: there is no statement "
                       r"for 2001Q2, which ended before; the first is for 2001Q3"):  # fmt: skip
        statement_issue(account=hb, period="2001Q2", by=None)
    assert not Document.objects.filter(kind=DocumentKind.STATEMENT).exists()
