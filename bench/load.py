"""Benchmark: the pages under load, over HTTP, against a bare Django view in the same run.

    .venv/bin/python bench/load.py                          # 100,000 accounts, 10 s a page
    .venv/bin/python bench/load.py --accounts 1000 --seconds 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mine .venv/bin/python bench/load.py

It needs wrk (`apt-get install wrk`) and PostgreSQL. Without DATABASE_URL it creates a database
of its own on 127.0.0.1 (user postgres) and drops it at the end. It migrates, collects the static
files, loads the offer and `load_scale --accounts N`, then starts, on 127.0.0.1 only:

- gunicorn with 2 sync workers serving the project with production settings (DEBUG off,
  sessions cached in each process's memory and written through to the database);
- gunicorn with 2 workers serving a bare Django view: no middleware, no database, "ok"
  (bench/bare_wsgi.py): what a request costs before the office does anything.

wrk drives each page with 16 connections (2 threads) for --seconds, signed in as the firm's
representative (`scale-rep-1`) or operations, through session cookies made beforehand:

    list          the representative's account list
    account       an account page
    client        the client's page, reached without a login through the signed link of
                  their letter (links issued by the office's own service to 16 accounts of
                  other firms than the POST's): one client a connection (wrk runs a thread a
                  connection here, so a thread's Lua state is its connection's), which posts
                  the identity check once, keeps the session cookie it answers with, then asks
                  in turn for the page and for its live projection (the JSON the page's
                  script fetches for a typed amount: a third of the position, all of it,
                  nothing typed). It prints how many passed the check and how many pages and
                  projections answered 200
    post          the instruction form's POST: review, then confirm, for a different account
                  that has not answered each time, each with its own submission token (a
                  confirm answers 302 to the account page)
    tabulation    Admin > Exchange offers > Tabulation
    admin_*       the admin's changelists of accounts, positions and instructions

It prints requests per second, p99 latency and the ratio to the bare view's requests per
second for each page. Before each GET page is timed, four requests at once warm it in both
workers; the slowest of them is printed as "cold ms" (for the tabulation, the figures read
afresh after the POSTs changed the data). The last line is for machines ("admin" is the
slowest admin page, the tabulation included; "client" counts the identity posts with the
pages and projections):

    rps_bare= rps_list= rps_post= rps_admin= ratio_list= ratio_post= ratio_admin=
    p99_list_ms= p99_post_ms= p99_admin_ms= ratio_client= p99_client_ms= p99_account_ms=
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notes.models import ExchangeOffer

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

APP_PORT, BARE_PORT = 8781, 8782
CONNECTIONS, THREADS = 16, 2
CSRF = "benchbenchbenchbenchbenchbench12"  # a 32-character CSRF secret, cookie and form alike


@dataclass(frozen=True)
class Result:
    rps: float
    p99_ms: float
    errors: int
    said: str = ""  # what the script's done() printed


def configure_environment(var_dir: Path, database_url: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {
        "DJANGO_SETTINGS_MODULE": "exchange_office.settings",
        "ENV_FILE": "",  # no developer .env (make run writes the demo's)
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TIN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "TIN_HASH_KEY": secrets.token_urlsafe(48),
        "EXCHANGE_OFFICE_VAR_DIR": str(var_dir),
        "EXCHANGE_OFFICE_NOW": "2001-08-20T10:00:00-04:00",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "STATIC_ROOT": str(var_dir / "static"),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
    }
    os.environ.update(env)
    return env


def own_database() -> tuple[str, Callable[[], None]]:
    import psycopg
    from psycopg import sql

    name = f"exchange_office_load_{os.getpid()}"
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


def session_cookie(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def start_gunicorn(app: str, port: int, env: dict[str, str], chdir: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            app,
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(chdir),
            "--log-level",
            "warning",
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return server
        except urllib.error.HTTPError:
            return server  # it answers (a redirect to the login, a 404): it is up
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise SystemExit(f"gunicorn did not start on port {port}")


def stop(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGKILL)


def wrk(
    url: str, seconds: int, cookie: str = "", script: Path | None = None, threads: int = THREADS
) -> Result:
    command = [
        "wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency",
        "--timeout", "30s",
    ]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    requests = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if requests is None:
        raise SystemExit(f"wrk printed no requests per second for {url}:\n{output}")
    rps = float(requests.group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99_ms = float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)
    return Result(
        rps,
        p99_ms,
        (int(errors.group(1)) if errors else 0) + (int(timeouts.group(1)) if timeouts else 0),
        "\n".join(line for line in output.splitlines() if line.startswith("client:")),
    )


def warm_up(url: str, cookie: str) -> float:
    """Requests a GET page four times at once, so that each gunicorn worker serves it once
    before it is timed (the tabulation's figures are cached per process under the data
    version, which the POSTs before it moved). Returns the slowest: the cold request."""

    def fetch(_: int) -> float:
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
        return (time.perf_counter() - started) * 1000

    with ThreadPoolExecutor(max_workers=4) as pool:
        return max(pool.map(fetch, range(4)))


def post_script(var_dir: Path, cookie: str) -> tuple[Path, int]:
    """A wrk script that posts the form for one unanswered account after another: review,
    then confirm with the same fields, each account with a submission token of its own."""
    from tenders.models import ClientAccount

    accounts = (
        ClientAccount.objects.filter(firm__dtc_participant_number="9501", instructions__isnull=True)
        .prefetch_related("owners")
        .order_by("pk")[:20000]
    )
    rows = []
    for account in accounts:
        owners = list(account.owners.all())
        fields = {
            "csrfmiddlewaretoken": CSRF,
            "choice": "ALL",
            "amount": "",
            "form_date": "2001-08-20",
            "address": f"{account.address_line1}\n{account.city}, {account.state} "
            f"{account.postal_code}",
            "phone": str(account.phone),
            "tin_type": "SSN",
            "tin": "",
            "late_reason": "",
            "version": "",
            "signers-TOTAL_FORMS": str(len(owners)),
            "signers-INITIAL_FORMS": str(len(owners)),
            "signers-MIN_NUM_FORMS": "0",
            "signers-MAX_NUM_FORMS": "1000",
        }
        for i, owner in enumerate(owners):
            fields[f"signers-{i}-owner_id"] = str(owner.pk)
            fields[f"signers-{i}-typed_name"] = owner.name
            fields[f"signers-{i}-attested"] = "on"
        body = urllib.parse.urlencode(fields)
        rows.append(f'{{"/accounts/{account.pk}/instruct/", "{body}"}}')
    script = var_dir / "post.lua"
    script.write_text(
        f"""
