"""`make run`'s terminal: the worker prints one line per document and per e-mail, not one per
task started and finished (those come with -v 2)."""

import logging
from collections.abc import Iterator

import pytest

from tenders.management.commands.office_worker import Command


@pytest.fixture
def tasks_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("django_tasks")
    level, handlers = logger.level, list(logger.handlers)
    yield logger
    logger.setLevel(level)
    logger.handlers[:] = handlers


def test_the_worker_keeps_task_lines_out_of_the_terminal_by_default(tasks_logger) -> None:
    Command().configure_logging(1)
    assert not tasks_logger.isEnabledFor(logging.INFO)
    assert tasks_logger.isEnabledFor(logging.WARNING)  # a failed task is still printed


def test_the_worker_prints_every_task_with_v2(tasks_logger) -> None:
    Command().configure_logging(2)
    assert tasks_logger.isEnabledFor(logging.DEBUG)
