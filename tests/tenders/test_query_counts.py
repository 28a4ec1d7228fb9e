"""The number of SQL queries of each list page does not grow with the number of rows.

Each page is measured with 5 rows, then with 200: the bound is the 5-row count, and the two
counts must be equal. Rows are built with factory-boy's `build` and saved with `bulk_create`,
so the module stays fast.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpResponse
from django.test import Client

from notes.models import ExchangeOffer, FeeInstallment, Issuer, RateStep, Security
from tenders.models import (
    AccountOwner,
    BrokerFirm,
    BulkItemStatus,
    BulkRun,
    BulkRunItem,
    ClientAccount,
    Document,
    Instruction,
    InstructionChoice,
    InstructionStatus,
    OutboxMessage,
    OutboxStatus,
    Position,
    Representative,
    TinReveal,
)
from tests import factories

pytestmark = pytest.mark.django_db

FEW = 5
MANY = 200


@dataclass(frozen=True)
class Scene:
    """What every page needs before its rows: an offer, two firms, and who looks."""

    offer: ExchangeOffer
    firm: BrokerFirm
    other_firm: BrokerFirm
    representative: AbstractBaseUser
    operations: AbstractBaseUser
    superuser: AbstractBaseUser


@pytest.fixture
def scene() -> Scene:
    firm, other_firm = factories.BrokerFirmFactory.create_batch(2)
    operations = factories.OperationsUserFactory(username="ops-counts", reveal_tin=True)
    return Scene(
        offer=factories.ExchangeOfferFactory(),
        firm=firm,
        other_firm=other_firm,
        representative=factories.RepresentativeFactory(user__username="rep-counts", firm=firm).user,
        operations=operations,
        superuser=factories.UserFactory(username="admin-counts", is_staff=True, is_superuser=True),
    )


# Row builders: each adds `count` rows of what its page lists, numbered from `start`.


def add_accounts(firms: list[BrokerFirm], start: int, count: int) -> list[ClientAccount]:
    """Accounts spread over `firms`, every other one a joint account with two owners."""
    accounts = ClientAccount.objects.bulk_create(
        factories.ClientAccountFactory.build(firm=firms[n % len(firms)])
        for n in range(start, start + count)
    )
    AccountOwner.objects.bulk_create(
        AccountOwner(account=account, sequence=sequence, name=f"Owner {n}-{sequence}")
        for n, account in enumerate(accounts, start=start)
        for sequence in range(1, 2 + n % 2)
    )
    return accounts


def add_positions(scene: Scene, accounts: list[ClientAccount]) -> None:
    Position.objects.bulk_create(
        Position(account=a, security=scene.offer.old_security, principal=Decimal("125000"))
        for a in accounts
    )


RECEIVED = factories.RECEIVED

# One answer of each kind, in turn: none, tender all, a stated amount, withdrawn.
ANSWERS: tuple[dict[str, object] | None, ...] = (
    None,
    {"choice": InstructionChoice.ALL},
    {"choice": InstructionChoice.AMOUNT, "amount": Decimal("50000")},
    {"choice": InstructionChoice.ALL, "status": InstructionStatus.WITHDRAWN},
)


def instruction(scene: Scene, account: ClientAccount, n: int, **answer: object) -> Instruction:
    """Version 1 of an account's instruction, unsaved (for bulk_create), `n` hours after the
    first one."""
    return factories.InstructionFactory.build(
        account=account,
        offer=scene.offer,
        entered_by=scene.representative,
        received_at=RECEIVED + timedelta(hours=n),
        received_wall_at=RECEIVED + timedelta(hours=n),
        **answer,
    )


def add_answers(scene: Scene, accounts: list[ClientAccount], start: int) -> None:
    """Answers of every kind in turn; every fourth account has not answered."""
    Instruction.objects.bulk_create(
        instruction(scene, account, n, **answer)
        for n, account in enumerate(accounts, start=start)
        if (answer := ANSWERS[n % len(ANSWERS)]) is not None
    )


def firms(scene: Scene, start: int, count: int) -> None:
    BrokerFirm.objects.bulk_create(factories.BrokerFirmFactory.build_batch(count))


def representatives(scene: Scene, start: int, count: int) -> None:
    users = get_user_model().objects.bulk_create(
        factories.UserFactory.build_batch(count, password="!")
    )
    firms = [scene.firm, scene.other_firm]
    Representative.objects.bulk_create(
        Representative(user=user, firm=firms[n % 2]) for n, user in enumerate(users)
    )


def accounts(scene: Scene, start: int, count: int) -> None:
    add_accounts([scene.firm, scene.other_firm], start, count)


def positions(scene: Scene, start: int, count: int) -> None:
    add_positions(scene, add_accounts([scene.firm, scene.other_firm], start, count))


def instructions(scene: Scene, start: int, count: int) -> None:
    """An instruction for every account, so that the changelist has `count` rows."""
    created = add_accounts([scene.firm, scene.other_firm], start, count)
    answers = [answer for answer in ANSWERS if answer is not None]
    Instruction.objects.bulk_create(
        instruction(scene, account, n, **answers[n % len(answers)])
        for n, account in enumerate(created, start=start)
    )


def tin_reveals(scene: Scene, start: int, count: int) -> None:
    created = add_accounts([scene.firm, scene.other_firm], start, count)
    revealed = datetime(2001, 8, 21, 10, 0, tzinfo=UTC)
    TinReveal.objects.bulk_create(
        TinReveal(
            account=account,
            by=scene.operations if n % 2 else scene.representative,
            reason="The client asked to confirm the number.",
            business_at=revealed + timedelta(minutes=n),
            wall_at=revealed + timedelta(minutes=n),
        )
        for n, account in enumerate(created, start=start)
    )


def _documents(scene: Scene, start: int, count: int) -> list[Document]:
    instructions(scene, start, count)
    return Document.objects.bulk_create(
        factories.DocumentFactory.build(instruction=instruction)
        for instruction in Instruction.objects.filter(documents__isnull=True)
    )


def documents(scene: Scene, start: int, count: int) -> None:
    _documents(scene, start, count)


def outbox_messages(scene: Scene, start: int, count: int) -> None:
    queued = datetime(2001, 8, 21, 10, 0, tzinfo=UTC)
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            key=document.key,
            document=document,
            account_id=document.account_id,
            offer_id=document.offer_id,
            to="client@example.com",
            subject=f"Receipt {document.number}",
            body="Attached.",
            status=OutboxStatus.SENT,
            queued_at=queued,
        )
        for document in _documents(scene, start, count)
    )


def bulk_runs(scene: Scene, start: int, count: int) -> None:
    """Runs of two items each, one done and one failed."""
    instructions(scene, start, 2 * count)
    started = datetime(2001, 9, 5, 10, 0, tzinfo=UTC)
    runs = BulkRun.objects.bulk_create(
        BulkRun(offer=scene.offer, created_by=scene.operations, created_at=started)
        for _ in range(count)
    )
    todo = list(Instruction.objects.order_by("-pk")[: 2 * count])
    BulkRunItem.objects.bulk_create(
        BulkRunItem(
            run=run,
            account_id=todo[2 * n + k].account_id,
            instruction=todo[2 * n + k],
            key=f"confirmation:i{todo[2 * n + k].pk}",
            status=BulkItemStatus.DONE if k == 0 else BulkItemStatus.FAILED,
        )
        for n, run in enumerate(runs)
        for k in (0, 1)
    )


def offers(scene: Scene, start: int, count: int) -> None:
    created = ExchangeOffer.objects.bulk_create(
        factories.ExchangeOfferFactory.build_batch(
            count,
            issuer=scene.offer.issuer,
            old_security=scene.offer.old_security,
            new_security=scene.offer.new_security,
        )
    )
    FeeInstallment.objects.bulk_create(
        FeeInstallment(offer=offer, sequence=sequence, amount_per_unit=Decimal("10"))
        for offer in created
        for sequence in (1, 2, 3)
    )


def securities(scene: Scene, start: int, count: int) -> None:
    created = Security.objects.bulk_create(
        factories.SecurityFactory.build_batch(count, issuer=scene.offer.issuer)
    )
    RateStep.objects.bulk_create(
        RateStep(security=security, rate=Decimal("0.14"), applies_through=None)
        for security in created
    )


def issuers(scene: Scene, start: int, count: int) -> None:
    Issuer.objects.bulk_create(factories.IssuerFactory.build_batch(count))


def own_firm_accounts(scene: Scene, start: int, count: int) -> None:
    """The representative's firm's accounts, with positions and answers of every kind; as many
    again in the other firm, which the list must not show."""
    created = add_accounts([scene.firm], start, count)
    add_positions(scene, created)
    add_answers(scene, created, start)
    add_accounts([scene.other_firm], start, count)


def every_firm_accounts(scene: Scene, start: int, count: int) -> None:
    """Accounts in both firms, with positions and answers of every kind."""
    created = add_accounts([scene.firm, scene.other_firm], start, count)
    add_positions(scene, created)
    add_answers(scene, created, start)


Builder = Callable[[Scene, int, int], None]
Viewer = Callable[[Scene], AbstractBaseUser]


def superuser(scene: Scene) -> AbstractBaseUser:
    return scene.superuser


def representative(scene: Scene) -> AbstractBaseUser:
    return scene.representative


def operations(scene: Scene) -> AbstractBaseUser:
    return scene.operations


# The representative's account list; a search or an answer filter adds no query. Two of them
# read the live instructions' standing with the exchange agent (issue 21), for the whole page.
ACCOUNT_LIST_BOUND = 11

# (page, who looks, what fills it, the most queries it may make: its count with 5 rows)
PAGES: list[tuple[str, Viewer, Builder, int]] = [
    ("/admin/tenders/brokerfirm/", superuser, firms, 5),
    ("/admin/tenders/representative/", superuser, representatives, 6),
    ("/admin/tenders/clientaccount/", superuser, accounts, 7),
    ("/admin/tenders/position/", superuser, positions, 7),
    ("/admin/tenders/instruction/", superuser, instructions, 10),
    ("/admin/tenders/tinreveal/", superuser, tin_reveals, 6),
    ("/admin/tenders/document/", superuser, documents, 7),
    ("/admin/tenders/outboxmessage/", superuser, outbox_messages, 8),  # + offer, firm filters
    ("/admin/tenders/bulkrun/", superuser, bulk_runs, 7),
    ("/admin/notes/exchangeoffer/", superuser, offers, 7),
    ("/admin/notes/security/", superuser, securities, 5),
    ("/admin/notes/issuer/", superuser, issuers, 5),
    ("/accounts/", representative, own_firm_accounts, ACCOUNT_LIST_BOUND),
    ("/accounts/", operations, every_firm_accounts, 13),
]

# The representative's list, searched and filtered by answer, over MANY rows.
FILTERED_LISTS = [
    "/accounts/?q=Owner",
    "/accounts/?q=AC-",
    "/accounts/?answer=not-answered",
    "/accounts/?answer=all",
    "/accounts/?answer=partial",
    "/accounts/?answer=withdrawn",
    "/accounts/?q=Owner&answer=partial&page=2",
]


def rows_listed(response: HttpResponse) -> int:
    """How many rows the page lists in all (over its pages), so an empty page cannot pass."""
    assert response.status_code == 200
    if "cl" in response.context:  # an admin changelist
        return response.context["cl"].result_count
    return response.context["page"].paginator.count


@pytest.mark.parametrize(
    ("url", "viewer", "build", "bound"),
    PAGES,
    ids=[f"{url} as {viewer.__name__}" for url, viewer, _, _ in PAGES],
)
def test_page_makes_as_many_queries_for_200_rows_as_for_5(
    client: Client,
    scene: Scene,
    django_assert_max_num_queries: Callable,
    url: str,
    viewer: Viewer,
    build: Builder,
    bound: int,
) -> None:
    client.force_login(viewer(scene))
    build(scene, 0, FEW)
    with django_assert_max_num_queries(bound) as few:
        response = client.get(url)
    assert rows_listed(response) >= FEW
    build(scene, FEW, MANY - FEW)
    with django_assert_max_num_queries(bound) as many:
        response = client.get(url)
    assert rows_listed(response) >= MANY
    assert len(many) == len(few)


@pytest.mark.parametrize("url", FILTERED_LISTS)
def test_searched_or_filtered_account_list_makes_no_more_queries_than_the_plain_list(
    client: Client, scene: Scene, django_assert_max_num_queries: Callable, url: str
) -> None:
    client.force_login(scene.representative)
    own_firm_accounts(scene, 0, MANY)
    with django_assert_max_num_queries(ACCOUNT_LIST_BOUND):
        response = client.get(url)
    assert rows_listed(response) >= MANY // len(ANSWERS)
