"""The README's shell commands work as written, in a new shell, after `make run`.

A new shell has no DEBUG, no business clock and no address: `make run` writes them to `.env`
(scripts/demo-env), which settings.py reads. Here the demo is loaded as `make run` loads it,
scripts/demo-env writes its `.env` into a folder laid out like the clone (`.venv`, `manage.py`,
`docs/`), and every `.venv/bin/python manage.py …` the README shows above "Production" (which is
about a production machine, not the demo) runs there, in the README's order, with nothing in its
environment but PATH, HOME and where the `.env` is (ENV_FILE: the clone's own `.env` is not
touched). A synopsis (`manage.py agent_submission --offer SLUG …`, without `.venv/bin/python`) only
names the arguments and is not run; a runnable command names no placeholder."""

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CommandDatabase

ROOT = Path(__file__).resolve().parent.parent
RUNNABLE = ".venv/bin/python manage.py "
# A runnable command, after any settings it is given in front (VAR=value).
COMMAND = re.compile(r"^(?:[A-Z_]+=\S+ )*" + re.escape(RUNNABLE))
ADDRESS = "127.0.0.1:8123"  # as `make run ADDRESS=127.0.0.1:8123`: the links must follow it
PLACEHOLDER = re.compile(r"\b(SLUG|NUMBER|NNNN|FILE|USERNAME|REFERENCE|N)\b|\[|\|")


def _demo_now() -> str:
    """The business clock `make run` pins (the Makefile's DEMO_NOW)."""
    found = re.search(r"^DEMO_NOW := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert found, "the Makefile names DEMO_NOW"
    return found.group(1)


def readme_commands() -> list[str]:
    """Every runnable manage.py command of the README above "Production", in order (an inline
    code span may wrap across lines: its whitespace reads as one space)."""
    readme = (ROOT / "README.md").read_text()
    demo_part = readme.split("\n## Production", 1)[0]
    demo_part = re.sub(r"^```.*?^```", "", demo_part, flags=re.DOTALL | re.MULTILINE)
    spans = (" ".join(span.split()) for span in re.findall(r"`([^`]+)`", demo_part))
    return [span for span in spans if COMMAND.match(span)]


def _arguments(command: str) -> str:
    """What follows `manage.py`: the subcommand and its arguments."""
    return COMMAND.sub("", command)


def _checks() -> dict[str, Callable[[str], None]]:
    """What a command prints beyond exit status 0, by its subcommand."""

    def tabulation(out: str) -> None:
        assert json.loads(out)["as_of"].startswith("2001-08-20")  # the demo's clock, not today

    def client_link(out: str) -> None:
        assert out.strip().startswith(f"http://{ADDRESS}/c/")  # the address served

    def reminders(out: str) -> None:
        assert re.fullmatch(r"sent=[1-9]\d* skipped=\d+", out.splitlines()[-1])

    def positions(out: str) -> None:
        assert out.splitlines()[-1] == "created=0 updated=1 unchanged=13 refused=0"

    return {
        "tabulation": tabulation,
        "client_link": client_link,
        "send_reminders": reminders,
        "import_positions": positions,
    }


def test_the_readme_shows_runnable_commands_without_placeholders() -> None:
    commands = readme_commands()
    assert len(commands) >= 12
    assert [command for command in commands if PLACEHOLDER.search(_arguments(command))] == []


@pytest.fixture
def demo_folder(command_database: CommandDatabase, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder laid out like the clone after `make run`, and a new shell's environment."""
    now = _demo_now()
    demo = command_database(["load_demo"], now=now)
    folder = tmp_path / "clone"
    folder.mkdir()
    (folder / ".venv").symlink_to(sys.prefix)  # the virtualenv running the suite
    (folder / "manage.py").symlink_to(ROOT / "manage.py")
    (folder / "docs").symlink_to(ROOT / "docs")
    written = subprocess.run(
        [ROOT / "scripts" / "demo-env", folder / ".env"],
        env={
            "PATH": os.environ["PATH"],
            "DEBUG": "true",
            "EXCHANGE_OFFICE_NOW": now,
            "EXCHANGE_OFFICE_VAR_DIR": demo["EXCHANGE_OFFICE_VAR_DIR"],
            "ADDRESS": ADDRESS,
        },
        capture_output=True,
        text=True,
    )
    assert written.returncode == 0, written.stderr
    new_shell = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ENV_FILE": str(folder / ".env"),
    }
    return folder, new_shell


def test_each_readme_command_runs_as_written_after_make_run(
    demo_folder: tuple[Path, dict[str, str]],
) -> None:
    folder, new_shell = demo_folder
    checks = _checks()
    for command in readme_commands():
        done = subprocess.run(
            ["bash", "-c", command], cwd=folder, env=new_shell, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"
        assert "Traceback" not in done.stderr, f"{command}\n{done.stderr}"
        subcommand = _arguments(command).split()[0]
        if subcommand in checks:
            checks[subcommand](done.stdout)


def test_the_demo_env_is_rewritten_by_the_next_demo(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    for now in ("2001-08-20T10:00:00-04:00", "2001-09-05T10:00:00-04:00"):
        subprocess.run(
            [ROOT / "scripts" / "demo-env", target],
            env={"PATH": os.environ["PATH"], "EXCHANGE_OFFICE_NOW": now},
            check=True,
            capture_output=True,
        )
    text = target.read_text()
    assert "EXCHANGE_OFFICE_NOW=2001-09-05T10:00:00-04:00" in text
    assert "2001-08-20" not in text


def test_a_env_of_ones_own_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text("DATABASE_URL=postgres://me@db/mine\n")
    done = subprocess.run(
        [ROOT / "scripts" / "demo-env", target],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    )
    assert target.read_text() == "DATABASE_URL=postgres://me@db/mine\n"
    assert "is kept" in done.stdout


def test_the_suite_reads_no_developers_env() -> None:
    from django.conf import settings

    assert settings.ENV_FILE == ""
    assert os.environ["ENV_FILE"] == ""  # what the commands and servers it starts inherit


@pytest.mark.parametrize("bench", sorted((ROOT / "bench").glob("*.py")), ids=lambda p: p.name)
def test_each_benchmark_that_loads_the_settings_reads_no_developers_env(bench: Path) -> None:
    source = bench.read_text()
    if '"exchange_office.settings"' in source:
        assert '"ENV_FILE": ""' in source
