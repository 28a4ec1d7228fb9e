"""Two of everything (issue 24): two web servers (gunicorn) and two workers (`manage.py
office_worker`) on 127.0.0.1, each started in a working directory of its own, with its own
var/ folder and its own collected static files, and sharing only what machines behind a
balancer share: PostgreSQL (a database of the test's own, migrated) and Redis (a database
number of the test's own, flushed). One person's browser sends its cookies to whichever
machine answers:

- a session made by logging in on one web server is valid on the other, and logging out on
  one ends it on both;
- a positions feed previewed on one is confirmed on the other, and the position changes;
- one bulk run of confirmations is drained by both workers, every document issued once.

It runs in the PostgreSQL run of .ci/run. On SQLite it is skipped, only because each machine
would have a database file of its own: there is nothing to share. In the PostgreSQL run a Redis
that does not answer fails it (.ci/run starts Redis as it starts PostgreSQL).
"""

import fcntl
import html
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from cryptography.fernet import Fernet
from django.db import connection

from tests.two_machines_scene import PASSWORD

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the machines share their database: on SQLite each would have a file of its own "
        "(the PostgreSQL run of .ci/run runs this, with DATABASE_URL=postgres://...)",
    ),
]

ROOT = Path(__file__).resolve().parent.parent
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# The test's own Redis database number (of the 16 a default redis-server has); two runs on
# this host take turns with it (a lock file), each flushing it before and after.
REDIS_DB = 13
NOW = "2001-09-05T11:00:00-04:00"  # the offer consummated that morning
CONFIRMATIONS = 20  # enough for both workers to take some while the other renders
PATIENCE = 120  # seconds for a started process, or the bulk run, to get somewhere
MANAGE = str(ROOT / "manage.py")
COLLECTSTATIC = [MANAGE, "collectstatic", "--noinput", "-v", "0"]
# Each web server: gunicorn on a port the system picks as it binds (read back from its log).
GUNICORN = ["-m", "gunicorn", "exchange_office.wsgi:application", "--bind", "127.0.0.1:0",
            "--workers", "1", "--log-level", "info"]  # fmt: skip
WORKER = [MANAGE, "office_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]


# What the machines share


def _postgres_url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


@pytest.fixture
def shared_database(postgres_template: str, postgres_copy: Callable[[str], None]) -> Iterator[str]:
    """The URL of a database of the test's own: a copy of the run's migrated template."""
    name = f"{postgres_template}_m{os.getpid()}"
    postgres_copy(name)
    yield _postgres_url(name)
    with psycopg.connect(_postgres_url("postgres"), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]  # the test's own SQL


@pytest.fixture
def shared_cache() -> Iterator[str]:
    """CACHE_URL of the test's own Redis database, flushed. A Redis that does not answer fails
    the test: without it the machines would each have their own cache."""
    lock = Path(tempfile.gettempdir()) / f"exchange-office-two-machines-redis-{REDIS_DB}.lock"
    with open(lock, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        cache = redis.Redis(REDIS_HOST, REDIS_PORT, db=REDIS_DB, socket_connect_timeout=5)
        try:
            cache.ping()
        except redis.exceptions.RedisError as exc:
            pytest.fail(
                f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT} ({exc}): the machines "
                "share their cache through it. .ci/run starts it; elsewhere run redis-server."
            )
        cache.flushdb()
        try:
            yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
        finally:
            cache.flushdb()
            cache.close()


# The machines


@dataclass
class Machine:
    name: str
    folder: Path  # its working directory
    process: subprocess.Popen[bytes]
    port: int = 0  # a web server's

    def log(self) -> str:
        return (self.folder / "log").read_text(errors="replace")


@dataclass
class Office:
    database_url: str
    web: list[Machine] = field(default_factory=list)
    workers: list[Machine] = field(default_factory=list)
    scene: dict[str, Any] = field(default_factory=dict)
    # The installer's scene commands (tests/two_machines_scene.py), run as it would run them.
    scene_command: Callable[..., str] = lambda *args: ""

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url) as db:
            return db.execute(sql).fetchall()  # type: ignore[arg-type]  # the test's own SQL


