"""Issue 20's done-when, in Chromium: a client's withdrawal waiting at the expiration is marked
missed and the client told.

The demo at 11:58 p.m. on Tuesday, Sep 4, 2001, two minutes before the offer expires (12
midnight ending Sep 4). HB-100013 (Winston G. Reyes, taxpayer ID on file ending 5358, ZIP code
30308) tendered all his Old Notes online on Aug 16, approved. The firm's cutoff has passed, so
his link offers only the withdrawal, which he signs; his representative sees it at the top of
the queue with two minutes left, and does not act. The business clock is pinned, so it moves
only when the server is started again, at the expiration: the sweep marks the withdrawal missed
and e-mails him, his page says it did not count, and operations see the exception.
"""

import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    DEMO_NOW,
    ROOT,
    Demo,
    _missing,
    _reported_port,
    axe_violations,
    log_in,
    serve,
)

BEFORE_EXPIRATION = "2001-09-04T23:58:00-04:00"
AT_EXPIRATION = "2001-09-05T00:00:00-04:00"
CLIENT = "HB-100013"


@pytest.fixture(scope="module")
def late_demo(request: pytest.FixtureRequest) -> Iterator[Demo]:
    """The demo two minutes before the offer expires."""
    if _missing():
        pytest.skip(f"browser tests skipped: {_missing()}")
    yield from serve("open", BEFORE_EXPIRATION, request.getfixturevalue("migrated_var_template"))


def _serve_again_at(demo: Demo, now: str) -> None:
    """The same demo (its database, so its sessions too) served again with the business clock
    at `now`: a pinned clock moves only when the server starts again. Its port is new; the
    browser's cookies are not bound to a port."""
    old = demo.processes.pop(0)
    old.terminate()
    old.wait(timeout=10)
    demo.env["EXCHANGE_OFFICE_NOW"] = now
    log = demo.var / "server-again.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.browser.demo_server", "--noreload", "127.0.0.1:0"],
            cwd=ROOT,
            env=demo.env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    demo.processes.insert(0, server)
    demo.base = f"http://127.0.0.1:{_reported_port(server, log)}"
    demo.env["PUBLIC_BASE_URL"] = demo.base


def test_a_withdrawal_waiting_at_the_expiration_is_marked_missed_and_the_client_told(
    browser: Browser, page: Page, late_demo: Demo, policy_violations: list[str]
) -> None:
    demo = late_demo
    # The link his letter carried in August (the command prints a link only while it is valid
    # for a tender: run as of then).
    command = ["client_link", "--offer", "lexington-2001", "--account", CLIENT]
    link = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT, env={**demo.env, "EXCHANGE_OFFICE_NOW": DEMO_NOW},
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    path = link.removeprefix(demo.base)

    # 11:58 p.m.: the client withdraws, from the page his link opens.
    context = browser.new_context()
    client = context.new_page()
    client.goto(link)
    client.fill("#id_tin_last4", "5358")
    client.fill("#id_postal_code", "30308")
    client.get_by_role("button", name="Continue").click()
    expect(client.get_by_text("You may still withdraw your instruction here")).to_be_visible()
    client.check("#id_esign_consent")
    client.fill("#id_signature_0", "Winston G. Reyes")
    client.get_by_role("button", name="Sign and withdraw").click()
    expect(client.get_by_test_id("received")).to_contain_text("your withdrawal")
    expect(client.get_by_test_id("review-deadline")).to_contain_text(
        "If it has not been approved by then, it will not count, and we will tell you."
    )

    # The representative sees it first in the queue, with the time left; nobody approves it.
    log_in(page, demo, "rep")
    page.goto(demo.url("/reviews/"))
    expect(page.get_by_test_id("review-flag")).to_contain_text("2 minutes left")
    expect(page.get_by_test_id(f"approve-before-{CLIENT}")).to_contain_text("2 minutes left")
    assert axe_violations(page, policy_violations) == []

    # The expiration: the server's clock moves on, and the sweep runs.
    _serve_again_at(demo, AT_EXPIRATION)
    swept = demo.manage("sweep")
    assert "Online submissions missed at the expiration, clients told" in swept

    # The client's page says, in plain words, that it did not count and what stands.
    client.goto(demo.url(path))
    expect(client.get_by_role("heading", name="What you submitted did not count")).to_be_visible()
    missed = client.get_by_test_id("missed")
    expect(missed).to_contain_text("You submitted the withdrawal of your instruction online")
    expect(missed).to_contain_text("Sep 4, 2001, 11:58:00 p.m. EDT")
    expect(missed).to_contain_text("it did not count")
    expect(missed).to_contain_text("Your instruction was not withdrawn: it stands as recorded")
    assert axe_violations(client) == []
    context.close()

    # Operations: the exception with the client's submission time, and the e-mail, sent.
    demo.start_worker()
    page.context.clear_cookies()
    log_in(page, demo, "ops")
    page.goto(demo.url("/admin/tenders/clientsubmission/?exception=missed"))
    expect(page.locator(".messagelist")).to_contain_text("1 online submission(s) were missed")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(CLIENT)
    expect(row).to_contain_text("Sep 4, 2001, 11:58:00 p.m. EDT")
    expect(row).to_contain_text("Missed: not reviewed before the offer expired")
    outbox = demo.url(f"/admin/tenders/outboxmessage/?q={CLIENT.lower()}%40clients.example")
    told = page.locator("#result_list tbody tr", has_text="did not count")
    for _ in range(60):  # the worker sends it within a second or two, more under load
        page.goto(outbox)
        if told.count() and "Sent" in told.inner_text():
            break
        page.wait_for_timeout(1000)
    expect(told).to_contain_text("Sent")
