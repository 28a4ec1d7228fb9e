"""Benchmark: the positions import at scale.

Migrates the database in DATABASE_URL if needed (without it, a temporary SQLite database,
deleted at the end), adds a firm of its own (a new DTC participant number each run, so every
run creates its accounts), writes a feed of N generated lines (one owner in ten a joint
account, every line with an address, e-mail and telephone) and imports it through
`tenders.positions.imports.positions_import`, the code path of the admin and of
`manage.py import_positions`, as an operator. It times the preview too, and with --again
imports the same file once more with one principal in ten raised (the daily feed's case:
updates among unchanged lines). The last line is for machines:

    rows=... seconds=... rows_per_s=... peak_rss_mb=...

`seconds` is the first import, from the file's text to the commit (reading, checking,
locking, planning, writing the rows and their audit trail).

    .venv/bin/python bench/import_positions.py --rows 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exchange_office_bench \\
        .venv/bin/python bench/import_positions.py --rows 100000
"""

import argparse
import os
import random
import resource
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HEADER = (
    "participant,account_number,owners,address_line1,address_line2,city,state,postal_code,"
    "country,email,phone,principal"
)
STATES = ["NY", "NJ", "CT", "PA", "MA", "CA", "IL", "TX", "FL", "OH"]
AREA_CODES = [212, 201, 203, 215, 617, 312, 213, 415, 305, 216]


def configure_environment(var_dir: Path) -> None:
    """Production settings (DEBUG off: no query log), with throwaway keys."""
    from cryptography.fernet import Fernet

    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "exchange_office.settings",
            "ENV_FILE": "",  # no developer .env (make run writes the demo's)
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "TIN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "TIN_HASH_KEY": secrets.token_urlsafe(48),
            "EXCHANGE_OFFICE_VAR_DIR": str(var_dir),
            "EXCHANGE_OFFICE_NOW": "2001-08-20T10:00:00-04:00",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        }
    )
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir / 'bench.sqlite3'}")


def ensure_database() -> None:
    """DATABASE_URL may name a PostgreSQL database that does not exist yet: create it (the
    bench's own, e.g. exchange_office_bench), so that "migrates if needed" holds from zero."""
    from django.db import OperationalError, connection

    if connection.vendor != "postgresql":
        return
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        if "does not exist" not in str(exc):
            raise SystemExit(f"cannot connect to the database: {exc}") from None
        import psycopg
        from psycopg import sql

        settings = connection.settings_dict
        with psycopg.connect(
            dbname="postgres",
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            autocommit=True,
        ) as server:
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings["NAME"])))
        print(f"created the database {settings['NAME']}")


def feed(participant: str, rows: int, run: str, raise_every: int = 0) -> str:
    """A feed of `rows` accounts; with `raise_every`, that one in so many holds $1,000 more."""
    rng = random.Random(7)
    lines = [HEADER]
    for i in range(rows):
        owners = f"Client {i} {run}" + (f";Joint Client {i}" if i % 10 == 0 else "")
        principal = 1000 * (1 + i % 500) + (1000 if raise_every and i % raise_every == 0 else 0)
        lines.append(
            f"{participant},BX-{run}-{i:07d},{owners},{i} Main Street,"
            f"{'Apt ' + str(i % 40) if i % 3 == 0 else ''},Springfield,{rng.choice(STATES)},"
            f"{10000 + i % 89999:05d},US,client{i}@example.com,"
            f'({AREA_CODES[i % 10]}) {200 + i % 800:03d}-{i % 10000:04d},"{principal:,}"'
        )
    return "\n".join(lines) + "\n"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="lines in the feed")
    parser.add_argument(
        "--again", action="store_true", help="then import it again, one principal in ten raised"
    )
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    try:
        configure_environment(var_dir)
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connection

        from notes.services import offer_load_seed
        from tenders.accounts.models import BrokerFirm
        from tenders.accounts.roles import operations_role_grant
        from tenders.positions.imports import positions_import, positions_preview

        t0 = time.perf_counter()
        ensure_database()
        call_command("migrate", verbosity=0, interactive=False)
        offer_load_seed(slug="lexington-2001")
        user, _ = get_user_model().objects.get_or_create(username="import-bench")
        operations_role_grant(user=user)
        user = get_user_model().objects.get(pk=user.pk)  # fresh permission cache
        run = secrets.token_hex(3)
        while True:
            participant = str(random.randrange(10_000_000, 99_999_999))
            if not BrokerFirm.objects.filter(dtc_participant_number=participant).exists():
                break
        firm = BrokerFirm.objects.create(
            name=f"Bench firm {run}", dtc_participant_number=participant
        )
        text = feed(participant, args.rows, run)
        print(
            f"{connection.vendor}: migrated and set up in {time.perf_counter() - t0:.1f} s; "
            f"feed of {args.rows:,} lines, {len(text) / 1e6:.1f} MB"
        )

        t0 = time.perf_counter()
        preview = positions_preview(text=text, by=user, firm=firm, create_accounts=True)
        preview_s = time.perf_counter() - t0
        print(f"preview: {preview_s:.2f} s ({preview.summary()})")

        t0 = time.perf_counter()
        report = positions_import(
            text=text, by=user, firm=firm, file_name="bench.csv", create_accounts=True
        )
        seconds = time.perf_counter() - t0
        assert report.created == args.rows, report.summary()
        print(f"import:  {seconds:.2f} s ({report.summary()})")

        if args.again:
            again = feed(participant, args.rows, run, raise_every=10)
            t0 = time.perf_counter()
            second = positions_import(text=again, by=user, firm=firm, file_name="again.csv")
            print(f"again:   {time.perf_counter() - t0:.2f} s ({second.summary()})")

        print(
            f"rows={args.rows} seconds={seconds:.2f} rows_per_s={args.rows / seconds:.0f} "
            f"peak_rss_mb={peak_rss_mb():.0f}"
        )
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
