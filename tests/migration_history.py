"""The migrations each squashed migration replaces, as packages of their own: the history an
older install ran. Tests point MIGRATION_MODULES at them to migrate through the history (a new
install runs the squashed migrations, in which the history's steps no longer exist apart)."""

import importlib
import shutil
from pathlib import Path

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
