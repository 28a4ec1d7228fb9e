"""Operations e-mailed 24 hours and 2 hours before the expiration while instructions are not
sent to the exchange agent or not acknowledged by it (issue 21): once per occasion, however
often the sweep runs (four at once on PostgreSQL), and none when nothing remains. The scene
(reconciliation_scene.py) leaves 2 not sent ($90,000) and 2 not acknowledged ($130,000)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail

from notes.models import ExchangeOffer
from tenders.accounts.roles import OPERATIONS_GROUP
from tenders.models import OutboxMessage
from tenders.offers.agent_alerts import agent_unsent_remind
from tenders.sweep import sweep
from tests import factories
from tests.tenders.conftest import EXPIRATION, ONE_SECOND, POSTGRES_RACES
from tests.tenders.reconciliation_scene import build_scene, reply, reply_file
from tests.tenders.test_races import race


def _operator(username: str, email: str) -> User:
    user = User.objects.create_user(username, email=email, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=OPERATIONS_GROUP)[0])
    return user


def _reminders() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(key__startswith="agent-unsent-").order_by("pk"))


@pytest.fixture
def scene(offer: ExchangeOffer, firm: Any, ops: Any, rep: Any) -> Any:
    return build_scene(offer, firm, ops, rep)


@pytest.fixture
def operators(db: None) -> list[User]:
    return [_operator("ops-a", "ops-a@office.example"), _operator("ops-b", "ops-b@office.example")]


@pytest.mark.django_db
def test_operations_are_emailed_24_hours_before_the_expiration_with_each_firms_counts(
    scene: Any, operators: list[User], at: Callable, django_capture_on_commit_callbacks: Any
) -> None:
    at(EXPIRATION - timedelta(hours=24))
    with django_capture_on_commit_callbacks(execute=True):
        assert agent_unsent_remind() == [scene.offer.pk]
    assert sorted(m.to for m in mail.outbox) == [["ops-a@office.example"], ["ops-b@office.example"]]
    message = mail.outbox[0]
    assert message.subject.startswith("1 day before")
    assert "2 instruction(s) not sent to the agent, 2 not acknowledged" in message.subject
    assert (
        f"{scene.firm.dtc_participant_number} {scene.firm.name}: 2 received and not sent "
        "($90,000), 2 sent and not acknowledged ($130,000)"
    ) in message.body
    assert (
        f"/admin/tenders/agentsubmission/reconciliation/{scene.offer.pk}/{scene.firm.pk}/"
        in message.body
    )


@pytest.mark.django_db
def test_each_reminder_goes_once_however_often_the_sweep_runs(
    scene: Any, operators: list[User], at: Callable
) -> None:
    at(EXPIRATION - timedelta(hours=24))
    agent_unsent_remind()
    at(EXPIRATION - timedelta(hours=23))
    assert agent_unsent_remind() == []
    assert len(_reminders()) == 2
    at(EXPIRATION - timedelta(hours=2))
    assert agent_unsent_remind() == [scene.offer.pk]
    assert agent_unsent_remind() == []
    keys = [m.key for m in _reminders()]
    assert [k.split(":")[0] for k in keys] == ["agent-unsent-24h"] * 2 + ["agent-unsent-2h"] * 2


@pytest.mark.django_db
def test_the_sweep_sends_the_reminder(scene: Any, operators: list[User], at: Callable) -> None:
    at(EXPIRATION - timedelta(hours=2))
    assert sweep().agent_unsent_reminded == [scene.offer.pk]
    assert len(_reminders()) == 2


@pytest.mark.django_db
def test_no_reminder_before_24_hours_or_at_the_expiration(
    scene: Any, operators: list[User], at: Callable
) -> None:
    at(EXPIRATION - timedelta(hours=24) - ONE_SECOND)
    assert agent_unsent_remind() == []
    at(EXPIRATION)
    assert agent_unsent_remind() == []
    assert _reminders() == []


@pytest.mark.django_db
def test_a_sweep_first_run_within_2_hours_sends_only_the_2_hour_reminder(
    scene: Any, operators: list[User], at: Callable
) -> None:
    at(EXPIRATION - timedelta(minutes=90))
    agent_unsent_remind()
    assert {m.key.split(":")[0] for m in _reminders()} == {"agent-unsent-2h"}


@pytest.mark.django_db
def test_no_reminder_when_everything_was_sent_and_acknowledged(
    scene: Any, operators: list[User], ops: Any, at: Callable
) -> None:
    from tenders.submissions.services import agent_submission_record

    agent_submission_record(offer=scene.offer, firm=scene.firm, file_format="seev033", by=ops)
    answers = reply_file(scene.offer, ops, "rest.xml")
    for number in ("HB-200004", "HB-200005", "HB-200006", "HB-200007"):
        reply(answers, scene.instructions[number], "accepted")
    at(EXPIRATION - timedelta(hours=2))
    assert agent_unsent_remind() == []
    assert _reminders() == []


@pytest.mark.django_db
def test_only_active_operators_with_an_address_are_emailed(
    scene: Any, operators: list[User], at: Callable
) -> None:
    _operator("ops-no-mail", "")
    gone = _operator("ops-gone", "gone@office.example")
    gone.is_active = False
    gone.save()
    factories.StaffUserFactory(username="helpdesk", email="helpdesk@office.example")
    at(EXPIRATION - timedelta(hours=2))
    agent_unsent_remind()
    assert sorted(m.to for m in _reminders()) == ["ops-a@office.example", "ops-b@office.example"]


@pytest.mark.django_db
def test_the_reminder_is_an_email_to_the_office_without_a_client_account(
    scene: Any, operators: list[User], at: Callable
) -> None:
    at(EXPIRATION - timedelta(hours=2))
    agent_unsent_remind()
    assert {m.account_id for m in _reminders()} == {None}


@pytest.fixture
def ops_super(db: None) -> Any:
    """Operations for the race test: the flush between transactional tests also removes the
    roles the migrations create."""
    return User.objects.create_superuser("ops-super", password=None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@POSTGRES_RACES[2]  # skipped, with the reason, unless DATABASE_URL is PostgreSQL
def test_four_concurrent_sweeps_send_each_operator_one_reminder(
    offer: ExchangeOffer, firm: Any, ops_super: Any, rep: Any, at: Callable
) -> None:
    build_scene(offer, firm, ops_super, rep)
    _operator("ops-a", "ops-a@office.example")
    _operator("ops-b", "ops-b@office.example")
    at(EXPIRATION - timedelta(hours=2))
    reminded = race(4, agent_unsent_remind)
    assert sorted(map(len, reminded)) == [0, 0, 0, 1]
    assert sorted(m.to for m in _reminders()) == ["ops-a@office.example", "ops-b@office.example"]
