"""Real worker processes, killed with SIGKILL at the worst moments, then a new worker started:
the end state is exactly one receipt, at most one e-mail, and nothing stuck.

Each test gets a migrated database of its own (a copy of the run's migrated SQLite file, or on
PostgreSQL a copy of the run's migrated template database), an SMTP server on loopback, and
runs `manage.py office_worker` as a user does. The state is read with plain SQL between the
steps. A worker counts as started once its first heartbeat is in the database: the time a test
gives a worker to get somewhere starts then, not when the process is spawned (Django and its
imports take seconds beside the other test processes).
"""

import asyncio
import email
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import psycopg
import pytest
from aiosmtpd.controller import Controller
from django.db import connection

pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parents[2]
WORKER = ["manage.py", "office_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
PATIENCE = 20  # seconds to wait for a started worker to get somewhere


# An SMTP server that can hold the DATA command: it has the message, the client does not know


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.hold_data = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content))
        while self.hold_data:  # the worker waits for the server's answer, and is killed
            await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


class PortZeroController(Controller):
    """aiosmtpd's server on a port the system picks as it binds (port 0), read back from the
    bound socket: no other process can take it between the choice and the bind."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    # ready_timeout: how long start() waits for the server's thread to be listening.
    controller = PortZeroController(box, hostname="127.0.0.1", port=0, ready_timeout=60)
    controller.start()
    yield box, controller.port
    box.hold_data = False
    controller.stop()


# A database of the test's own


@dataclass
class Database:
    env: dict[str, str]
    query: Callable[[str], list[tuple[Any, ...]]]


def _base_env(var: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "true",
        "ENV_FILE": os.devnull,
        "EXCHANGE_OFFICE_VAR_DIR": str(var),
        "EXCHANGE_OFFICE_NOW": "2001-08-20T10:00:00-04:00",
        "LOG_LEVEL": "WARNING",
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_GONE_AFTER_SECONDS": "5",
        "WORKER_SWEEP_SECONDS": "2",
    }


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _postgres_url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _postgres_admin(sql: str) -> None:
    with psycopg.connect(_postgres_url("postgres"), autocommit=True) as admin:
        admin.execute(sql)


@pytest.fixture(scope="module")
def migrated(request: pytest.FixtureRequest) -> tuple[Path, str | None]:
    """The run's migrated var folder (keys, and the SQLite file); on PostgreSQL, the run's
    migrated template database too. Both are migrated once per test run (tests/conftest.py)."""
    template = None
    if connection.vendor == "postgresql":
        template = request.getfixturevalue("postgres_template")
    return request.getfixturevalue("migrated_var_template"), template


@pytest.fixture
def database(
    migrated: tuple[Path, str | None],
    tmp_path: Path,
    mailbox: tuple[Mailbox, int],
    request: pytest.FixtureRequest,
) -> Iterator[Database]:
    var, template = migrated
    own = tmp_path / "var"
    shutil.copytree(var, own)
    env = {**_base_env(own), "EMAIL_URL": f"smtp://127.0.0.1:{mailbox[1]}"}
    if template is None:
        path = own / "exchange_office.sqlite3"

        def query(sql: str) -> list[tuple[Any, ...]]:
            with sqlite3.connect(path, timeout=20) as db:
                return db.execute(sql).fetchall()

        yield Database(env, query)
        return
    name = f"{template}_k{os.getpid()}"
    request.getfixturevalue("postgres_copy")(name)
    env["DATABASE_URL"] = _postgres_url(name)

    def pg_query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(env["DATABASE_URL"]) as db:
            return db.execute(sql).fetchall()  # type: ignore[arg-type]  # the test's own SQL

    yield Database(env, pg_query)
    _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# What the tests look at


@dataclass(frozen=True)
class State:
    receipts: int
    messages: list[tuple[str, int, str]]  # status, attempts, error
    tasks: list[tuple[str, str, str]]  # task, status, traceback
    stopped_workers: int

    def tasks_in(self, status: str) -> list[tuple[str, str, str]]:
        return [task for task in self.tasks if task[1] == status]


def state(database: Database) -> State:
    query = database.query
    tasks = query(
        "SELECT task_path, status, traceback FROM django_tasks_database_dbtaskresult "
        "ORDER BY enqueued_at"
    )
    return State(
        receipts=query("SELECT count(*) FROM tenders_document WHERE kind = 'receipt'")[0][0],
        messages=[
            tuple(row) for row in query("SELECT status, attempts, error FROM tenders_outboxmessage")
        ],
        tasks=[(path.rsplit(".", 1)[1], status, traceback) for path, status, traceback in tasks],
        stopped_workers=query(
            "SELECT count(*) FROM tenders_workerheartbeat WHERE stopped_at IS NOT NULL"
        )[0][0],
    )


def wait_for(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not check():
        assert time.monotonic() < deadline, f"waited {PATIENCE} s for {what}"
        time.sleep(0.1)


def start(database: Database, *args: str) -> subprocess.Popen[str]:
    """A worker process, returned once started: its first heartbeat is in the database (it
    records one before it looks for work). Until then only pytest-timeout limits the wait."""
    worker = subprocess.Popen(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=database.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    beats = f"SELECT count(*) FROM tenders_workerheartbeat WHERE pid = {worker.pid}"
    while not database.query(beats)[0][0]:
        if worker.poll() is not None:
            stderr = worker.stderr.read() if worker.stderr else ""
            raise AssertionError(
                f"the worker ended ({worker.returncode}) before it started:\n{stderr}"
            )
        time.sleep(0.05)
    return worker


def kill(worker: subprocess.Popen[str]) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)  # reaped: its pid no longer exists


def stop_cleanly(worker: subprocess.Popen[str]) -> None:
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0, worker.stderr.read() if worker.stderr else ""


# The tests


def test_a_worker_killed_while_rendering_a_receipt_leaves_exactly_one_receipt_and_e_mail(
    database: Database, mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, _ = mailbox
    _manage(database.env, "-m", "tests.tenders.worker_scene", "setup")
    rendering = tmp_path / "rendering"
    first = start(database, "-m", "tests.tenders.worker_scene", "slow-worker", str(rendering),
                  *WORKER[2:])  # fmt: skip
    wait_for("the first worker to render the receipt", rendering.exists)
    kill(first)
    killed = state(database)
    assert killed.receipts == 0
    assert [(task, status) for task, status, _ in killed.tasks] == [("issue_document", "RUNNING")]

    second = start(database, *WORKER)
    wait_for("the receipt's e-mail", lambda: [m[0] for m in state(database).messages] == ["sent"])
    stop_cleanly(second)

    end = state(database)
    assert end.receipts == 1
    assert len(box.messages) == 1
    assert box.messages[0]["To"] == "whitfield@clients.example"
    assert end.messages == [("sent", 1, "")]
    assert end.tasks_in("RUNNING") == []
    ((task, _, reason),) = end.tasks_in("FAILED")
    assert task == "issue_document"
    assert "stopped while running this task" in reason and "queued again" in reason
    assert sorted(task for task, _, _ in end.tasks_in("SUCCESSFUL")) == [
        "issue_document", "send_outbox_message",
    ]  # fmt: skip
    assert end.stopped_workers == 1  # the second one, which stopped cleanly


def test_a_worker_killed_while_rendering_an_online_submission_leaves_exactly_one_pdf_and_e_mail(
    database: Database, mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    """The PDF a client gets of what they submitted online (issue 14): rendered from its
    snapshot by the same task; a worker killed in the middle leaves it to the next one."""
    box, _ = mailbox
    _manage(database.env, "-m", "tests.tenders.worker_scene", "setup-online")
    rendering = tmp_path / "rendering"
    first = start(database, "-m", "tests.tenders.worker_scene", "slow-worker", str(rendering),
                  *WORKER[2:])  # fmt: skip
    wait_for("the first worker to render the submission's PDF", rendering.exists)
    kill(first)
    second = start(database, *WORKER)
    wait_for("the PDF's e-mail", lambda: [m[0] for m in state(database).messages] == ["sent"])
    stop_cleanly(second)

    documents = database.query(
        "SELECT kind, count(*) FROM tenders_document GROUP BY kind ORDER BY kind"
    )
    assert [tuple(row) for row in documents] == [("online_submission", 1)]
    assert len(box.messages) == 1
    assert "awaiting your broker" in str(box.messages[0])
    assert state(database).tasks_in("RUNNING") == []


def test_a_worker_killed_while_the_smtp_server_holds_the_e_mail_leaves_it_unknown_not_resent(
    database: Database, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    box.hold_data = True
    _manage(database.env, "-m", "tests.tenders.worker_scene", "setup")
    first = start(database, *WORKER)
    wait_for("the SMTP server to hold the e-mail", lambda: len(box.messages) == 1)
    assert [m[0] for m in state(database).messages] == ["sending"]
    kill(first)
    box.hold_data = False  # a second attempt would be accepted at once: none must come

    second = start(database, *WORKER)
    wait_for(
        "the e-mail to be shown as unknown", lambda: state(database).messages[0][0] == "unknown"
    )
    wait_for("the queue to empty", lambda: not state(database).tasks_in("READY"))
    stop_cleanly(second)

    end = state(database)
    assert len(box.messages) == 1  # the server got it once; nobody sent it again
    ((status, attempts, error),) = end.messages
    assert (status, attempts) == ("unknown", 1)
    assert "stopped during the attempt" in error
    assert "mark it as sent or send it again" in error
    assert end.receipts == 1
    assert end.tasks_in("RUNNING") == []
    ((task, _, reason),) = end.tasks_in("FAILED")
    assert task == "send_outbox_message"
    assert "stopped while running this task" in reason
