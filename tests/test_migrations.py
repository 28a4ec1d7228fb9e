"""The migrations: a change to a model ships with its migration (a help text changed without
one went unnoticed once), and a new install, which runs the squashed migrations, gets the same
database as an install that ran the whole history and then upgraded."""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _database(tmp_path: Path, name: str) -> Iterator[dict[str, str]]:
    """The environment of a new, empty database: a SQLite file, or (when the suite runs on
    PostgreSQL) a database of its own on the same server, dropped afterwards."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "true",
        "ENV_FILE": os.devnull,
        "EXCHANGE_OFFICE_VAR_DIR": str(tmp_path / name),
        "PYTHONPATH": str(tmp_path),
    }
    if connection.vendor != "postgresql":
        yield env
        return
    import psycopg

    database = f"schema_{name}_{uuid.uuid4().hex[:8]}"
    settings = connection.settings_dict
    server = {
        "host": settings["HOST"] or "localhost",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
    }
    # CREATE DATABASE runs outside any transaction: a connection of its own, in autocommit.
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    env["DATABASE_URL"] = (
        f"postgres://{server['user']}@{server['host']}:{server['port']}/{database}"
    )
    try:
        yield env
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _migrate(env: dict[str, str], *modules: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "tests/migration_schema.py", *modules],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout)


@pytest.mark.slow
def test_a_new_install_and_an_upgraded_install_get_the_same_database(tmp_path: Path) -> None:
    history = [f"{app}={package}" for app, package in history_packages(tmp_path).items()]
    with _database(tmp_path, "new") as new, _database(tmp_path, "upgraded") as upgraded:
        installed = _migrate(new)
        before = _migrate(upgraded, *history)  # as an install of the history left it
        after = _migrate(upgraded)  # then upgraded by this code's migrations
    assert before["triggers"] and before["groups"]["Operations"]  # the history made them
    assert len(installed["triggers"]) == len(before["triggers"])
    assert after == installed
