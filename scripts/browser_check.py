"""Walk the demo in a real browser, as a representative and operations staff would.

    make venv                                           # Playwright is a dev requirement
    apt-get install chromium                            # the browser it drives
    .venv/bin/python scripts/browser_check.py           # exits non-zero on the first failure

It serves a fresh demo database of its own (a temporary var/ folder) on port 8765, then as `rep`
tenders all for one account, a partial amount for another, amends it, withdraws a third, is
refused for $1,500 and for an amount above the position, and, after `ops` adds the account's
state to the offer's exclusion list in the admin, is refused for that account. Screenshots of
each step go to the folder given with --shots (default: a temporary folder). Any report of the
Content-Security-Policy in the browser's console (something it blocked) fails the walk.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def serve(
    var_dir: Path,
    *,
    scenario: str = "open",
    now: str = "2001-08-20T10:00:00-04:00",
    commands: list[list[str]] | None = None,
) -> subprocess.Popen:
    """Prepare the database (migrate and load the demo, or `commands`) and serve it with the
    business clock at `now`."""
    env = {
        **os.environ,
        "DEBUG": "true",
        "ENV_FILE": os.devnull,
        "EXCHANGE_OFFICE_VAR_DIR": str(var_dir),
        "EXCHANGE_OFFICE_NOW": now,
    }
    python = sys.executable
    if commands is None:
        commands = [["migrate", "-v", "0"], ["load_demo", "--scenario", scenario]]
    for args in commands:
        subprocess.run(
            [python, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    server = subprocess.Popen(
        [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{PORT}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(60):
        try:
            urllib.request.urlopen(f"{BASE}/login/", timeout=1)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the demo server did not start")


def watch_policy(page: Page, violations: list[str]) -> Page:
    """Record every Content-Security-Policy report Chromium writes to the page's console."""

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return page


def check_policy(violations: list[str]) -> None:
    if violations:
        raise SystemExit("The Content-Security-Policy blocked:\n" + "\n".join(violations))
    print("ok    no Content-Security-Policy violation in the console")


def log_in(page: Page, username: str, password: str) -> None:
    page.goto(f"{BASE}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def open_account(page: Page, number: str) -> None:
    page.goto(f"{BASE}/accounts/?q={number}")
    page.get_by_role("link", name=number, exact=True).click()


def sign_all(page: Page) -> None:
    rows = page.locator(".signature-row")
    for index in range(rows.count()):
        owner = rows.nth(index).locator(".fw-semibold").inner_text().removeprefix("Signature of ")
        page.fill(f"#id_signers-{index}-typed_name", owner)
        page.check(f"#id_signers-{index}-attested")


def instruct(page: Page, amount: str | None, *, amend: bool = False) -> None:
    name = "Amend" if amend else "Take an instruction"
    page.get_by_role("link", name=name, exact=True).click()
    if amount is None:
        page.check("text=Tender all Old Notes held for my account")
    else:
        page.check("text=Tender only the aggregate principal amount indicated")
        page.fill("#id_amount", amount)
    sign_all(page)
    page.click("button[name=_review]")


def run(shots: Path) -> None:
    step = 0

    def shot(page: Page, name: str) -> None:
        nonlocal step
        step += 1
        page.screenshot(path=shots / f"{step:02d}-{name}.png", full_page=True)
        print(f"ok {step:2d} {name}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
        )
        violations: list[str] = []
        page = watch_policy(browser.new_page(viewport={"width": 1280, "height": 900}), violations)
        log_in(page, "rep", "rep-demo-2001")
        expect(page.locator("h1")).to_contain_text("Hudson & Broad Securities LLC")

        open_account(page, "HB-100003")
        instruct(page, None)
        expect(page.get_by_test_id("projection-label")).to_contain_text(
            "projected, assuming consummation on Wednesday, September 5, 2001"
        )
        expect(page.get_by_test_id("entitlement")).to_contain_text("$158,380.00")
        shot(page, "review-tender-all")
        page.click("button[name=_confirm]")
        expect(page.locator(".alert-success")).to_contain_text("Instruction recorded")
        shot(page, "tendered-all")

        open_account(page, "HB-100008")
        instruct(page, "1,500")
        expect(page.locator("#id_amount_error")).to_contain_text("positive whole multiple")
        expect(page.locator("#id_amount")).to_have_value("1,500")
        shot(page, "refused-1500")
        page.fill("#id_amount", "80,000")
        page.click("button[name=_review]")
        expect(page.locator("#id_amount_error")).to_contain_text("more than the $75,000 held")
        shot(page, "refused-above-position")
        page.fill("#id_amount", "50,000")
        page.click("button[name=_review]")
        page.click("button[name=_confirm]")
        expect(page.locator(".alert-success")).to_contain_text("Instruction recorded")
        shot(page, "tendered-partial")

        instruct(page, "60,000", amend=True)
        page.click("button[name=_confirm]")
        expect(page.locator(".alert-success")).to_contain_text("amended")
        expect(page.locator("main")).to_contain_text("Tender $60,000")
        shot(page, "amended")

        open_account(page, "HB-100010")
        page.get_by_role("link", name="Withdraw", exact=True).click()
        page.check("text=Signed letter")
        page.locator("[data-testid=notice-signature-row] input[type=text]").first.fill(
            page.locator("[data-testid=notice-signature-row] label")
            .first.inner_text()
            .removeprefix("Name of ")
            .removesuffix(" as printed on the notice")
        )
        page.check("#id_attested")
        page.get_by_role("button", name="Withdraw the instruction").click()
        expect(page.locator(".alert-success")).to_contain_text("withdrawn")
        shot(page, "withdrawn")

        page.get_by_role("link", name="History", exact=True).click()
        expect(page.get_by_test_id("audit-trail")).to_contain_text("Instruction version 2")
        shot(page, "history")

        operations = watch_policy(
            browser.new_page(viewport={"width": 1280, "height": 900}), violations
        )
        log_in(operations, "ops", "ops-demo-2001")
        operations.goto(f"{BASE}/admin/notes/exchangeoffer/")
        operations.click("text=Lexington Precision exchange offer")
        operations.click("text=Add another excluded jurisdiction")
        operations.select_option("select[name='excluded_jurisdictions-0-state']", "NJ")
        operations.fill("input[name='excluded_jurisdictions-0-reason']", "State statute")
        operations.click("input[name=_continue]")
        expect(operations.locator(".messagelist")).to_contain_text("was changed successfully")
        shot(operations, "ops-excludes-new-jersey")

        open_account(page, "HB-100006")  # Margaret L. Doyle, Montclair, NJ
        instruct(page, None)
        expect(page.get_by_test_id("form-errors")).to_contain_text(
            "not made to holders domiciled in New Jersey (State statute)"
        )
        shot(page, "refused-excluded-state")

        page.get_by_role("link", name="Blank instruction form").click()
        expect(page.get_by_test_id("paper-form")).to_be_visible()
        shot(page, "blank-form")
        browser.close()
    check_policy(violations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, default=None, help="folder for the screenshots")
    args = parser.parse_args()
    shots = args.shots or Path(tempfile.mkdtemp(prefix="browser-check-"))
    shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="exchange-office-var-") as var_dir:
        server = serve(Path(var_dir))
        try:
            run(shots)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"All steps passed; screenshots in {shots}")


if __name__ == "__main__":
    main()
