"""The tabulation page is cached under a data version that the database's triggers bump on
every committed write to a table the tabulation reads (0021, squashed into 0001_squashed_0032).
These tests commit (transactional database): a test's rolled-back transaction never bumps the
version."""

import importlib
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exchange_office import clock
from tenders.data_version.cache import cached_count, cached_figures, tabulation_data_version
from tenders.data_version.models import WATCHED_TABLES
from tenders.intake.services import instruction_submit
from tenders.ledger.models import JournalEntry
from tenders.models import ClientAccount, DataVersion, Position
from tenders.offers.admin.tabulation import _page_figures
from tenders.positions.services import position_save
from tests.tenders import test_tabulation
from tests.tenders.conftest import make_input
from tests.tenders.test_tabulation import Scene, _holder, page_url

pytestmark = pytest.mark.django_db(transaction=True)

scene = test_tabulation.scene  # the fixture: five accounts at two firms

# The migrations that make the triggers (a new install runs them; 0021 made the first before):
# the agent's replies' (0037) and the files sent to the agent (0040) came with issue 21.
MIGRATION = importlib.import_module("tenders.migrations.0001_squashed_0032_stamped_help_texts")
AGENT_REPLIES = importlib.import_module("tenders.migrations.0037_agent_reply_data_version")
AGENT_MIGRATION = importlib.import_module("tenders.migrations.0040_agent_data_version")
# The books (0048) came with issue 23: the tabulation reads what consummation posted.
LEDGER_MIGRATION = importlib.import_module("tenders.migrations.0048_ledger_data_version")
TRIGGERED = [
    *MIGRATION.TABLES,
    AGENT_REPLIES.TABLE,
    *AGENT_MIGRATION.TABLES,
    *LEDGER_MIGRATION.TABLES,
]
# Tables without a trigger of their own, whose rows are written only in the transaction of a
# triggered table's row (a leg with its journal entry).
COVERED = [*LEDGER_MIGRATION.COVERED]


@pytest.fixture(autouse=True)
def version_row() -> None:
    """A transactional test database is flushed between tests, the version row with it."""
    DataVersion.objects.get_or_create(name="tabulation")
    cache.clear()


@pytest.fixture
def ops(db: None) -> Any:
    """Operations, as a superuser: the flush between transactional tests also removes the
    roles the migrations create."""
    return User.objects.create_superuser("ops-super", password=None)


@pytest.fixture
def ops_client(client: Client, ops: Any) -> Client:
    client.force_login(ops)
    return client


def without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page)


def tables_read(function: Callable[[], Any]) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        function()
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    return set(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', sql))


def test_every_table_the_cached_figures_come_from_bumps_the_version(scene: Scene) -> None:
    figures: dict[str, Any] = {}
    read = tables_read(lambda: figures.update(_page_figures(scene.offer)))
    assert read, "the tabulation reads tables"
    # The agent's report brings its user along; the cached figures drop it (the page reads
    # the report each time).
    assert figures["tabulation"].agent_report is None
    assert "report" not in figures
    # The tabulation's kept lines are written only by folding in what the watched tables'
    # writes noted (tenders.tally): derived from them, they change with the version.
    kept = {
        f"tenders_tally{name}" for name in ("line", "account", "group", "firm", "note", "state")
    }
    unwatched = read - set(TRIGGERED) - set(COVERED) - kept - {"auth_user"}
    assert not unwatched, sorted(unwatched)


def test_the_watched_tables_are_the_migrations(db: None) -> None:
    assert set(TRIGGERED) | set(COVERED) == WATCHED_TABLES


def test_each_watched_table_has_its_trigger(db: None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {name for (name,) in cursor.fetchall()}
    for table in TRIGGERED:
        expected = (
            {f"{table}_data_version"}
            if connection.vendor == "postgresql"
            else {f"{table}_data_version_{write}" for write in ("insert", "update", "delete")}
        )
        assert expected <= triggers, f"{table} has no data version trigger"


def test_a_committed_write_by_raw_sql_bumps_the_version(scene: Scene) -> None:
    before = tabulation_data_version()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tenders_position SET principal = principal WHERE id IN "
                       "(SELECT MIN(id) FROM tenders_position)")  # fmt: skip
    assert tabulation_data_version() > before


def test_a_posting_to_the_books_bumps_the_version(scene: Scene, ops: Any) -> None:
    before = tabulation_data_version()
    account = scene.accounts["A3"]
    position = Position.objects.get(account=account)
    position.principal += 1000
    position_save(position=position, by=ops)
    assert JournalEntry.objects.filter(kind="adjustment").exists()
    assert tabulation_data_version() > before


def test_a_service_write_bumps_the_version(scene: Scene, ops: Any) -> None:
    before = tabulation_data_version()
    account = scene.accounts["A3"]
    instruction_submit(account=account, offer=scene.offer, by=ops, data=make_input(account))
    assert tabulation_data_version() > before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="deferred triggers: PostgreSQL")
def test_on_postgresql_a_transaction_bumps_the_version_once_at_commit(scene: Scene) -> None:
    before = tabulation_data_version()
    with transaction.atomic():
        for position in Position.objects.all():
            position.principal += 1000
            position.save()
        with connection.cursor() as other:
            other.execute("SELECT value FROM tenders_dataversion WHERE name = 'tabulation'")
            assert other.fetchone()[0] == before, "the bump waits for the commit"
    assert tabulation_data_version() == before + 1


