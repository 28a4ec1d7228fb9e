"""Admin > Instructions filtered by the New York business day received: the days come from
the offer's period, and a day runs from midnight to midnight in New York."""

from datetime import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tenders.intake.services import instruction_submit
from tenders.models import Instruction
from tests.tenders.conftest import NY, _account, make_input

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:tenders_instruction_changelist")


@pytest.fixture
def ops_client(client: Client, ops: Any) -> Client:
    client.force_login(ops)
    return client


def _received(offer: Any, ops: Any, firm: Any, number: str, at: datetime) -> Instruction:
    account = _account(firm, offer, ops, [f"Owner {number}"], account_number=number)
    instruction = instruction_submit(account=account, offer=offer, by=ops, data=make_input(account))
    Instruction.objects.filter(pk=instruction.pk).update(received_at=at)
    return instruction


def test_the_filter_offers_each_day_of_the_offer_up_to_today(ops_client: Client, offer) -> None:
    page = ops_client.get(CHANGELIST).content.decode()
    assert "By received on (business day)" in page
    assert "?received_on=2001-08-20" in page  # today on the pinned business clock
    assert "?received_on=2001-08-06" in page  # the offer's commencement
    assert "?received_on=2001-08-21" not in page  # not yet
    assert "?received_on=2001-08-05" not in page


def test_a_day_runs_midnight_to_midnight_in_new_york(ops_client, offer, ops, firm) -> None:
    late_evening = _received(offer, ops, firm, "EVE-1", datetime(2001, 8, 17, 23, 30, tzinfo=NY))
    next_morning = _received(offer, ops, firm, "MOR-1", datetime(2001, 8, 18, 0, 0, tzinfo=NY))
    page = ops_client.get(CHANGELIST, {"received_on": "2001-08-17"}).content.decode()
    assert late_evening.account.account_number in page
    assert next_morning.account.account_number not in page
    page = ops_client.get(CHANGELIST, {"received_on": "2001-08-18"}).content.decode()
    assert next_morning.account.account_number in page
    assert late_evening.account.account_number not in page


def test_a_day_that_is_not_a_date_is_refused_plainly(ops_client: Client, offer) -> None:
    response = ops_client.get(CHANGELIST, {"received_on": "yesterday"})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