def _machine_env(folder: Path, shared: dict[str, str]) -> dict[str, str]:
    """Production settings (DEBUG off) for a machine whose local state lives in `folder`."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),  # the code, as deployed on every machine
        "ENV_FILE": os.devnull,
        "DEBUG": "false",
        "EXCHANGE_OFFICE_VAR_DIR": str(folder / "var"),
        "STATIC_ROOT": str(folder / "static"),
        "TMPDIR": str(folder),  # its temporary files too (tempfile.gettempdir())
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback: no TLS proxy in front
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "EXCHANGE_OFFICE_NOW": NOW,
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_SWEEP_SECONDS": "5",
        "BULK_RUN_DRAINS": "2",
        **shared,
    }


def _run(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout


def _start(name: str, folder: Path, env: dict[str, str], *args: str) -> Machine:
    with open(folder / "log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, *args], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn's workers stop with it
        )  # fmt: skip
    return Machine(name, folder, process)


def _wait(what: str, machine: Machine, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not check():
        assert machine.process.poll() is None, f"{what}: it ended\n{machine.log()}"
        assert time.monotonic() < deadline, f"waited {PATIENCE} s for {what}\n{machine.log()}"
        time.sleep(0.1)


def _stop(machine: Machine) -> None:
    if machine.process.poll() is not None:
        return
    os.killpg(machine.process.pid, signal.SIGTERM)
    try:
        machine.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(machine.process.pid, signal.SIGKILL)
        machine.process.wait(timeout=10)


@pytest.fixture
def office(shared_database: str, shared_cache: str, tmp_path: Path) -> Iterator[Office]:
    shared = {
        "DATABASE_URL": shared_database,
        "CACHE_URL": shared_cache,
        # Configuration every machine is given alike (not state): the keys.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TIN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "TIN_HASH_KEY": secrets.token_urlsafe(48),
    }
    office = Office(shared_database)
    installer = tmp_path / "installer"
    installer.mkdir()
    scene = _run(
        _machine_env(installer, shared), installer, "-m", "tests.two_machines_scene", "setup",
        str(CONFIRMATIONS),
    )  # fmt: skip
    office.scene = json.loads(scene.splitlines()[-1])
    office.scene_command = lambda *args: _run(
        _machine_env(installer, shared), installer, "-m", "tests.two_machines_scene", *args
    )
    folders = {name: tmp_path / name for name in ("web-a", "web-b", "worker-a", "worker-b")}
    for folder in folders.values():
        folder.mkdir()
    env = {name: _machine_env(folder, shared) for name, folder in folders.items()}
    # The release's static files, collected once (10 s of compression) and copied to each
    # web server's own folder, as a deployment puts them on every machine.
    _run(env["web-a"], folders["web-a"], *COLLECTSTATIC)
    shutil.copytree(folders["web-a"] / "static", folders["web-b"] / "static")
    try:
        for name in ("web-a", "web-b"):
            office.web.append(_start(name, folders[name], env[name], *GUNICORN))
        for web in office.web:
            _wait(f"{web.name} to listen", web, lambda web=web: _listening_port(web) > 0)
            web.port = _listening_port(web)
        for name in ("worker-a", "worker-b"):
            office.workers.append(_start(name, folders[name], env[name], *WORKER))
        for worker in office.workers:
            beats = f"SELECT count(*) FROM tenders_workerheartbeat WHERE pid = {worker.process.pid}"
            _wait(
                f"{worker.name}'s first heartbeat",
                worker,
                lambda q=beats: office.query(q)[0][0] > 0,
            )
        yield office
    finally:
        for machine in [*office.workers, *office.web]:
            _stop(machine)


def _listening_port(web: Machine) -> int:
    found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", web.log())
    return int(found.group(1)) if found else 0


# One person's browser, whichever machine the balancer sends it to


@dataclass
class Page:
    status: int
    location: str
    text: str


class Browser:
    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def get(self, web: Machine, path: str) -> Page:
        return self._request(web, "GET", path, b"", {})

    def post(
        self, web: Machine, path: str, fields: dict[str, str], file: tuple[str, bytes] | None = None
    ) -> Page:
        fields = {**fields, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            .encode()
            for name, value in fields.items()
        ]  # fmt: skip
        if file is not None:
            name, content = file
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="feed.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self._request(web, "POST", path, body, headers)

    def _request(
        self, web: Machine, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> Page:
        server = http.client.HTTPConnection("127.0.0.1", web.port, timeout=PATIENCE)
        try:
            cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            server.request(method, path, body, {**headers, "Cookie": cookie})
            response = server.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)  # deleted (a logout)
                    else:
                        self.cookies[name] = morsel.value
            text = response.read().decode()
            return Page(response.status, response.getheader("Location") or "", text)
        finally:
            server.close()


def _confirm_form(page: Page) -> dict[str, str]:
    """The hidden fields of the preview's *Confirm import* form."""
    form = page.text[page.text.index("process_import/") :]
    form = form[: form.index("</form>")]
    return {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
        if name != "csrfmiddlewaretoken"
    }


