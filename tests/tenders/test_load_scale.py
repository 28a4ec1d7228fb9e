"""`manage.py load_scale`: a synthetic book for the benchmarks, written in bulk, that the
office's own pages and rules read as they read a real one."""

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Sum
from django.urls import reverse

from tenders.models import (
    LIVE_STATUSES,
    AccountOwner,
    ClientAccount,
    Instruction,
    Position,
)

pytestmark = pytest.mark.django_db


def _load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_scale", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def book(offer: Any) -> str:
    return _load("--accounts", "40")


def test_the_book_deals_the_accounts_round_three_firms_of_its_own(book) -> None:
    by_firm = dict(
        ClientAccount.objects.values_list("firm__dtc_participant_number")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert by_firm == {"9501": 14, "9502": 13, "9503": 13}
    assert book.splitlines()[-1].startswith(
        "firms=3 accounts=40 created=40 instructions=30 seconds="
    )


def test_the_book_has_instructions_in_every_state_of_an_open_offer(book) -> None:
    # Per 20 accounts: 8 none, 5 received, 3 submitted, 1 withdrawn, 2 amended (v1 superseded,
    # v2 received) and 1 amended and sent (v1 superseded, v2 submitted).
    statuses = dict(Instruction.objects.values_list("status").annotate(n=Count("id")).order_by())
    assert statuses == {"received": 14, "submitted": 8, "withdrawn": 2, "superseded": 6}
    assert Instruction.objects.filter(version=2, supersedes__isnull=False).count() == 6


def test_every_account_has_its_owners_and_position(book) -> None:
    assert AccountOwner.objects.count() == 40 + 6  # joint: accounts 0, 7, 14, 21, 28, 35
    assert Position.objects.count() == 40
    # $1,000 x (1 + 37i mod 250) for i = 0..39
    expected = sum(1000 * (1 + (i * 37) % 250) for i in range(40))
    assert Position.objects.aggregate(total=Sum("principal"))["total"] == Decimal(expected)


def test_every_instruction_is_signed_by_each_owner_and_has_its_status_changes(book) -> None:
    for instruction in Instruction.objects.prefetch_related("signers", "transitions"):
        owners = list(instruction.account.owners.values_list("name", flat=True))
        assert [s.typed_name for s in instruction.signers.all()] == owners
        moves = [(t.from_status, t.to_status) for t in instruction.transitions.all()]
        assert moves[0] == ("", "received")
        assert moves[-1][1] == instruction.status


def test_a_submitted_instruction_resolves_to_what_it_tenders(book) -> None:
    for instruction in Instruction.objects.filter(status="submitted").select_related("account"):
        position = instruction.account.positions.get().principal
        assert instruction.resolved_amount == (
            position if instruction.choice == "ALL" else instruction.amount
        )
        assert instruction.resolved_amount <= position


def test_the_taxpayer_ids_are_stored_encrypted_and_masked(book) -> None:
    account = ClientAccount.objects.get(account_number="SC1-0000003")
    assert account.tin == "103-13-0004"  # area 100+3, group 10+3, serial 1+3
    assert account.masked_tin == "***-**-0004"
    with connection.cursor() as cursor:
        cursor.execute("SELECT tin FROM tenders_clientaccount WHERE id = %s", [account.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("gAAAA")  # a Fernet token, not the number
    assert "103-13-0004" not in stored and "103130004" not in stored


def test_running_again_tops_the_book_up(book) -> None:
    line = _load("--accounts", "50").splitlines()[-1]
    assert line.startswith("firms=3 accounts=50 created=10 ")
    assert ClientAccount.objects.count() == 50
    assert _load("--accounts", "50").splitlines()[-1].startswith("firms=3 accounts=50 created=0 ")


def test_a_scale_representative_sees_the_firms_accounts(book, client) -> None:
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username="scale-rep-1"))
    page = client.get(reverse("tenders:account_list"))
    assert page.status_code == 200
    assert "SC1-0000000" in page.content.decode()
    assert "SC2-0000001" not in page.content.decode()


def test_one_live_instruction_per_account(book) -> None:
    live = (
        Instruction.objects.filter(status__in=LIVE_STATUSES)
        .values("account")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not live.exists()


def test_the_scale_representatives_cannot_log_in_with_a_password(book) -> None:
    from django.contrib.auth.models import User

    assert not User.objects.get(username="scale-rep-2").has_usable_password()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--accounts", "0"], "--accounts must be 1 or more, not 0"),
        (["--accounts", "5", "--firms", "0"], "--firms must be between 1 and 99, not 0"),
        (["--accounts", "5", "--offer", "nope"], "no offer with slug 'nope'"),
    ],
)
def test_bad_input_is_refused_with_one_line(offer, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        _load(*args)
    assert not ClientAccount.objects.exists()
