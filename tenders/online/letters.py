"""Sending the letter "To Our Clients" and the reminders, each carrying the client's link.

The client's side issues the links (`tenders.online.services.client_links_issue`), so it sends
what carries them: the letter's content is `tenders.letters` (what it says, and the reminders
recorded), the documents and e-mails are `tenders.documents` and `tenders.outbox`.

The letter of an account is issued once per occasion: the offer as it stands after its last
extension or amendment of the terms (none yet: the first letter). Its snapshot is taken when
it is first asked for (a bulk run, a representative printing it, a reminder); after an
extension a new occasion gives a new letter and the old one is kept. Sending is recorded once
per client and occasion (`LetterDispatch`, keyed by the letter's key): e-mailed through the
outbox, or printed for mailing. A run leaves out the letters another run has taken (its items'
occasions), so repeated or racing runs send each letter once.

A reminder goes to each client with a position who has not answered (no live or accepted
instruction), while the firm's cutoff is ahead, at most once per business day: the database
holds that (`reminder_once_a_day`), so two runs racing send one. It links to the client's
letter: a letter not issued yet is never rendered by the request or command that sends the
reminders (it took seconds a client); the reminder is recorded as waiting, the letter's issue
is queued, and the reminder's e-mail goes out once the letter exists (`reminders_send_waiting`,
which the sweep runs: a worker killed in between leaves nothing unsent), once (its occasion).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet

from exchange_office import clock
from exchange_office.formatting import describe_instant, in_new_york, short_date
from notes.models import ExchangeOffer
from notes.selectors import offer_last_change, offers_with_terms
from tenders.accounts import permissions
from tenders.accounts.models import BrokerFirm, ClientAccount
from tenders.accounts.selectors import firm_deadlines, principal_held
from tenders.bulk_runs import services as bulk_runs
from tenders.bulk_runs import tasks as bulk_run_tasks
from tenders.bulk_runs.models import BulkRun, BulkRunStatus
from tenders.documents import tasks as document_tasks
from tenders.documents.keys import DocumentKey
from tenders.documents.models import Document, DocumentKind, LetterDelivery
from tenders.documents.selectors import document_link
from tenders.documents.services import document_issue
from tenders.documents.snapshots import SnapshotInput, document_snapshots_record
from tenders.domain.lifecycle import LIVE
from tenders.letters.contexts import client_letter_context
from tenders.letters.models import Reminder
from tenders.letters.selectors import accounts_with_position, reminded_on
from tenders.letters.services import reminder_key, reminder_mark_sent, reminder_record
from tenders.online.permissions import may_print_client_letter, may_send_client_letters
from tenders.online.selectors import client_link_url
from tenders.online.services import client_link_issue, client_links_issue
from tenders.outbox import services as outbox
from tenders.outbox import tasks as outbox_tasks
from tenders.outbox.models import OutboxMessage


def _record_letters(
    *, offer: ExchangeOffer, accounts: Iterable[ClientAccount]
) -> list[DocumentKey]:
    """The letters' snapshots as of now, for the accounts that have none for this occasion.
    Returns every account's key (recorded now or before)."""
    accounts = list(accounts)
    try:
        return _record_letters_once(offer=offer, accounts=accounts)
    except IntegrityError:
        # Another request recorded one of these occasions at the same moment (two reminder
        # runs, a representative printing): theirs is the letter, and the retry skips it.
        return _record_letters_once(offer=offer, accounts=accounts)


@transaction.atomic
def _record_letters_once(
    *, offer: ExchangeOffer, accounts: list[ClientAccount]
) -> list[DocumentKey]:
    offer = offers_with_terms().prefetch_related("conditions").get(pk=offer.pk)
    event, now = offer_last_change(offer), clock.now()
    held = principal_held(security_id=offer.old_security_id, account_ids=[a.pk for a in accounts])
    links = client_links_issue(offer=offer, accounts=accounts)
    inputs = [
        SnapshotInput(
            key=DocumentKey(
                DocumentKind.CLIENT_LETTER,
                offer_id=offer.pk,
                account_id=account.pk,
                event_id=event.pk if event is not None else 0,
            ),
            account=account,
            offer=offer,
            context=client_letter_context(
                offer=offer,
                account=account,
                position=held[account.pk],
                event=event,
                now=now,
                client_link=client_link_url(links[account.pk]),
            ),
        )
        for account in accounts
    ]
    document_snapshots_record(snapshots=inputs, taken_at=now)
    return [item.key for item in inputs]