def test_the_page_comes_from_the_cache_until_the_data_changes(
    scene: Scene, ops_client: Client
) -> None:
    first = ops_client.get(page_url(scene.offer)).content.decode()
    assert "$1,000,000" in first  # the outstanding principal
    with CaptureQueriesContext(connection) as cached:
        again = ops_client.get(page_url(scene.offer)).content.decode()
    assert without_tokens(again) == without_tokens(first)
    with CaptureQueriesContext(connection) as fresh:
        cache.clear()
        ops_client.get(page_url(scene.offer))
    assert len(cached) < len(fresh) - 4, "the figures were not read again"

    held_before = ">$90,000<"  # A3 has not answered: its position is listed
    assert held_before in first
    Position.objects.filter(account=scene.accounts["A3"]).update(principal=Decimal("91000"))
    changed = ops_client.get(page_url(scene.offer)).content.decode()
    assert ">$91,000<" in changed
    assert held_before not in changed


def test_inside_a_transaction_the_figures_are_computed_afresh(scene: Scene) -> None:
    calls: list[int] = []

    def compute(offer: Any) -> dict[str, Any]:
        calls.append(1)
        return {"n": len(calls)}

    assert cached_figures(scene.offer, compute) == {"n": 1}
    assert cached_figures(scene.offer, compute) == {"n": 1}
    with transaction.atomic():
        assert cached_figures(scene.offer, compute) == {"n": 2}
        assert cached_figures(scene.offer, compute) == {"n": 3}


def test_the_figures_are_read_again_each_quarter_hour(scene: Scene, at: Callable) -> None:
    calls: list[int] = []

    def compute(offer: Any) -> dict[str, Any]:
        calls.append(1)
        return {"n": len(calls)}

    start = clock.now().replace(minute=0, second=0, microsecond=0)
    at(start)
    assert cached_figures(scene.offer, compute) == {"n": 1}
    at(start + timedelta(minutes=14, seconds=59))
    assert cached_figures(scene.offer, compute) == {"n": 1}
    at(start + timedelta(minutes=15))
    assert cached_figures(scene.offer, compute) == {"n": 2}


def test_without_a_version_row_nothing_is_cached(scene: Scene) -> None:
    DataVersion.objects.all().delete()
    calls: list[int] = []

    def compute(offer: Any) -> dict[str, Any]:
        calls.append(1)
        return {"n": len(calls)}

    assert cached_figures(scene.offer, compute) == {"n": 1}
    assert cached_figures(scene.offer, compute) == {"n": 2}


def count_queries(queries: CaptureQueriesContext) -> int:
    return sum("COUNT(*)" in query["sql"] for query in queries.captured_queries)


def test_a_list_counts_its_rows_once_until_the_data_changes(scene: Scene, ops: Any) -> None:
    accounts = ClientAccount.objects.filter(firm=scene.hudson)
    assert cached_count(accounts) == 3
    with CaptureQueriesContext(connection) as queries:
        assert cached_count(accounts) == 3
    assert count_queries(queries) == 0
    _holder(scene.hudson, scene.offer, ops, "A4", "1000")
    with CaptureQueriesContext(connection) as queries:
        assert cached_count(accounts) == 4
    assert count_queries(queries) == 1


def test_a_count_over_a_table_without_a_trigger_is_never_cached(db: None) -> None:
    users = User.objects.all()
    cached_count(users)
    with CaptureQueriesContext(connection) as queries:
        cached_count(users)
    assert count_queries(queries) == 1


def test_admin_lists_and_the_account_list_take_their_count_from_the_cache(
    scene: Scene, ops_client: Client
) -> None:
    for url in (
        reverse("admin:tenders_clientaccount_changelist"),
        reverse("admin:tenders_position_changelist"),
        reverse("admin:tenders_instruction_changelist"),
        reverse("tenders:account_list"),
    ):
        ops_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert ops_client.get(url).status_code == 200
        assert count_queries(queries) == 0, url


def test_the_account_list_rows_come_from_the_cache_until_the_data_changes(
    scene: Scene, ops_client: Client
) -> None:
    url = reverse("tenders:account_list")
    first = ops_client.get(url).content.decode()
    assert ">$90,000<" in first  # A3's position
    with CaptureQueriesContext(connection) as cached:
        again = ops_client.get(url).content.decode()
    assert without_tokens(again) == without_tokens(first)
    assert not any("tenders_position" in q["sql"] for q in cached.captured_queries)
    Position.objects.filter(account=scene.accounts["A3"]).update(principal=Decimal("91000"))
    changed = ops_client.get(url).content.decode()
    assert ">$91,000<" in changed and ">$90,000<" not in changed


def test_a_representative_never_gets_another_firms_cached_rows(scene: Scene) -> None:
    pages = {}
    for number, firm in (("A1", scene.hudson), ("B1", scene.mercer)):
        client = Client()
        client.force_login(firm.representatives.get().user)
        # Without the random CSRF token, which may hold "A1" or "B1" by chance.
        pages[number] = without_tokens(client.get(reverse("tenders:account_list")).content.decode())
    assert "A1" in pages["A1"] and "B1" not in pages["A1"]
    assert "B1" in pages["B1"] and "A1" not in pages["B1"]


def test_admin_rows_come_from_the_cache_until_the_data_changes(
    scene: Scene, ops_client: Client, ops: Any
) -> None:
    url = reverse("admin:tenders_position_changelist")
    first = ops_client.get(url).content.decode()
    assert 'field-principal">90000.00<' in first
    with CaptureQueriesContext(connection) as cached:
        again = ops_client.get(url).content.decode()
    assert without_tokens(again) == without_tokens(first)
    assert not any("tenders_accountowner" in q["sql"] for q in cached.captured_queries)
    Position.objects.filter(account=scene.accounts["A3"]).update(principal=Decimal("91000"))
    changed = ops_client.get(url).content.decode()
    assert 'field-principal">91000.00<' in changed
    assert 'field-principal">90000.00<' not in changed
