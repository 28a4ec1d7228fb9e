"""The admin's history is read-only and never shows a taxpayer ID: every history page of the
demo, list and record, searched for every demo TIN; revert is turned off everywhere."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from exchange_office.admin_mixins import ReadOnlyHistoryAdmin
from notes.selectors import current_offer
from tenders.accounts.services import account_save
from tenders.demo import ACCOUNTS, demo_tin, load_demo
from tenders.models import ClientAccount, Instruction, InstructionStatus
from tenders.online.services import client_identity_check, client_link_issue, client_link_unlock
from tests.conftest import rows_for_the_module

pytestmark = pytest.mark.django_db

HISTORY_ADMINS = [
    (model, model_admin)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, SimpleHistoryAdmin)
]


def _tin_spellings() -> set[str]:
    tins = {demo_tin(index, spec.owners[0])[1] for index, spec in enumerate(ACCOUNTS)}
    tins.add("219-09-9998")  # the new number typed below
    return tins | {tin.replace("-", "") for tin in tins}


@pytest.fixture(scope="module")
def demo_rows(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo, with one account's TIN changed by operations, so history holds two numbers,
    and a client locked out of their link by wrong answers and unlocked by the supervisor (the
    identity check's history): written once for the module (every test here only reads it)."""
    with rows_for_the_module(django_db_blocker):
        load_demo()
        user = get_user_model().objects.get(username="ops")
        account = ClientAccount.objects.get(account_number="HB-100003")
        account.tin_type = "SSN"
        account_save(account=account, by=user, new_tin="219-09-9998")
        link = client_link_issue(offer=current_offer(), account=account)
        for _ in range(5):
            client_identity_check(link=link, tin_last4="0000", postal_code="00000")
        client_link_unlock(link=link, by=get_user_model().objects.get(username="sup"))
        yield


@pytest.fixture
def demo(demo_rows: None, client: Any) -> Any:
    client.force_login(get_user_model().objects.get(username="ops"))
    return client


def _history_urls(model: Any) -> list[str]:
    meta = model._meta
    urls = []
    for obj in model._default_manager.all():
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[obj.pk]))
        for record in obj.history.all():
            urls.append(
                reverse(
                    f"admin:{meta.app_label}_{meta.model_name}_simple_history",
                    args=[obj.pk, record.history_id],
                )
            )
    return urls


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model", "model_admin"), HISTORY_ADMINS, ids=lambda v: getattr(v, "__name__", str(v))
)
def test_no_history_page_shows_a_taxpayer_id(demo, model, model_admin) -> None:
    tins = _tin_spellings()
    urls = _history_urls(model)
    assert urls, f"the demo has no {model._meta.label}"
    for url in urls:
        response = demo.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        shown = {tin for tin in tins if tin in page}
        assert not shown, f"{url} shows {shown}"


def test_a_tin_change_shows_in_the_account_history_masked(demo) -> None:
    account = ClientAccount.objects.get(account_number="HB-100003")
    page = demo.get(reverse("tenders:account_history", args=[account.pk])).content.decode()
    assert "taxpayer ID:</span> ***-**-4388 → ***-**-9998" in page
    assert not {tin for tin in _tin_spellings() if tin in page}


@pytest.mark.parametrize(("model", "model_admin"), HISTORY_ADMINS, ids=lambda v: str(v))
def test_revert_is_turned_off(rf: Any, model, model_admin) -> None:
    assert isinstance(model_admin, ReadOnlyHistoryAdmin)
    assert model_admin.revert_disabled(rf.get("/"))


@pytest.mark.parametrize(("model", "model_admin"), HISTORY_ADMINS, ids=lambda v: str(v))
def test_no_history_record_can_be_posted_back(demo, model, model_admin) -> None:
    """Whatever the model: the history record's page is read-only, a POST is refused."""
    row = model._default_manager.first()
    record = row.history.earliest()
    meta = model._meta
    url = reverse(
        f"admin:{meta.app_label}_{meta.model_name}_simple_history", args=[row.pk, record.history_id]
    )
    before = model._default_manager.filter(pk=row.pk).values().get()
    assert demo.post(url, {"_save": "Revert"}).status_code == 403
    assert model._default_manager.filter(pk=row.pk).values().get() == before


def test_posting_a_revert_changes_nothing(demo) -> None:
    withdrawn = Instruction.objects.filter(status=InstructionStatus.WITHDRAWN).first()
    received = withdrawn.history.filter(status=InstructionStatus.RECEIVED).earliest()
    url = reverse(
        "admin:tenders_instruction_simple_history", args=[withdrawn.pk, received.history_id]
    )
    assert demo.post(url, {"_save": "Revert"}).status_code == 403
    withdrawn.refresh_from_db()
    assert withdrawn.status == InstructionStatus.WITHDRAWN
