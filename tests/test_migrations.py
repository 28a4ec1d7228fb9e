"""The migrations: a change to a model ships with its migration (a help text changed without
one went unnoticed once), and a new install, which runs the squashed migrations, gets the same
database as an install that ran the whole history and then upgraded."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from tests.migration_history import history_packages

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_no_model_change_lacks_its_migration() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def _environment(var: Path, tmp_path: Path, database: str | None = None) -> dict[str, str]:
    """`manage.py`'s environment from the shell, on the SQLite file under `var` or (the suite
    running on PostgreSQL) on `database`, with the history's packages importable."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "true",
        "ENV_FILE": os.devnull,
        "EXCHANGE_OFFICE_VAR_DIR": str(var),
        "PYTHONPATH": str(tmp_path),
    }
    if database is not None:
        s = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{database}"
        )
    return env


def _drop(database: str) -> None:
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(
        dbname="postgres", user=s["USER"], password=s["PASSWORD"] or None,
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, autocommit=True,
    ) as server:  # fmt: skip
        server.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def new_install(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A new install: a copy of the run's database, which the squashed migrations made
    (migrated once per run, tests/conftest.py)."""
    if connection.vendor != "postgresql":
        var = tmp_path / "new"
        shutil.copytree(request.getfixturevalue("migrated_var_template"), var)
        yield _environment(var, tmp_path)
        return
    database = f"schema_new_{uuid.uuid4().hex[:8]}"
    request.getfixturevalue("postgres_copy")(database)
    try:
        yield _environment(tmp_path / "new", tmp_path, database)
    finally:
        _drop(database)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An empty database for an install to start from."""
    if connection.vendor != "postgresql":
        yield _environment(tmp_path / "upgraded", tmp_path)
        return
    import psycopg

    database = f"schema_upgraded_{uuid.uuid4().hex[:8]}"
    s = connection.settings_dict
    with psycopg.connect(
        dbname="postgres", user=s["USER"], password=s["PASSWORD"] or None,
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, autocommit=True,
    ) as server:  # fmt: skip
        server.execute(f'CREATE DATABASE "{database}"')
    try:
        yield _environment(tmp_path / "upgraded", tmp_path, database)
    finally:
        _drop(database)


def _migrate(env: dict[str, str], *modules: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "tests/migration_schema.py", *modules],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout)


@pytest.mark.slow
def test_a_new_install_and_an_upgraded_install_get_the_same_database(
    tmp_path: Path, new_install: dict[str, str], empty_database: dict[str, str]
) -> None:
    history = [f"{app}={package}" for app, package in history_packages(tmp_path).items()]
    installed = _migrate(new_install)  # nothing left to migrate: read as it is
    # As an install of the history left it: its own data migrations made the groups.
    before = _migrate(empty_database, "--without-role-sync", *history)
    after = _migrate(empty_database)  # then upgraded by this code's migrations
    assert before["triggers"] and before["groups"]["Operations"]
    # The history's triggers all survive the squash (later migrations may add more).
    assert {t[0] for t in before["triggers"]} <= {t[0] for t in installed["triggers"]}
    assert after == installed
