"""A walk over every page of the site and the admin, as a representative, operations staff and
an anonymous visitor see them: each is sent with an enforced Content-Security-Policy that allows
no inline script or style, holds no inline script, style or event handler the policy would
block, and is sent `Cache-Control: no-store`."""

import re
from typing import Any

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, reverse

from tenders import urls as tenders_urls
from tenders.documents.selectors import document_link
from tenders.intake.services import instruction_submit
from tenders.models import BulkRun, BulkRunItem, ClientAccount
from tenders.online.selectors import client_link_token
from tenders.online.services import client_link_issue
from tests import factories
from tests.tenders.conftest import make_input

pytestmark = pytest.mark.django_db

Page = tuple[str, HttpResponse]
FEED_HEADER = (
    "participant,account_number,owners,address_line1,address_line2,city,state,postal_code,"
    "country,email,phone,principal"
)

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


@pytest.fixture
def scene(account: ClientAccount, joint_account: ClientAccount, offer: Any, rep: Any) -> dict:
    """An account with an instruction, its document and a running bulk run; a joint account
    with none."""
    instruction = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    document = factories.DocumentFactory(instruction=instruction)
    run = BulkRun.objects.create(offer=offer, created_by=rep, created_at=document.generated_at)
    BulkRunItem.objects.create(
        run=run, account=account, instruction=instruction, key=f"confirmation:i{instruction.pk}"
    )
    return {"account": account, "joint": joint_account, "document": document, "offer": offer}


def _tenders_pages(scene: dict) -> dict[str, list[tuple[str, str, dict]]]:
    """Every URL of tenders.urls, by name: (method, url, data) of its GET and refused POST."""
    account, joint = scene["account"].pk, scene["joint"].pk

    def url(name: str, *args: Any) -> str:
        return reverse(f"tenders:{name}", args=args)

    return {
        "account_list": [("get", url("account_list"), {})],
        "account_detail": [("get", url("account_detail", account), {})],
        "instruction_new": [
            ("get", url("instruction_new", joint), {}),
            ("post", url("instruction_new", joint), {"tin": "987-65-4321"}),
        ],
        "instruction_amend": [
            ("get", url("instruction_amend", account), {}),
            ("post", url("instruction_amend", account), {"tin": "987-65-4321"}),
        ],
        "instruction_withdraw": [("get", url("instruction_withdraw", account), {})],
        "account_history": [("get", url("account_history", account), {})],
        "reveal_tin": [("post", url("reveal_tin", account), {"reason": "client asked"})],
        "blank_form": [
            ("get", url("blank_form"), {}),
            ("get", f"{url('blank_form')}?account={account}", {}),
        ],
        "document_download": [("get", url("document_download", scene["document"].pk), {})],
        "client_letter": [("get", url("client_letter", account), {})],  # POST only: refused
        # A quarter the account has no movement in, or not yet over: refused plainly.
        "statement": [("post", url("statement", account), {"period": "2001Q3"})],
        "review_queue": [("get", url("review_queue"), {})],
        "submission_approve": [("post", url("submission_approve", account), {"submission": 0})],
        "submission_reject": [("post", url("submission_reject", account), {"reason": "x"})],
        "link_unlock": [("post", url("link_unlock", account), {})],
        "held_approve": [("post", url("held_approve", account), {"held": 0})],
        "held_reject": [("post", url("held_reject", account), {"held": 0, "note": "x"})],
    }


def _admin_pages(scene: dict, ops: Any) -> list[tuple[str, str, dict]]:
    request = _request_as(ops)
    pages = [("get", reverse("admin:index"), {})]
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(("get", reverse(f"{info}_changelist"), {}))
        row = model._default_manager.first()
        if row is not None:
            pages.append(("get", reverse(f"{info}_change", args=[row.pk]), {}))
            pages.append(("get", reverse(f"{info}_history", args=[row.pk]), {}))
        if model_admin.has_add_permission(request):
            pages.append(("get", reverse(f"{info}_add"), {}))
    changelist = reverse("admin:notes_exchangeoffer_changelist")
    consummate = {"action": "consummate", "_selected_action": [scene["offer"].pk]}
    pages.append(("post", changelist, consummate))
    # The offer's tabulation (its own admin URL): the page, and a refused agent's total.
    tabulation = reverse("admin:notes_exchangeoffer_tabulation", args=[scene["offer"].pk])
    pages.append(("get", tabulation, {}))
    pages.append(("post", tabulation, {"tendered_principal": "1500", "source": "fax"}))
    # The offer's trial balance (operations only), and a date that is not one.
    books = reverse("admin:notes_exchangeoffer_trial_balance", args=[scene["offer"].pk])
    pages.append(("get", books, {}))
    pages.append(("get", books, {"as_of": "2001-02-30"}))
    # The positions feed's import page, its preview of an upload, and a refused line.
    feed_import = reverse("admin:tenders_position_import")
    pages.append(("get", feed_import, {}))
    for principal in ("150000", "1500"):
        text = f"{FEED_HEADER}\n{scene['account'].firm.dtc_participant_number},HB-100003,"
        text += f"Eleanor J. Whitfield,1 Main Street,,New York,NY,10004,US,,,{principal}\n"
        upload = SimpleUploadedFile("feed.csv", text.encode(), "text/csv")
        pages.append(("post", feed_import, {"resource": "0", "format": "0", "import_file": upload}))
    return pages


