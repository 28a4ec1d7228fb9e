"""Production keeps each process's database connection between requests, checked before reuse:
opening a PostgreSQL connection per request cost more than the page under load."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_setting(code: str, **env: str) -> str:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "ENV_FILE": os.devnull,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "exchange_office.settings",
        **env,
    }
    program = f"import django; django.setup(); from django.conf import settings; {code}"
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def test_connections_are_kept_a_minute_and_checked_before_reuse(tmp_path) -> None:
    shown = production_setting(
        "d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/unused",
        EXCHANGE_OFFICE_VAR_DIR=str(tmp_path),
    )
    assert shown == "60 True"


def test_the_time_connections_are_kept_can_be_set(tmp_path) -> None:
    shown = production_setting(
        "print(settings.DATABASES['default']['CONN_MAX_AGE'])",
        CONN_MAX_AGE="0",
        EXCHANGE_OFFICE_VAR_DIR=str(tmp_path),
    )
    assert shown == "0"
