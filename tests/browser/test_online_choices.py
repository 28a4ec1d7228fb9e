"""Issue 20, items 1 and 2, in Chromium: nothing is chosen for the client; "tender all" with
$50,000 typed is refused at the field on the client's page and on the representative's form,
keeping the amount; a tender page opened at 4:59 p.m. on the firm's cutoff day and posted at
5:00 p.m. records nothing and shows the page again with what is still possible.

The demo stands at 4:59 p.m. on Friday, Aug 31, 2001, a minute before Hudson & Broad's cutoff
(`cutoff_demo`). HB-100004 (Robert A. and Linda M. Chen, $250,000: TIN ending 4485, ZIP 06830)
has not answered; HB-100013 (Winston G. Reyes, $180,000: TIN ending 5358, ZIP 30308) tendered
all online on Aug 16, approved that day.
"""

import sqlite3
from contextlib import closing

from playwright.sync_api import Page, expect

from tests.browser.conftest import BEFORE_CUTOFF_NOW, Demo, axe_violations, log_in
from tests.browser.test_journeys import open_account, sign_every_owner

AT_THE_CUTOFF = "2001-08-31T17:00:00-04:00"


def _submissions(demo: Demo, account: str) -> list[tuple[str, str]]:
    """The account's online submissions (kind, status), oldest first."""
    with closing(sqlite3.connect(demo.var / "exchange_office.sqlite3", timeout=20)) as db:
        return db.execute(
            "SELECT s.kind, s.status FROM tenders_clientsubmission s "
            "JOIN tenders_clientaccount a ON a.id = s.account_id "
            "WHERE a.account_number = ? ORDER BY s.id",
            (account,),
        ).fetchall()


def _open_as_client(page: Page, demo: Demo, account: str, tin_last4: str, zip_code: str) -> None:
    link = demo.manage("client_link", "--offer", "lexington-2001", "--account", account).strip()
    page.goto(link)
    page.fill("#id_tin_last4", tin_last4)
    page.fill("#id_postal_code", zip_code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("client-form")).to_be_visible()


def test_the_client_who_ticks_all_and_types_50000_is_refused_at_the_field(
    page: Page, cutoff_demo: Demo, policy_violations: list[str]
) -> None:
    _open_as_client(page, cutoff_demo, "HB-100004", "4485", "06830")
    form = page.get_by_test_id("client-form")
    assert form.locator("input:checked").count() == 0  # nothing is chosen for the client
    sentence = page.get_by_test_id("will-record")
    expect(sentence).to_contain_text("You have not chosen yet")

    page.check("text=Tender all Old Notes held for my account")
    expect(sentence).to_contain_text("tender all the Old Notes we hold for you ($250,000 today")
    page.fill("#id_amount", "50,000")
    expect(sentence).to_contain_text("You chose “Tender all” and typed an amount")
    page.check("#id_esign_consent")
    page.fill("#id_signature_0", "Robert A. Chen")
    page.fill("#id_signature_1", "Linda M. Chen")
    page.get_by_role("button", name="Sign and submit").click()

    amount = page.locator("#id_amount")
    expect(amount).to_have_value("50,000")
    expect(amount).to_have_attribute("aria-invalid", "true")
    described = amount.get_attribute("aria-describedby")
    assert described
    expect(page.locator(f"#{described.split()[-1]}")).to_contain_text(
        "You chose to tender all and typed $50,000"
    )
    assert _submissions(cutoff_demo, "HB-100004") == []
    assert axe_violations(page, policy_violations) == []

    # She meant the amount: the sentence says so, and that is what is recorded.
    page.check("text=Tender only the aggregate principal amount indicated")
    expect(page.get_by_test_id("will-record")).to_contain_text(
        "we record your instruction to tender only $50,000 principal amount of your Old Notes"
    )
    page.get_by_role("button", name="Sign and submit").click()
    expect(page.get_by_test_id("received")).to_contain_text("tender only $50,000")
    assert _submissions(cutoff_demo, "HB-100004") == [("tender", "awaiting")]


def test_the_representative_who_ticks_all_and_writes_50000_is_refused_at_the_field(
    page: Page, cutoff_demo: Demo, policy_violations: list[str]
) -> None:
    log_in(page, cutoff_demo, "rep")
    open_account(page, cutoff_demo, "HB-100008")
    page.get_by_role("link", name="Take an instruction", exact=True).click()
    page.check("text=Tender all Old Notes held for my account")
    page.fill("#id_amount", "50,000")
    sign_every_owner(page)
    page.click("button[name=_review]")
    amount = page.locator("#id_amount")
    expect(amount).to_have_value("50,000")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-summary")).to_contain_text(
        "“Tender all” is ticked and $50,000 is written"
    )
    expect(page.locator("button[name=_confirm]")).to_have_count(0)  # no review step


def test_a_tender_page_opened_at_4_59_and_posted_at_5_00_records_nothing(
    page: Page, cutoff_demo: Demo, policy_violations: list[str]
) -> None:
    before = _submissions(cutoff_demo, "HB-100013")
    _open_as_client(page, cutoff_demo, "HB-100013", "5358", "30308")
    form = page.get_by_test_id("client-form")
    assert form.locator("input[name=kind]").count() == 2
    assert form.locator("input:checked").count() == 0
    page.check("text=Tender my Old Notes (or change my instruction)")
    page.check("text=Tender only the aggregate principal amount indicated")
    page.fill("#id_amount", "100,000")
    page.check("#id_esign_consent")
    page.fill("#id_signature_0", "Winston G. Reyes")
    expect(page.get_by_test_id("will-record")).to_contain_text("tender only $100,000")

    cutoff_demo.restart_at(AT_THE_CUTOFF)  # the page stays open; the clock strikes five
    try:
        page.get_by_role("button", name="Sign and submit").click()
        changed = page.get_by_test_id("page-changed")
        expect(changed).to_contain_text("Nothing was recorded.")
        expect(changed).to_contain_text(
            "Our deadline for instructions passed at 5:00 p.m. EDT on Friday, August 31, 2001"
        )
        expect(changed).to_contain_text("You may still withdraw your instruction here")
        # What is still possible: the withdrawal, chosen by nobody yet; the name kept.
        expect(page.get_by_role("button", name="Sign and withdraw")).to_be_visible()
        expect(page.locator("#id_amount")).to_have_count(0)
        expect(page.locator("#id_signature_0")).to_have_value("Winston G. Reyes")
        expect(page.locator("#id_esign_consent")).not_to_be_checked()
        assert _submissions(cutoff_demo, "HB-100013") == before
        assert axe_violations(page, policy_violations) == []
    finally:
        cutoff_demo.restart_at(BEFORE_CUTOFF_NOW)
