"""Benchmark: consummation of a book of N accounts, end to end, on PostgreSQL.

    .venv/bin/python bench/consummation.py                    # 100,000 accounts, its own database
    .venv/bin/python bench/consummation.py --accounts 10000   # quicker
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mine .venv/bin/python bench/consummation.py

It loads the offer and `manage.py load_scale --accounts N` (three firms of its own: three
accounts in five instruct, in every state an open offer's instructions can be in), sends every
firm's file to the exchange agent with the office's own service (`agent_submission_record`: the
agent then holds what was sent), records the agent's total for the whole issue (so that the 99%
minimum is judged on it: two accounts in five never answer) and meets the conditions; then, the
business clock on Sep 5, 2001, it consummates through `offer_consummate` (its four-eyes
approval turned off: one operator's click is not what is measured), timing it stage by
stage (the stages are the service's own functions, timed by wrapping them):

    check        the tabulation read under the instructions' locks, and every rule
    accept       each held instruction accepted, the others not accepted (their transitions)
    confirmations  the confirmations' bulk run and its items
    notices      the payment notices of the Old Notes kept out: the report and the snapshots
    postings     the books: the exchange and fee entries, the payoffs, the positions they move
    commit       the transaction's commit (PostgreSQL checks each entry's balance then)

The consummation's own transaction is all of them. Then it issues --sample confirmations and
--sample payment notices as the bulk runs' drain does (`document_issue`: WeasyPrint, one
process) and gives their rate, and what the whole book would take at that rate on one worker.

The last line is for machines:

    accounts=... accepted=... kept_out=... consummation_s=... check_s=... accept_s=...
    confirmations_s=... notices_s=... postings_s=... commit_s=... confirmation_per_doc_s=...
    notice_per_doc_s=... documents=... documents_hours_one_worker=...
"""

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scale import configure_environment, own_database  # noqa: E402

SEP_5 = date(2001, 9, 5)
NEW_YORK = ZoneInfo("America/New_York")
STAGES = ("check", "accept", "confirmations", "notices", "postings", "commit")


