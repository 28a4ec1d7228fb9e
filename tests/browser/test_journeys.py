"""The representative's day, the files for the exchange agent and the operations' lifecycle, in
Chromium, as people do them."""

import csv
import hashlib
import io
import re
from pathlib import Path

from lxml import etree
from playwright.sync_api import Page, expect

from tests.browser.conftest import Demo, log_in


def open_account(page: Page, demo: Demo, number: str) -> None:
    page.goto(demo.url(f"/accounts/?q={number}"))
    page.get_by_role("link", name=number, exact=True).click()


def sign_every_owner(page: Page) -> None:
    rows = page.get_by_test_id("signature-row")
    for index in range(rows.count()):
        owner = rows.nth(index).locator(".fw-semibold").inner_text().removeprefix("Signature of ")
        page.fill(f"#id_signers-{index}-typed_name", owner)
        page.check(f"#id_signers-{index}-attested")


def withdraw_by_fax(page: Page) -> None:
    """The withdrawal form filled in from the client's signed fax, every owner's name."""
    page.check("text=Fax")
    owners = page.get_by_test_id("notice-signature-row")
    for index in range(owners.count()):
        name = owners.nth(index).locator("label").first.inner_text()
        owners.nth(index).locator("input[type=text]").first.fill(
            name.removeprefix("Name of ").removesuffix(" as printed on the notice")
        )
    page.check("#id_attested")
    page.get_by_role("button", name="Withdraw the instruction").click()
    expect(page.locator(".alert-success")).to_contain_text("withdrawn")


def test_a_representative_tenders_amends_and_withdraws(
    page: Page, demo: Demo, policy_violations: list[str]
) -> None:
    log_in(page, demo, "rep")
    open_account(page, demo, "HB-100008")
    page.get_by_role("link", name="Take an instruction", exact=True).click()
    page.check("text=Tender all Old Notes held for my account")
    sign_every_owner(page)
    page.click("button[name=_review]")
    expect(page.get_by_test_id("review-summary")).to_contain_text("Tender all Old Notes")
    page.click("button[name=_confirm]")
    expect(page.locator(".alert-success")).to_contain_text("Instruction recorded")

    page.get_by_role("link", name="Amend", exact=True).click()
    page.check("text=Tender only the aggregate principal amount indicated")
    page.fill("#id_amount", "50,000")
    sign_every_owner(page)
    page.click("button[name=_review]")
    page.click("button[name=_confirm]")
    expect(page.locator(".alert-success")).to_contain_text("amended")

    page.get_by_role("link", name="Withdraw", exact=True).click()
    withdraw_by_fax(page)


def test_refusals_appear_next_to_their_fields_keeping_what_was_typed(
    page: Page, demo: Demo, policy_violations: list[str]
) -> None:
    log_in(page, demo, "rep")
    open_account(page, demo, "HB-100009")
    page.get_by_role("link", name="Take an instruction", exact=True).click()
    page.check("text=Tender only the aggregate principal amount indicated")
    page.fill("#id_amount", "1,500")
    page.fill("#id_signers-0-typed_name", "Somebody Else")
    page.check("#id_signers-0-attested")
    page.click("button[name=_review]")
    amount = page.locator("#id_amount")
    expect(amount).to_have_value("1,500")
    expect(amount).to_have_attribute("aria-invalid", "true")
    signer = page.locator("#id_signers-0-typed_name")
    expect(signer).to_have_value("Somebody Else")
    expect(signer).to_have_attribute("aria-invalid", "true")
    described = signer.get_attribute("aria-describedby")
    assert described
    expect(page.locator(f"#{described}")).to_contain_text("The printed name must be the owner")

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There are 2 problems")
    summary.get_by_role("link", name=re.compile("The printed name must be the owner")).click()
    expect(signer).to_be_focused()
    summary.get_by_role("link", name=re.compile("Aggregate principal amount")).click()
    expect(amount).to_be_focused()


