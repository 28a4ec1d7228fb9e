"""Shared fixtures: the factories, users of each kind, a pinned business clock, and the
run's migrated databases (migrated once per run, shared by the processes of `pytest -n`)."""

import fcntl
import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tenders.models import Representative
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def user_factory() -> type[factories.UserFactory]:
    return factories.UserFactory


@pytest.fixture
def offer_factory() -> type[factories.ExchangeOfferFactory]:
    return factories.ExchangeOfferFactory


@pytest.fixture
def firm_factory() -> type[factories.BrokerFirmFactory]:
    return factories.BrokerFirmFactory


@pytest.fixture
def account_factory() -> type[factories.ClientAccountFactory]:
    return factories.ClientAccountFactory


@pytest.fixture
def position_factory() -> type[factories.PositionFactory]:
    return factories.PositionFactory


@pytest.fixture
def representative_factory() -> type[factories.RepresentativeFactory]:
    return factories.RepresentativeFactory


@pytest.fixture
def ops_user(db: None) -> object:
    return factories.StaffUserFactory(username="ops-test")


@pytest.fixture
def representative(db: None) -> Representative:
    return factories.RepresentativeFactory(user__username="rep-test")


@pytest.fixture
def pin_clock() -> Iterator[Callable[[str | datetime | None], None]]:
    """Pin the business clock: `pin_clock("2001-09-04T23:59:59-04:00")`."""
    overrides: list[override_settings] = []

    def pin(instant: str | datetime | None) -> None:
        override = override_settings(EXCHANGE_OFFICE_NOW=instant)
        override.enable()
        overrides.append(override)

    yield pin
    for override in reversed(overrides):
        override.disable()


# One migration for the whole run
#
# `pytest -n auto` runs the tests in one process per core (pytest-xdist's workers). The
# database is migrated once per run, by whichever process needs it first, under a lock in the
# run's temporary folder; the other processes wait for it, then copy it:
# - a var folder with a migrated SQLite file and the local run's keys (`migrated_var_template`):
#   the tests that run `manage.py` from the shell, the real-worker tests and the browser tests'
#   demo start from a copy of it;
# - each process's test database (`django_db_setup`): on SQLite an in-memory copy of that same
#   file, on PostgreSQL a database made from one migrated template (`postgres_template`).
# The run's folder is new for every run (pytest's basetemp): every run migrates from scratch,
# as on a clean clone in CI.

# Set in the process that starts the run, before it starts xdist's workers, which inherit it.
RUN_ENV = "EXCHANGE_OFFICE_TEST_RUN"


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the run's first process (xdist's controller)
        os.environ[RUN_ENV] = str(os.getpid())
    for option in ("reuse_db", "create_db", "nomigrations"):
        if config.getoption(option, default=False):
            raise pytest.UsageError(
                f"--{option.replace('_', '-')} is not supported: the suite migrates once per "
                "run and shares it between its processes (tests/conftest.py)"
            )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that reach a database (the PostgreSQL run of .ci/run: the "
        "others cannot tell one database from another, and ran on the SQLite run)",
    )


# Fixtures through which a test reaches a database other than by pytest-django's `db`: the
# demo servers, the shell's commands, the migrated templates.
_DATABASE_FIXTURE_WORDS = ("database", "postgres", "demo", "server", "migrated")


