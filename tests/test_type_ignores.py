"""Every `type: ignore` in the project names the error it silences and says why, on its own
line: `# type: ignore[attr-defined]  # simple-history reads it`. A bare ignore hides every
error on its line, today's and tomorrow's; one without a reason leaves the next reader to guess
whether it is still needed.

Comments are read with `tokenize`, so a string that mentions the words is not a comment.
"""

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("exchange_office", "notes", "tenders", "tests", "bench", "scripts")

IGNORE = re.compile(r"type:\s*ignore")
# The error codes in brackets, then a comment of its own with the reason.
WELL_FORMED = re.compile(r"type:\s*ignore\[\s*[\w-]+(?:\s*,\s*[\w-]+)*\s*\]\s*#\s*\S")


def bad_ignores(source: str) -> list[int]:
    """The numbers of the lines whose `type: ignore` lacks an error code or a reason."""
    lines: list[int] = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        for found in IGNORE.finditer(token.string):
            if not WELL_FORMED.match(token.string, found.start()):
                lines.append(token.start[0])
    return sorted(set(lines))


def python_files() -> list[Path]:
    return sorted(path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py"))


# The checker itself can fail


def test_the_check_accepts_a_code_and_a_reason() -> None:
    assert bad_ignores("x.y = 1  # type: ignore[attr-defined]  # simple-history reads it\n") == []
    assert bad_ignores("f(1)  # type: ignore[arg-type, call-arg]  # on purpose\n") == []


def test_the_check_refuses_a_bare_ignore() -> None:
    assert bad_ignores("a = 1\nx.y = 1  # type: ignore\n") == [2]
    assert bad_ignores("x.y = 1  # type:ignore  # simple-history reads it\n") == [1]


def test_the_check_refuses_an_ignore_without_a_reason() -> None:
    assert bad_ignores("x.y = 1  # type: ignore[attr-defined]\n") == [1]
    assert bad_ignores("x.y = 1  # type: ignore[attr-defined]  #\n") == [1]
    assert bad_ignores("x.y = 1  # type: ignore[]  # no code\n") == [1]


def test_the_check_reads_comments_only() -> None:
    assert bad_ignores('message = "# type: ignore"\n') == []


# The project


def test_the_walk_finds_the_project() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in python_files()}
    assert len(names) > 100
    expected = {
        "tenders/accounts/permissions.py",
        "tests/test_type_ignores.py",
        "bench/confirmations.py",
    }
    assert expected <= names


def test_every_type_ignore_has_an_error_code_and_a_reason() -> None:
    offenders = []
    for path in python_files():
        source = path.read_text(encoding="utf-8")
        source_lines = source.splitlines()
        for number in bad_ignores(source):
            where = f"{path.relative_to(ROOT)}:{number}"
            offenders.append(f"{where}: {source_lines[number - 1].strip()}")
    assert not offenders, (
        "A `type: ignore` needs the error code and a reason: "
        "`# type: ignore[code]  # why`:\n" + "\n".join(offenders)
    )
