"""What a client submitted in time is acted on in time, or the miss is shown.

A client's online submission counts only once a representative of the firm approves it, and
nothing is approved at or after the offer's expiration, nor backdated. So:

- the firm's representatives and supervisors are e-mailed the moment it arrives, and again 24
  hours and 2 hours before the expiration while it still waits (the sweep sends the
  reminders; one that comes due while a later one is due too is left out);
- at the expiration one still waiting is marked missed (the sweep), and the client is told in
  plain words.

Each e-mail goes once per submission and occasion (and expiration: an extension counts down
again): a `SubmissionAlert` row, unique on those, is written in the transaction that queues
the e-mails, so a second sweep, or one running at the same moment, sends nothing.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse

from exchange_office import clock
from exchange_office.formatting import describe_instant, time_left, timestamp
from notes.models import OfferStatus
from tenders.accounts.selectors import firm_people_to_email
from tenders.accounts.services import accounts_lock
from tenders.domain.lifecycle import OPEN
from tenders.domain.tender import Voice, choice_text
from tenders.instructions.models import InstructionChoice
from tenders.instructions.selectors import live_instruction
from tenders.online.models import (
    AlertOccasion,
    ClientSubmission,
    ReviewStatus,
    SubmissionAlert,
    SubmissionKind,
)
from tenders.outbox import services as outbox
from tenders.outbox import tasks as outbox_tasks

# The reminders before the expiration, the most urgent first.
REMINDERS = (
    (AlertOccasion.HOURS_BEFORE, timedelta(hours=2)),
    (AlertOccasion.DAY_BEFORE, timedelta(hours=24)),
)


def _what(submission: ClientSubmission) -> str:
    if submission.kind == SubmissionKind.WITHDRAWAL:
        return "a withdrawal of the account's instruction"
    return choice_text(
        tenders_all=submission.choice == InstructionChoice.ALL,
        amount=submission.amount,
        voice=Voice.ACCOUNT,
        within_sentence=True,
    )


def _record(
    *,
    submission: ClientSubmission,
    occasion: AlertOccasion,
    notices: Sequence[outbox.NoticeEmail],
) -> SubmissionAlert | None:
    """The occasion's row, then its e-mails, in the caller's transaction; None (and nothing
    sent) if this occasion was already alerted, by an earlier run or one running now."""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction goes on
            alert = SubmissionAlert.objects.create(
                submission=submission,
                occasion=occasion,
                expiration=submission.offer.expiration,
                sent_to="\n".join(notice.to for notice in notices),
                created_at=clock.now(),
                created_wall_at=clock.wall_now(),
            )
    except IntegrityError:
        return None
    keyed = [
        outbox.NoticeEmail(
            key=f"online-{occasion}:a{alert.pk}:{index}",
            account=notice.account,
            to=notice.to,
            subject=notice.subject,
            body=notice.body,
        )
        for index, notice in enumerate(notices)
    ]
    for message in outbox.outbox_notices_create(offer=submission.offer, notices=keyed, by=None):
        outbox_tasks.enqueue_send(message_id=message.pk)
    return alert


def _firm_notices(
    submission: ClientSubmission, occasion: AlertOccasion, people: Sequence[User]
) -> list[outbox.NoticeEmail]:
    account, expiration = submission.account, submission.offer.expiration
    names = " and ".join(owner.name for owner in account.owners.all())
    left = time_left(expiration, clock.now())
    if occasion == AlertOccasion.RECEIVED:
        subject = f"To review: {account.account_number} submitted online ({left} left)"
        opening = "A client submitted online; it waits for a representative's review."
    else:
        subject = (
            f"Still to review, {left} before the offer expires: {account.account_number}'s "
            "online submission"
        )
        opening = "A client's online submission still waits for a representative's review."
    queue = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("tenders:review_queue")
    body = (
        f"{opening}\n\n"
        f"Account: {account.account_number} ({names})\n"
        f"What: {_what(submission)}\n"
        f"Submitted: {timestamp(submission.submitted_at)}\n\n"
        f"It counts only once a representative of {account.firm.name} approves it, and "
        f"nothing can be approved at or after the offer's expiration, "
        f"{describe_instant(expiration)} ({left} from now). Not reviewed by then, it is "
        "missed, and the client is told that it did not count.\n\n"
        f"Review it: {queue}\n"
    )
    return [
        outbox.NoticeEmail(key="", account=account, to=person.email, subject=subject, body=body)
        for person in people
    ]


def client_submission_flag(*, submission: ClientSubmission) -> SubmissionAlert | None:
    """At once, in the transaction that records the submission: e-mail the firm's
    representatives and supervisors that it waits for them."""
    people = list(firm_people_to_email(firm=submission.account.firm))
    return _record(
        submission=submission,
        occasion=AlertOccasion.RECEIVED,
        notices=_firm_notices(submission, AlertOccasion.RECEIVED, people),
    )


def _reminder_due(submission: ClientSubmission, now: datetime) -> AlertOccasion | None:
    """The most urgent reminder due now, if the submission was made before its moment (one
    made later got the e-mail on arrival, which said how long was left)."""
    expiration = submission.offer.expiration
    for occasion, before in REMINDERS:
        moment = expiration - before
        if moment <= now < expiration:
            return occasion if submission.submitted_at < moment else None
    return None


def client_submissions_remind() -> list[int]:
    """The sweep's reminders to the firms, 24 and 2 hours before the expiration, of what
    still waits for their review. Returns the submissions reminded about now."""
    now = clock.now()
    waiting = ClientSubmission.objects.filter(
        status=ReviewStatus.AWAITING,
        offer__status=OfferStatus.OPEN,
        offer__expiration__gt=now,
        offer__expiration__lte=now + REMINDERS[-1][1],
    ).select_related("offer", "account__firm")
    reminded = []
    for submission in waiting:
        occasion = _reminder_due(submission, now)
        if (
            occasion is None
            or submission.alerts.filter(
                occasion=occasion, expiration=submission.offer.expiration
            ).exists()
        ):
            continue
        with transaction.atomic():
            people = list(firm_people_to_email(firm=submission.account.firm))
            if _record(
                submission=submission,
                occasion=occasion,
                notices=_firm_notices(submission, occasion, people),
            ):
                reminded.append(submission.pk)
    return reminded


def missed_words(submission: ClientSubmission) -> list[str]:
    """What a client whose submission was missed is told, paragraph by paragraph (the e-mail
    and the client's page): what was not done, and what stands instead."""
    account, offer = submission.account, submission.offer
    live = live_instruction(account=account, offer=offer)
    standing = live if live is not None and live.status in OPEN else None
    if submission.kind == SubmissionKind.WITHDRAWAL:
        what = "the withdrawal of your instruction"
        instead = (
            "Your instruction was not withdrawn: it stands as recorded ("
            + choice_text(
                tenders_all=standing.choice == InstructionChoice.ALL,
                amount=standing.amount,
                voice=Voice.YOURS,
                within_sentence=True,
            )
            + "), and the Old Notes it tenders stay tendered."
            if standing is not None
            else "Your instruction was not withdrawn by this submission."
        )
    else:
        what = "your instruction to " + choice_text(
            tenders_all=submission.choice == InstructionChoice.ALL,
            amount=submission.amount,
            voice=Voice.YOURS,
            within_sentence=True,
        )
        instead = (
            "Your earlier instruction stands as recorded ("
            + choice_text(
                tenders_all=standing.choice == InstructionChoice.ALL,
                amount=standing.amount,
                voice=Voice.YOURS,
                within_sentence=True,
            )
            + ")."
            if standing is not None
            else "No instruction was recorded for you: your Old Notes were not tendered."
        )
    firm = account.firm
    phone = f" at {firm.phone.as_national}" if firm.phone else ""
    return [
        f"You submitted {what} online for account {account.account_number} at "
        f"{timestamp(submission.submitted_at)}. Your broker did not act on it before the "
        f"offer expired, at {describe_instant(offer.expiration)}, and nothing can be "
        "recorded after that: it did not count.",
        instead,
        f"We are sorry. Please call your representative{phone} about it.",
    ]


def _missed_notice(submission: ClientSubmission) -> list[outbox.NoticeEmail]:
    account = submission.account
    if not account.email:
        return []
    names = " and ".join(owner.name for owner in account.owners.all())
    firm = account.firm
    body = (
        f"Dear {names},\n\n"
        + "\n\n".join(missed_words(submission))
        + f"\n\n{firm.name}\n{firm.address}\n"
    )
    return [
        outbox.NoticeEmail(
            key="",
            account=account,
            to=account.email,
            subject=f"What you submitted online for account {account.account_number} did "
            "not count: the offer expired first",
            body=body,
        )
    ]


def client_submissions_miss() -> list[int]:
    """At the expiration, each submission still awaiting review is marked missed (it can no
    longer be approved, and nothing is backdated), and its client is told. Returns those
    marked now. A terminated offer's clients are told by its termination notice instead."""
    now = clock.now()
    due = ClientSubmission.objects.filter(
        status=ReviewStatus.AWAITING, offer__expiration__lte=now
    ).exclude(offer__status=OfferStatus.TERMINATED)
    missed = []
    for pk, account_id in due.values_list("pk", "account_id"):
        with transaction.atomic():
            # The account's row first, as an approval takes it: one lock order.
            accounts_lock(pk=account_id)
            submission = (
                ClientSubmission.objects.select_for_update(of=("self",))
                .select_related("offer", "account__firm")
                .get(pk=pk)
            )
            if submission.status != ReviewStatus.AWAITING or now < submission.offer.expiration:
                continue  # reviewed meanwhile, or the offer was extended
            submission.status = ReviewStatus.MISSED
            submission.save(update_fields=["status"])
            _record(
                submission=submission,
                occasion=AlertOccasion.MISSED,
                notices=_missed_notice(submission),
            )
            missed.append(pk)
    return missed
