"""Issue 14's whole path in Chromium: a client opens the link from their letter on a phone,
fails the check once, passes, tenders $50,000 and signs; the representative approves; the
receipt says "online"; a $2,000,000 instruction waits for the supervisor `sup`; `ops` proposes
an extension and `ops2` approves it.

HB-100003 (Eleanor J. Whitfield, $125,000) has not answered in the demo; her taxpayer ID on
file ends 4388 and her ZIP code is 10583. $50,000 tendered on a Sep 5, 2001 consummation:
$267.04 accrued per $1,000 (domain.md), so $13,352.00 of interest and $63,352.00 of New Notes.
"""

import io
import re

import pdfplumber
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Demo, axe_violations, log_in

PHONE = {"width": 390, "height": 844}  # an iPhone 12's CSS pixels


def _client_link(demo: Demo) -> str:
    out = demo.manage("client_link", "--offer", "lexington-2001", "--account", "HB-100003")
    return out.strip()


def _fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_client_instructs_online_and_the_office_approves(
    browser: Browser, page: Page, demo: Demo, policy_violations: list[str]
) -> None:
    demo.start_worker()  # renders the receipts
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    client = phone.new_page()
    blocked: list[str] = []
    client.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )

    # The client opens the link, gets the check wrong once, then right.
    client.goto(_client_link(demo))
    expect(client.get_by_role("heading", name="Your exchange offer instructions")).to_be_visible()
    assert axe_violations(client, blocked) == []
    client.fill("#id_tin_last4", "1234")
    client.fill("#id_postal_code", "10583")
    client.get_by_role("button", name="Continue").click()
    expect(client.locator(".error-summary, [role=alert]").first).to_contain_text(
        "4 tries left before the link locks"
    )
    client.fill("#id_tin_last4", "4388")
    client.fill("#id_postal_code", "10583")
    client.get_by_role("button", name="Continue").click()

    # The page: the offer in plain words, the position, and the figures as she types.
    expect(client.get_by_text("We hold $125,000 of the")).to_be_visible()
    assert _fits_the_screen(client)
    assert axe_violations(client, blocked) == []
    client.check("text=Tender only the aggregate principal amount indicated")
    client.fill("#id_amount", "50,000")
    expect(client.get_by_test_id("typed-projection")).to_contain_text("$63,352.00")
    expect(client.get_by_test_id("typed-projection")).to_contain_text("$13,352.00")
    client.check("#id_esign_consent")
    client.fill("#id_signature_0", "Eleanor J. Whitfield")
    client.get_by_role("button", name="Sign and submit").click()
    expect(client.get_by_test_id("received")).to_contain_text(
        "your instruction to tender only $50,000 principal amount of Old Notes (account HB-100003)"
    )
    assert _fits_the_screen(client)
    assert blocked == []
    phone.close()

    # The representative approves it from the queue.
    log_in(page, demo, "rep")
    page.goto(demo.url("/reviews/"))
    expect(page.get_by_test_id("review-row-HB-100003")).to_contain_text("Tender $50,000")
    assert axe_violations(page, policy_violations) == []
    page.get_by_test_id("approve-HB-100003").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Approved: account HB-100003 now has instruction version 1, received online"
    )

    # The receipt, rendered by the worker, names the channel.
    page.goto(demo.url("/accounts/?q=HB-100003"))
    page.get_by_role("link", name="HB-100003", exact=True).click()
    receipt = page.get_by_role("link", name="Instruction receipt")
    for _ in range(120):  # the worker renders it in about a second, more under load
        if receipt.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    href = receipt.first.get_attribute("href")
    assert href is not None
    pdf = page.request.get(demo.url(href)).body()
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in document.pages)
    assert "Online, signed electronically on our client page" in text

    # A $2,000,000 instruction waits for the supervisor.
    page.goto(demo.url("/accounts/?q=HB-100002"))
    page.get_by_role("link", name="HB-100002", exact=True).click()
    page.get_by_role("link", name="Amend", exact=True).click()
    page.check("text=Tender only the aggregate principal amount indicated")
    page.fill("#id_amount", "2,000,000")
    rows = page.get_by_test_id("signature-row")
    for index in range(rows.count()):
        owner = rows.nth(index).locator(".fw-semibold").inner_text().removeprefix("Signature of ")
        page.fill(f"#id_signers-{index}-typed_name", owner)
        page.check(f"#id_signers-{index}-attested")
    page.locator("button[name=_review]").click()
    page.locator("button[name=_confirm]").click()
    expect(page.locator(".alert-warning")).to_contain_text("Held for a supervisor")
    page.context.clear_cookies()
    log_in(page, demo, "sup")
    page.goto(demo.url("/reviews/"))
    expect(page.get_by_test_id("held-row-HB-100002")).to_contain_text("$2,000,000")
    page.get_by_test_id("approve-held-HB-100002").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Approved: account HB-100002 now has instruction version 2"
    )

    # ops proposes an extension; ops2 approves it.
    page.context.clear_cookies()
    log_in(page, demo, "ops")
    page.goto(demo.url("/admin/notes/exchangeoffer/"))
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "extend")
    page.click("button[name=index]")
    page.fill("#id_new_expiration_0", "2001-09-17")
    page.fill("#id_new_expiration_1", "17:00")
    page.fill("#id_reason", "The minimum condition is not met yet.")
    page.get_by_role("button", name="Extend the offer").click()
    expect(page.locator(".messagelist")).to_contain_text("Proposed: Extend the offer to")
    page.context.clear_cookies()
    log_in(page, demo, "ops2")
    page.goto(demo.url("/admin/tenders/proposal/?status__exact=awaiting"))
    page.get_by_role("link", name="Approve or reject…").first.click()
    assert axe_violations(page, policy_violations) == []
    page.get_by_test_id("approve-proposal").click()
    expect(page.locator(".messagelist")).to_contain_text(
        re.compile(r"Approved and carried out: Extended to 5:00 p\.m\. EDT on Monday, Sep")
    )
