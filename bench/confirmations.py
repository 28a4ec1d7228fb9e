"""Benchmark: exchange confirmations as PDF, against the floor of the renderer.

Renders N confirmations through `tenders.documents.rendering.render_confirmation`, the real
code path (the instruction read from the database, the entitlement engine, the Django template,
WeasyPrint),
and in the same run N one-line pages with the same stylesheet and fonts: the floor, what
WeasyPrint costs for any page at all. For both it prints the median, min and max seconds per
document in this process, documents per second with 1 and 2 worker processes (spawned: each
sets Django up, imports WeasyPrint once and keeps one FontConfiguration), and the peak RSS.
The last line is for machines:

    per_doc_s=... floor_s=... ratio_to_floor=... docs_per_s_1=... docs_per_s_2=...
    speedup_2_workers=... peak_rss_mb=... per_doc_cpu_s=... floor_cpu_s=... load_1m=...

(the CPU medians and the load average when it ends, added last: the figures of a busy
machine read with them).

Run from the repository root:

    .venv/bin/python bench/confirmations.py --n 200
    .venv/bin/python bench/confirmations.py --n 30 --profile 20 --levers 10

`--profile K` profiles K confirmations (cProfile) and prints where the time goes;
`--levers K` renders K confirmations without each lever (one FontConfiguration, HarfBuzz
subsetting, no CSS framework, our user-agent stylesheet, the collector paused, the compiled
template) and with WeasyPrint's other options, to show what each is worth. The data are the
demo's (three firms, 40 accounts) in a temporary SQLite database, the offer consummated on
Sep 5, 2001.
"""

import argparse
import cProfile
import io
import logging
import multiprocessing
import os
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CONSUMMATION = date(2001, 9, 5)
GENERATED_AT = datetime(2001, 9, 5, 15, 0, tzinfo=UTC)  # 11:00 a.m. in New York
# One line, in the faces a confirmation uses (DejaVu Sans, Sans Bold, Serif Bold), with the
# documents' stylesheet, which render_html applies to every page it renders.
FLOOR_HTML = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body><p>'
    'One line in <strong>bold</strong> and in <span class="firm-name">the letterhead face</span>.'
    "</p></body></html>"
)


# Setting up Django (here and in every worker process)


