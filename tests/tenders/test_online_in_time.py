"""What a client submitted in time is acted on in time, or the miss is shown (issue 20, point 3),
and two of point 8's smaller things (the supervisor of a held instruction is e-mailed; the
approval of a withdrawal quotes the withdrawal's time).

The firm's cutoff is Aug 31, 2001, 5:00 p.m.; the offer expires at 12 midnight ending Tuesday,
Sep 4, 2001 (EXPIRATION). A client's submission counts only once a representative approves it,
and nothing is approved at or after the expiration: the firm is e-mailed at once and 24 and 2
hours before, and one still waiting at the expiration is marked missed and the client told.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tenders.intake.services import instruction_amend, instruction_submit
from tenders.models import (
    ClientLink,
    ClientSubmission,
    HeldInstruction,
    InstructionStatus,
    OutboxMessage,
    ReviewStatus,
    SubmissionAlert,
)
from tenders.online.alerts import client_submissions_miss, client_submissions_remind
from tenders.online.selectors import client_link_token
from tenders.online.services import (
    OnlineInput,
    client_link_issue,
    client_submission_approve,
    client_submission_create,
    client_submission_reject,
)
from tenders.sweep import sweep
from tests import factories
from tests.tenders.conftest import CUTOFF, EXPIRATION, ONE_SECOND, make_input

pytestmark = pytest.mark.django_db

HOURS = timedelta(hours=1)


@pytest.fixture
def link(offer: Any, account: Any) -> ClientLink:
    return client_link_issue(offer=offer, account=account)


def _supervisor(firm: Any, username: str, email: str = "") -> Any:
    user = factories.RepresentativeFactory(
        firm=firm, user__username=username, user__email=email
    ).user
    user.user_permissions.add(Permission.objects.get(codename="supervise_instructions"))
    return type(user).objects.get(pk=user.pk)  # a fresh permission cache


@pytest.fixture
def firm_people(firm: Any, rep: Any) -> list[str]:
    """The firm's representative and its supervisor, each with an address; another firm's
    representative, who is told nothing."""
    rep.email = "rep@hudson.example"
    rep.save()
    _supervisor(firm, "sup", "sup@hudson.example")
    factories.RepresentativeFactory(user__username="other", user__email="other@elsewhere.example")
    return ["rep@hudson.example", "sup@hudson.example"]


def _online(account: Any, kind: str = "tender", **values: Any) -> OnlineInput:
    return OnlineInput(
        kind=kind,
        choice=values.get("choice", "AMOUNT" if kind == "tender" else ""),
        amount=values.get("amount", Decimal("50000") if kind == "tender" else None),
        names={owner.pk: owner.name for owner in account.owners.all()},
        address="12 Elm Street\nScarsdale, NY 10583" if kind == "tender" else "",
        phone="+19145550121" if kind == "tender" else "",
        esign_consent=True,
    )


def _submit(link: ClientLink, account: Any, capture: Any, **values: Any) -> ClientSubmission:
    with capture(execute=True):
        return client_submission_create(link=link, data=_online(account, **values))


def _sent(subject_start: str) -> list[str]:
    """The addresses e-mailed so far whose subject starts so."""
    return sorted(m.to[0] for m in mail.outbox if m.subject.startswith(subject_start))


def _sweep_twice(capture: Any) -> None:
    for _ in range(2):
        with capture(execute=True):
            sweep()


def _withdrawal_waiting_at_the_expiration(
    link: ClientLink, account: Any, rep: Any, at: Any, capture: Any
) -> ClientSubmission:
    client_submission_approve(
        submission=client_submission_create(link=link, data=_online(account)), by=rep
    )
    at(EXPIRATION - ONE_SECOND)
    return _submit(link, account, capture, kind="withdrawal")


# Flagged at once


def test_a_clients_submission_is_at_the_top_of_the_review_queue_with_the_time_left(
    link: ClientLink, account: Any, joint_account: Any, firm: Any, offer: Any, rep: Any, at: Any
) -> None:
    firm.second_approval_threshold = Decimal("100000")
    firm.save()
    held = instruction_submit(
        account=joint_account, offer=offer, data=make_input(joint_account), by=rep
    )
    assert isinstance(held, HeldInstruction)
    client_submission_create(link=link, data=_online(account))
    at(EXPIRATION - 5 * HOURS - 30 * timedelta(minutes=1))
    client = Client()
    client.force_login(_supervisor(firm, "sup"))
    page = client.get(reverse("tenders:review_queue")).content.decode()
    flag = page.index('data-testid="review-flag"')
    assert flag < page.index(f"review-row-{account.account_number}")
    assert page.index(f"review-row-{account.account_number}") < page.index("held-row-")
    assert "1 client submission waits for review." in page
    assert "5 hours, 30 minutes left" in page


def test_the_account_page_shows_the_clients_answer_awaiting_review_not_no_answer(
    link: ClientLink, account: Any, rep: Any
) -> None:
    client_submission_create(link=link, data=_online(account))
    client = Client()
    client.force_login(rep)
    page = client.get(reverse("tenders:account_detail", args=[account.pk])).content.decode()
    assert "The client has not answered" not in page
    assert 'data-testid="awaiting-online">The client answered online' in page
    assert "tender $50,000, awaiting your review" in page


def test_the_firms_representatives_and_supervisor_are_emailed_at_once(
    link: ClientLink, account: Any, firm_people: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    _submit(link, account, django_capture_on_commit_callbacks)
    assert _sent("To review: HB-100003 submitted online") == firm_people
    body = next(m for m in mail.outbox if m.to == ["sup@hudson.example"]).body
    assert "What: tender $50,000" in body
    assert "Submitted: Aug 20, 2001, 10:00:00 a.m. EDT" in body
    assert "12 midnight EDT at the end of Tuesday, September 4, 2001 (15 days, 14 hours" in body
    assert "/reviews/" in body


# Reminded 24 and 2 hours before the expiration, once each


def test_the_24_and_2_hour_reminders_go_once_each_even_when_the_sweep_runs_twice(
    link: ClientLink,
    account: Any,
    firm_people: list[str],
    at: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _submit(link, account, django_capture_on_commit_callbacks)
    at(EXPIRATION - 24 * HOURS - ONE_SECOND)
    _sweep_twice(django_capture_on_commit_callbacks)
    assert _sent("Still to review") == []
    at(EXPIRATION - 24 * HOURS)
    _sweep_twice(django_capture_on_commit_callbacks)
    assert _sent("Still to review, 1 day before") == firm_people
    at(EXPIRATION - 2 * HOURS)
    _sweep_twice(django_capture_on_commit_callbacks)
    assert _sent("Still to review, 2 hours before") == firm_people
    assert len(_sent("Still to review")) == 2 * len(firm_people)
    assert set(SubmissionAlert.objects.values_list("occasion", flat=True)) == {
        "received",
        "24h",
        "2h",
    }


def test_a_submission_made_after_a_reminders_moment_is_not_reminded_of_it(
    link: ClientLink,
    account: Any,
    rep: Any,
    firm_people: list[str],
    at: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client_submission_approve(
        submission=client_submission_create(link=link, data=_online(account)), by=rep
    )
    at(EXPIRATION - 10 * HOURS)  # the e-mail on arrival says 10 hours are left
    _submit(link, account, django_capture_on_commit_callbacks, kind="withdrawal")
    assert _sent("To review: HB-100003 submitted online (10 hours left)") == firm_people
    _sweep_twice(django_capture_on_commit_callbacks)
    assert _sent("Still to review") == []
    at(EXPIRATION - 2 * HOURS + ONE_SECOND)
    _sweep_twice(django_capture_on_commit_callbacks)
    assert _sent("Still to review, 1 hour") == firm_people


def test_a_reviewed_submission_is_not_reminded_of(
    link: ClientLink,
    account: Any,
    rep: Any,
    firm_people: list[str],
    at: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    submission = _submit(link, account, django_capture_on_commit_callbacks)
    client_submission_reject(submission=submission, by=rep, reason="Please call us.")
    at(EXPIRATION - 2 * HOURS)
    _sweep_twice(django_capture_on_commit_callbacks)
    assert _sent("Still to review") == []


def test_an_extension_counts_down_again_to_the_new_expiration(
    link: ClientLink, account: Any, offer: Any, firm_people: list[str], at: Any
) -> None:
    client_submission_create(link=link, data=_online(account))
    at(EXPIRATION - 2 * HOURS)
    assert client_submissions_remind() != []
    offer.expiration += timedelta(days=10)
    offer.save(update_fields=["expiration"])
    at(offer.expiration - 2 * HOURS)
    assert client_submissions_remind() != []
    assert SubmissionAlert.objects.filter(occasion="2h").count() == 2


# Missed at the expiration, the client told


def test_a_withdrawal_waiting_at_the_expiration_is_marked_missed_and_the_client_told(
    link: ClientLink, account: Any, rep: Any, at: Any, django_capture_on_commit_callbacks: Any
) -> None:
    withdrawal = _withdrawal_waiting_at_the_expiration(
        link, account, rep, at, django_capture_on_commit_callbacks
    )
    at(EXPIRATION)
    _sweep_twice(django_capture_on_commit_callbacks)
    withdrawal.refresh_from_db()
    assert withdrawal.status == ReviewStatus.MISSED
    told = [m for m in mail.outbox if m.to == [account.email]]
    assert [m.subject for m in told if "did not count" in m.subject] == [
        "What you submitted online for account HB-100003 did not count: the offer expired first"
    ]
    body = " ".join(told[-1].body.split())
    assert (
        "You submitted the withdrawal of your instruction online for account HB-100003 at " in body
    )
    assert "Sep 4, 2001, 11:59:59 p.m. EDT" in body
    assert "Your broker did not act on it before the offer expired" in body
    assert "Your instruction was not withdrawn: it stands as recorded (tender only $50,000" in body
    assert withdrawal.instruction is None  # nothing recorded, nothing backdated


def test_a_tender_waiting_at_the_expiration_is_missed_and_nothing_is_tendered(
    link: ClientLink, account: Any, at: Any, django_capture_on_commit_callbacks: Any
) -> None:
    at(CUTOFF - ONE_SECOND)  # in time for the firm's cutoff; never reviewed
    submission = _submit(link, account, django_capture_on_commit_callbacks)
    at(EXPIRATION + HOURS)
    assert client_submissions_miss() == [submission.pk]
    assert client_submissions_miss() == []
    assert "No instruction was recorded for you: your Old Notes were not tendered." in " ".join(
        OutboxMessage.objects.get(key__startswith="online-missed").body.split()
    )


def test_a_submission_is_not_missed_before_the_expiration(
    link: ClientLink, account: Any, at: Any
) -> None:
    submission = client_submission_create(link=link, data=_online(account))
    at(EXPIRATION - ONE_SECOND)
    assert client_submissions_miss() == []
    submission.refresh_from_db()
    assert submission.status == ReviewStatus.AWAITING


def test_nothing_is_approved_after_the_expiration_missed_or_not(
    link: ClientLink, account: Any, rep: Any, at: Any
) -> None:
    submission = client_submission_create(link=link, data=_online(account))
    at(EXPIRATION)
    with pytest.raises(ValidationError, match="expired at 12 midnight EDT"):
        client_submission_approve(submission=submission, by=rep)
    client_submissions_miss()
    with pytest.raises(ValidationError, match="already missed: not reviewed before the offer"):
        client_submission_approve(submission=submission, by=rep)
    assert not account.instructions.exists()


def test_the_clients_page_says_the_submission_was_missed(
    link: ClientLink, account: Any, rep: Any, at: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _withdrawal_waiting_at_the_expiration(
        link, account, rep, at, django_capture_on_commit_callbacks
    )
    client = Client()
    path = reverse("client_page", args=[client_link_token(link)])
    client.post(path, {"step": "identity", "tin_last4": "6789", "postal_code": "10004"})
    received = client.get(reverse("client_received", args=[client_link_token(link)]))
    assert "If it has not been approved by then, it will not count" in received.content.decode()
    at(EXPIRATION)
    client_submissions_miss()
    page = client.get(path)
    assert page.status_code == 410
    text = " ".join(page.content.decode().split())
    assert "What you submitted did not count" in text
    assert "Your instruction was not withdrawn" in text
    # Someone who has not proved who they are in this browser learns nothing of it.
    assert "did not count" not in Client().get(path).content.decode()


def test_operations_see_the_missed_submission_as_an_exception_with_its_submission_time(
    link: ClientLink,
    account: Any,
    rep: Any,
    ops: Any,
    at: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _withdrawal_waiting_at_the_expiration(
        link, account, rep, at, django_capture_on_commit_callbacks
    )
    at(EXPIRATION)
    client_submissions_miss()
    client = Client()
    client.force_login(ops)
    listed = client.get(reverse("admin:tenders_clientsubmission_changelist") + "?exception=missed")
    text = " ".join(listed.content.decode().split())
    assert "1 online submission(s) were missed" in text
    assert '<td class="field-submitted_at nowrap">Sep 4, 2001, 11:59:59 p.m. EDT</td>' in text
    assert '<td class="field-kind">Withdrawal</td>' in text
    assert text.count('class="field-account') == 1  # the missed one, not the approved tender


def test_operations_see_the_waiting_count_on_the_offer(
    link: ClientLink, account: Any, offer: Any, ops: Any
) -> None:
    client_submission_create(link=link, data=_online(account))
    client = Client()
    client.force_login(ops)
    page = client.get(reverse("admin:notes_exchangeoffer_change", args=[offer.pk])).content.decode()
    assert "1 awaiting review</a> (the oldest submitted Aug 20, 2001, 10:00:00 a.m. EDT)" in page
    listed = client.get(reverse("admin:notes_exchangeoffer_changelist")).content.decode()
    assert 'data-testid="online-awaiting"' in listed


# Point 8


def test_a_held_instruction_emails_the_supervisors_who_may_approve_it_once(
    firm: Any, offer: Any, account: Any, rep: Any, django_capture_on_commit_callbacks: Any
) -> None:
    firm.second_approval_threshold = Decimal("100000")
    firm.save()
    rep.email = "rep@hudson.example"
    rep.save()
    _supervisor(firm, "sup", "sup@hudson.example")
    _supervisor(firm, "sup2", "sup2@hudson.example")
    entered_by_sup = _supervisor(firm, "sup3", "sup3@hudson.example")
    data = make_input(account, submission_token=uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        held = instruction_submit(account=account, offer=offer, data=data, by=entered_by_sup)
        instruction_submit(account=account, offer=offer, data=data, by=entered_by_sup)  # again
    assert isinstance(held, HeldInstruction)
    assert _sent("To approve: HB-100003") == ["sup2@hudson.example", "sup@hudson.example"]
    body = mail.outbox[-1].body
    assert "Why it waits: Above the firm's threshold (it tenders $125,000)" in body
    assert "Entered by: sup3 at Aug 20, 2001, 10:00:00 a.m. EDT" in body


def test_an_amendment_held_for_a_supervisor_emails_them_too(
    firm: Any, offer: Any, account: Any, rep: Any, django_capture_on_commit_callbacks: Any
) -> None:
    live = instruction_submit(
        account=account,
        offer=offer,
        data=make_input(account, choice="AMOUNT", amount=Decimal("50000")),
        by=rep,
    )
    firm.second_approval_threshold = Decimal("100000")
    firm.save()
    _supervisor(firm, "sup", "sup@hudson.example")
    with django_capture_on_commit_callbacks(execute=True):
        instruction_amend(instruction=live, expected_version=1, data=make_input(account), by=rep)
    assert _sent("To approve: HB-100003") == ["sup@hudson.example"]


def test_the_approval_of_a_clients_withdrawal_quotes_the_withdrawals_time(
    link: ClientLink, account: Any, rep: Any, at: Any
) -> None:
    client_submission_approve(
        submission=client_submission_create(link=link, data=_online(account)), by=rep
    )
    at(EXPIRATION - 5 * HOURS)  # 7:00 p.m. on Sep 4; the tender was received Aug 20
    withdrawal = client_submission_create(link=link, data=_online(account, kind="withdrawal"))
    client = Client()
    client.force_login(rep)
    response = client.post(
        reverse("tenders:submission_approve", args=[account.pk]),
        {"submission": withdrawal.pk},
        follow=True,
    )
    text = response.content.decode()
    assert (
        "Approved: account HB-100003&#x27;s instruction version 1 is withdrawn, the withdrawal "
        "received online at 7:00 p.m. EDT on Tuesday, September 4, 2001." in text
    )
    assert "received online at 10:00 a.m. EDT on Monday, August 20" not in text
    assert account.instructions.get().status == InstructionStatus.WITHDRAWN