def _request_as(user: Any) -> Any:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _fetch(client: Client, pages: list[tuple[str, str, dict]]) -> list[Page]:
    fetched = []
    for method, url, data in pages:
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, url
        fetched.append((f"{method.upper()} {url}", response))
    return fetched


@pytest.fixture
def walk(scene: dict, rep: Any, ops: Any) -> list[Page]:
    """Every page: the representative's (each URL of tenders.urls), operations staff's admin
    pages, what an anonymous visitor sees (the logins, the client's signed link) and what a
    user without a role is told."""
    pages: list[Page] = []
    anonymous = Client()
    pages += _fetch(anonymous, [("get", "/", {}), ("get", "/login/", {})])
    pages += _fetch(anonymous, [("post", "/login/", {"username": "rep", "password": "wrong"})])
    pages += _fetch(anonymous, [("get", reverse("admin:login"), {})])
    pages += _fetch(anonymous, [("get", document_link(scene["document"]), {})])
    # The client's own page from their link: the identity check, a wrong answer, the page.
    client_page = reverse(
        "client_page",
        args=[client_link_token(client_link_issue(offer=scene["offer"], account=scene["account"]))],
    )
    pages += _fetch(
        anonymous,
        [
            ("get", client_page, {}),
            ("post", client_page, {"step": "identity", "tin_last4": "0000", "postal_code": "1"}),
        ],
    )
    no_role = Client()
    no_role.force_login(factories.UserFactory(username="no-role"))
    pages += _fetch(no_role, [("get", "/", {})])
    representative = Client()
    representative.force_login(rep)
    for entries in _tenders_pages(scene).values():
        pages += _fetch(representative, entries)
    operations = Client()
    operations.force_login(ops)
    pages += _fetch(operations, [("get", "/", {}), *_tenders_pages(scene)["reveal_tin"]])
    pages += _fetch(operations, _admin_pages(scene, ops))
    return pages


def _html(pages: list[Page]) -> list[tuple[str, str]]:
    return [
        (label, response.content.decode())
        for label, response in pages
        if response["Content-Type"].startswith("text/html")
    ]


def test_the_walk_covers_every_url_of_the_representatives_pages(scene: dict) -> None:
    names = {p.name for p in tenders_urls.urlpatterns if isinstance(p, URLPattern)}
    assert names == set(_tenders_pages(scene))


def test_the_walk_covers_the_admin_pages_named_in_the_issue(walk: list[Page], scene: dict) -> None:
    run = BulkRun.objects.get()
    fetched = dict(walk)
    offer_page = fetched[
        f"GET {reverse('admin:notes_exchangeoffer_change', args=[scene['offer'].pk])}"
    ]
    run_page = fetched[f"GET {reverse('admin:tenders_bulkrun_change', args=[run.pk])}"]
    assert "Worked example" in offer_page.content.decode()
    assert 'data-live="true"' in run_page.content.decode()  # the bar that polls
    assert f"GET {reverse('admin:tenders_instruction_changelist')}" in fetched
    tabulation = reverse("admin:notes_exchangeoffer_tabulation", args=[scene["offer"].pk])
    assert "<svg" in fetched[f"GET {tabulation}"].content.decode()  # the chart, inline


def test_every_page_is_sent_an_enforced_policy_without_unsafe_inline(walk: list[Page]) -> None:
    for label, response in walk:
        policy = response.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy, label
        assert "style-src 'self'" in policy, label
        assert "default-src 'none'" in policy, label
        assert "unsafe-inline" not in policy, label
        assert "unsafe-eval" not in policy, label
        assert "Content-Security-Policy-Report-Only" not in response, label


BLOCKED = {
    "inline <script>": INLINE_SCRIPT,
    "<style> element": STYLE_ELEMENT,
    "style= attribute": STYLE_ATTRIBUTE,
    "on...= event handler": EVENT_HANDLER,
    "javascript: URL": JAVASCRIPT_URL,
}


def test_no_page_holds_what_the_policy_blocks(walk: list[Page]) -> None:
    pages = _html(walk)
    assert len(pages) > 40
    found = {
        (what, label): pattern.findall(html)[:2]
        for label, html in pages
        for what, pattern in BLOCKED.items()
        if pattern.search(html)
    }
    assert found == {}


def test_every_page_is_sent_no_store(walk: list[Page]) -> None:
    for label, response in walk:
        assert "no-store" in response.get("Cache-Control", ""), label


def test_pages_that_set_no_cache_header_of_their_own_are_sent_no_store_and_private(
    client: Client, rep: Any, scene: dict
) -> None:
    client.force_login(rep)
    response = client.get(reverse("tenders:account_detail", args=[scene["account"].pk]))
    assert response["Cache-Control"] == "no-store, private"


def test_a_download_keeps_its_own_cache_control(client: Client, rep: Any, scene: dict) -> None:
    client.force_login(rep)
    response = client.get(reverse("tenders:document_download", args=[scene["document"].pk]))
    assert response["Cache-Control"] == "private, no-store"


@override_settings(WHITENOISE_USE_FINDERS=True)  # the suite does not run collectstatic
def test_static_files_keep_their_caching(client: Client) -> None:
    response = client.get("/static/css/office.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