local forms = {{ {", ".join(rows)} }}
local threads = {THREADS}
local counter = 0
local next_id = 0
id = 0  -- a global: thread:set() gives each thread's own copy its number
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
local function token(n)
  return string.format("00000000-0000-4000-8000-%012d", n)
end
function request()
  local step = counter % 2
  local n = math.floor(counter / 2) * threads + id + 1
  counter = counter + 1
  local form = forms[(n - 1) % #forms + 1]
  local body = form[2] .. "&submission_token=" .. token(n)
  if step == 1 then body = body .. "&_confirm=1" end
  return wrk.format("POST", form[1], {{
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "{cookie}",
  }}, body)
end
"""
    )
    return script, len(rows)


def client_script(var_dir: Path, offer: "ExchangeOffer") -> tuple[Path, int]:
    """A wrk script for the client's page, one client a connection (wrk runs one thread a
    connection for it, so that a thread's state is its connection's): it posts the identity
    check once through the client's signed link, keeps the session cookie that answers, then
    asks for the page and the live projection in turn, for the amounts the client might type
    (a share of their position, all of it, none typed). The links are issued by the office's
    own service, as for a letter run, for accounts the POST does not touch."""
    from tenders.accounts.selectors import position_for
    from tenders.links.selectors import client_link_token
    from tenders.links.services import client_links_issue
    from tenders.models import ClientAccount

    accounts = list(
        ClientAccount.objects.filter(tin_last4__regex=r"^\d{4}$")
        .exclude(firm__dtc_participant_number="9501")  # the POST's firm
        .order_by("-pk")[:CONNECTIONS]
    )
    links = client_links_issue(offer=offer, accounts=accounts)
    unit = offer.unit_principal
    rows = []
    for account in accounts:
        position = position_for(account=account, offer=offer)
        share = max(unit, (position / 3 // unit) * unit)
        identity = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": CSRF,
                "step": "identity",
                "tin_last4": account.tin_last4,
                "postal_code": account.postal_code,
            }
        )
        amounts = ", ".join(f'"{amount}"' for amount in (f"{share:.0f}", f"{position:.0f}", ""))
        token = client_link_token(links[account.pk])
        rows.append(f'{{"/c/{token}/", "{identity}", {{{amounts}}}}}')
    script = var_dir / "client.lua"
    script.write_text(
        f"""
