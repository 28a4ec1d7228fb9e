"""Walk the admin in a real browser under the Content-Security-Policy, and the login lockout.

    make venv; apt-get install chromium                 # as for scripts/browser_check.py
    .venv/bin/python scripts/browser_check_admin.py     # exits non-zero on the first failure

It serves the consummation demo (a temporary var/ folder, the clock on Sep 5, 2001, no worker)
on port 8765. Five wrong passwords lock `rep` out of the site's login and `rep2` out of the
admin's, and each login page says so; then `ops` opens the offer (its worked example),
consummates it, watches the bulk run of confirmations poll its progress (no worker runs, so it
stays running), opens the instruction list, an instruction, a client account (a refused new
TIN is not written back), its history, the documents and the outbox. Any report of the
Content-Security-Policy in the browser's console fails the walk. Screenshots go to --shots.
"""

import argparse
import tempfile
from pathlib import Path

from browser_check import BASE, CHROMIUM_FLAGS, check_policy, log_in, serve, watch_policy
from playwright.sync_api import Page, expect, sync_playwright

CONSUMMATION_NOW = "2001-09-05T10:00:00-04:00"
LOCKED = "Too many failed logins for this user from your address"


def lock_out(page: Page, login_url: str, username: str, password: str) -> None:
    """Five wrong passwords, then the right one: refused, with the plain message."""
    for _ in range(5):
        page.goto(login_url)
        page.fill("#id_username", username)
        page.fill("#id_password", "not-the-password")
        page.click("[type=submit]")
    page.goto(login_url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("[type=submit]")
    assert answer.value.status == 429, answer.value.status
    expect(page.locator("body")).to_contain_text(LOCKED)


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

        lock_out(page, f"{BASE}/login/", "rep", "rep-demo-2001")
        shot(page, "site-login-locked")
        lock_out(page, f"{BASE}/admin/login/", "rep2", "rep2-demo-2001")
        shot(page, "admin-login-locked")

        log_in(page, "ops", "ops-demo-2001")
        expect(page.locator("#site-name")).to_contain_text("Exchange Office")
        page.goto(f"{BASE}/admin/notes/exchangeoffer/")
        page.click("text=Lexington Precision exchange offer")
        expect(page.locator(".worked-example")).to_contain_text("Accrued interest")
        shot(page, "offer-change-page")

        page.goto(f"{BASE}/admin/notes/exchangeoffer/")
        page.check("input[name=_selected_action]")
        page.select_option("select[name=action]", "consummate")
        page.click("button[name=index]")
        expect(page.get_by_test_id("tabulation")).to_contain_text("met")
        shot(page, "consummate-page")
        page.click("input[value='Consummate the offer']")
        expect(page.locator(".messagelist")).to_contain_text("Consummated on")

        page.goto(f"{BASE}/admin/tenders/bulkrun/")
        expect(page.locator(".bulk-progress").first).to_be_visible()
        page.locator("#result_list tbody a").first.click()
        with page.expect_response(lambda r: "/progress/" in r.url, timeout=10_000) as polled:
            pass
        assert polled.value.status == 200, polled.value.status
        expect(page.locator(".bulk-progress progress")).to_be_visible()
        shot(page, "bulk-run-polling")

        page.goto(f"{BASE}/admin/tenders/instruction/")
        expect(page.locator("#result_list")).to_be_visible()
        shot(page, "instruction-list")
        page.locator("#result_list tbody a").first.click()
        shot(page, "instruction-change-page")

        page.goto(f"{BASE}/admin/tenders/clientaccount/")
        page.locator("#result_list tbody a").first.click()
        page.fill("#id_new_tin", "000-00-0000")
        page.click("input[name=_continue]")
        expect(page.locator(".errornote")).to_be_visible()
        expect(page.locator("#id_new_tin")).to_have_value("")
        assert "000-00-0000" not in page.content()
        shot(page, "account-refused-tin-not-echoed")
        page.click("a.historylink")
        expect(page.locator("#change-history")).to_be_visible()
        shot(page, "account-history")

        for path in ("tenders/document/", "tenders/outboxmessage/", ""):
            page.goto(f"{BASE}/admin/{path}")
            expect(page.locator("#content")).to_be_visible()
        shot(page, "admin-index")
        browser.close()
    check_policy(violations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, default=None, help="folder for the screenshots")
    args = parser.parse_args()
    shots = args.shots or Path(tempfile.mkdtemp(prefix="browser-check-admin-"))
    shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="exchange-office-var-") as var_dir:
        server = serve(Path(var_dir), scenario="consummation", now=CONSUMMATION_NOW)
        try:
            run(shots)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"All steps passed; screenshots in {shots}")


if __name__ == "__main__":
    main()
