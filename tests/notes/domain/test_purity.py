"""notes/domain is pure: standard library, ``holidays`` and itself; never Django."""

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[3] / "notes" / "domain"
ALLOWED_THIRD_PARTY = {"holidays"}


def imported_top_level_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


MODULES = sorted(DOMAIN.glob("*.py"))


def test_domain_modules_are_found() -> None:
    assert {p.name for p in MODULES} >= {"money.py", "calendar.py", "entitlement.py"}


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_domain_module_imports_only_stdlib_holidays_and_itself(module: Path) -> None:
    foreign = {
        name
        for name in imported_top_level_names(module)
        if name not in sys.stdlib_module_names
        and name not in ALLOWED_THIRD_PARTY
        and name != "notes"
    }
    assert foreign == set()


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_domain_module_imports_only_the_domain_package_of_notes(module: Path) -> None:
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("notes"):
            assert node.module.startswith("notes.domain")
