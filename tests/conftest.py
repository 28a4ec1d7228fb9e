"""Shared fixtures: the factories, users of each kind, and a pinned business clock."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from django.test import override_settings

from tenders.models import Representative
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def user_factory() -> type[factories.UserFactory]:
    return factories.UserFactory


@pytest.fixture
def offer_factory() -> type[factories.ExchangeOfferFactory]:
    return factories.ExchangeOfferFactory


@pytest.fixture
def firm_factory() -> type[factories.BrokerFirmFactory]:
    return factories.BrokerFirmFactory


@pytest.fixture
def account_factory() -> type[factories.ClientAccountFactory]:
    return factories.ClientAccountFactory


@pytest.fixture
def position_factory() -> type[factories.PositionFactory]:
    return factories.PositionFactory


@pytest.fixture
def representative_factory() -> type[factories.RepresentativeFactory]:
    return factories.RepresentativeFactory


@pytest.fixture
def ops_user(db: None) -> object:
    return factories.StaffUserFactory(username="ops-test")


@pytest.fixture
def representative(db: None) -> Representative:
    return factories.RepresentativeFactory(user__username="rep-test")


@pytest.fixture
def pin_clock() -> Iterator[Callable[[str | datetime | None], None]]:
    """Pin the business clock: `pin_clock("2001-09-04T23:59:59-04:00")`."""
    overrides: list[override_settings] = []

    def pin(instant: str | datetime | None) -> None:
        override = override_settings(EXCHANGE_OFFICE_NOW=instant)
        override.enable()
        overrides.append(override)

    yield pin
    for override in reversed(overrides):
        override.disable()


@pytest.fixture(scope="session")
def migrated_var_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A var folder holding a migrated SQLite database, made once per test process."""
    var = tmp_path_factory.mktemp("migrated-var")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "true",
        "ENV_FILE": os.devnull,
        "EXCHANGE_OFFICE_VAR_DIR": str(var),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    return var


@pytest.fixture(scope="session")
def migrated_var(
    migrated_var_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], Path]:
    """A fresh copy of `migrated_var_template` for each call: the tests that run commands
    from the shell start from it instead of migrating again (8 s each)."""

    def copy() -> Path:
        var = tmp_path_factory.mktemp("var")
        shutil.copytree(migrated_var_template, var, dirs_exist_ok=True)
        return var

    return copy
