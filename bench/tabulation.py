"""Benchmark: the offer's tabulation at scale.

Builds N client accounts holding the Old Notes in three firms (bulk inserts), three in four
with an instruction (tender all, a stated amount, withdrawn) and a "received" transition each,
then builds the tabulation's kept lines once (`build_s`) and times the recomputation from
every row that the tabulation did before issue 24 (`recomputed_s`, the baseline). Then, each
time after one write (a position moved, which moves a "tender all"), it times `offer_tabulation`
(every figure and breakdown, the write folded in first), the chart's history
(`tendered_over_time`) and the JSON, counting their queries, and, after another write, the
admin's tabulation page as operations request it (`page_s`). Medians of --repeat. The last line
is for machines:

    accounts=... tabulation_s=... history_s=... json_s=... queries=... build_s=...
    recomputed_s=... page_s=... ratio_recomputed=...

Run from the repository root (a temporary SQLite database, deleted at the end; set
DATABASE_URL to an empty PostgreSQL database to measure there):

    .venv/bin/python bench/tabulation.py --n 100000
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
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
            "EXCHANGE_OFFICE_NOW": "2001-09-05T09:00:00-04:00",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        }
    )
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir / 'bench.sqlite3'}")


def build(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from notes.services import offer_load_seed
    from tenders.models import (
        AccountOwner,
        BrokerFirm,
        ClientAccount,
        Instruction,
        InstructionTransition,
        Position,
    )

    call_command("migrate", verbosity=0, interactive=False)
    offer = offer_load_seed(slug="lexington-2001")
    offer.outstanding_principal = Decimal(5000 * n)  # the accounts hold the whole issue
    offer.save(update_fields=["outstanding_principal"])
    user = get_user_model().objects.create(username="bench")
    firms = [
        BrokerFirm.objects.create(name=f"Bench firm {k}", dtc_participant_number=f"09{k:02d}")
        for k in range(3)
    ]
    answers = [None, ("ALL", None, "received"), ("AMOUNT", Decimal("3000"), "received"),
               ("ALL", None, "withdrawn")]  # fmt: skip
    for start in range(0, n, BATCH):
        with transaction.atomic():
            count = min(BATCH, n - start)
            accounts = ClientAccount.objects.bulk_create(
                ClientAccount(
                    firm=firms[i % 3],
                    account_number=f"BN-{i:07d}",
                    address_line1="1 Main Street",
                    city="New York",
                )
                for i in range(start, start + count)
            )
            AccountOwner.objects.bulk_create(
                AccountOwner(account=a, sequence=1, name=f"Client {a.account_number}")
                for a in accounts
            )
            Position.objects.bulk_create(
                Position(account=a, security=offer.old_security, principal=Decimal("5000"))
                for a in accounts
            )
            at = RECEIVED + timedelta(seconds=start)
            instructions = Instruction.objects.bulk_create(
                Instruction(
                    account=a,
                    offer=offer,
                    version=1,
                    choice=answer[0],
                    amount=answer[1],
                    resolved_amount=answer[1],
                    status=answer[2],
                    form_date=at.date(),
                    signed_address="1 Main Street",
                    signed_phone="+12125550100",
                    tin_type="SSN",
                    tin="",
                    tin_last4="6789",
                    entered_by=user,
                    received_at=at,
                    received_wall_at=at,
                )
                for i, a in enumerate(accounts, start=start)
                if (answer := answers[i % 4]) is not None
            )
            InstructionTransition.objects.bulk_create(
                InstructionTransition(
                    instruction=instruction,
                    from_status="",
                    to_status="received",
                    by=user,
                    business_at=at + timedelta(seconds=k),
                    wall_at=at,
                )
                for k, instruction in enumerate(instructions)
            )


def write_one(k: int) -> None:
    """One write, as a representative's would be: a position moved, which moves its account's
    "tender all"."""
    from tenders.models import Position

    position = Position.objects.order_by("id")[k * 4 + 1 : k * 4 + 2].get()
    position.principal += Decimal(1000)
    position.save(update_fields=["principal"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="client accounts")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="tabulation-bench-"))
    try:
        configure_environment(var_dir)
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.db import connection, reset_queries
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from notes.models import ExchangeOffer
        from tenders.offers.tabulation import (
            offer_tabulation,
            offer_tabulation_recomputed,
            tabulation_as_dict,
            tendered_over_time,
        )

        started = time.perf_counter()
        build(args.n)
        print(f"built {args.n} accounts in {time.perf_counter() - started:.1f} s")
        offer = ExchangeOffer.objects.get(slug="lexington-2001")
        t0 = time.perf_counter()
        offer_tabulation(offer=offer)
        build_s = time.perf_counter() - t0
        print(f"kept lines built in {build_s:.2f} s (once, then kept up to date)")
        t0 = time.perf_counter()
        offer_tabulation_recomputed(offer=offer)
        recomputed_s = time.perf_counter() - t0
        print(
            f"recomputed from every row (the reference, as before issue 24): {recomputed_s:.2f} s"
        )
        get_user_model().objects.create_superuser("bench-ops", password="unused")
        client = Client(HTTP_HOST="localhost")
        client.force_login(get_user_model().objects.get(username="bench-ops"))
        page = reverse("admin:notes_exchangeoffer_tabulation", args=[offer.pk])
        timings: dict[str, list[float]] = {"tabulation": [], "history": [], "json": [], "page": []}
        queries = 0
        for k in range(args.repeat):
            write_one(k)
            reset_queries()  # the log keeps 9,000 at most: a full one would count nothing
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                tabulation = offer_tabulation(offer=offer)
                t1 = time.perf_counter()
                tendered_over_time(tabulation=tabulation)
                t2 = time.perf_counter()
                tabulation_as_dict(tabulation)
                t3 = time.perf_counter()
            write_one(args.repeat + k)
            t4 = time.perf_counter()
            response = client.get(page)
            t5 = time.perf_counter()
            assert response.status_code == 200, response.status_code
            timings["tabulation"].append(t1 - t0)
            timings["history"].append(t2 - t1)
            timings["json"].append(t3 - t2)
            timings["page"].append(t5 - t4)
            queries = len(captured)
        f = tabulation.figures
        print(f"tendered {f.tendered:,} by {f.instructions:,} instructions ({f.tendered_percent}%)")
        print("each after one write (a position moved):")
        for name, values in timings.items():
            print(f"{name:>11}: median {statistics.median(values):.3f} s, min {min(values):.3f} s")
        median = {name: statistics.median(values) for name, values in timings.items()}
        print(
            f"accounts={args.n} tabulation_s={median['tabulation']:.3f} "
            f"history_s={median['history']:.3f} json_s={median['json']:.3f} queries={queries} "
            f"build_s={build_s:.2f} recomputed_s={recomputed_s:.2f} page_s={median['page']:.3f} "
            f"ratio_recomputed={recomputed_s / median['tabulation']:.1f}"
        )
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
