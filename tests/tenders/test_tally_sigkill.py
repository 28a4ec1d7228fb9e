"""The sweep's fold of the tabulation's kept lines, killed with SIGKILL in the middle: its
transaction is lost whole (the notes it claimed come back, the lines it wrote go), and the next
fold brings the figures to a recomputation's. Run from the shell, as the worker runs it."""

import signal
import subprocess
import sys
from collections.abc import Callable

import pytest

from tests.conftest import ROOT

# After the new lines are written and before the kept sums are moved: the worst moment.
KILLED_MID_FOLD = """
import os, signal
from notes.models import ExchangeOffer
from tenders.tally import services

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

services._move = killed
services.tally_fold(offer=ExchangeOffer.objects.get(slug="lexington-2001"))
"""
NOTES = "from tenders.models import TallyNote; print(TallyNote.objects.count())"


@pytest.fixture(scope="module")
def demo_database(command_database: Callable[..., dict[str, str]]) -> dict[str, str]:
    return command_database(["load_demo"], now="2001-08-20T10:00:00-04:00")


def notes(env: dict[str, str]) -> int:
    # The last line: the shell first says how many names it imported for you.
    return int(manage(env, "shell", "-c", NOTES).stdout.split()[-1])


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.slow
def test_a_fold_killed_midway_loses_nothing_and_the_next_one_agrees(
    demo_database: dict[str, str],
) -> None:
    noted = notes(demo_database)
    assert noted > 0  # the demo's writes, never folded
    killed = manage(demo_database, "shell", "-c", KILLED_MID_FOLD)
    assert killed.returncode == -signal.SIGKILL
    assert notes(demo_database) == noted
    swept = manage(demo_database, "sweep")
    assert swept.returncode == 0, swept.stderr
    assert notes(demo_database) == 0
    check = manage(demo_database, "tabulation", "--offer", "lexington-2001", "--check")
    assert (check.returncode, check.stdout.strip()) == (
        0,
        "The kept totals of lexington-2001 agree with a recomputation.",
    )
