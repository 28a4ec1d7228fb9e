"""Send the demo's files to the exchange agent in a real browser, then cancel one.

    make venv; apt-get install chromium                 # as for scripts/browser_check.py
    .venv/bin/python scripts/browser_check_agent.py     # exits non-zero on the first failure

It serves the demo as `make run` does (Aug 20, 2001, a temporary var/ folder, no worker) on
port 8765. `ops` opens Admin > Submissions to the agent and, for each firm, sends and downloads
the seev.033 and the CSV: each download is read (one AppHdr and one Document per instruction,
each with its own default namespace; one CSV row per instruction, the same references) and the
file is listed under "Files sent" with its SHA-256. Then `rep` withdraws HB-100007's submitted
$400,000, and the firm's next seev.033 is its seev.040 cancellation, naming the original's
reference. Any report of the Content-Security-Policy in the browser's console fails the walk.
"""

import argparse
import csv
import hashlib
import io
import tempfile
from pathlib import Path

from browser_check import (
    BASE,
    CHROMIUM_FLAGS,
    check_policy,
    log_in,
    open_account,
    serve,
    watch_policy,
)
from lxml import etree
from playwright.sync_api import Page, expect, sync_playwright

FIRMS = ("0901", "0902", "0903")
SEEV033 = "urn:iso:std:iso:20022:tech:xsd:seev.033.001.12"
SEEV040 = "urn:iso:std:iso:20022:tech:xsd:seev.040.001.12"
HEAD = "urn:iso:std:iso:20022:tech:xsd:head.001.001.02"
SUBMISSIONS = f"{BASE}/admin/tenders/agentsubmission/"


def send(page: Page, participant: str, file_format: str) -> bytes:
    """Press the firm's "Send and download" for `file_format`; the downloaded bytes."""
    page.goto(SUBMISSIONS)
    form = page.locator(
        f"tr[data-participant='{participant}'] "
        f"form:has(input[name=file_format][value={file_format}])"
    )
    with page.expect_download() as download:
        form.get_by_role("button", name="Send and download").click()
    path = download.value.path()
    assert download.value.suggested_filename.startswith(f"lexington-2001-{participant}-")
    return Path(path).read_bytes()


def references_in_xml(content: bytes) -> list[str]:
    """The BizMsgIdr of each AppHdr, checking each AppHdr and Document declares its own
    default namespace (no prefixes) and that they alternate."""
    root = etree.fromstring(content)
    children = list(root)
    assert children and len(children) % 2 == 0, len(children)
    references = []
    for header, document in zip(children[::2], children[1::2], strict=True):
        assert header.tag == f"{{{HEAD}}}AppHdr", header.tag
        assert header.nsmap == {None: HEAD}, header.nsmap
        assert document.tag.endswith("}Document"), document.tag
        assert None in document.nsmap and len(document.nsmap) == 1, document.nsmap
        references.append(header.findtext(f"{{{HEAD}}}BizMsgIdr"))
    assert b"<ns" not in content and b":AppHdr" not in content
    return references


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
        ops = watch_policy(
            browser.new_context(
                accept_downloads=True, viewport={"width": 1280, "height": 900}
            ).new_page(),
            violations,
        )
        log_in(ops, "ops", "ops-demo-2001")
        ops.goto(SUBMISSIONS)
        expect(ops.get_by_test_id("to-send")).to_contain_text("0901")
        shot(ops, "to-send")

        sent: dict[str, bytes] = {}
        for participant in FIRMS:
            xml = send(ops, participant, "seev033")
            table = send(ops, participant, "csv")
            references = references_in_xml(xml)
            rows = list(csv.DictReader(io.StringIO(table.decode("utf-8-sig"))))
            assert [row["reference"] for row in rows] == references, (rows, references)
            assert {row["participant"] for row in rows} == {participant}, rows
            assert {row["status"] for row in rows} == {"submitted"}, rows
            sent[participant] = xml
            print(f"ok    {participant}: {len(references)} instruction(s) in seev.033 and CSV")
            sent[f"{participant}-csv"] = table

        ops.goto(SUBMISSIONS)
        expect(ops.locator(".messagelist")).to_contain_text("Recorded Submission")
        for participant in FIRMS:
            expect(ops.locator(f"tr[data-participant='{participant}']")).to_contain_text(
                "Nothing to send"
            )
        listed = ops.locator("#result_list tbody tr")
        expect(listed).to_have_count(2 * len(FIRMS))
        for content in sent.values():
            digest = hashlib.sha256(content).hexdigest()
            expect(ops.locator("#result_list")).to_contain_text(digest[:16])
        shot(ops, "files-sent")

        rep = watch_policy(browser.new_page(viewport={"width": 1280, "height": 900}), violations)
        log_in(rep, "rep", "rep-demo-2001")
        open_account(rep, "HB-100007")
        expect(rep.locator("body")).to_contain_text("Submitted")
        rep.get_by_role("link", name="Withdraw", exact=True).click()
        rep.get_by_role("button", name="Withdraw the instruction").click()
        expect(rep.locator(".alert-success")).to_contain_text("withdrawn")
        shot(rep, "rep-withdraws-a-submitted-instruction")

        ops.goto(SUBMISSIONS)
        expect(ops.locator("tr[data-participant='0901']")).to_contain_text("1 cancellation(s)")
        shot(ops, "cancellation-due")
        cancellation = send(ops, "0901", "seev033")
        root = etree.fromstring(cancellation)
        documents = [child for child in root if child.tag.endswith("}Document")]
        assert [d.nsmap[None] for d in documents] == [SEEV040], [d.nsmap for d in documents]
        path = "/".join(f"{{{SEEV040}}}{tag}" for tag in ("CorpActnInstrCxlReq", "InstrId", "Id"))
        original = documents[0].findtext(path)
        assert original in references_in_xml(sent["0901"]), original
        print(f"ok    0901: seev.040 cancels {original}")
        browser.close()
    check_policy(violations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, default=None, help="folder for the screenshots")
    args = parser.parse_args()
    shots = args.shots or Path(tempfile.mkdtemp(prefix="browser-check-agent-"))
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
