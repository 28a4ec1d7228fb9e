# ruff: noqa: F811  (the fixtures imported from test_agent_replies are arguments here)
"""The agent's replies where people see them: the admin upload on "Files from the agent"
(imported, checked only, refused whole with each problem beside the field, refused the second
time, refused to staff without tenders.add_agentreplyfile), the instruction list's agent
column, and each live instruction's standing with the agent on the representative's account
page and account list, read in a fixed number of queries. The files are the agent simulator's.

The scene is test_agent_replies.py's: Hudson & Broad (DTC 0901) sends Keystone's tender of all
$7,250,000 and the Ferris Family Foundation's $400,000 as seev.033.
"""

import html
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from exchange_office.formatting import timestamp
from tenders.data_version.cache import tabulation_data_version
from tenders.data_version.models import DataVersion
from tenders.instructions.models import Instruction
from tenders.submissions.models import AgentReply, AgentReplyFile
from tenders.submissions.replies import agent_replies_import
from tenders.submissions.simulator import REJECTION_REASON, agent_simulator_file
from tests import factories
from tests.tenders.test_agent_replies import (  # noqa: F401  (fixtures)
    channel,
    ferris,
    firm,
    instructed,
    keystone,
    offer,
    sent,
    tender_400000,
    tender_all,
)

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:tenders_agentreplyfile_upload")
FILES = reverse("admin:tenders_agentreplyfile_changelist")


def _reference(instruction: Instruction) -> str:
    return f"0901I{instruction.pk}V{instruction.version}"


def _status_file(offer: Any, firm: Any, *, reject: tuple[str, ...] = ()) -> bytes:
    return agent_simulator_file(offer=offer, firm=firm, reply="status", reject=reject)


