"""The migrations each squashed migration replaces, as packages of their own: the history an
older install ran. Tests point MIGRATION_MODULES at them to migrate through the history (a new
install runs the squashed migrations, in which the history's steps no longer exist apart)."""

import importlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SQUASHED = {
    "notes": "notes.migrations.0001_squashed_0005_offer_agent_event_id",
    "tenders": "tenders.migrations.0001_squashed_0032_stamped_help_texts",
}


def history_packages(into: Path) -> dict[str, str]:
    """Write `history_<app>` packages under `into` (put it on the import path) holding the
    migrations the squashed ones replace; returns MIGRATION_MODULES for them."""
    modules = {}
    for app, squashed in SQUASHED.items():
        package = into / f"history_{app}"
        package.mkdir(exist_ok=True)
        (package / "__init__.py").touch()
        for _, name in importlib.import_module(squashed).Migration.replaces:
            shutil.copy(ROOT / app / "migrations" / f"{name}.py", package)
        modules[app] = f"history_{app}"
    return modules


def migrate_to(target: tuple[str, str]) -> Any:
    """Migrate the default database to `target`; the apps as they stood there."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


@contextmanager
def database_of_its_own(label: str, folder: Path) -> Iterator[None]:
    """A new, empty database serving as the default one while the block runs (a PostgreSQL
    database named after the test database and `label`, or an SQLite file in `folder`), so a
    test can migrate it from empty to an old state; the test database the other tests share
    stays as it is."""
    from django.db import connections

    shared = connections["default"]
    if shared.vendor == "postgresql":
        # PostgreSQL names are at most 63 characters; the test database's can be long.
        name = f"{shared.settings_dict['NAME'][:50]}_{label}"
        with shared.creation._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    else:
        name = str(folder / f"{label}.sqlite3")
    own = shared.__class__({**shared.settings_dict, "NAME": name}, "default")
    connections["default"] = own
    try:
        yield
    finally:
        own.close()
        connections["default"] = shared
        if shared.vendor == "postgresql":
            with shared.creation._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
