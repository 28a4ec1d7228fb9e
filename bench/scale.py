"""Benchmark: the pages at 1,000 accounts and at N (default 100,000), in-process.

    .venv/bin/python bench/scale.py                    # its own PostgreSQL database, dropped
    .venv/bin/python bench/scale.py --accounts 20000   # quicker
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mine .venv/bin/python bench/scale.py

Without DATABASE_URL it creates a PostgreSQL database of its own on 127.0.0.1 (user postgres)
and drops it at the end; with it, it migrates that database and adds its book there. It loads
the offer and `manage.py load_scale --accounts 1000` (three firms of its own), times each page
through Django's test client with production settings (DEBUG off: no query log kept, except
while counting), then tops the book up to N accounts and times them again. Each page is
requested once to warm up, then --repeat times; it prints the median and the SQL queries of
one request. Pages, as the firm's representative (`scale-rep-1`) or operations:

    list            the representative's account list, first page
    list_search     a search by account number
    list_filter     the "Has not answered" filter
    list_page50     page 50 (at 1,000 accounts the last page)
    account         an account page (an account with an amended instruction)
    form            the instruction form of an account that has not answered
    tabulation      Admin > Exchange offers > Tabulation
    admin_accounts, admin_positions, admin_instructions   the admin's changelists

The last line is for machines:

    queries_1k=... queries_100k=... worst_page_ms_1k=... worst_page_ms_100k=...

where queries_* are the query counts of every page in order, joined by "/", and worst_page_ms
the slowest page's median (the "100k" figures are at N).
"""

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SMALL = 1000


def configure_environment(var_dir: Path, database_url: str) -> None:
    """Production settings (DEBUG off), with throwaway keys."""
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
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            "DATABASE_URL": database_url,
            "STATIC_ROOT": str(var_dir / "static"),  # collected as in production
        }
    )


def own_database() -> tuple[str, Callable[[], None]]:
    """A PostgreSQL database of the benchmark's own, and how to drop it."""
    import psycopg
    from psycopg import sql

    name = f"exchange_office_scale_{os.getpid()}"
    with psycopg.connect(
        host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True
    ) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(
            host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True
        ) as server:
            server.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    return f"postgres://postgres@127.0.0.1:5432/{name}", drop


def pages() -> list[tuple[str, str, str]]:
    """(name, who, url) of each page, for the book as it now stands."""
    from django.urls import reverse

    from notes.models import ExchangeOffer
    from tenders.models import ClientAccount, Instruction

    offer = ExchangeOffer.objects.get(slug="lexington-2001")
    firm_accounts = ClientAccount.objects.filter(firm__dtc_participant_number="9501")
    amended = Instruction.objects.filter(
        account__in=firm_accounts, version=2, offer=offer
    ).values_list("account_id", flat=True)[0]
    unanswered = firm_accounts.filter(instructions__isnull=True).values_list("pk", flat=True)[0]
    sample = firm_accounts.order_by("account_number").values_list("account_number", flat=True)[5]
    account_list = reverse("tenders:account_list")
    return [
        ("list", "rep", account_list),
        ("list_search", "rep", f"{account_list}?q={sample}"),
        ("list_filter", "rep", f"{account_list}?answer=not-answered"),
        ("list_page50", "rep", f"{account_list}?page=50"),
        ("account", "rep", reverse("tenders:account_detail", args=[amended])),
        ("form", "rep", reverse("tenders:instruction_new", args=[unanswered])),
        ("tabulation", "ops", reverse("admin:notes_exchangeoffer_tabulation", args=[offer.pk])),
        ("admin_accounts", "ops", reverse("admin:tenders_clientaccount_changelist")),
        ("admin_positions", "ops", reverse("admin:tenders_position_changelist")),
        ("admin_instructions", "ops", reverse("admin:tenders_instruction_changelist")),
    ]


def measure(repeat: int) -> list[tuple[str, float, int, float]]:
    """(page, median ms, queries, first request's ms) for every page. The first request
    finds the caches cold (the tabulation's figures are cached under the data version), and
    its queries are the ones counted."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {}
    for who, username in (("rep", "scale-rep-1"), ("ops", "scale-ops")):
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[who] = client
    results = []
    for name, who, url in pages():
        client = clients[who]
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        first = (time.perf_counter() - started) * 1000
        count = len(queries.captured_queries)  # before the next request clears the log
        if response.status_code != 200:
            raise SystemExit(f"{name}: {url} answered {response.status_code}")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        results.append((name, statistics.median(times), count, first))
    return results


def report(label: str, results: list[tuple[str, float, int, float]]) -> None:
    print(f"\n{label}")
    print(f"  {'page':<20} {'median ms':>10} {'queries':>8} {'first ms':>9}")
    for name, ms, queries, first in results:
        print(f"  {name:<20} {ms:>10.1f} {queries:>8} {first:>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000, help="the large book (N)")
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page")
    args = parser.parse_args()
    if args.accounts < SMALL:
        raise SystemExit(f"--accounts must be at least {SMALL:,}")
    var_dir = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    drop: Callable[[], None] = lambda: None  # noqa: E731
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        database_url, drop = own_database()
    try:
        configure_environment(var_dir, database_url)
        import django

        django.setup()
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.db import connection

        from notes.services import offer_load_seed
        from tenders.accounts.roles import operations_role_grant

        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        offer_load_seed(slug="lexington-2001")
        ops, _ = User.objects.get_or_create(username="scale-ops")
        operations_role_grant(user=ops)
        print(f"{connection.vendor}: {connection.settings_dict['NAME']}")

        sizes = [SMALL, args.accounts]
        measured = []
        for size in sizes:
            started = time.perf_counter()
            call_command("load_scale", accounts=size, stdout=open(os.devnull, "w"))  # noqa: SIM115
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("ANALYZE")
            print(f"book of {size:,} accounts ready in {time.perf_counter() - started:.1f} s")
            results = measure(args.repeat)
            report(f"at {size:,} accounts", results)
            measured.append(results)
        small, large = measured
        print(
            f"queries_1k={'/'.join(str(q) for _, _, q, _ in small)} "
            f"queries_100k={'/'.join(str(q) for _, _, q, _ in large)} "
            f"worst_page_ms_1k={max(ms for _, ms, _, _ in small):.1f} "
            f"worst_page_ms_100k={max(ms for _, ms, _, _ in large):.1f}"
        )
    finally:
        drop()
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
