"""Benchmark: the report of the holders who do not tender, and the payment notices, at scale.

Builds N client accounts holding the Old Notes in three firms (bulk inserts), one in two with
a stated amount below its position, then times the report (`nontender_report`) and its CSV and
counts their queries; with --notices, marks the offer consummated (the instructions accepted)
and times `payment_notices_queue`: a snapshot per account and the bulk run's items, in one
transaction, as `offer_consummate` does (the run's drains are not run). The last line is for
machines:

    accounts=... rows=... report_s=... csv_s=... queries=... notices_s=...

Run from the repository root (a temporary SQLite database, deleted at the end; set
DATABASE_URL to an empty PostgreSQL database to measure there):

    .venv/bin/python bench/nontender_report.py --n 100000 --notices
"""

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RECEIVED = datetime(2001, 8, 7, 14, 0, tzinfo=UTC)
BATCH = 5000


def configure_environment(var_dir: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "exchange_office.settings",
            "ENV_FILE": "",  # no developer .env (make run writes the demo's)
            "DEBUG": "true",
            "EXCHANGE_OFFICE_VAR_DIR": str(var_dir),
            "EXCHANGE_OFFICE_NOW": "2001-09-05T10:00:00-04:00",
            "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        }
    )
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir / 'bench.sqlite3'}")


def build(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from notes.services import offer_load_seed
    from tenders.models import AccountOwner, BrokerFirm, ClientAccount, Instruction, Position

    call_command("migrate", verbosity=0, interactive=False)
    offer = offer_load_seed(slug="lexington-2001")
    user = get_user_model().objects.create(username="bench")
    firms = [
        BrokerFirm.objects.create(name=f"Bench firm {k}", dtc_participant_number=f"09{k:02d}")
        for k in range(3)
    ]
    for start in range(0, n, BATCH):
        with transaction.atomic():
            accounts = ClientAccount.objects.bulk_create(
                ClientAccount(
                    firm=firms[i % 3],
                    account_number=f"BN-{i:07d}",
                    address_line1="1 Main Street",
                    city="New York",
                    email=f"bn-{i:07d}@clients.example",
                )
                for i in range(start, min(n, start + BATCH))
            )
            AccountOwner.objects.bulk_create(
                AccountOwner(account=a, sequence=1, name=f"Client {a.account_number}")
                for a in accounts
            )
            Position.objects.bulk_create(
                Position(
                    account=a,
                    security=offer.old_security,
                    principal=Decimal(1000 * (5 + i % 200)),
                )
                for i, a in enumerate(accounts)
            )
            Instruction.objects.bulk_create(
                Instruction(
                    account=a,
                    offer=offer,
                    version=1,
                    choice="AMOUNT",
                    amount=Decimal("3000"),
                    form_date=RECEIVED.date(),
                    signed_address="1 Main Street",
                    signed_phone="+12125550100",
                    tin_type="SSN",
                    tin="",
                    tin_last4="6789",
                    entered_by=user,
                    received_at=RECEIVED,
                    received_wall_at=RECEIVED,
                )
                for i, a in enumerate(accounts)
                if i % 2 == 0
            )


def measure(notices: bool) -> str:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from notes.models import ExchangeOffer
    from tenders.models import Instruction
    from tenders.notices.export import write_csv
    from tenders.notices.selectors import nontender_report
    from tenders.notices.services import payment_notices_queue

    offer = ExchangeOffer.objects.get(slug="lexington-2001")
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = nontender_report(offer=offer)
        report_s = time.perf_counter() - started
    started = time.perf_counter()
    write_csv(report, io.StringIO())
    csv_s = time.perf_counter() - started
    line = (
        f"accounts={report.accounts} rows={len(report.rows)} report_s={report_s:.2f} "
        f"csv_s={csv_s:.2f} queries={len(queries.captured_queries)}"
    )
    print(f"report: {report.accounts} accounts, {report.total_payout} to pay, {report_s:.2f} s")
    if notices:
        offer.status, offer.consummation_date = "consummated", date(2001, 9, 5)
        offer.save(update_fields=["status", "consummation_date"])
        Instruction.objects.filter(offer=offer).update(
            status="accepted", resolved_amount=Decimal("3000")
        )
        by = get_user_model().objects.get(username="bench")
        started = time.perf_counter()
        with transaction.atomic():
            run = payment_notices_queue(offer=offer, by=by)
        notices_s = time.perf_counter() - started
        print(f"payment notices: {run.items.count() if run else 0} snapshots, {notices_s:.2f} s")
        line += f" notices_s={notices_s:.2f}"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="client accounts (10000)")
    parser.add_argument("--notices", action="store_true", help="also time the payment notices")
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="bench-nontender-"))
    try:
        configure_environment(var_dir)
        import django

        django.setup()
        build(args.n)
        print(measure(args.notices))
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
