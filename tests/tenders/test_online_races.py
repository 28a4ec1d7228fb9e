"""Second persons racing, on PostgreSQL: real row locks, one connection per thread.

Two representatives approving one client submission record one instruction; the wrong answers
of many tabs at once each count (the fifth locks the link, not the sixth or the tenth); two
supervisors approving one held instruction record one instruction; two operators approving one
proposal carry it out once; four sweeps at once remind the firm of a waiting submission once,
and mark it missed and tell the client once.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from notes.models import OfferEvent
from tenders.intake.services import held_instruction_approve, instruction_submit
from tenders.models import (
    ClientCheck,
    HeldInstruction,
    Instruction,
    OutboxMessage,
    Proposal,
)
from tenders.offers.decisions import offer_decision, proposal_approve
from tenders.online.alerts import client_submissions_miss, client_submissions_remind
from tenders.online.services import (
    OnlineInput,
    client_identity_check,
    client_link_issue,
    client_submission_approve,
    client_submission_create,
)
from tests import factories
from tests.tenders.conftest import EXPIRATION, NY, POSTGRES_RACES, make_input
from tests.tenders.test_races import race

pytestmark = POSTGRES_RACES


@pytest.fixture
def ops(db: None) -> Any:
    """Operations, as a superuser: the flush between transactional tests also removes the
    roles the migrations create."""
    return User.objects.create_superuser("ops-super", password=None)


def _outcome(work: Any) -> Any:
    def attempt() -> str:
        try:
            work()
        except (ValidationError, PermissionDenied) as exc:
            return f"refused: {exc}"
        return "done"

    return attempt


def test_two_representatives_approving_one_submission_record_one_instruction(
    offer: Any, account: Any, rep: Any, rep2: Any
) -> None:
    link = client_link_issue(offer=offer, account=account)
    submission = client_submission_create(
        link=link,
        data=OnlineInput(
            kind="tender", choice="ALL", amount=None,
            names={o.pk: o.name for o in account.owners.all()},
            address="12 Elm Street\nScarsdale, NY 10583", phone="+19145550121",
            esign_consent=True,
        ),
    )  # fmt: skip
    users = iter([rep, rep2] * 4)
    results = race(
        8, _outcome(lambda: client_submission_approve(submission=submission, by=next(users)))
    )
    assert results.count("done") == 1
    assert Instruction.objects.filter(account=account).count() == 1


def test_wrong_answers_from_many_tabs_each_count_and_the_fifth_locks(
    offer: Any, account: Any
) -> None:
    link = client_link_issue(offer=offer, account=account)
    race(10, lambda: client_identity_check(link=link, tin_last4="0000", postal_code="10004"))
    check = ClientCheck.objects.get(account=account, offer=offer)
    assert check.failed_checks == 5  # counted up to the lock, then refused unread
    assert check.is_locked


def test_two_supervisors_approving_one_held_instruction_record_one(
    firm: Any, offer: Any, account: Any, rep: Any
) -> None:
    from django.contrib.auth.models import Permission

    firm.second_approval_threshold = Decimal("100000")
    firm.save()
    supervisors = []
    for name in ("sup-a", "sup-b"):
        user = factories.RepresentativeFactory(firm=firm, user__username=name).user
        user.user_permissions.add(Permission.objects.get(codename="supervise_instructions"))
        supervisors.append(type(user).objects.get(pk=user.pk))
    held = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    assert isinstance(held, HeldInstruction)
    users = iter(supervisors * 4)
    results = race(8, _outcome(lambda: held_instruction_approve(held=held, by=next(users))))
    assert results.count("done") == 1
    assert Instruction.objects.filter(account=account).count() == 1


def test_two_operators_approving_one_proposal_carry_it_out_once(
    settings: Any, offer: Any, ops: Any
) -> None:
    settings.FOUR_EYES_OFFER_ACTIONS = ["extend"]
    approvers = [User.objects.create_superuser(f"ops-{n}", password=None) for n in range(2)]
    proposal = offer_decision(
        kind="extend",
        offer=offer,
        params={
            "new_expiration": datetime(2001, 9, 17, 17, 0, tzinfo=NY),
            "reason": "More time",
            "announcement": "Extended",
        },
        by=ops,
    )
    assert isinstance(proposal, Proposal)
    users = iter(approvers * 4)
    results = race(8, _outcome(lambda: proposal_approve(proposal=proposal, by=next(users))))
    assert results.count("done") == 1
    assert OfferEvent.objects.filter(offer=offer, kind="extended").count() == 1


def test_four_concurrent_sweeps_send_each_reminder_and_missed_notice_once(
    offer: Any, account: Any, rep: Any, at: Any
) -> None:
    rep.email = "rep@hudson.example"
    rep.save()
    link = client_link_issue(offer=offer, account=account)
    client_submission_create(
        link=link,
        data=OnlineInput(
            kind="tender", choice="ALL", amount=None,
            names={o.pk: o.name for o in account.owners.all()},
            address="12 Elm Street\nScarsdale, NY 10583", phone="+19145550121",
            esign_consent=True,
        ),
    )  # fmt: skip
    at(EXPIRATION - timedelta(hours=2))
    reminded = race(4, client_submissions_remind)
    assert sorted(map(len, reminded)) == [0, 0, 0, 1]
    assert OutboxMessage.objects.filter(subject__startswith="Still to review").count() == 1
    at(EXPIRATION)
    missed = race(4, client_submissions_miss)
    assert sorted(map(len, missed)) == [0, 0, 0, 1]
    assert OutboxMessage.objects.filter(key__startswith="online-missed").count() == 1
