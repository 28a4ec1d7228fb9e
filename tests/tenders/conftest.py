"""A firm, its representative, operations staff and a client account holding $125,000 of the
Lexington Old Notes, with the business clock pinned on Aug 20, 2001 unless a test moves it."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from notes.models import ExchangeOffer
from tenders.accounts.services import account_set_tin
from tenders.instructions.services import InstructionInput, SignatureInput, WithdrawalNoticeInput
from tenders.models import ClientAccount
from tests import factories

# Race tests: real row locks and one connection per thread need PostgreSQL.
POSTGRES_RACES = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=f"needs PostgreSQL for row locks and one connection per thread, not "
        f"{connection.vendor}: set DATABASE_URL=postgres://... to run the race tests",
    ),
]

NY = ZoneInfo("America/New_York")
AUG_20 = datetime(2001, 8, 20, 10, 0, tzinfo=NY)
CUTOFF = datetime(2001, 8, 31, 17, 0, tzinfo=NY)  # one banking day before Sep 4, at 5 p.m.
EXPIRATION = datetime(2001, 9, 5, 0, 0, tzinfo=NY)  # 12 midnight ending Sep 4
ONE_SECOND = timedelta(seconds=1)


@pytest.fixture
def offer(db: None) -> ExchangeOffer:
    return factories.ExchangeOfferFactory(slug="lexington-2001")


@pytest.fixture
def firm(db: None) -> factories.BrokerFirm:
    return factories.BrokerFirmFactory(name="Hudson & Broad Securities LLC")


@pytest.fixture
def rep(firm: Any) -> Any:
    return factories.RepresentativeFactory(firm=firm, user__username="rep").user


@pytest.fixture
def rep2(firm: Any) -> Any:
    """A second representative of the same firm."""
    return factories.RepresentativeFactory(firm=firm, user__username="rep-b").user


@pytest.fixture
def ops(db: None) -> Any:
    return factories.OperationsUserFactory(username="ops", reveal_tin=True)


def _account(firm: Any, offer: ExchangeOffer, ops: Any, owners: list[str], **fields: Any) -> Any:
    account = factories.ClientAccountFactory(firm=firm, owners=owners, **fields)
    factories.PositionFactory(
        account=account, security=offer.old_security, principal=Decimal("125000")
    )
    return account_set_tin(account=account, tin_type="SSN", tin="123-45-6789", by=ops)


@pytest.fixture
def account(firm: Any, offer: ExchangeOffer, ops: Any) -> ClientAccount:
    return _account(firm, offer, ops, ["Eleanor J. Whitfield"], account_number="HB-100003")


@pytest.fixture
def joint_account(firm: Any, offer: ExchangeOffer, ops: Any) -> ClientAccount:
    return _account(
        firm, offer, ops, ["Robert A. Chen", "Linda M. Chen"], account_number="HB-100004",
        state="CT",
    )  # fmt: skip


@pytest.fixture(autouse=True)
def business_day(pin_clock: Callable) -> None:
    pin_clock(AUG_20)


@pytest.fixture
def at(pin_clock: Callable) -> Callable[[datetime], None]:
    """Move the business clock: `at(CUTOFF - ONE_SECOND)`."""
    return pin_clock


def make_input(account: ClientAccount, **overrides: Any) -> InstructionInput:
    """A valid instruction as the representative types it: tender all, every owner signed."""
    values: dict[str, Any] = {
        "choice": "ALL",
        "amount": None,
        "form_date": date(2001, 8, 18),
        "address": "12 Elm Street\nScarsdale, NY 10583",
        "phone": "+19145550121",
        "tin_type": "SSN",
        "tin": "",
        "signatures": tuple(
            SignatureInput(owner.pk, owner.name, True) for owner in account.owners.all()
        ),
    }
    values.update(overrides)
    return InstructionInput(**values)


def amount_input(account: ClientAccount, amount: str, **overrides: Any) -> InstructionInput:
    return make_input(account, choice="AMOUNT", amount=Decimal(amount), **overrides)


@pytest.fixture
def fake_pdf(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int | None, str]]:
    """Replace WeasyPrint with a quick stand-in where a test is about storing, e-mailing or
    bulk runs rather than the PDF itself; returns the (instruction id, kind) rendered."""
    from types import SimpleNamespace

    from exchange_office import clock
    from tenders.documents import services as documents

    calls: list[tuple[int | None, str]] = []

    def render(occasion: Any, number: str) -> tuple[Any, Any, Any]:
        # The instruction's id (None for a document about the account alone) and the kind.
        calls.append((occasion.instruction_id, occasion.kind))
        content = f"%PDF-1.7 {number}".encode()
        pdf = SimpleNamespace(content=content, pages=1)
        return pdf, clock.now(), clock.wall_now()

    monkeypatch.setattr(documents, "_render", render)
    return calls


def accepted_instructions(offer: ExchangeOffer, firm: Any, rep: Any, count: int) -> list[Any]:
    """`count` accepted instructions of $125,000 each, on a consummated offer (Sep 5, 2001)."""
    offer.status, offer.consummation_date = "consummated", date(2001, 9, 5)
    offer.save()
    instructions = []
    for _ in range(count):
        account = factories.ClientAccountFactory(firm=firm)
        factories.PositionFactory(account=account, security=offer.old_security)
        instructions.append(
            factories.InstructionFactory(
                account=account,
                offer=offer,
                entered_by=rep,
                status="accepted",
                resolved_amount=Decimal("125000"),
            )
        )
    return instructions


def notice_for(instruction: Any, **overrides: Any) -> WithdrawalNoticeInput:
    """The client's signed letter of withdrawal, every owner's name as on file, attested,
    dated on the offer's commencement (never after any test's business date)."""
    values: dict[str, Any] = {
        "method": "letter",
        "received_on": date(2001, 8, 6),
        "signatures": tuple(
            SignatureInput(owner.pk, owner.name, True) for owner in instruction.account.owners.all()
        ),
        "attested": True,
    }
    values.update(overrides)
    return WithdrawalNoticeInput(**values)


def send_to_agent(offer: ExchangeOffer, by: Any, file_format: str = "csv") -> None:
    """Send every firm's instructions not yet sent to the exchange agent, as operations do
    before the expiration (a file recorded per firm): the agent then holds them (sent, not yet
    acknowledged), which is what consummation accepts. One channel per participant: each firm
    records `file_format` (CSV by default, which needs no BIC)."""
    from tenders.accounts.models import BrokerFirm
    from tenders.submissions.selectors import participants_to_send
    from tenders.submissions.services import agent_submission_record

    BrokerFirm.objects.exclude(agent_format=file_format).update(agent_format=file_format)
    for firm in participants_to_send(offer=offer):
        agent_submission_record(offer=offer, firm=firm, file_format=file_format, by=by)
