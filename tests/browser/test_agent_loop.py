"""Issue 21's done-when, in Chromium: the loop with the exchange agent, as operations walk it.

The demo as `make run` serves it (Aug 20, 2001). Operations send Hudson & Broad's file (0901)
from "Submissions to the agent"; the exchange agent SIMULATOR (`manage.py agent_simulator`,
not the agent) answers it with a status advice rejecting one instruction, which operations
import through the admin upload on "Files from the agent". The reconciliation page of 0901
shows the rejection with the agent's reason, and the consummation page lists the rejected
instruction as an exception: it would not be accepted.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_NOW, Demo, _missing, log_in, serve

PARTICIPANT = "0901"
REJECTED = "HB-100002"  # Delaware Valley Pension Trust, $4,127,000
# What the simulator writes for a rejection (tenders/submissions/simulator.py).
REASON = "Simulator: insufficient Old Notes in the participant's DTC account."


@pytest.fixture(scope="module")
def loop_demo(request: pytest.FixtureRequest) -> Iterator[Demo]:
    """The demo as `make run` serves it, its own for this module (it sends 0901's file)."""
    if _missing():
        pytest.skip(f"browser tests skipped: {_missing()}")
    yield from serve("open", DEMO_NOW, request.getfixturevalue("migrated_var_template"))


def test_operations_send_a_file_import_a_rejection_and_see_it_as_a_consummation_exception(
    page: Page, loop_demo: Demo, policy_violations: list[str], tmp_path: Path
) -> None:
    demo = loop_demo
    log_in(page, demo, "ops")

    # Send 0901's file (the firm records seev.033): its instructions go to "submitted".
    page.goto(demo.url("/admin/tenders/agentsubmission/"))
    row = page.locator(f"tr[data-participant='{PARTICIPANT}']")
    expect(row).to_contain_text("new")
    # The server's first ISO 20022 file imports the generated message classes (seconds on an
    # idle machine, much longer beside the suite in `make test`): more than the 30 s default.
    with page.expect_download(timeout=120_000) as download:
        row.get_by_role("button", name="Send and download").click(timeout=120_000)
    assert Path(download.value.path()).read_bytes().lstrip().startswith(b"<")

    # The reconciliation page: every instruction of 0901 sent, none answered yet.
    page.goto(demo.url("/admin/tenders/agentsubmission/"))
    page.get_by_role("link", name=f"Reconciliation of {PARTICIPANT}").click()
    instruction = page.get_by_test_id("rows").locator("tr", has_text=REJECTED)
    expect(instruction).to_have_attribute("data-standing", "unacknowledged")
    reference = instruction.locator("td").first.inner_text().strip()
    assert reference.isalnum(), reference  # the message's reference, as sent
    reconciliation = page.url

    # The agent SIMULATOR's status advice, rejecting that one reference.
    advice = tmp_path / "status-0901.xml"
    demo.manage(
        "agent_simulator", "--offer", "lexington-2001", "--participant", PARTICIPANT,
        "--reply", "status", "--out", str(advice), "--reject", reference,
    )  # fmt: skip
    assert b"SIMULATOR" in advice.read_bytes()  # its narrative says who wrote it

    # Operations import it through the admin upload.
    page.goto(demo.url("/admin/tenders/agentreplyfile/"))
    upload = page.get_by_test_id("upload-agent-file")
    upload.locator("input[type=file]").set_input_files(str(advice))
    upload.get_by_role("button", name="Import").click()
    expect(page.locator(".messagelist")).to_contain_text("rejected=1")
    expect(page.locator(".messagelist")).to_contain_text("unmatched=0")

    # The reconciliation page: the rejected instruction, with the agent's reason.
    page.goto(reconciliation)
    instruction = page.get_by_test_id("rows").locator("tr", has_text=REJECTED)
    expect(instruction).to_have_attribute("data-standing", "rejected")
    expect(instruction).to_contain_text(reference)
    expect(instruction).to_contain_text("LACK")
    expect(instruction).to_contain_text(REASON)
    totals = page.get_by_test_id("totals")
    expect(totals.locator("tr[data-standing='rejected']")).to_contain_text("$4,127,000")

    # The consummation page lists it as an exception: it would not be accepted.
    page.goto(demo.url("/admin/notes/exchangeoffer/"))
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "consummate")
    page.click("button[name=index]")
    exceptions = page.get_by_test_id("consummation-exceptions")
    rejected = exceptions.locator("tr.exception", has_text=REJECTED)
    expect(rejected).to_have_count(1)
    expect(rejected).to_contain_text(reference)
    expect(rejected).to_contain_text("LACK")
    expect(rejected).to_contain_text(REASON)
    expect(rejected).to_contain_text("Not accepted")
    # The rest of 0901's file was accepted by the agent: none of it is an exception.
    for accepted in ("HB-100001", "HB-100010"):
        expect(exceptions.locator("tr", has_text=accepted)).to_have_count(0)