def test_a_tender_taken_with_the_keyboard_alone(
    page: Page, demo: Demo, policy_violations: list[str]
) -> None:
    log_in(page, demo, "rep")
    open_account(page, demo, "HB-100005")
    page.get_by_role("link", name="Take an instruction", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/instruct/$"))
    page.locator("text=Tender all Old Notes held for my account").focus()
    page.keyboard.press("Space")
    rows = page.get_by_test_id("signature-row")
    for index in range(rows.count()):
        owner = rows.nth(index).locator(".fw-semibold").inner_text().removeprefix("Signature of ")
        page.locator(f"#id_signers-{index}-typed_name").focus()
        page.keyboard.type(owner)
        page.keyboard.press("Tab")  # to the attestation
        page.keyboard.press("Space")
    page.locator("button[name=_review]").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("button[name=_confirm]").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("Instruction recorded")


SEEV040 = "urn:iso:std:iso:20022:tech:xsd:seev.040.001.12"
HEAD = "urn:iso:std:iso:20022:tech:xsd:head.001.001.02"


XCHG = "urn:iso:std:iso:20022:tech:xsd:head.002.001.01"


def send(page: Page, demo: Demo, participant: str) -> bytes:
    """Press the firm's "Send and download" (its own format): the downloaded bytes."""
    page.goto(demo.url("/admin/tenders/agentsubmission/"))
    row = page.locator(f"tr[data-participant='{participant}']")
    with page.expect_download() as download:
        row.get_by_role("button", name="Send and download").click()
    assert download.value.suggested_filename.startswith(f"lexington-2001-{participant}-")
    return Path(download.value.path()).read_bytes()


def preview(page: Page, demo: Demo, participant: str, label: str) -> bytes:
    """Download the firm's preview in the format labelled `label`: the bytes."""
    page.goto(demo.url("/admin/tenders/agentsubmission/"))
    row = page.locator(f"tr[data-participant='{participant}']")
    with page.expect_download() as download:
        row.get_by_role("link", name=label, exact=True).click()
    return Path(download.value.path()).read_bytes()


def references(xml: bytes) -> list[str]:
    """Each instruction's reference (its AppHdr's BizMsgIdr): a business file header whose
    payloads are an AppHdr, then its Document, each with its own default namespace."""
    root = etree.fromstring(xml)
    assert root.tag == f"{{{XCHG}}}Xchg"
    children = [child for payload in root.iterfind(f"{{{XCHG}}}Pyld") for child in payload]
    assert children and len(children) % 2 == 0
    for header, document in zip(children[::2], children[1::2], strict=True):
        assert header.tag == f"{{{HEAD}}}AppHdr" and header.nsmap == {None: HEAD}
        assert document.tag.endswith("}Document") and None in document.nsmap
    return [header.findtext(f"{{{HEAD}}}BizMsgIdr") for header in children[::2]]


def test_operations_send_the_agent_files_and_a_later_withdrawal_cancels_one(
    page: Page, demo: Demo, policy_violations: list[str]
) -> None:
    log_in(page, demo, "ops")
    sent = {}
    for participant in ("0901", "0903"):  # both record seev.033 (0902 records MT565)
        rows = list(csv.DictReader(io.StringIO(preview(page, demo, participant, "CSV").decode())))
        xml = send(page, demo, participant)
        assert [row["reference"] for row in rows] == references(xml)
        sent[participant] = xml
    assert send(page, demo, "0902").startswith(b"{1:F01DEMMUS30AXXX")
    page.goto(demo.url("/admin/tenders/agentsubmission/"))
    for participant, xml in sent.items():
        row = page.locator(f"tr[data-participant='{participant}']")
        expect(row).to_contain_text("Nothing to send")
        expect(page.locator("#result_list")).to_contain_text(hashlib.sha256(xml).hexdigest()[:16])
    # One channel: once sent, the MT565 preview holds none of them.
    assert preview(page, demo, "0901", "MT565") == b""
    # The representative withdraws a submitted instruction: the firm's next file cancels it.
    page.context.clear_cookies()
    log_in(page, demo, "rep")
    open_account(page, demo, "HB-100007")
    page.get_by_role("link", name="Withdraw", exact=True).click()
    withdraw_by_fax(page)
    page.context.clear_cookies()
    log_in(page, demo, "ops")
    cancellation = etree.fromstring(send(page, demo, "0901"))
    documents = [
        child
        for payload in cancellation.iterfind(f"{{{XCHG}}}Pyld")
        for child in payload
        if child.tag.endswith("}Document")
    ]
    assert [document.nsmap[None] for document in documents] == [SEEV040]
    original = documents[0].findtext(
        "/".join(f"{{{SEEV040}}}{tag}" for tag in ("CorpActnInstrCxlReq", "InstrId", "Id"))
    )
    assert original in references(sent["0901"])


def test_operations_consummate_and_watch_the_confirmations_finish(
    page: Page, consummation_demo: Demo, policy_violations: list[str]
) -> None:
    demo = consummation_demo
    log_in(page, demo, "ops")
    page.goto(demo.url("/admin/notes/exchangeoffer/"))
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "consummate")
    page.click("button[name=index]")
    expect(page.get_by_test_id("tabulation")).to_contain_text("met")
    page.click("input[value='Consummate the offer']")
    # Four eyes: ops proposes, ops2 approves and so carries it out.
    expect(page.locator(".messagelist")).to_contain_text("Proposed: Consummate the offer")
    page.context.clear_cookies()
    log_in(page, demo, "ops2")
    page.goto(demo.url("/admin/tenders/proposal/"))
    page.get_by_role("link", name="Approve or reject…").first.click()
    page.get_by_test_id("approve-proposal").click()
    expect(page.locator(".messagelist")).to_contain_text("Consummated on")
    page.goto(demo.url("/admin/tenders/bulkrun/"))
    page.locator("#result_list tbody a").first.click()
    # The worker runs beside the server: the run's page polls until every item is done.
    expect(page.locator(".bulk-progress")).to_contain_text("finished", timeout=120_000)
