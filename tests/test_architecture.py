"""What import-linter cannot say about the project's shape (its contracts, run by `make test`,
are in pyproject.toml: the layers, the client's side, no cycles, no Django in the domain):

- domain code imports only the standard library, a short list of libraries and other pure
  code, read from every import statement with `ast` (those inside functions too; only imports
  under `if TYPE_CHECKING:` are left out, since they never run);
- the README's Layout names every package of the apps, and every app;
- no app module but exchange_office/spreadsheet.py writes CSV (`csv.writer`, `csv.DictWriter`).
"""

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _pure_modules() -> tuple[str, ...]:
    """The modules import-linter keeps free of Django (pyproject.toml): the same list here."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [
        c
        for c in config["contracts"]
        if c["type"] == "forbidden" and c["forbidden_modules"] == ["django"]
    ]
    return tuple(contract["source_modules"])


PURE_PROJECT_MODULES = _pure_modules()
# Pure code may use the standard library, these libraries, and other pure project code.
PURE_MAY_IMPORT = {"holidays", "stdnum"}


# Reading imports


def _is_type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk_running_code(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of the tree, except what sits under `if TYPE_CHECKING:` (its `else` runs)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if _is_type_checking_block(node):
            stack.extend(node.orelse)  # type: ignore[attr-defined]  # an ast.If
            continue
        stack.extend(ast.iter_child_nodes(node))


def imports_of(source: str, module: str = "", is_package: bool = False) -> set[str]:
    """The dotted names a module's source imports, relative imports resolved against `module`.
    `from a import b` gives both `a` and `a.b`: whether `b` is a module is decided later."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in _walk_running_code(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(part for part in [*base_parts, node.module or ""] if part)
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return {name for name in names if name}


def foreign_imports(source: str, module: str = "", is_package: bool = False) -> set[str]:
    """What a pure module imports besides the standard library, the allowed libraries and
    other pure code."""
    return {
        name
        for name in imports_of(source, module, is_package)
        if name.split(".")[0] not in sys.stdlib_module_names
        and name.split(".")[0] not in PURE_MAY_IMPORT
        and not name.startswith(PURE_PROJECT_MODULES)
    }


def python_files(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders for p in folder.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# The checker itself can fail


def test_the_check_sees_a_library_imported_inside_a_function() -> None:
    assert foreign_imports("def f():\n    import numpy\n") == {"numpy"}
    assert foreign_imports("from django.db import models\n") == {"django.db", "django.db.models"}


def test_the_check_allows_the_standard_library_the_listed_libraries_and_pure_code() -> None:
    source = "import decimal\nimport holidays\nfrom stdnum import cusip\n"
    assert foreign_imports(source + "from notes.domain import money\n") == set()


def test_the_check_resolves_a_relative_import() -> None:
    assert foreign_imports("from .. import models\n", "tenders.domain.rules") == {
        "tenders",
        "tenders.models",
    }


def test_imports_only_for_type_checkers_are_left_out() -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import django\n"
    assert foreign_imports(source) == set()


# The project


def _files_of(module: str) -> list[Path]:
    path = ROOT.joinpath(*module.split("."))
    return python_files(path) if path.is_dir() else [path.with_suffix(".py")]


PURE_FILES = [file for module in PURE_PROJECT_MODULES for file in _files_of(module)]


def test_domain_packages_are_found() -> None:
    assert all(path.is_file() for path in PURE_FILES)
    names = {p.name for p in PURE_FILES}
    assert {"money.py", "calendar.py", "entitlement.py", "tender.py", "formatting.py"} <= names


@pytest.mark.parametrize("path", PURE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_module_imports_only_the_standard_library_and_pure_code(path: Path) -> None:
    assert foreign_imports(path.read_text(), module_name(path), path.name == "__init__.py") == set()


# The README's Layout


def layout_block() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Layout", 1)[1]
    return section.split("```", 2)[1]


def layout_of(app: str, layout: str) -> str:
    """The lines of the layout under `app/`: those indented below its own line."""
    lines, inside = [], False
    for line in layout.splitlines():
        if line and not line[0].isspace():
            inside = line.startswith(f"{app}/")
        elif inside:
            lines.append(line)
    return "\n".join(lines)


def named_in(layout: str, package: str) -> bool:
    """`package/` (or a module `package.py`) at the start of a line or after spaces."""
    return re.search(rf"(^|\s){re.escape(package)}(/|\.py)(\s|$)", layout, re.M) is not None


def packages_of(app: Path) -> list[str]:
    """The app's sub-packages (folders with an __init__.py), its own migrations aside."""
    return sorted(
        child.name
        for child in app.iterdir()
        if (child / "__init__.py").is_file() and child.name != "migrations"
    )


def test_the_layout_check_sees_a_missing_package() -> None:
    layout = (
        "notes/   the issuer's side\n  domain/   pure\n"
        "tenders/   the broker's side\n  accounts/   firms\n  sweep.py   what was left\n"
    )
    tenders = layout_of("tenders", layout)
    assert named_in(tenders, "accounts")
    assert named_in(tenders, "sweep")
    assert not named_in(tenders, "domain")  # named under notes/, not under tenders/
    assert not named_in(tenders, "online")
    assert not named_in(tenders, "count")  # a word inside another is not a name


def test_the_layout_names_every_app() -> None:
    apps = [
        p.name for p in ROOT.iterdir() if (p / "apps.py").is_file() or p.name == "exchange_office"
    ]
    assert {"exchange_office", "notes", "tenders"} <= set(apps)
    assert [app for app in apps if not named_in(layout_block(), app)] == []


@pytest.mark.parametrize("app", ["notes", "tenders"])
def test_the_layout_names_every_package_of_the_app(app: str) -> None:
    packages = packages_of(ROOT / app)
    assert len(packages) >= (10 if app == "tenders" else 1)
    layout = layout_of(app, layout_block())
    assert [p for p in packages if not named_in(layout, p)] == []


# One CSV writer: every export writes through exchange_office/spreadsheet.py, which keeps any
# cell from being run as a formula (issue 22). Reading CSV (csv.reader) is anyone's.

CSV_WRITERS = {"writer", "DictWriter"}
SHARED_CSV_WRITER = ROOT / "exchange_office" / "spreadsheet.py"


def csv_writers_used(source: str) -> list[int]:
    """The lines that use the csv module's writers: `csv.writer`, `csv.DictWriter` (the module
    under any name) or `from csv import writer`."""
    tree = ast.parse(source)
    modules = {"csv"} | {
        alias.asname
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name == "csv" and alias.asname
    }
    attributes = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in CSV_WRITERS
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
    ]
    imported = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.module == "csv"
        and any(alias.name in CSV_WRITERS for alias in node.names)
    ]
    return sorted(attributes + imported)


def test_the_csv_writer_check_sees_each_way_of_writing() -> None:
    assert csv_writers_used("import csv\nw = csv.writer(out)\n") == [2]
    assert csv_writers_used("import csv as c\nw = c.DictWriter(out, [])\n") == [2]
    assert csv_writers_used("from csv import DictWriter\n") == [1]
    assert csv_writers_used("import csv\nr = csv.reader(text)\n") == []


def test_no_app_module_but_the_shared_one_writes_csv() -> None:
    files = python_files(ROOT / "exchange_office", ROOT / "notes", ROOT / "tenders")
    writers = {
        str(path.relative_to(ROOT)): lines
        for path in files
        if path != SHARED_CSV_WRITER and (lines := csv_writers_used(path.read_text()))
    }
    assert writers == {}
    assert csv_writers_used(SHARED_CSV_WRITER.read_text())  # the check reads the right file
