"""axe-core on every page a representative or operations reach in the demo: no violations."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Demo, axe_violations, log_in

REPRESENTATIVE_PAGES = [
    "/login/",
    "/accounts/",
    "/accounts/?answer=not-answered",
    "/accounts/?q=Nguyen",
    "/instruction-form/",
    "/reviews/",
]
ACCOUNT_PAGES = ["", "instruct/", "history/"]  # under /accounts/<pk>/ of HB-100008
ADMIN_PAGES = [
    "/admin/",
    "/admin/notes/exchangeoffer/",
    "/admin/notes/exchangeoffer/1/change/",
    "/admin/notes/exchangeoffer/1/tabulation/",
    "/admin/notes/exchangeoffer/1/history/",
    "/admin/notes/issuer/",
    "/admin/notes/security/",
    "/admin/notes/agentreport/",
    "/admin/tenders/brokerfirm/",
    "/admin/tenders/clientaccount/",
    "/admin/tenders/clientaccount/1/change/",
    "/admin/tenders/clientaccount/1/history/",
    "/admin/tenders/position/",
    "/admin/tenders/position/import/",
    "/admin/tenders/instruction/",
    "/admin/tenders/instruction/1/change/",
    "/admin/tenders/document/",
    "/admin/tenders/outboxmessage/",
    "/admin/tenders/bulkrun/",
    "/admin/tenders/agentsubmission/",
    "/admin/tenders/letterdispatch/",
    "/admin/tenders/reminder/",
    "/admin/tenders/tinreveal/",
    "/admin/tenders/proposal/",
    "/admin/tenders/proposal/1/change/",
    "/admin/tenders/proposal/1/history/",
    "/admin/tenders/heldinstruction/",
    "/admin/tenders/heldinstruction/1/change/",
    "/admin/auth/user/",
]


def _scan(page: Page, url: str, policy_violations: list[str]) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    page.wait_for_load_state("networkidle")
    return axe_violations(page, policy_violations)


@pytest.mark.parametrize("path", REPRESENTATIVE_PAGES)
def test_a_representatives_page_has_no_axe_violations(
    page: Page, demo: Demo, path: str, policy_violations: list[str]
) -> None:
    if path != "/login/":
        log_in(page, demo, "rep")
    violations = _scan(page, demo.url(path), policy_violations)
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize("suffix", ACCOUNT_PAGES)
def test_an_account_page_has_no_axe_violations(
    page: Page, demo: Demo, suffix: str, policy_violations: list[str]
) -> None:
    log_in(page, demo, "rep")
    page.goto(demo.url("/accounts/?q=HB-100008"))
    page.get_by_role("link", name="HB-100008", exact=True).click()
    violations = _scan(page, page.url + suffix, policy_violations)
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_an_admin_page_has_no_axe_violations(
    page: Page, demo: Demo, path: str, policy_violations: list[str]
) -> None:
    log_in(page, demo, "ops")
    violations = _scan(page, demo.url(path), policy_violations)
    assert violations == [], "\n".join(violations)


def test_a_refused_form_has_no_axe_violations(
    page: Page, demo: Demo, policy_violations: list[str]
) -> None:
    log_in(page, demo, "rep")
    page.goto(demo.url("/accounts/?q=HB-100008"))
    page.get_by_role("link", name="HB-100008", exact=True).click()
    page.get_by_role("link", name="Take an instruction", exact=True).click()
    page.check("text=Tender only the aggregate principal amount indicated")
    page.fill("#id_amount", "1,500")
    page.click("button[name=_review]")
    assert page.locator(".invalid-feedback").first.is_visible()
    violations = axe_violations(page, policy_violations)
    assert violations == [], "\n".join(violations)


def test_a_refused_admin_save_has_no_axe_violations_and_focuses_its_summary(
    page: Page, demo: Demo, policy_violations: list[str]
) -> None:
    log_in(page, demo, "ops")
    page.goto(demo.url("/admin/tenders/clientaccount/1/change/"))
    page.fill("#id_postal_code", "not a zip")
    page.locator("input[name=_continue]").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=re.compile("ZIP|postal", re.IGNORECASE)).click()
    expect(page.locator("#id_postal_code")).to_be_focused()
    violations = axe_violations(page, policy_violations)
    assert violations == [], "\n".join(violations)


def test_a_failed_login_has_no_axe_violations_and_focuses_its_summary(
    page: Page, demo: Demo, policy_violations: list[str]
) -> None:
    page.goto(demo.url("/login/"))
    page.fill("#id_username", "rep")
    page.fill("#id_password", "not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#error-summary")).to_be_focused()
    violations = axe_violations(page, policy_violations)
    assert violations == [], "\n".join(violations)