def _reaches_a_database(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    names.discard("_live_server_helper")  # pytest-django's, autouse: it starts nothing itself
    module = getattr(item, "module", None)
    source = Path(module.__file__).read_text() if module is not None and module.__file__ else ""
    return (
        item.get_closest_marker("django_db") is not None
        or bool(names & {"db", "transactional_db", "live_server"})
        or any(word in name for name in names for word in _DATABASE_FIXTURE_WORDS)
        or "DATABASE_URL" in source  # reads the database's settings itself
        or "subprocess" in source  # starts processes that may
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`--database-tests-only`: leave out the tests that cannot reach a database (pytest-django
    refuses them any access): the pure domain, the formatting, the docs' checks."""
    if not config.getoption("database_tests_only"):
        return
    kept, left_out = [], []
    for item in items:
        (kept if _reaches_a_database(item) else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def _run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of the whole run: each xdist worker's own is a folder inside it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """One process of the run at a time: the others wait here until it is done."""
    with open(lock, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield  # closing the file releases the lock, also if the process dies


def _made_once(folder: Path, make: Callable[[Path], None]) -> Path:
    """`folder`, filled by `make` in the first process of the run that asks for it. The others
    wait for it; a `make` that fails leaves nothing, and the next process to ask tries again."""
    with _exclusive(folder.with_name(f"{folder.name}.lock")):
        if not folder.exists():
            partial = folder.with_name(f"{folder.name}.partial")
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            make(partial)
            partial.rename(folder)
    return folder


def shell_env(var: Path, **variables: str) -> dict[str, str]:
    """The environment of `manage.py` run from the shell, as a user does, on the var folder
    `var` (its SQLite database and keys): DEBUG's local run, nothing from the developer's."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "true",
        "ENV_FILE": os.devnull,
        "EXCHANGE_OFFICE_VAR_DIR": str(var),
        **variables,
    }


def _manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


@pytest.fixture(scope="session")
def migrated_var_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A var folder holding a migrated SQLite database (and the local run's keys), migrated
    once per test run from the shell (`manage.py migrate`). Read only: copy it."""

    def migrate(var: Path) -> None:
        _manage(shell_env(var), "migrate", "-v", "0")

    return _made_once(_run_folder(tmp_path_factory) / "migrated-var", migrate)


@pytest.fixture(scope="session")
def migrated_var(
    migrated_var_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], Path]:
    """A fresh copy of `migrated_var_template` for each call: the tests that run commands
    from the shell start from it instead of migrating again (8 s each)."""

    def copy() -> Path:
        var = tmp_path_factory.mktemp("var")
        shutil.copytree(migrated_var_template, var, dirs_exist_ok=True)
        return var

    return copy


@contextmanager
def rows_for_the_module(django_db_blocker: Any) -> Iterator[None]:
    """Rows written once for a module's tests (the demo, say), in a transaction rolled back
    after its last test: each test runs in a savepoint inside it, as with Django's
    `setUpTestData`, and sees the rows as they were written. Use it in a module-scoped fixture
    of a module whose tests only read them."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


CommandDatabase = Callable[..., dict[str, str]]


@pytest.fixture(scope="session")
def command_database(
    migrated_var_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> CommandDatabase:
    """`command_database(["load_offer", "lexington-2001"], ...)`: the environment in which to
    run `manage.py` from the shell, as a user or a scheduler does, on a var folder of its own:
    a copy of a migrated SQLite database in which those commands ran, in that order. Each list
    of commands runs once per test run (in the first process that asks); every call gets a
    fresh copy. A module asks for its own database by overriding this fixture:

        @pytest.fixture(scope="module")
        def command_database(command_database):
            return command_database(["load_offer", "lexington-2001"])

    `now=` pins the business clock (EXCHANGE_OFFICE_NOW) for the commands and in the
    environment returned."""
    run = _run_folder(tmp_path_factory)

    def database(*commands: list[str], now: str | None = None) -> dict[str, str]:
        variables = {"EXCHANGE_OFFICE_NOW": now} if now else {}
        key = hashlib.sha256(repr((commands, now)).encode()).hexdigest()[:16]

        def run_commands(var: Path) -> None:
            shutil.copytree(migrated_var_template, var, dirs_exist_ok=True)
            for args in commands:
                _manage(shell_env(var, **variables), *args)

        made = _made_once(run / f"command-database-{key}", run_commands)
        var = tmp_path_factory.mktemp("var")
        shutil.copytree(made, var, dirs_exist_ok=True)
        return shell_env(var, **variables)

    return database


# The test database of each process


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's test database, copied from the run's migrated database instead of
    migrated again in each process: on SQLite the process's in-memory database is a copy of
    `migrated_var_template`'s file; on PostgreSQL, a database made from `postgres_template`."""
    from django.core.management import call_command
    from django.db import connections
    from django.test.utils import teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    if not aliases:
        yield
        return
    assert aliases == {"default"}, f"only the default database is copied, not {aliases}"
    connection = connections["default"]
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            template = request.getfixturevalue("postgres_template")
            name = f"{template}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
            request.getfixturevalue("postgres_copy")(name)
            old_name = _use_database(connection, name)
        else:
            migrated = request.getfixturevalue("migrated_var_template")
            old_name = _use_sqlite_copy(connection, migrated / "exchange_office.sqlite3")
        if serialized_aliases:  # for tests marked serialized_rollback, as Django does
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()
        call_command("createcachetable", database="default")
    yield
    with django_db_blocker.unblock():
        teardown_databases([(connection, old_name, True)], verbosity=0)


def _use_database(connection: Any, name: str) -> str:
    """Point the connection (and settings.DATABASES) at the database `name`; returns the name
    it had, which Django's teardown puts back."""
    from django.conf import settings

    old_name = connection.settings_dict["NAME"]
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    return old_name


def _use_sqlite_copy(connection: Any, migrated: Path) -> str:
    """This process's in-memory SQLite test database, filled from the migrated file."""
    name = connection.creation._get_test_db_name()
    assert connection.creation.is_in_memory_db(name), f"{name} is not an in-memory database"
    old_name = _use_database(connection, name)
    connection.ensure_connection()  # an in-memory database lives as long as its connection
    with closing(sqlite3.connect(migrated)) as source:
        source.backup(connection.connection)
    return old_name


# PostgreSQL: one migrated template per run, and a copy of it for each process


@contextmanager
def _postgres_server() -> Iterator[Any]:
    """A connection outside any transaction to the server's `postgres` database, to create and
    drop databases (as the test settings' user)."""
    import psycopg
    from django.db import connection

    s = connection.settings_dict
    with psycopg.connect(
        dbname="postgres", user=s["USER"], password=s["PASSWORD"] or None,
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, autocommit=True,
    ) as server:  # fmt: skip
        yield server


def _postgres_admin(sql: str) -> None:
    with _postgres_server() as server:
        server.execute(sql)


def _host_prefix() -> str:
    """`test_exchange_office_r<host>x`: the databases of the runs started on this host."""
    from django.db import connection

    host = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:4]
    return f"test_{connection.settings_dict['NAME']}_r{host}x"


def _drop_databases_of_stopped_runs() -> None:
    """What a run killed before its end left behind (a run drops its own databases): the
    databases of runs started on this host by a process that no longer exists."""
    import psycopg

    pattern = _host_prefix()
    with _postgres_server() as server:
        for (name,) in server.execute("SELECT datname FROM pg_database").fetchall():
            pid = name[len(pattern) :].split("_")[0] if name.startswith(pattern) else ""
            if not pid.isdigit() or _alive(int(pid)):
                continue
            with suppress(psycopg.Error):  # in use after all: left alone
                server.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def postgres_template(
    request: pytest.FixtureRequest,
    django_db_blocker: Any,
    django_db_modify_db_settings: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    """The name of the run's migrated PostgreSQL database, migrated once per run with the
    test settings (as pytest-django would), never used directly: copy it with
    `postgres_copy`. The process that started the run drops it at the end."""
    from django.db import connection

    assert connection.vendor == "postgresql"

    def migrate(folder: Path) -> None:
        # This run's: by the host and the id of the process that started it (concurrent runs,
        # a developer's beside CI's, never share a database).
        name = f"{_host_prefix()}{os.environ[RUN_ENV]}_template"
        with django_db_blocker.unblock():
            _drop_databases_of_stopped_runs()
            test = connection.settings_dict["TEST"]
            saved = test.get("NAME")
            test["NAME"] = name
            old_name = connection.settings_dict["NAME"]
            try:
                connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            finally:
                test["NAME"] = saved
                _use_database(connection, old_name)  # nobody stays connected to the template
        (folder / "name").write_text(name)

    return (
        _made_once(_run_folder(tmp_path_factory) / "postgres-template", migrate) / "name"
    ).read_text()


@pytest.fixture(scope="session")
def postgres_copy(
    postgres_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], None]:
    """`postgres_copy(name)`: a new database `name`, a copy of the run's migrated template.
    PostgreSQL copies a template nobody is connected to, so the copies are made one at a time."""
    lock = _run_folder(tmp_path_factory) / "postgres-template.lock"

    def copy(name: str) -> None:
        with _exclusive(lock):
            _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _postgres_admin(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"')

    return copy


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """The process that started the run drops the run's PostgreSQL template, once every
    process is done with it (each drops its own copy)."""
    if hasattr(session.config, "workerinput"):
        return
    factory = session.config._tmp_path_factory  # type: ignore[attr-defined]  # pytest sets it
    made = factory.getbasetemp() / "postgres-template" / "name"
    if made.exists():
        _postgres_admin(f'DROP DATABASE IF EXISTS "{made.read_text()}" WITH (FORCE)')