def client_letter_issue(
    *, offer: ExchangeOffer, account: ClientAccount, by: User | None = None
) -> Document:
    """The account's letter for the offer as it stands now: issued the first time (nothing is
    sent), the stored one afterwards. Refused for an account holding none of the Old Notes."""
    if by is not None:
        permissions.require(
            may_print_client_letter(user=by, account=account),
            "You may not print this client's letter.",
        )
    if not accounts_with_position(offer=offer).filter(pk=account.pk).exists():
        raise ValidationError(
            f"Account {account.account_number} holds no {offer.old_security.short_name}: "
            "it gets no letter."
        )
    (key,) = _record_letters(offer=offer, accounts=[account])
    return document_issue(key=key, by=by)


@transaction.atomic
def client_letters_send(
    *, offer: ExchangeOffer, firm: BrokerFirm | None, delivery: str, by: User
) -> BulkRun:
    """A bulk run that issues and sends the letter to every client with a position (of one
    firm, or of the whole office): by e-mail (printed for mailing where there is no address),
    or all printed for mailing. Its drains start once this commits."""
    permissions.require(may_send_client_letters(user=by), "You may not send client letters.")
    if delivery not in LetterDelivery.values:
        raise ValidationError(f"Unknown delivery: {delivery!r}.")
    accounts = list(accounts_with_position(offer=offer, firm=firm))
    keys = _record_letters(offer=offer, accounts=accounts)
    run = bulk_runs.bulk_run_start(
        offer=offer,
        kind=DocumentKind.CLIENT_LETTER,
        delivery=delivery,
        # Each letter is sent once (its key): a client whose letter of this occasion another
        # run has taken, or sent, gets no item here.
        items=(
            bulk_runs.BulkItemInput(key=key, account_id=key.account_id or 0, occasion=str(key))
            for key in keys
        ),
        by=by,
    )
    if run.status == BulkRunStatus.RUNNING:
        bulk_run_tasks.enqueue_drains(run_id=run.pk)
    return run


# Reminders


@dataclass(frozen=True, slots=True)
class RemindersResult:
    sent: int
    skipped: int
    reasons: tuple[str, ...]  # one line per client skipped: who and why


def _unanswered(accounts: QuerySet[ClientAccount], offer: ExchangeOffer) -> QuerySet[ClientAccount]:
    return accounts.exclude(instructions__offer=offer, instructions__status__in=LIVE)


def reminders_send(
    *,
    offer: ExchangeOffer,
    firm: BrokerFirm | None = None,
    by: User | None = None,
    dry_run: bool = False,
) -> RemindersResult:
    """E-mail every client with a position who has not answered: the firm's cutoff and a link
    to a fresh copy of the letter. Skipped: a client without an e-mail address, one already
    reminded this business day, and every client of a firm whose cutoff has passed. A dry run
    sends and records nothing (and issues no letter). `sent` counts the reminders recorded:
    e-mailed now, or once the client's letter is issued (`_remind`)."""
    if by is not None:
        permissions.require(may_send_client_letters(user=by), "You may not send reminders.")
    now = clock.now()
    today = in_new_york(now).date()
    sent, reasons = 0, []
    accounts = _unanswered(accounts_with_position(offer=offer, firm=firm), offer)
    reminded = reminded_on(offer=offer, day=today)
    cutoffs: dict[int, datetime] = {}
    for account in accounts:
        if account.firm_id not in cutoffs:
            cutoffs[account.firm_id] = firm_deadlines(firm=account.firm, offer=offer).firm_cutoff
        cutoff = cutoffs[account.firm_id]
        if now >= cutoff:
            reasons.append(f"{account.account_number}: the firm's cutoff has passed")
        elif not account.email:
            reasons.append(f"{account.account_number}: no e-mail address")
        elif account.pk in reminded:
            reasons.append(f"{account.account_number}: already reminded on {short_date(today)}")
        elif dry_run or _remind(offer=offer, account=account, today=today, cutoff=cutoff, by=by):
            sent += 1
        else:
            reasons.append(f"{account.account_number}: already reminded on {short_date(today)}")
    return RemindersResult(sent=sent, skipped=len(reasons), reasons=tuple(reasons))