local clients = {{ {", ".join(rows)} }}
local next_id = 0
local threads = {{}}
id = 0  -- globals: thread:set() gives each thread (one connection) its own
passed, pages, projections, refused = 0, 0, 0, 0
local session = nil
local step = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
local function cookie()
  local c = "csrftoken={CSRF}"
  if session then c = "sessionid=" .. session .. "; " .. c end
  return c
end
function request()
  local client = clients[id % #clients + 1]
  if session == nil then
    return wrk.format("POST", client[1], {{
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = cookie(),
    }}, client[2])
  end
  step = step + 1
  if step % 2 == 1 then
    return wrk.format("GET", client[1], {{ ["Cookie"] = cookie() }})
  end
  local amounts = client[3]
  local amount = amounts[math.floor(step / 2) % #amounts + 1]
  return wrk.format("GET", client[1] .. "projection/?amount=" .. amount, {{
    ["Cookie"] = cookie(), ["Accept"] = "application/json",
  }})
end
function response(status, headers, body)
  if session == nil then
    local set = headers["Set-Cookie"] or ""
    local value = string.match(set, "sessionid=([^;]+)")
    if status == 302 and value then
      session = value
      passed = passed + 1
    else
      refused = refused + 1
    end
  elseif status ~= 200 then
    refused = refused + 1
  elseif step % 2 == 1 then
    pages = pages + 1
  else
    projections = projections + 1
  end
end
function done(summary, latency, requests)
  local p, g, j, r = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    p = p + thread:get("passed")
    g = g + thread:get("pages")
    j = j + thread:get("projections")
    r = r + thread:get("refused")
  end
  io.write(string.format("client: passed=%d pages=%d projections=%d refused=%d\\n", p, g, j, r))
end
"""
    )
    return script, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000, help="accounts in the book")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of load per page")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    var_dir = Path(tempfile.mkdtemp(prefix="load-bench-"))
    drop: Callable[[], None] = lambda: None  # noqa: E731
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        database_url, drop = own_database()
    servers: list[subprocess.Popen] = []
    try:
        env = configure_environment(var_dir, database_url)
        import django

        django.setup()
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.db import connection
        from django.urls import reverse

        from notes.services import offer_load_seed
        from tenders.accounts.roles import operations_role_grant
        from tenders.models import ClientAccount

        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        offer = offer_load_seed(slug="lexington-2001")
        ops, _ = User.objects.get_or_create(username="scale-ops")
        operations_role_grant(user=ops)
        started = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            call_command("load_scale", accounts=args.accounts, stdout=quiet)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"{connection.vendor}: {args.accounts:,} accounts ready in "
            f"{time.perf_counter() - started:.1f} s"
        )
        csrf = f"csrftoken={CSRF}"
        rep = f"sessionid={session_cookie('scale-rep-1')}; {csrf}"
        operator = f"sessionid={session_cookie('scale-ops')}; {csrf}"
        account = (
            ClientAccount.objects.filter(
                firm__dtc_participant_number="9501", instructions__version=2
            )
            .values_list("pk", flat=True)
            .first()
        )
        script, forms = post_script(var_dir, rep)
        clients_lua, clients = client_script(var_dir, offer)
        pages = [
            ("list", rep, reverse("tenders:account_list"), None),
            ("account", rep, reverse("tenders:account_detail", args=[account]), None),
            ("client", "", "/", clients_lua),
            ("post", rep, "/", script),
            (
                "tabulation",
                operator,
                reverse("admin:notes_exchangeoffer_tabulation", args=[offer.pk]),
                None,
            ),
            ("admin_accounts", operator, reverse("admin:tenders_clientaccount_changelist"), None),
            ("admin_positions", operator, reverse("admin:tenders_position_changelist"), None),
            ("admin_instructions", operator, reverse("admin:tenders_instruction_changelist"), None),
        ]
        connection.close()

        servers.append(start_gunicorn("bare_wsgi:application", BARE_PORT, {}, BENCH))
        bare = wrk(f"http://127.0.0.1:{BARE_PORT}/", args.seconds)
        stop(servers.pop())
        servers.append(start_gunicorn("exchange_office.wsgi:application", APP_PORT, env, ROOT))
        print(
            f"\n  {'page':<20} {'req/s':>8} {'p99 ms':>8} {'x bare':>8} {'errors':>7} "
            f"{'cold ms':>8}"
        )
        print(
            f"  {'bare view':<20} {bare.rps:>8.1f} {bare.p99_ms:>8.1f} {1:>8.3f} {bare.errors:>7}"
        )
        results: dict[str, Result] = {}
        from tenders.models import Instruction

        before = Instruction.objects.count()
        connection.close()
        for name, cookie, path, lua in pages:
            url = f"http://127.0.0.1:{APP_PORT}{path}"
            cold = "" if lua else f"{warm_up(url, cookie):>8.1f}"
            # The client's script keeps one connection's state a thread: a thread each.
            threads = CONNECTIONS if lua == clients_lua else THREADS
            result = wrk(url, args.seconds, cookie, lua, threads)
            results[name] = result
            print(
                f"  {name:<20} {result.rps:>8.1f} {result.p99_ms:>8.1f} "
                f"{result.rps / bare.rps:>8.4f} {result.errors:>7} {cold}"
            )
        recorded = Instruction.objects.count() - before
        print(
            f"\nThe client's page: {clients} clients, one a connection, each passed the identity "
            f"check once, then the page and the projection in turn ({results['client'].said})."
        )
        print(
            f"\nThe POST cycled over {forms:,} accounts that had not answered: "
            f"{recorded:,} instructions recorded by its confirms."
        )
        admin = min(
            (r for n, r in results.items() if n == "tabulation" or n.startswith("admin_")),
            key=lambda r: r.rps,
        )
        listed, posted, client = results["list"], results["post"], results["client"]
        print(
            f"rps_bare={bare.rps:.1f} rps_list={listed.rps:.1f} rps_post={posted.rps:.1f} "
            f"rps_admin={admin.rps:.1f} ratio_list={listed.rps / bare.rps:.4f} "
            f"ratio_post={posted.rps / bare.rps:.4f} ratio_admin={admin.rps / bare.rps:.4f} "
            f"p99_list_ms={listed.p99_ms:.1f} p99_post_ms={posted.p99_ms:.1f} "
            f"p99_admin_ms={admin.p99_ms:.1f} ratio_client={client.rps / bare.rps:.4f} "
            f"p99_client_ms={client.p99_ms:.1f} p99_account_ms={results['account'].p99_ms:.1f}"
        )
    finally:
        for server in servers:
            stop(server)
        drop()
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
