"""Benchmark: the offer's tabulation at scale.

Builds N client accounts holding the Old Notes in three firms (bulk inserts), three in four
with an instruction (tender all, a stated amount, withdrawn) and a "received" transition each,
then times `offer_tabulation` (every figure and breakdown), the chart's history
(`tendered_over_time`) and the JSON, and counts their queries. The last line is for machines:

    accounts=... tabulation_s=... history_s=... json_s=... queries=...

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="client accounts")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="tabulation-bench-"))
    try:
        configure_environment(var_dir)
        import django

        django.setup()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from notes.models import ExchangeOffer
        from tenders.offers.tabulation import (
            offer_tabulation,
            tabulation_as_dict,
            tendered_over_time,
        )

        started = time.perf_counter()
        build(args.n)
        print(f"built {args.n} accounts in {time.perf_counter() - started:.1f} s")
        offer = ExchangeOffer.objects.get(slug="lexington-2001")
        timings: dict[str, list[float]] = {"tabulation": [], "history": [], "json": []}
        queries = 0
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                tabulation = offer_tabulation(offer=offer)
                t1 = time.perf_counter()
                tendered_over_time(tabulation=tabulation)
                t2 = time.perf_counter()
                tabulation_as_dict(tabulation)
                t3 = time.perf_counter()
            timings["tabulation"].append(t1 - t0)
            timings["history"].append(t2 - t1)
            timings["json"].append(t3 - t2)
            queries = len(captured)
        f = tabulation.figures
        print(f"tendered {f.tendered:,} by {f.instructions:,} instructions ({f.tendered_percent}%)")
        for name, values in timings.items():
            print(f"{name:>11}: median {statistics.median(values):.2f} s, min {min(values):.2f} s")
        print(
            f"accounts={args.n} tabulation_s={statistics.median(timings['tabulation']):.3f} "
            f"history_s={statistics.median(timings['history']):.3f} "
            f"json_s={statistics.median(timings['json']):.3f} queries={queries}"
        )
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
