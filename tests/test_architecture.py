"""Dependencies run one way (tenders -> notes -> exchange_office) and domain code is pure."""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_PACKAGES = [ROOT / "notes" / "domain", ROOT / "tenders" / "domain"]


def imported_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def django_imports(source: str) -> set[str]:
    return {m for m in imported_modules(source) if m == "django" or m.startswith("django.")}


def python_files(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders for p in folder.rglob("*.py"))


def test_the_check_sees_a_django_import() -> None:
    assert django_imports("from django.db import models\nimport decimal") == {"django.db"}
    assert django_imports("def f():\n    import django.conf\n") == {"django.conf"}
    assert django_imports("import djangoish\nfrom decimal import Decimal") == set()


@pytest.mark.parametrize(
    "path", python_files(*DOMAIN_PACKAGES), ids=lambda p: str(p.relative_to(ROOT))
)
def test_domain_module_does_not_import_django(path: Path) -> None:
    assert django_imports(path.read_text()) == set()


# Pure code may use the standard library, these libraries, and the domain packages.
DOMAIN_MAY_IMPORT = {"holidays", "stdnum"}


def test_domain_packages_are_found() -> None:
    names = {p.name for p in python_files(*DOMAIN_PACKAGES)}
    assert {"money.py", "calendar.py", "entitlement.py"} <= names


@pytest.mark.parametrize(
    "path", python_files(*DOMAIN_PACKAGES), ids=lambda p: str(p.relative_to(ROOT))
)
def test_domain_module_imports_only_the_standard_library_and_domain_code(path: Path) -> None:
    foreign = {
        module
        for module in imported_modules(path.read_text())
        if module.split(".")[0] not in sys.stdlib_module_names
        and module.split(".")[0] not in DOMAIN_MAY_IMPORT
        and not module.startswith(("notes.domain", "tenders.domain"))
    }
    assert foreign == set()


@pytest.mark.parametrize(
    "path", python_files(ROOT / "notes"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_notes_does_not_depend_on_tenders(path: Path) -> None:
    assert not {m for m in imported_modules(path.read_text()) if m.startswith("tenders")}
