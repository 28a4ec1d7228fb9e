"""docs/rules.md stays true: every test it cites exists, and the README links to it (not to a
file outside the repository)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "docs" / "rules.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::([\w:]+)`")


def _test_names(path: Path) -> set[str]:
    """test functions as `name` and test methods as `Class::name`."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return names


REFERENCES = sorted(set(REFERENCE.findall(RULES.read_text())))


def test_the_rules_cite_tests() -> None:
    assert len(REFERENCES) > 100


@pytest.mark.parametrize(("path", "name"), REFERENCES, ids=lambda v: str(v))
def test_every_test_the_rules_cite_exists(path: str, name: str) -> None:
    assert (ROOT / path).is_file(), path
    assert name in _test_names(ROOT / path)


def test_the_readme_links_to_the_rules_and_nothing_outside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "(docs/rules.md)" in readme
    assert "../shared" not in readme