def _upload(client: Client, content: bytes, *, dry_run: bool = False) -> Any:
    data: dict[str, Any] = {"file": SimpleUploadedFile("reply.xml", content)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(UPLOAD, data, follow=True)


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def ops_client(client: Client, ops: Any) -> Client:
    client.force_login(ops)
    return client


@pytest.fixture
def rep_client(client: Client, rep: Any) -> Client:
    client.force_login(rep)
    return client


# The admin upload on "Files from the agent"


def test_an_uploaded_simulator_file_is_recorded_with_its_counts(
    ops_client, offer, firm, sent, tender_400000
):
    content = _status_file(offer, firm, reject=(_reference(tender_400000),))
    response = _upload(ops_client, content)
    assert response.status_code == 200
    assert "Imported reply.xml: matched=2 unmatched=0 rejected=1." in _text(response)
    recorded = AgentReplyFile.objects.get()
    assert (recorded.matched, recorded.unmatched, recorded.rejected) == (2, 0, 1)
    assert AgentReply.objects.filter(file=recorded).count() == 2


def test_the_files_from_the_agent_page_is_titled_for_what_it_is(ops_client):
    page = _text(ops_client.get(reverse("admin:tenders_agentreplyfile_changelist")))
    assert "<h1>Files from the agent</h1>" in page
    assert "Select file" not in page  # Django's default title


def test_check_only_shows_the_counts_and_writes_nothing(ops_client, offer, firm, sent):
    response = _upload(ops_client, _status_file(offer, firm), dry_run=True)
    assert "Checked, nothing written: matched=2 unmatched=0 rejected=0." in _text(response)
    assert not AgentReplyFile.objects.exists()
    assert not AgentReply.objects.exists()


def test_a_file_with_an_unknown_reference_is_refused_whole_with_each_problem_beside_the_field(
    ops_client, offer, firm, sent
):
    content = _status_file(offer, firm)
    content = content.replace(sent[0].encode(), b"0901I999991V1")
    content = content.replace(sent[1].encode(), b"0901I999992V1")
    response = _upload(ops_client, content)
    assert response.status_code == 400
    errors = response.context["upload_form"].errors["file"]
    assert len(errors) == 2
    assert "0901I999991V1" in errors[0]
    assert "0901I999992V1" in errors[1]
    page = _text(response)
    assert "The file is refused, nothing was imported (matched=0 unmatched=2" in page
    assert "answers 0901I999991V1, which no file sent to the agent holds" in page
    assert not AgentReplyFile.objects.exists()
    assert not AgentReply.objects.exists()


def test_the_same_file_uploaded_twice_is_refused_the_second_time(ops_client, offer, firm, sent):
    content = _status_file(offer, firm)
    _upload(ops_client, content)
    response = _upload(ops_client, content)
    assert response.status_code == 400
    assert "imported before" in " ".join(response.context["upload_form"].errors["file"])
    assert AgentReplyFile.objects.count() == 1
    assert AgentReply.objects.count() == 2


@pytest.fixture
def viewer_client(client: Client) -> Client:
    """Staff who may see the agent's files, not add one."""
    viewer = factories.UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_agentreplyfile"))
    client.force_login(viewer)
    return client


def test_staff_without_the_add_permission_see_no_upload_button(viewer_client, sent):
    page = _text(viewer_client.get(FILES))
    assert "Only operations staff import the agent's files." in page
    assert UPLOAD not in page


def test_staff_without_the_add_permission_cannot_upload(viewer_client, offer, firm, sent):
    response = viewer_client.post(
        UPLOAD, {"file": SimpleUploadedFile("reply.xml", _status_file(offer, firm))}
    )
    assert response.status_code == 403
    assert not AgentReplyFile.objects.exists()


def test_the_instruction_lists_agent_column_shows_the_rejection_and_its_reason(
    ops_client, offer, firm, sent, tender_400000
):
    _upload(ops_client, _status_file(offer, firm, reject=(_reference(tender_400000),)))
    page = _text(ops_client.get(reverse("admin:tenders_instruction_changelist")))
    assert f"Rejected by the agent ({_imported_at()}): LACK {REJECTION_REASON}" in page
    assert f"Accepted by the agent ({_imported_at()})" in page


def _imported_at() -> str:
    from exchange_office.formatting import describe_instant

    return describe_instant(AgentReply.objects.order_by("pk").first().business_at)


# The representative's pages


def _account_page(client: Client, instruction: Instruction) -> str:
    return _text(client.get(reverse("tenders:account_detail", args=[instruction.account_id])))


def _standing_line(page: str) -> str:
    """The text of the page's first agent standing line, tags dropped."""
    import re

    found = re.search(r'data-testid="agent-standing">(.*?)</span>\s*(?:</p>|</div>)', page, re.S)
    assert found, "the page shows no standing with the agent"
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_the_account_page_says_an_instruction_taken_is_not_sent(rep_client, tender_400000):
    assert _standing_line(_account_page(rep_client, tender_400000)) == (
        "Not sent to the exchange agent"
    )


def test_the_account_page_says_when_a_sent_instruction_went_and_that_it_is_not_acknowledged(
    rep_client, sent, tender_400000
):
    sent_at = tender_400000.transitions.order_by("pk").last().business_at
    assert _standing_line(_account_page(rep_client, tender_400000)) == (
        f"Sent to the exchange agent {timestamp(sent_at)}, not acknowledged"
    )


def test_the_account_page_says_the_agent_accepted_and_when(
    rep_client, ops, offer, firm, sent, tender_400000
):
    agent_replies_import(filename="r.xml", content=_status_file(offer, firm), by=ops)
    at = AgentReply.objects.get(instruction=tender_400000).business_at
    assert _standing_line(_account_page(rep_client, tender_400000)) == (
        f"Accepted by the exchange agent (status of {timestamp(at)})"
    )


def test_the_account_page_says_the_agent_rejected_with_its_reason(
    rep_client, ops, offer, firm, sent, tender_400000
):
    content = _status_file(offer, firm, reject=(_reference(tender_400000),))
    agent_replies_import(filename="r.xml", content=content, by=ops)
    at = AgentReply.objects.get(instruction=tender_400000).business_at
    assert _standing_line(_account_page(rep_client, tender_400000)) == (
        f"Rejected by the exchange agent (status of {timestamp(at)}): {REJECTION_REASON} (LACK)"
    )


def test_the_account_list_shows_each_live_instructions_standing(
    rep_client, ops, offer, firm, sent, tender_all, tender_400000
):
    content = _status_file(offer, firm, reject=(_reference(tender_400000),))
    agent_replies_import(filename="r.xml", content=content, by=ops)
    page = _text(rep_client.get(reverse("tenders:account_list")))
    rows = {
        number: page[page.index(number) :].split("</tr>", 1)[0]
        for number in ("HB-100001", "HB-100007")
    }
    assert "Accepted</strong> by the exchange agent" in rows["HB-100001"]
    assert "Rejected</strong> by the exchange agent" in rows["HB-100007"]
    assert REJECTION_REASON in rows["HB-100007"]


def test_the_account_list_reads_the_standings_in_as_many_queries_for_many_instructions_as_for_one(
    rep_client,
    rep,
    ops,
    offer,
    firm,
    tender_400000,
    channel,
    django_assert_max_num_queries: Callable,
):
    from tenders.submissions.services import agent_submission_record
    from tests.tenders.test_agent_submissions import _holder

    agent_submission_record(offer=offer, firm=firm, file_format="seev033", by=ops)
    with django_assert_max_num_queries(100) as one:
        rep_client.get(reverse("tenders:account_list"))
    from tenders.intake.services import instruction_submit
    from tests.tenders.conftest import make_input

    for n in range(6):
        account = _holder(firm, offer, ops, f"HB-2000{n:02}", f"Holder {n}", "125000")
        instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    agent_submission_record(offer=offer, firm=firm, file_format="seev033", by=ops)
    agent_replies_import(filename="r.xml", content=_status_file(offer, firm), by=ops)
    with django_assert_max_num_queries(len(one)) as many:
        page = _text(rep_client.get(reverse("tenders:account_list")))
    assert page.count('data-testid="agent-standing"') == 7
    assert len(many) == len(one)


# The data version follows an import (migration 0037's trigger)


@pytest.mark.django_db(transaction=True)
def test_an_import_bumps_the_data_version_once_it_commits(ops, offer, firm, sent):
    DataVersion.objects.get_or_create(name="tabulation")
    content = _status_file(offer, firm)
    before = tabulation_data_version()
    with transaction.atomic():
        agent_replies_import(filename="r.xml", content=content, by=ops)
    assert tabulation_data_version() > before