def _remind(
    *, offer: ExchangeOffer, account: ClientAccount, today: date, cutoff: datetime, by: User | None
) -> bool:
    """One reminder: e-mailed at once if the client's letter is issued; otherwise recorded as
    waiting for it, and the letter's issue queued (a worker renders it, or the bulk run that
    holds it: never this request or command). False if the account was reminded today
    meanwhile (another run: the constraint lets one through)."""
    (key,) = _record_letters(offer=offer, accounts=[account])  # its snapshot: quick
    letter = Document.objects.filter(key=str(key)).order_by("revision").first()
    try:
        with transaction.atomic():
            if letter is None:
                reminder = reminder_record(
                    offer=offer,
                    account=account,
                    day=today,
                    firm_cutoff=cutoff,
                    letter_key=str(key),
                    by=by,
                )
                if not bulk_runs.bulk_items_open_keys().filter(key=str(key)).exists():
                    document_tasks.enqueue_issue(key=key)
                # Issued by then (the immediate backend, a racing run): sent at once; otherwise
                # the sweep sends it once the letter exists.
                transaction.on_commit(lambda: reminders_send_waiting(reminder_ids=[reminder.pk]))
            else:
                message = _reminder_message(
                    offer=offer, account=account, day=today, cutoff=cutoff, letter=letter, by=by
                )
                reminder_record(
                    offer=offer,
                    account=account,
                    day=today,
                    firm_cutoff=cutoff,
                    letter_key=str(key),
                    letter=letter,
                    message=message,
                    by=by,
                )
                outbox_tasks.enqueue_send(message_id=message.pk)
    except IntegrityError:
        return False
    return True


def _reminder_message(
    *,
    offer: ExchangeOffer,
    account: ClientAccount,
    day: date,
    cutoff: datetime,
    letter: Document,
    by: User | None,
) -> OutboxMessage:
    """The reminder's e-mail, recorded in the outbox for its occasion (IntegrityError if it
    has one already); the caller queues its sending."""
    names = " and ".join(owner.name for owner in account.owners.all())
    cutoff_text = describe_instant(cutoff)
    body = (
        f"Dear {names},\n\n"
        f"We have not yet received your instructions on the {offer.name} for account "
        f"{account.account_number}. If you wish us to tender your Old Notes, please return "
        f"the signed instruction form in ample time: we must receive it by {cutoff_text}.\n\n"
        f"A copy of our letter, with the instruction form filled in for your account, is "
        f"here until the link expires ({settings.DOCUMENT_LINK_MAX_AGE_DAYS} days):\n"
        f"{document_link(letter)}\n\n"
        f"You can also answer online, without the paper form, until "
        f"{cutoff_text}:\n{client_link_url(client_link_issue(offer=offer, account=account))}\n\n"
        f"If you do not wish to tender, you need not answer: Old Notes you do not tender stay "
        f"in your account until the exchange is completed, and if it is, the company pays "
        f"holders who do not tender the full principal of and accrued interest on their Old "
        f"Notes, on the day it is completed (the letter states the figure for your account).\n\n"
        f"{account.firm.name}\n{account.firm.address}\n"
    )
    return outbox.outbox_message_create(
        key=reminder_key(offer=offer, account=account, day=day),
        account=account,
        offer=offer,
        to=account.email,
        subject=f"Reminder: {offer.name} — instructions by {cutoff_text}",
        body=body,
        by=by,
    )


def reminders_send_waiting(*, reminder_ids: Iterable[int] | None = None) -> list[int]:
    """E-mail the reminders waiting for their letter whose letter is issued now (those of
    `reminder_ids`, or all of them: the sweep), each once: a reminder sent meanwhile, or whose
    e-mail another worker recorded first (its occasion), is left alone. Returns those sent."""
    waiting = Reminder.objects.filter(message__isnull=True).filter(
        Exists(Document.objects.filter(key=OuterRef("letter_key")))
    )
    if reminder_ids is not None:
        waiting = waiting.filter(pk__in=list(reminder_ids))
    return [
        reminder_id
        for reminder_id in waiting.order_by("pk").values_list("pk", flat=True)
        if _send_waiting(reminder_id)
    ]


def _send_waiting(reminder_id: int) -> bool:
    try:
        with transaction.atomic():
            reminder = (
                Reminder.objects.select_for_update(of=("self",))
                .select_related("offer", "account__firm", "by")
                .filter(pk=reminder_id, message__isnull=True)
                .first()
            )
            if reminder is None:
                return False  # sent meanwhile
            letter = Document.objects.filter(key=reminder.letter_key).order_by("revision").first()
            if letter is None:
                return False
            message = _reminder_message(
                offer=reminder.offer,
                account=reminder.account,
                day=reminder.business_day,
                cutoff=reminder.firm_cutoff,
                letter=letter,
                by=reminder.by,
            )
            reminder_mark_sent(reminder=reminder, letter=letter, message=message)
            outbox_tasks.enqueue_send(message_id=message.pk)
    except IntegrityError:
        return False  # its e-mail was recorded first by another worker: theirs goes
    return True
