"""Walk the 2001 offer's extension and consummation in a real browser.

    make venv; apt-get install chromium                 # as for scripts/browser_check.py
    .venv/bin/python scripts/browser_check_lifecycle.py # exits non-zero on the first failure

On a database of its own, the 2001 replay runs to 8:00 a.m. on Sep 5, 2001 (97.04% tendered,
short of the 99% minimum). Then, with the business clock moved for each part:
1. Sep 5, 8:15 a.m.: operations extend the offer to 5:00 p.m. on Sep 17, 2001 in the admin,
   and the tabulation shows the new expiration and the extension on its chart;
2. Sep 10: a representative tenders for an account after the old expiration, inside the
   extension;
3. the replay goes on to Sep 14 (further tenders, conditions met); Sep 18, 10:00 a.m.:
   operations consummate the offer in the admin;
4. the report of holders who do not tender lists the holders still out, not those who came in.
Any report of the Content-Security-Policy in the browser's console fails the walk.
"""

import argparse
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from browser_check import BASE, CHROMIUM_FLAGS, check_policy, log_in, serve, sign_all, watch_policy
from playwright.sync_api import Browser, Page, expect, sync_playwright

SEP_17_FIVE_PM = "5:00 p.m. EDT on Monday, September 17, 2001"


@contextmanager
def served(var_dir: Path, now: str, commands: list[list[str]]) -> Iterator[None]:
    server = serve(var_dir, now=now, commands=commands)
    try:
        yield
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(shots: Path) -> None:
    step = 0

    def shot(page: Page, name: str) -> None:
        nonlocal step
        step += 1
        page.screenshot(path=shots / f"{step:02d}-{name}.png", full_page=True)
        print(f"ok {step:2d} {name}")

    def new_page(browser: Browser) -> Page:
        return watch_policy(browser.new_page(viewport={"width": 1280, "height": 900}), violations)

    violations: list[str] = []
    var_dir = Path(tempfile.mkdtemp(prefix="lifecycle-"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
        )
        replay = ["replay_2001", "--until", "2001-09-05T08:00:00-04:00"]
        with served(var_dir, "2001-09-05T08:15:00-04:00", [["migrate", "-v", "0"], replay]):
            page = new_page(browser)
            log_in(page, "ops", "ops-demo-2001")
            page.goto(f"{BASE}/admin/notes/exchangeoffer/")
            page.check("input[name=_selected_action]")
            page.select_option("select[name=action]", "extend")
            page.click("button[name=index]")
            expect(page.get_by_test_id("lifecycle-facts")).to_contain_text("$26,601,000 (97.04%)")
            page.fill("#id_new_expiration_0", "2001-09-17")
            page.fill("#id_new_expiration_1", "17:00")
            page.fill("#id_reason", "The minimum condition is not met: 97.04% tendered.")
            shot(page, "extend-form")
            page.click("input[name=_extend]")
            expect(page.locator(".messagelist")).to_contain_text(f"Extended to {SEP_17_FIVE_PM}")
            page.goto(f"{BASE}/admin/notes/exchangeoffer/")
            page.get_by_role("link", name="Tabulation").first.click()
            expect(page.locator("#content")).to_contain_text(SEP_17_FIVE_PM)
            expect(page.locator("#tabulation-chart")).to_contain_text("Extended to Sep 17")
            shot(page, "tabulation-after-the-extension")

        with served(var_dir, "2001-09-10T10:00:00-04:00", []):
            page = new_page(browser)
            log_in(page, "rep2", "rep2-demo-2001")
            page.goto(f"{BASE}/accounts/?q=MS-200004")
            page.get_by_role("link", name="MS-200004", exact=True).click()
            expect(page.locator("main")).to_contain_text(SEP_17_FIVE_PM)
            page.get_by_role("link", name="Take an instruction", exact=True).click()
            page.check("text=Tender all Old Notes held for my account")
            sign_all(page)
            page.click("button[name=_review]")
            page.click("button[name=_confirm]")
            expect(page.locator(".alert-success")).to_contain_text("Instruction recorded")
            shot(page, "tendered-inside-the-extension")

        more = ["replay_2001", "--until", "2001-09-14T17:00:00-04:00", "--consummate", "2001-09-18"]
        with served(var_dir, "2001-09-18T10:00:00-04:00", [more]):
            page = new_page(browser)
            log_in(page, "ops", "ops-demo-2001")
            page.goto(f"{BASE}/admin/notes/exchangeoffer/")
            page.check("input[name=_selected_action]")
            page.select_option("select[name=action]", "consummate")
            page.click("button[name=index]")
            expect(page.get_by_test_id("tabulation")).to_contain_text("met")
            shot(page, "consummate")
            page.click("input[value='Consummate the offer']")
            expect(page.locator(".messagelist")).to_contain_text(
                "Consummated on September 18, 2001"
            )

            page.goto(f"{BASE}/admin/tenders/nontenderreportoffer/")
            page.get_by_role("link", name="Open the report").first.click()
            report = page.locator("#content")
            for still_out in ("HB-100005", "HB-100006", "MS-200006", "LC-300009", "HB-100011"):
                expect(report).to_contain_text(still_out)
            for came_in in ("HB-100007", "MS-200007", "MS-200004", "LC-300010"):
                expect(report).not_to_contain_text(came_in)
            shot(page, "holders-who-do-not-tender")
        browser.close()
    check_policy(violations)
    print(f"All steps passed; screenshots in {shots}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, default=None)
    shots = parser.parse_args().shots or Path(tempfile.mkdtemp(prefix="shots-"))
    shots.mkdir(parents=True, exist_ok=True)
    run(shots)


if __name__ == "__main__":
    main()