# The test


def test_two_web_servers_and_two_workers_share_only_postgresql_and_redis(office: Office) -> None:
    a, b = office.web
    browser = Browser()

    # A session made on one web server is valid on the other.
    assert browser.get(a, "/login/").status == 200  # the CSRF cookie
    login = browser.post(a, "/login/", {"username": "ops", "password": PASSWORD})
    assert login.status == 302, login.text
    assert "sessionid" in browser.cookies
    admin = browser.get(b, "/admin/")
    assert admin.status == 200, admin.location
    assert "Run the offer" in admin.text  # the admin's index, for the operator

    # A positions feed previewed on one is confirmed on the other.
    preview = browser.post(
        a, "/admin/tenders/position/import/", {"resource": "0", "format": "0"},
        file=("import_file", office.scene["feed"].encode()),
    )  # fmt: skip
    assert preview.status == 200
    assert "principal $125,000 → $150,000" in preview.text
    done = browser.post(b, "/admin/tenders/position/process_import/", _confirm_form(preview))
    assert done.status == 302, done.text
    assert "Positions feed imported: 0 created, 1 updated, 0 unchanged." in (
        browser.get(a, done.location).text
    )
    held = f"SELECT principal FROM tenders_position WHERE account_id = {office.scene['account']}"
    assert office.query(held) == [(150000,)]
    assert office.query("SELECT count(*) FROM tenders_pendingimport") == [(0,)]

    # One bulk run, started on one web server, is drained by both workers: the confirmations
    # of the offer, consummated now (before it, a feed may change its Old Notes; after it,
    # only the books move them).
    office.scene_command("consummate", str(office.scene["offer"]))
    started = browser.post(
        b, "/admin/notes/exchangeoffer/",
        {"action": "issue_confirmations", "_selected_action": str(office.scene["offer"]),
         "index": "0"},
    )  # fmt: skip
    assert started.status == 302, started.text
    deadline = time.monotonic() + PATIENCE
    while office.query("SELECT status FROM tenders_bulkrun") != [("finished",)]:
        assert time.monotonic() < deadline, "\n".join(w.log() for w in office.workers)
        time.sleep(0.2)
    items = office.query("SELECT status, holder FROM tenders_bulkrunitem")
    assert sorted({status for status, _ in items}) == ["done"]
    assert len(items) == CONFIRMATIONS
    documents = office.query(
        "SELECT key, count(*) FROM tenders_document WHERE kind = 'confirmation' GROUP BY key"
    )
    assert len(documents) == CONFIRMATIONS
    assert {count for _, count in documents} == {1}  # every document issued once
    pids = ", ".join(str(worker.process.pid) for worker in office.workers)
    workers = office.query(f"SELECT worker_id FROM tenders_workerheartbeat WHERE pid IN ({pids})")
    assert {holder for _, holder in items} == {worker_id for (worker_id,) in workers}
    assert len(workers) == 2  # each worker issued at least one

    # Logging out on one web server ends the session on the other: the session's cookie, sent
    # again (another tab), is refused there too (each machine's own cache would still hold it).
    session = browser.cookies["sessionid"]
    assert browser.post(b, "/admin/logout/", {}).status in (200, 302)
    browser.cookies["sessionid"] = session
    assert browser.get(a, "/admin/").status == 302
