"""What the application imports is installed by `make run`: every third-party module that the
code of the apps (not the tests) imports belongs to a package pinned in requirements.txt, which
is all `make run` installs. lxml was pinned for the tests only while the agent's files were read
with it: a fresh `make run` then failed on every ISO 20022 file."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_FOLDERS = ("exchange_office", "notes", "tenders")
OURS = {*APP_FOLDERS, "tests", "bench", "scripts"}


def imported_top_modules(source: str) -> set[str]:
    """The top-level module of every absolute import in `source`."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def pinned(requirements: str) -> set[str]:
    """The normalised names of the packages pinned in a requirements file."""
    found = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", requirements, re.MULTILINE)
    return {re.sub(r"[-_.]+", "-", name).lower() for name in found}


def third_party_distributions(modules: set[str]) -> dict[str, set[str]]:
    """For each third-party module, the distributions that install it."""
    installed = packages_distributions()
    return {
        module: {re.sub(r"[-_.]+", "-", name).lower() for name in installed.get(module, [])}
        for module in modules
        if module not in sys.stdlib_module_names and module not in OURS
    }


def test_the_check_finds_a_module_imported_inside_a_function() -> None:
    assert imported_top_modules("def f():\n    from lxml import etree\n") == {"lxml"}


def test_the_check_sees_a_package_missing_from_the_pins() -> None:
    distributions = third_party_distributions({"lxml", "json", "tenders"})
    assert distributions == {"lxml": {"lxml"}}
    assert not distributions["lxml"] & pinned("django==5.2\n")


def test_every_library_the_apps_import_is_pinned_in_requirements_txt() -> None:
    modules: set[str] = set()
    for folder in APP_FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            modules |= imported_top_modules(path.read_text())
    run_pins = pinned((ROOT / "requirements.txt").read_text())
    missing = {
        module: sorted(distributions)
        for module, distributions in third_party_distributions(modules).items()
        if not distributions & run_pins
    }
    assert missing == {}
