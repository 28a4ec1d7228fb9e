"""The project's shape, read from every import statement with `ast` (those inside functions
too; only imports under `if TYPE_CHECKING:` are left out, since they never run):

- no import cycles between project modules;
- dependencies run one way: tenders -> notes -> exchange_office;
- domain code is pure: no Django, only the standard library, `holidays`, `stdnum`, the domain
  packages and the pure formatting module.
"""

import ast
import graphlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("exchange_office", "notes", "tenders")
DOMAIN_PACKAGES = [ROOT / "notes" / "domain", ROOT / "tenders" / "domain"]
PURE_MODULES = [ROOT / "exchange_office" / "formatting.py"]
# Pure code may use the standard library, these libraries, and other pure project code.
PURE_MAY_IMPORT = {"holidays", "stdnum"}
PURE_PROJECT_MODULES = ("notes.domain", "tenders.domain", "exchange_office.formatting")


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


def django_imports(source: str) -> set[str]:
    return {m for m in imports_of(source) if m == "django" or m.startswith("django.")}


def python_files(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders for p in folder.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_sources() -> dict[str, tuple[str, bool]]:
    """Every project module: its source and whether it is a package."""
    files = python_files(*(ROOT / package for package in PROJECT_PACKAGES))
    return {module_name(p): (p.read_text(), p.name == "__init__.py") for p in files}


def import_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """Module -> the project modules it imports. Importing `a.b.c` runs the packages `a` and
    `a.b` too, so they count as imported."""
    graph: dict[str, set[str]] = {}
    for module, (source, is_package) in sources.items():
        targets: set[str] = set()
        for name in imports_of(source, module, is_package):
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                candidate = ".".join(parts[:end])
                if candidate in sources and candidate != module:
                    targets.add(candidate)
        graph[module] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


# The checker itself can fail


def test_the_check_sees_a_django_import() -> None:
    assert django_imports("from django.db import models\nimport decimal") == {
        "django.db",
        "django.db.models",
    }
    assert django_imports("def f():\n    import django.conf\n") == {"django.conf"}
    assert django_imports("import djangoish\nfrom decimal import Decimal") == set()


def test_the_check_sees_a_cycle_through_a_function_level_import() -> None:
    sources = {
        "app": ("", True),
        "app.services": ("from app.tasks import send\n", False),
        "app.tasks": ("def send():\n    from app import services\n", False),
    }
    assert set(find_cycle(import_graph(sources)) or []) == {"app.services", "app.tasks"}


def test_the_check_sees_a_cycle_through_a_relative_import() -> None:
    sources = {
        "app": ("", True),
        "app.a": ("from . import b\n", False),
        "app.b": ("from .a import thing\n", False),
    }
    assert set(find_cycle(import_graph(sources)) or []) == {"app.a", "app.b"}


def test_imports_only_for_type_checkers_are_not_a_cycle() -> None:
    sources = {
        "app": ("", True),
        "app.a": ("from app.b import B\n", False),
        "app.b": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.a import A\n",
            False,
        ),
    }
    assert find_cycle(import_graph(sources)) is None


# The project


def test_there_are_no_import_cycles_between_project_modules() -> None:
    graph = import_graph(project_sources())
    assert len(graph) > 50  # the walk found the project
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize(
    "path",
    python_files(ROOT / "exchange_office"),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_project_package_does_not_import_the_apps(path: Path) -> None:
    imported = imports_of(path.read_text(), module_name(path), path.name == "__init__.py")
    assert not {m for m in imported if m.split(".")[0] in {"notes", "tenders"}}


@pytest.mark.parametrize(
    "path", python_files(ROOT / "notes"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_notes_does_not_depend_on_tenders(path: Path) -> None:
    imported = imports_of(path.read_text(), module_name(path), path.name == "__init__.py")
    assert not {m for m in imported if m.split(".")[0] == "tenders"}


PURE_FILES = [*python_files(*DOMAIN_PACKAGES), *PURE_MODULES]


def test_domain_packages_are_found() -> None:
    names = {p.name for p in PURE_FILES}
    assert {"money.py", "calendar.py", "entitlement.py", "tender.py", "formatting.py"} <= names


@pytest.mark.parametrize("path", PURE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_module_does_not_import_django(path: Path) -> None:
    assert django_imports(path.read_text()) == set()


@pytest.mark.parametrize("path", PURE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_module_imports_only_the_standard_library_and_pure_code(path: Path) -> None:
    imported = imports_of(path.read_text(), module_name(path), path.name == "__init__.py")
    foreign = {
        module
        for module in imported
        if module.split(".")[0] not in sys.stdlib_module_names
        and module.split(".")[0] not in PURE_MAY_IMPORT
        and not module.startswith(PURE_PROJECT_MODULES)
    }
    assert foreign == set()
