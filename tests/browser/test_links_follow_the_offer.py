"""Issue 20, point 4, in Chromium: the link in a client's first letter follows the offer.

HB-100003 (Eleanor J. Whitfield, $125,000, taxpayer ID ending 4388, ZIP 10583) has not answered
in the demo (Aug 20, 2001). Hudson & Broad's cutoff is one banking day before the expiration, at
5:00 p.m.: for the offer expiring at 12 midnight ending Tuesday, Sep 4 it is Friday, Aug 31
(Monday, Sep 3 is Labor Day). `ops` proposes an extension to 5:00 p.m. on Monday, Sep 17 and
`ops2` approves it: the cutoff becomes Friday, Sep 14, at 5:00 p.m. The demo is then served again
with the business clock on Sep 5, past the first cutoff, and on Sep 14 at 5:00 p.m.
"""

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Demo, axe_violations, log_in

PHONE = {"width": 390, "height": 844}
NEW_CUTOFF = "5:00 p.m. EDT on Friday, September 14, 2001"


def _extend_to_sep_17(page: Page, demo: Demo) -> None:
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
    page.get_by_test_id("approve-proposal").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved and carried out: Extended to")
    page.context.clear_cookies()


def test_the_original_link_after_an_extension_takes_the_tender_until_the_new_cutoff(
    browser: Browser, page: Page, demo: Demo, policy_violations: list[str]
) -> None:
    # The link of the first letter (Aug 20), kept as the client keeps the letter.
    url = demo.manage("client_link", "--offer", "lexington-2001", "--account", "HB-100003")
    path = url.strip().removeprefix(demo.base)
    _extend_to_sep_17(page, demo)

    # Sep 5: the first cutoff (Aug 31) has passed; the link follows the offer to Sep 14.
    demo.restart_at("2001-09-05T10:00:00-04:00")
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    client = phone.new_page()
    client.goto(demo.url(path))
    client.fill("#id_tin_last4", "4388")
    client.fill("#id_postal_code", "10583")
    client.get_by_role("button", name="Continue").click()
    deadline = client.locator("p", has_text="We must receive your instructions by")
    expect(deadline).to_contain_text(NEW_CUTOFF)
    expect(client.locator("main")).not_to_contain_text("August 31, 2001")
    client.check("text=Tender only the aggregate principal amount indicated")
    client.fill("#id_amount", "50,000")
    client.check("#id_esign_consent")
    client.fill("#id_signature_0", "Eleanor J. Whitfield")
    client.get_by_role("button", name="Sign and submit").click()
    expect(client.get_by_test_id("received")).to_contain_text(
        "your instruction to tender only $50,000 principal amount of Old Notes (account HB-100003)"
    )
    expect(client.locator("main")).to_contain_text(NEW_CUTOFF)
    phone.close()

    # The representative sees it to review, and the account page shows the link's new date.
    log_in(page, demo, "rep")
    page.goto(demo.url("/reviews/"))
    expect(page.get_by_test_id("review-row-HB-100003")).to_contain_text("Tender $50,000")
    page.goto(demo.url("/accounts/?q=HB-100003"))
    page.get_by_role("link", name="HB-100003", exact=True).click()
    expect(page.get_by_test_id("client-link")).to_contain_text(
        f"Valid for instructions until {NEW_CUTOFF}"
    )
    assert axe_violations(page, policy_violations) == []

    # At the new cutoff the same link closes, and says when it could be used.
    demo.restart_at("2001-09-14T17:00:00-04:00")
    closed = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    late = closed.new_page()
    late.goto(demo.url(path))
    expect(late.get_by_role("heading", name="This link has expired")).to_be_visible()
    expect(late.locator("main")).to_contain_text(NEW_CUTOFF)
    closed.close()
