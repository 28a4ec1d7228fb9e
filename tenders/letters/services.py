"""Writes: what was sent about the letter. A reminder is recorded at most once per client and
business day (the database refuses a second: `reminder_once_a_day`), with its e-mail, or
waiting for its letter until the letter is issued; its e-mail goes out once (its occasion,
`reminder_key`)."""

from datetime import date, datetime

from django.contrib.auth.models import User

from exchange_office.stamps import stamped
from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount
from tenders.documents.models import Document
from tenders.letters.models import Reminder
from tenders.outbox.models import OutboxMessage


def reminder_key(*, offer: ExchangeOffer, account: ClientAccount, day: date) -> str:
    """The occasion of a reminder, its e-mail's key: the client, the offer and the business
    day (reminder:o3:a17:d2001-08-20)."""
    return f"reminder:o{offer.pk}:a{account.pk}:d{day.isoformat()}"


def reminder_record(
    *,
    offer: ExchangeOffer,
    account: ClientAccount,
    day: date,
    firm_cutoff: datetime,
    letter_key: str,
    letter: Document | None = None,
    message: OutboxMessage | None = None,
    by: User | None,
) -> Reminder:
    """Record the reminder sent to the client (its e-mail and the letter it links to), or
    waiting for its letter (neither), in the caller's transaction; IntegrityError if the client
    was reminded that day already."""
    return Reminder.objects.create(
        offer=offer,
        account=account,
        business_day=day,
        **stamped(),
        firm_cutoff=firm_cutoff,
        letter_key=letter_key,
        letter=letter,
        message=message,
        by=by,
    )


def reminder_mark_sent(*, reminder: Reminder, letter: Document, message: OutboxMessage) -> None:
    """A waiting reminder's letter and e-mail, in the caller's transaction (which holds the
    reminder's row locked)."""
    reminder.letter, reminder.message = letter, message
    reminder.save(update_fields=["letter", "message"])