def configure_environment(var_dir: Path) -> dict[str, str]:
    """DEBUG settings on a temporary SQLite file; workers inherit the environment."""
    env = {
        "DJANGO_SETTINGS_MODULE": "exchange_office.settings",
        "ENV_FILE": "",  # no developer .env (make run writes the demo's)
        "DEBUG": "true",
        "EXCHANGE_OFFICE_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'bench.sqlite3'}",
        "EXCHANGE_OFFICE_NOW": "",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
    os.environ.update(env)
    return env


def setup_django() -> None:
    import django

    django.setup()


def build_data() -> list[int]:
    """Migrate, load the demo, consummate the offer; the accepted instructions' ids.

    The statuses are set directly, as the tests do: the consummation service is not what
    this measures."""
    from django.core.management import call_command
    from django.db import transaction

    from notes.models import OfferStatus
    from tenders.accounts.selectors import position_for
    from tenders.demo import load_demo
    from tenders.models import Instruction, InstructionStatus

    call_command("migrate", verbosity=0, interactive=False)
    offer = load_demo()
    with transaction.atomic():
        offer.status = OfferStatus.CONSUMMATED
        offer.consummation_date = CONSUMMATION
        offer.save(update_fields=["status", "consummation_date"])
        live = Instruction.objects.filter(
            offer=offer, status__in=[InstructionStatus.RECEIVED, InstructionStatus.SUBMITTED]
        ).select_related("account")
        for instruction in live:
            instruction.resolved_amount = instruction.amount or position_for(
                account=instruction.account, offer=offer
            )
            instruction.status = InstructionStatus.ACCEPTED
            instruction.save(update_fields=["status", "resolved_amount"])
    return list(
        Instruction.objects.filter(offer=offer, status=InstructionStatus.ACCEPTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# One document


def render_one(kind: str, pk: int, number: int) -> Any:
    from django.utils import timezone

    from tenders.documents import rendering as pdf
    from tenders.models import Instruction

    if kind == "floor":
        return pdf.render_html(FLOOR_HTML)
    return pdf.render_confirmation(
        Instruction.objects.get(pk=pk),
        document_number=f"BENCH-{number:06d}",
        generated_at=GENERATED_AT,
        generated_wall_at=timezone.now(),
    )


def time_in_process(kind: str, pks: list[int], n: int) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU seconds per document, and the pages of the first one. On a busy
    machine the CPU time shows what the work costs, the wall clock what a client waits."""
    wall, cpu, pages = [], [], 0
    for i in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        rendered = render_one(kind, pks[i % len(pks)], i)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        pages = pages or rendered.pages
    return wall, cpu, pages


# Worker processes


def _worker_init(env: dict[str, str], warm_pk: int, barrier: Any) -> None:
    os.environ.update(env)
    setup_django()
    render_one("floor", warm_pk, 0)  # imports WeasyPrint, makes the FontConfiguration
    render_one("confirmation", warm_pk, 0)  # loads every font face the document uses
    barrier.wait(timeout=300)


def _worker_render(task: tuple[str, int, int]) -> tuple[float, int]:
    kind, pk, number = task
    start = time.perf_counter()
    render_one(kind, pk, number)
    return time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def throughput(kind: str, pks: list[int], n: int, workers: int, env: dict[str, str]) -> float:
    """Documents per second with warmed-up workers (start-up is not counted)."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(workers + 1)
    tasks = [(kind, pks[i % len(pks)], i) for i in range(n)]
    chunksize = 1 if kind == "confirmation" else max(1, n // (workers * 10))
    with ctx.Pool(workers, initializer=_worker_init, initargs=(env, pks[0], barrier)) as pool:
        barrier.wait(timeout=300)
        start = time.perf_counter()
        results = pool.map(_worker_render, tasks, chunksize=chunksize)
        elapsed = time.perf_counter() - start
        pool.close()
        pool.join()
    _worker_peaks.append(max(rss for _, rss in results))
    return n / elapsed


_worker_peaks: list[int] = []


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children, *_worker_peaks) / 1024  # kilobytes on Linux


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# Where the time goes


PHASES = (
    (
        "database and engine (confirmation_context)",
        "tenders/documents/contexts.py",
        "confirmation_context",
    ),
    ("Django template", "django/template/loader.py", "render_to_string"),
    ("HTML parsing", "weasyprint/__init__.py", "__init__"),
    ("CSS: fetch, parse, cascade", "weasyprint/css/__init__.py", "get_all_computed_styles"),
    ("boxes", "weasyprint/formatting_structure/build.py", "build_formatting_structure"),
    ("layout", "weasyprint/layout/__init__.py", "layout_document"),
    ("PDF: draw, fonts, write", "weasyprint/document.py", "write_pdf"),
    ("  of which font subsetting", "weasyprint/pdf/fonts.py", "subset"),
)


def profile(pks: list[int], k: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(k):
        render_one("confirmation", pks[i % len(pks)], i)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = max(
        (v[3] for key, v in stats.stats.items() if key[2] == "render_confirmation"), default=0
    )
    print(f"\nProfile of {k} confirmations (cProfile; its overhead slows pure Python):")
    print(f"  {'phase':<46}{'s/doc':>8}{'share':>8}")
    for label, file, function in PHASES:
        cumulative = sum(
            v[3] for key, v in stats.stats.items() if key[0].endswith(file) and key[2] == function
        )
        share = cumulative / total if total else 0
        print(f"  {label:<46}{cumulative / k:>8.3f}{share:>8.0%}")
    print(f"  {'total (render_confirmation)':<46}{total / k:>8.3f}{1:>8.0%}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print("  busiest functions (own time):")
    for line in lines[start : start + 13]:
        print("   ", line[:150])


# What each lever is worth (the same documents without it)


def levers(pks: list[int], k: int) -> list[tuple[str, float, float]]:
    import weasyprint.pdf.fonts as weasy_fonts
    from weasyprint.text.fonts import FontConfiguration

    from tenders.documents import rendering as pdf

    engine = pdf._get_engine()
    results = []
    shared_cache: dict[str, Any] = {}

    def measure(label: str, patch: Callable[[], Callable[[], None]] | None) -> None:
        undo = patch() if patch else None
        weasyprint_logger = logging.getLogger("weasyprint")
        level = weasyprint_logger.level
        weasyprint_logger.setLevel(logging.ERROR)  # the fallbacks warn on every document
        try:
            times, cpu, _ = time_in_process("confirmation", pks, k)
        finally:
            weasyprint_logger.setLevel(level)
            if undo:
                undo()
        results.append((label, statistics.median(times), statistics.median(cpu)))

    def fresh_font_config() -> Callable[[], None]:
        shared, original = engine.font_config, pdf.render_html

        def render_html(html: str) -> Any:
            engine.font_config = FontConfiguration()
            return original(html)

        pdf.render_html = render_html

        def undo() -> None:
            pdf.render_html = original
            engine.font_config = shared

        return undo

    def without_harfbuzz_subset() -> Callable[[], None]:
        original = weasy_fonts.harfbuzz_subset
        weasy_fonts.harfbuzz_subset = None

        def undo() -> None:
            weasy_fonts.harfbuzz_subset = original

        return undo

    def with_bootstrap() -> Callable[[], None]:
        original = pdf.render_html
        bootstrap = '<link rel="stylesheet" href="vendor/bootstrap-5.3.9/bootstrap.min.css">'

        def render_html(html: str) -> Any:
            return original(html.replace("<head>", "<head>" + bootstrap, 1))

        pdf.render_html = render_html

        def undo() -> None:
            pdf.render_html = original

        return undo

    def with_options(**options: Any) -> Callable[[], Callable[[], None]]:
        """WeasyPrint's rendering and `write_pdf` options (one dict serves both, as in
        `HTML.write_pdf`), as render_html does it otherwise."""

        def patch() -> Callable[[], None]:
            original = pdf.render_html

            def render_html(html: str) -> Any:
                base_url = pdf.static_dir().resolve().as_uri() + "/"
                with pdf.collector_paused():
                    document = engine.html_class(
                        string=html, base_url=base_url, url_fetcher=engine.url_fetcher
                    ).render(
                        font_config=engine.font_config,
                        stylesheets=[engine.stylesheet()],
                        **options,
                    )
                    content = document.write_pdf(**options)
                return pdf.RenderedPdf(content=content, pages=len(document.pages))

            pdf.render_html = render_html

            def undo() -> None:
                pdf.render_html = original

            return undo

        return patch

    def weasyprint_user_agent() -> Callable[[], None]:
        import weasyprint

        ours, engine.html_class = engine.html_class, weasyprint.HTML

        def undo() -> None:
            engine.html_class = ours

        return undo

    def collector_running() -> Callable[[], None]:
        import contextlib

        paused, pdf.collector_paused = pdf.collector_paused, contextlib.nullcontext

        def undo() -> None:
            pdf.collector_paused = paused

        return undo

    def template_compiled_each_time() -> Callable[[], None]:
        from django.template import engines

        loader = engines["django"].engine.template_loaders[0]  # Django's cached loader
        original = pdf.render_html

        def render_html(html: str) -> Any:
            loader.reset()  # the next document's template is read and compiled again
            return original(html)

        pdf.render_html = render_html

        def undo() -> None:
            pdf.render_html = original

        return undo

    measure("all levers (as shipped)", None)
    measure("a new FontConfiguration per document", fresh_font_config)
    measure("fontTools subsetting (no libharfbuzz-subset)", without_harfbuzz_subset)
    if (pdf.static_dir() / "vendor/bootstrap-5.3.9/bootstrap.min.css").is_file():
        measure("Bootstrap 5 added to the stylesheet", with_bootstrap)
    measure("WeasyPrint's own user-agent stylesheet", weasyprint_user_agent)
    measure("garbage collector running during the render", collector_running)
    measure("template compiled for every document", template_compiled_each_time)
    measure("PDF streams left uncompressed (larger files)", with_options(uncompressed_pdf=True))
    measure("optimize_images=True (no images: no change)", with_options(optimize_images=True))
    measure("presentational_hints=True", with_options(presentational_hints=True))
    measure("cache={} shared by the documents (images)", with_options(cache=shared_cache))
    measure("tagged PDF/UA-1 (pdf_variant='pdf/ua-1')", with_options(pdf_variant="pdf/ua-1"))
    for size in (5, 20):
        results.append((f"{size} confirmations per render, split after", *batched(pks, k, size)))
    return results


def batched(pks: list[int], k: int, size: int) -> tuple[float, float]:
    """Seconds per confirmation when `size` of them are laid out in one WeasyPrint render and
    the PDF is split afterwards (each document's pages by its anchor). Not shipped: the
    footer's "Page N of M" counts the whole batch (WeasyPrint has no page groups, and an
    element's counter-reset does not reach the page counter)."""
    import re

    from django.template.loader import render_to_string
    from django.utils import timezone

    from tenders.documents import rendering as pdf
    from tenders.documents.contexts import confirmation_context
    from tenders.models import Instruction

    engine = pdf._get_engine()
    base_url = pdf.static_dir().resolve().as_uri() + "/"
    body = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)
    per_doc, per_doc_cpu = [], []
    done = 0
    while done < k:
        started, started_cpu = time.perf_counter(), time.process_time()
        htmls = []
        for i in range(size):
            instruction = Instruction.objects.get(pk=pks[(done + i) % len(pks)])
            meta = pdf._document_meta(f"BENCH-{done + i:06d}", GENERATED_AT, timezone.now())
            htmls.append(
                render_to_string(
                    "pdf/confirmation.html", {**confirmation_context(instruction), **meta}
                )
            )
        head = htmls[0][: htmls[0].index("<body")]
        parts = "".join(
            f'<div id="batch-{i}" style="break-before: page">{body.search(html).group(1)}</div>'
            for i, html in enumerate(htmls)
            if body.search(html)
        )
        document = engine.html_class(
            string=f"{head}<body>{parts}</body></html>",
            base_url=base_url,
            url_fetcher=engine.url_fetcher,
        ).render(font_config=engine.font_config, stylesheets=[engine.stylesheet()])
        starts = [
            next(n for n, page in enumerate(document.pages) if f"batch-{i}" in page.anchors)
            for i in range(size)
        ]
        for i, first in enumerate(starts):
            last = starts[i + 1] if i + 1 < size else len(document.pages)
            document.copy(document.pages[first:last]).write_pdf()
        per_doc.append((time.perf_counter() - started) / size)
        per_doc_cpu.append((time.process_time() - started_cpu) / size)
        done += size
    return statistics.median(per_doc), statistics.median(per_doc_cpu)


# The run


def summary(times: list[float]) -> tuple[float, float, float]:
    return statistics.median(times), min(times), max(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="documents per measurement")
    parser.add_argument("--profile", type=int, default=0, metavar="K", help="profile K docs")
    parser.add_argument("--levers", type=int, default=0, metavar="K", help="K docs per lever")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")

    var_dir = Path(tempfile.mkdtemp(prefix="exchange-office-bench-"))
    try:
        run(args, configure_environment(var_dir))
    finally:
        if args.keep:
            print(f"(kept {var_dir})")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def run(args: argparse.Namespace, env: dict[str, str]) -> None:
    setup_django()
    started = time.perf_counter()
    pks = build_data()
    print(
        f"Data: demo offer consummated {CONSUMMATION:%b %d, %Y}, {len(pks)} accepted "
        f"instructions rendered in turn ({time.perf_counter() - started:.1f} s to set up)"
    )

    from tenders.documents import rendering as pdf

    start = time.perf_counter()
    pdf._get_engine()
    import_s = time.perf_counter() - start
    start = time.perf_counter()
    render_one("confirmation", pks[0], 0)
    first_s = time.perf_counter() - start
    subset = pdf.harfbuzz_subset_available()
    print("libharfbuzz-subset:", "installed" if subset else pdf.HARFBUZZ_SUBSET_MISSING)
    print(
        f"WeasyPrint import and FontConfiguration: {import_s:.2f} s once per process; "
        f"first confirmation (fonts loading): {first_s:.2f} s"
    )
    render_one("floor", pks[0], 0)

    rss_before = current_rss_mb()
    confirmation_times, confirmation_cpu, pages = time_in_process("confirmation", pks, args.n)
    rss_after = current_rss_mb()
    floor_times, floor_cpu, floor_pages = time_in_process("floor", pks, args.n)

    if args.profile:
        profile(pks, args.profile)
    lever_results = levers(pks, args.levers) if args.levers else []

    rates = {}
    for kind in ("confirmation", "floor"):
        for workers in (1, 2):
            rates[kind, workers] = throughput(kind, pks, args.n, workers, env)

    doc, floor = summary(confirmation_times), summary(floor_times)
    ratio = doc[0] / floor[0]
    speedup = rates["confirmation", 2] / rates["confirmation", 1]
    floor_speedup = rates["floor", 2] / rates["floor", 1]
    peak = peak_rss_mb()

    cpu = statistics.median(confirmation_cpu), statistics.median(floor_cpu)
    print(f"\n{args.n} documents each, {os.cpu_count()} CPUs; seconds per document in one process")
    header = (
        f"{'':<28}{'median':>8}{'min':>8}{'max':>8}{'cpu med':>9}"
        f"{'docs/s 1w':>11}{'docs/s 2w':>11}{'2w/1w':>7}"
    )
    print(header)
    print("-" * len(header))
    for label, (median, low, high), cpu_median, kind, two_to_one in (
        (f"confirmation ({pages} pages)", doc, cpu[0], "confirmation", speedup),
        (f"floor: one line ({floor_pages} page)", floor, cpu[1], "floor", floor_speedup),
    ):
        print(
            f"{label:<28}{median:>8.4f}{low:>8.4f}{high:>8.4f}{cpu_median:>9.4f}"
            f"{rates[kind, 1]:>11.2f}{rates[kind, 2]:>11.2f}{two_to_one:>7.2f}"
        )
    print(
        f"ratio to the floor (medians): {ratio:.2f}x wall clock, {cpu[0] / cpu[1]:.2f}x CPU "
        "(aim: within 5x)"
    )
    print(f"two workers against one: {speedup:.2f}x   (aim: at least 1.7x)")
    print(
        f"peak RSS: {peak:.0f} MB (max of this process and the workers); "
        f"RSS over the {args.n} in-process confirmations: {rss_before:.0f} -> {rss_after:.0f} MB"
    )
    if lever_results:
        print(
            f"\nWhat each lever is worth (median of {args.levers} confirmations, in process; "
            "the CPU column is what a busy machine disturbs less):"
        )
        print(f"  {'':<48}{'wall':>9}{'':>7}{'cpu':>9}")
        base, base_cpu = lever_results[0][1], lever_results[0][2]
        for label, median, cpu_median in lever_results:
            print(
                f"  {label:<48}{median:>8.4f}s{median / base:>6.2f}x"
                f"{cpu_median:>8.4f}s{cpu_median / base_cpu:>6.2f}x"
            )
    print(
        f"per_doc_s={doc[0]:.4f} floor_s={floor[0]:.4f} ratio_to_floor={ratio:.2f} "
        f"docs_per_s_1={rates['confirmation', 1]:.2f} docs_per_s_2={rates['confirmation', 2]:.2f} "
        f"speedup_2_workers={speedup:.2f} peak_rss_mb={peak:.0f} "
        f"per_doc_cpu_s={cpu[0]:.4f} floor_cpu_s={cpu[1]:.4f} load_1m={os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
