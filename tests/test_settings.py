"""The settings read the environment once, and refuse to run production without secrets."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "p7#kq2!vZr9@Lm4$Tx8&Wc1^Hn6*Bd3(Fs5)Gy0-Ju2+Ne7=Ra"
PRODUCTION_TIN_KEYS = {
    "TIN_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi10ZXN0LWtleS0zMi1ieXRlcy0wMDA=",
    "TIN_HASH_KEY": "production-test-hash-key",
}

pytestmark = pytest.mark.slow


def run_django(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Run `code` after django.setup() in a fresh interpreter with only `env` set."""
    base = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "exchange_office.settings",
        "ENV_FILE": os.devnull,
        "EXCHANGE_OFFICE_VAR_DIR": str(tmp_path / "var"),
    }
    script = f"import django\ndjango.setup()\n{code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def manage(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    base = {
        "PATH": os.environ.get("PATH", ""),
        "ENV_FILE": os.devnull,
        "EXCHANGE_OFFICE_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off(tmp_path: Path) -> None:
    result = run_django("", {"DEBUG": "false"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_settings_refuse_to_start_without_tin_keys_when_debug_is_off(tmp_path: Path) -> None:
    result = run_django("", {"DEBUG": "false", "SECRET_KEY": PRODUCTION_KEY}, tmp_path)
    assert result.returncode != 0
    assert "TIN_ENCRYPTION_KEYS and TIN_HASH_KEY are required when DEBUG is off" in result.stderr


def test_local_run_generates_tin_keys_apart_from_the_secret_key(tmp_path: Path) -> None:
    show = (
        "from django.conf import settings;"
        " print(settings.TIN_ENCRYPTION_KEYS, settings.TIN_HASH_KEY)"
    )
    first = run_django(show, {"DEBUG": "true"}, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == run_django(show, {"DEBUG": "true"}, tmp_path).stdout
    secret = (tmp_path / "var" / "secret_key").read_text()
    assert secret not in first.stdout


def test_debug_is_off_unless_asked_for(tmp_path: Path) -> None:
    result = run_django(
        "from django.conf import settings; print(settings.DEBUG)",
        {"SECRET_KEY": PRODUCTION_KEY, **PRODUCTION_TIN_KEYS},
        tmp_path,
    )
    assert result.stdout.strip() == "False", result.stderr


def test_local_run_generates_a_secret_key_once_and_keeps_it(tmp_path: Path) -> None:
    show_key = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_django(show_key, {"DEBUG": "true"}, tmp_path)
    second = run_django(show_key, {"DEBUG": "true"}, tmp_path)
    assert first.returncode == 0, first.stderr
    assert len(first.stdout.strip()) >= 50
    assert first.stdout == second.stdout
    assert (tmp_path / "var" / "secret_key").read_text().strip() == first.stdout.strip()


def test_database_url_selects_postgresql(tmp_path: Path) -> None:
    result = run_django(
        "from django.conf import settings; d = settings.DATABASES['default'];"
        " print(d['ENGINE'], d['NAME'], d['HOST'])",
        {"DEBUG": "true", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/exchange_office"},
        tmp_path,
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "exchange_office",
        "127.0.0.1",
    ], result.stderr


def test_default_database_is_an_sqlite_file_under_var(tmp_path: Path) -> None:
    result = run_django(
        "from django.conf import settings; print(settings.DATABASES['default']['NAME'])",
        {"DEBUG": "true"},
        tmp_path,
    )
    assert result.stdout.strip() == str(tmp_path / "var" / "exchange_office.sqlite3")


def test_bad_clock_pin_stops_start_up_with_a_clear_message(tmp_path: Path) -> None:
    result = run_django("", {"DEBUG": "true", "EXCHANGE_OFFICE_NOW": "2001-08-20 10:00"}, tmp_path)
    assert result.returncode != 0
    assert "EXCHANGE_OFFICE_NOW='2001-08-20 10:00' has no UTC offset" in result.stderr


def test_deploy_check_passes_with_production_settings(tmp_path: Path) -> None:
    result = manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "DEBUG": "false",
            "SECRET_KEY": PRODUCTION_KEY,
            "ALLOWED_HOSTS": "office.example.com",
            **PRODUCTION_TIN_KEYS,
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_every_environment_variable_is_documented_in_env_example() -> None:
    source = (BASE_DIR / "exchange_office" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))
    documented = (BASE_DIR / ".env.example").read_text()
    assert read, "the pattern must find the variables settings.py reads"
    assert {name for name in read if name not in documented} == set()


def test_login_lockout_and_sessions_are_configured_from_the_environment(tmp_path: Path) -> None:
    show = (
        "from django.conf import settings; print(settings.AXES_FAILURE_LIMIT,"
        " int(settings.AXES_COOLOFF_TIME.total_seconds()), settings.SESSION_COOKIE_AGE,"
        " settings.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
    )
    defaults = run_django(show, {"DEBUG": "true"}, tmp_path)
    assert defaults.stdout.split() == ["5", "900", "28800", "True"], defaults.stderr
    configured = run_django(
        show,
        {
            "DEBUG": "true",
            "AXES_FAILURE_LIMIT": "3",
            "AXES_COOLOFF_MINUTES": "30",
            "SESSION_COOKIE_AGE": "3600",
            "SESSION_EXPIRE_AT_BROWSER_CLOSE": "false",
        },
        tmp_path,
    )
    assert configured.stdout.split() == ["3", "1800", "3600", "False"], configured.stderr


def test_sessions_are_cached_in_local_memory_by_default(tmp_path: Path) -> None:
    show = (
        "from django.conf import settings; print(settings.SESSION_ENGINE,"
        " settings.CACHES['default']['BACKEND'])"
    )
    result = run_django(show, {"DEBUG": "true"}, tmp_path)
    assert result.stdout.split() == [
        "django.contrib.sessions.backends.cached_db",
        "django.core.cache.backends.locmem.LocMemCache",
    ], result.stderr


def test_cache_url_puts_the_cache_in_redis(tmp_path: Path) -> None:
    """Against the Redis this machine runs: a value written by one process is read by another."""
    key = f"exchange-office-test-{os.getpid()}"
    env = {"DEBUG": "true", "CACHE_URL": "redis://127.0.0.1:6379/15"}
    written = run_django(
        f"from django.core.cache import cache; cache.set({key!r}, 'shared', 60);"
        "from django.core.cache import caches; print(type(caches['default']).__name__)",
        env,
        tmp_path,
    )
    assert written.stdout.split() == ["RedisCache"], written.stderr
    read = run_django(
        f"from django.core.cache import cache; print(cache.get({key!r})); cache.delete({key!r})",
        env,
        tmp_path,
    )
    assert read.stdout.split() == ["shared"], read.stderr