class Stopwatch:
    """Seconds spent in each stage, by wrapping the functions the service calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started

    def wrap(self, module: Any, attribute: str, name: str) -> None:
        function = getattr(module, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.stage(name):
                return function(*args, **kwargs)

        setattr(module, attribute, timed)


def prepare(accounts: int) -> tuple[Any, Any]:
    """The offer, the book, every instruction sent to the agent, the agent's total and the
    conditions met: ready to consummate on Sep 5, 2001. Returns (offer, operations user)."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from exchange_office import clock
    from notes.models import ExchangeOffer
    from notes.services import agent_report_record, offer_load_seed
    from tenders.accounts.models import BrokerFirm
    from tenders.accounts.roles import operations_role_grant
    from tenders.submissions.selectors import participants_to_send
    from tenders.submissions.services import agent_submission_record

    call_command("migrate", verbosity=0, interactive=False)
    offer_load_seed(slug="lexington-2001")
    offer = ExchangeOffer.objects.get(slug="lexington-2001")
    ops, _ = User.objects.get_or_create(username="bench-ops", is_superuser=True, is_staff=True)
    operations_role_grant(user=ops)
    started = time.perf_counter()
    call_command("load_scale", accounts=accounts, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"book of {accounts:,} accounts in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    # The scale firms' BICs, the senders of their files, as operations enter them.
    for index, firm in enumerate(BrokerFirm.objects.filter(bic="").order_by("pk")):
        firm.bic = f"SCL{chr(ord('A') + index)}US33"
        firm.save(update_fields=["bic"])
    with clock.frozen_at(offer.expiration - timedelta(hours=12)):  # the day before it expires
        for firm in participants_to_send(offer=offer):
            agent_submission_record(offer=offer, firm=firm, by=ops)
        agent_report_record(
            offer=offer,
            as_of=clock.today(),
            tendered_principal=offer.outstanding_principal,
            source="Benchmark: the agent's total for the whole issue.",
            by=ops,
        )
    offer.conditions.update(is_satisfied=True, satisfied_on=offer.expiration.date())
    print(f"files sent to the agent in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return offer, ops


def consummate(offer: Any, ops: Any) -> tuple[Any, dict[str, float], float]:
    """`offer_consummate` on Sep 5, 2001, stage by stage; its bulk runs are not drained (their
    drains are queued, and no worker runs here)."""
    from django.db import transaction

    from exchange_office import clock
    from tenders.offers import consummation

    watch = Stopwatch()
    watch.wrap(consummation, "offer_consummate_check", "check")
    watch.wrap(consummation, "instructions_transition", "accept")
    watch.wrap(consummation, "_start_confirmations", "confirmations")
    watch.wrap(consummation, "payment_notices_queue", "notices")
    watch.wrap(consummation, "nontender_report", "notices")  # read once, for both
    watch.wrap(consummation, "consummation_post", "postings")
    with clock.frozen_at(datetime(2001, 9, 5, 10, 0, tzinfo=NEW_YORK)):
        started = time.perf_counter()
        with transaction.atomic():
            inner = consummation.offer_consummate.__wrapped__  # the service without its atomic
            result = inner(offer=offer, on=SEP_5, by=ops)
            commit_started = time.perf_counter()
        watch.seconds["commit"] = time.perf_counter() - commit_started
        total = time.perf_counter() - started
    return result, dict(watch.seconds), total


def issue_sample(run: Any, sample: int) -> tuple[float, int]:
    """Issue the first `sample` documents of the run as its drain does (`document_issue`, a
    WeasyPrint render and the document stored), one by one: the median seconds a document."""
    from exchange_office import clock
    from tenders.documents.services import document_issue

    keys = list(run.items.order_by("id").values_list("key", flat=True)[:sample])
    times = []
    with clock.frozen_at(datetime(2001, 9, 5, 11, 0, tzinfo=NEW_YORK)):
        for key in keys:
            started = time.perf_counter()
            document_issue(key=key)
            times.append(time.perf_counter() - started)
    return (statistics.median(times) if times else 0.0), len(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000, help="the book (N)")
    parser.add_argument("--sample", type=int, default=20, help="documents issued of each kind")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="K",
        help="print the consummation's K costliest functions",
    )
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="consummation-bench-"))
    drop: Callable[[], None] = lambda: None  # noqa: E731
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        database_url, drop = own_database()
    try:
        configure_environment(var_dir, database_url)
        # The consummation itself, not its four-eyes approval (another operator's click).
        os.environ["FOUR_EYES_OFFER_ACTIONS"] = "extend,amend_terms,terminate"
        import django

        django.setup()
        from django.db import connection

        from tenders.instructions.models import Instruction

        print(f"{connection.vendor}: {connection.settings_dict['NAME']}")
        offer, ops = prepare(args.accounts)
        profiler = cProfile.Profile() if args.profile else None
        if profiler is not None:
            profiler.enable()
        result, stages, total = consummate(offer, ops)
        if profiler is not None:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
        accepted = Instruction.objects.filter(offer=offer, status="accepted").count()
        kept_out = result.payment_run.items.count() if result.payment_run else 0
        print(
            f"\nConsummation of {args.accounts:,} accounts ({accepted:,} instructions accepted, "
            f"{result.not_accepted:,} not, {kept_out:,} holders paid off): {total:.1f} s"
        )
        for stage in STAGES:
            print(f"  {stage:<14} {stages.get(stage, 0.0):8.2f} s")
        other = total - sum(stages.values())
        print(f"  {'(the rest)':<14} {other:8.2f} s")
        confirmation_s, confirmed = issue_sample(result.run, args.sample)
        notice_s, noticed = (0.0, 0)
        if result.payment_run is not None:
            notice_s, noticed = issue_sample(result.payment_run, args.sample)
        documents = accepted + kept_out
        hours = (accepted * confirmation_s + kept_out * notice_s) / 3600
        print(f"\nDocuments: {confirmed} confirmations at {confirmation_s:.3f} s each, "
              f"{noticed} payment notices at {notice_s:.3f} s each (medians, one process); "
              f"the book's {documents:,} would take {hours:.2f} h on one worker")  # fmt: skip
        print(
            f"accounts={args.accounts} accepted={accepted} kept_out={kept_out} "
            f"consummation_s={total:.2f} "
            + " ".join(f"{stage}_s={stages.get(stage, 0.0):.2f}" for stage in STAGES)
            + f" confirmation_per_doc_s={confirmation_s:.3f} notice_per_doc_s={notice_s:.3f} "
            f"documents={documents} documents_hours_one_worker={hours:.2f}"
        )
    finally:
        drop()
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
