"""Browser tests: pytest-playwright driving Debian's Chromium against the demo, served by a
real `manage.py runserver` (and, where a test needs one, a real `office_worker`) on a database
of their own. The server binds a port the system picks and reports it
(tests/browser/demo_server.py); a worker counts as started at its first heartbeat.

They run in their own pytest process (`make test` runs `pytest -m browser tests/browser` after
the rest): Playwright's sync API keeps an event loop running, and Django refuses database
calls from inside one, so they and the database tests do not share a process. Without
/usr/bin/chromium (install it with `apt-get install chromium`) or axe-core (`npm ci`), every
test here is skipped with one line saying so. A screenshot of the page is kept for every
failure, under var/browser-failures/.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FAILURES = ROOT / "var" / "browser-failures"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# An assertion waits up to 15 s for the page to show what it expects (Playwright's default is
# 5 s): `make test` runs these beside the rest of the suite, on a machine with two cores.
expect.set_options(timeout=15_000)

DEMO_NOW = "2001-08-20T10:00:00-04:00"
CONSUMMATION_NOW = "2001-09-05T10:00:00-04:00"
BEFORE_CUTOFF_NOW = "2001-08-31T16:59:00-04:00"  # Hudson & Broad's cutoff is at 5:00 p.m.
LOGINS = {
    "rep": "rep-demo-2001",
    "rep2": "rep2-demo-2001",
    "ops": "ops-demo-2001",
    "ops2": "ops2-demo-2001",
    "sup": "sup-demo-2001",
}


def _missing() -> str:
    if not CHROMIUM.exists():
        return "/usr/bin/chromium is not installed (apt-get install chromium)"
    if not AXE.exists():
        return "axe-core is not installed (npm ci)"
    return ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    missing = _missing()
    places = [i for i, item in enumerate(items) if Path(str(item.fspath)).is_relative_to(here)]
    for i in places:
        items[i].add_marker(pytest.mark.browser)
        if missing:
            items[i].add_marker(pytest.mark.skip(reason=f"browser tests skipped: {missing}"))
    # The modules with the fewest tests first: theirs are the long journeys (up to a minute),
    # the many short axe scans last. With `-n 2 --dist load` the processes then share the
    # short scans at the end, instead of one running a long journey after the other is done.
    sizes = Counter(items[i].module for i in places)
    ordered = sorted((items[i] for i in places), key=lambda item: sizes[item.module])
    for i, item in zip(places, ordered, strict=True):
        items[i] = item


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@dataclass
class Demo:
    """A demo served on its own port, from its own database in a temporary folder."""

    base: str
    env: dict[str, str]
    var: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip

    def start_worker(self) -> None:
        """`manage.py office_worker` beside the server, returned once it has started: its
        first heartbeat (recorded before it looks for work) is in the database."""
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "office_worker", "--no-reload", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(worker)
        beats = "SELECT count(*) FROM tenders_workerheartbeat WHERE pid = ?"
        while True:
            with closing(sqlite3.connect(self.var / "exchange_office.sqlite3", timeout=20)) as db:
                if db.execute(beats, (worker.pid,)).fetchone()[0]:
                    return
            if worker.poll() is not None:
                raise RuntimeError(f"the worker ended ({worker.returncode}) before it started")
            time.sleep(0.05)

    def restart_at(self, now: str) -> None:
        """The same demo (its database, its address) served again with the business clock at
        `now`: how a test moves the clock while a page stays open in the browser, whose form
        then posts to the server as it is at `now`. The server's session store is the
        database, so a client's check and a login survive; a worker keeps its own clock."""
        server = self.processes[0]
        server.terminate()
        server.wait(timeout=10)
        self.env["EXCHANGE_OFFICE_NOW"] = now
        log = self.var / f"server-{now.replace(':', '')}.log"
        with open(log, "wb") as output:
            self.processes[0] = subprocess.Popen(
                [sys.executable, "-m", "tests.browser.demo_server", "--noreload",
                 self.base.removeprefix("http://")],
                cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        _reported_port(self.processes[0], log)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


STARTED = re.compile(r"Starting development server at http://127\.0\.0\.1:(\d+)/")


def _reported_port(server: subprocess.Popen, log: Path) -> int:
    """The port the server reports once it listens (tests/browser/demo_server.py). Until
    then only pytest-timeout limits the wait (Django starts slowly beside other tests)."""
    while True:
        found = STARTED.search(log.read_text(errors="replace"))
        if found:
            return int(found[1])
        if server.poll() is not None:
            raise RuntimeError(f"the demo server ended ({server.returncode}):\n{log.read_text()}")
        time.sleep(0.05)


def _start_server(env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.browser.demo_server", "--noreload", "127.0.0.1:0"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def serve(scenario: str, now: str, migrated: Path) -> Iterator[Demo]:
    var = Path(tempfile.mkdtemp(prefix="browser-tests-"))
    shutil.copytree(migrated, var, dirs_exist_ok=True)  # a migrated database
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")  # the demo's own SQLite file
    }
    env.update(
        DEBUG="true",
        ENV_FILE=os.devnull,
        EXCHANGE_OFFICE_VAR_DIR=str(var),
        EXCHANGE_OFFICE_NOW=now,
        EMAIL_URL="consolemail://",
    )
    log = var / "server.log"  # its console: the port it bound, then the e-mails it sends
    server = _start_server(env, log)
    demo = Demo(base="", env=env, var=var, processes=[server])
    try:
        demo.base = f"http://127.0.0.1:{_reported_port(server, log)}"
        env["PUBLIC_BASE_URL"] = demo.base  # the links in letters and e-mails
        demo.manage("load_demo", "--scenario", scenario)
        yield demo
    finally:
        demo.stop()
        shutil.rmtree(var, ignore_errors=True)


@pytest.fixture(scope="module")
def demo(request: pytest.FixtureRequest) -> Iterator[Demo]:
    """The demo as `make run` serves it (Aug 20, 2001): one per test module."""
    if _missing():
        pytest.skip(f"browser tests skipped: {_missing()}")
    yield from serve("open", DEMO_NOW, request.getfixturevalue("migrated_var_template"))


@pytest.fixture(scope="module")
def consummation_demo(request: pytest.FixtureRequest) -> Iterator[Demo]:
    """The morning after the expiration, ready to consummate, with a worker running."""
    if _missing():
        pytest.skip(f"browser tests skipped: {_missing()}")
    migrated = request.getfixturevalue("migrated_var_template")
    for served in serve("consummation", CONSUMMATION_NOW, migrated):
        served.start_worker()
        yield served


@pytest.fixture(scope="module")
def cutoff_demo(request: pytest.FixtureRequest) -> Iterator[Demo]:
    """The demo at 4:59 p.m. on Aug 31, 2001, a minute before Hudson & Broad's cutoff: a test
    moves its clock on with `Demo.restart_at`."""
    if _missing():
        pytest.skip(f"browser tests skipped: {_missing()}")
    yield from serve("open", BEFORE_CUTOFF_NOW, request.getfixturevalue("migrated_var_template"))


@pytest.fixture
def policy_violations(page: Page) -> Iterator[list[str]]:
    """Every Content-Security-Policy report in the console fails the test."""
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    yield violations
    assert violations == [], "the Content-Security-Policy blocked something"


# Each demo login's session cookies, by server and user: a user logs in through the form once
# per demo server (the production password hasher takes about half a second of the server's
# time a login), and later tests of the module carry the same session.
_SESSIONS: dict[tuple[str, str], list[Any]] = {}


def log_in(page: Page, demo: Demo, username: str) -> None:
    signed_in = _SESSIONS.get((demo.base, username))
    if signed_in is not None:
        page.context.add_cookies(signed_in)
        return
    page.goto(demo.url("/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", LOGINS[username])
    page.click("button[type=submit]")
    page.wait_for_load_state()
    _SESSIONS[(demo.base, username)] = list(page.context.cookies(demo.base))


def axe_violations(page: Page, policy_violations: list[str] | None = None) -> list[str]:
    """axe-core's violations on the page as it stands, one line each (rule, impact, count,
    first target). The script goes in through the DevTools protocol, which the page's
    Content-Security-Policy does not govern; the inline styles axe itself applies while it
    measures are blocked by the policy and reported, and those reports (only) are dropped
    from `policy_violations`."""
    before = len(policy_violations) if policy_violations is not None else 0
    # The page as it stands once loaded: a click that navigates returns when the next page
    # starts loading, and a page scanned half-parsed lacks its <main> and <h1>.
    page.wait_for_load_state()
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,"
        " target: v.nodes[0].target.join(' '), help: v.help}))"
    )
    if policy_violations is not None:
        del policy_violations[before:]
    return [
        f"{v['id']} ({v['impact']}, {v['n']} element(s), e.g. {v['target']}): {v['help']}"
        for v in result
    ]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Keep a screenshot of the page for every failure."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    page = getattr(item, "funcargs", {}).get("page")
    if page is None:
        return
    FAILURES.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)[-150:]
    try:
        path = FAILURES / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        report.sections.append(("screenshot", str(path)))
    except Exception as exc:  # the page may be gone: the failure itself matters more
        report.sections.append(("screenshot", f"not taken: {exc}"))
