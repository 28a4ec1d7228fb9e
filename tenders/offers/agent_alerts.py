"""Nothing left unsent at the expiration (issue 21): valid tenders are what the exchange agent
holds, so while any instruction of an open offer is received and not sent to the agent, or sent
and not acknowledged, operations are e-mailed 24 hours and 2 hours before the expiration, with
each firm's counts and principal and a link to its reconciliation.

The sweep sends them (`tenders.sweep`). "Operations" are the active users of the Operations
group with an e-mail address. Each e-mail goes once per offer, occasion, expiration and
operator: its outbox key names all four (an extension counts down again), and the key is
unique, so a second sweep, or one running at the same moment, records nothing and sends
nothing. A reminder that comes due while a later one is due too is left out (a sweep that first
runs 90 minutes before the expiration sends the 2-hour one only). None is sent when nothing
remains.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse

from exchange_office import clock
from exchange_office.formatting import describe_instant, dollars, time_left, timestamp, utc_digits
from notes.models import ExchangeOffer, OfferStatus
from tenders.accounts.roles import OPERATIONS_GROUP
from tenders.outbox import services as outbox
from tenders.outbox import tasks as outbox_tasks
from tenders.submissions.reconciliation import FirmUnsent, unsent_by_firm

DAY_BEFORE = "24h"
HOURS_BEFORE = "2h"
# The reminders before the expiration, the most urgent first.
REMINDERS = (
    (HOURS_BEFORE, timedelta(hours=2)),
    (DAY_BEFORE, timedelta(hours=24)),
)


def operations_people_to_email() -> QuerySet[User]:
    """The Operations group's active users with an e-mail address."""
    return (
        User.objects.filter(groups__name=OPERATIONS_GROUP, is_active=True)
        .exclude(email="")
        .order_by("username")
        .distinct()
    )


def reminder_due(*, expiration: datetime, now: datetime) -> str | None:
    """The most urgent reminder due now, or None (before the first, or at the expiration)."""
    for occasion, before in REMINDERS:
        if expiration - before <= now < expiration:
            return occasion
    return None


def reminder_key(*, offer: ExchangeOffer, occasion: str, user: User) -> str:
    """The e-mail's occasion: the offer, the reminder, the expiration it counts down to (as UTC
    digits) and the operator."""
    expires = utc_digits(offer.expiration)
    return f"agent-unsent-{occasion}:o{offer.pk}:x{expires}:u{user.pk}"


def _body(offer: ExchangeOffer, rows: Sequence[FirmUnsent], now: datetime) -> str:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    lines = []
    for row in rows:
        url = base + reverse(
            "admin:tenders_agentsubmission_reconciliation", args=[offer.pk, row.firm.pk]
        )
        lines.append(
            f"- {row.firm.dtc_participant_number} {row.firm.name}: "
            f"{row.not_sent} received and not sent ({dollars(row.not_sent_principal)}), "
            f"{row.unacknowledged} sent and not acknowledged "
            f"({dollars(row.unacknowledged_principal)}). Reconciliation: {url}"
        )
    send = base + reverse("admin:tenders_agentsubmission_changelist")
    return (
        f"{offer} expires {describe_instant(offer.expiration)}, {time_left(offer.expiration, now)} "
        f"from now (as of {timestamp(now)}). An instruction the exchange agent does not hold "
        "then is not tendered: the client's Old Notes stay out of the exchange.\n\n"
        "Still to do, by participant:\n" + "\n".join(lines) + f"\n\nSend what is left: {send}\n"
        "Ask the agent (through the account servicer) about instructions sent and not "
        "acknowledged.\n"
    )


def agent_unsent_remind() -> list[int]:
    """The sweep's reminders to operations, 24 and 2 hours before each open offer's
    expiration, of instructions not sent or not acknowledged. Returns the offers reminded
    about now."""
    now = clock.now()
    offers = ExchangeOffer.objects.filter(
        status=OfferStatus.OPEN,
        expiration__gt=now,
        expiration__lte=now + REMINDERS[-1][1],
    ).order_by("expiration", "pk")
    reminded = []
    for offer in offers:
        occasion = reminder_due(expiration=offer.expiration, now=now)
        if occasion is None:
            continue
        rows = [row for row in unsent_by_firm(offer=offer) if row.anything]
        people = list(operations_people_to_email())
        if not rows or not people:
            continue
        not_sent = sum(row.not_sent for row in rows)
        unacknowledged = sum(row.unacknowledged for row in rows)
        subject = (
            f"{time_left(offer.expiration, now)} before {offer} expires: {not_sent} "
            f"instruction(s) not sent to the agent, {unacknowledged} not acknowledged"
        )
        body = _body(offer, rows, now)
        notices = [
            outbox.NoticeEmail(
                key=reminder_key(offer=offer, occasion=occasion, user=person),
                account=None,
                to=person.email,
                subject=subject,
                body=body,
            )
            for person in people
        ]
        with transaction.atomic():
            try:
                with transaction.atomic():  # a savepoint: a racing sweep's keys refuse ours
                    recorded = outbox.outbox_notices_create(offer=offer, notices=notices, by=None)
            except IntegrityError:
                continue  # a sweep running now recorded this occasion's e-mails
            for message in recorded:
                outbox_tasks.enqueue_send(message_id=message.pk)
        if recorded:
            reminded.append(offer.pk)
    return reminded
