"""Reads: who gets the letter, and what the client was sent about the offer besides the
documents of instructions (the letters and the reminders), for the account's history."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from notes.models import ExchangeOffer
from tenders.accounts.models import BrokerFirm, ClientAccount
from tenders.documents.models import LetterDispatch
from tenders.letters.models import Reminder


@dataclass(frozen=True, slots=True)
class ContactEntry:
    what: str
    how: str
    business_at: datetime
    wall_at: datetime
    by: str
    status: str


def account_contacts(*, account: ClientAccount, offer: ExchangeOffer) -> list[ContactEntry]:
    """The letters sent (e-mailed or printed for mailing) and the reminders, newest first."""
    entries = [
        ContactEntry(
            what=f"Client letter {d.document.number}",
            how=d.get_channel_display() + (f" to {d.message.to}" if d.message is not None else ""),
            business_at=d.business_at,
            wall_at=d.wall_at,
            by=d.by.get_username() if d.by else "system",
            status=d.message.get_status_display() if d.message is not None else "",
        )
        for d in LetterDispatch.objects.filter(account=account, offer=offer).select_related(
            "document", "message", "by"
        )
    ]
    entries += [
        ContactEntry(
            what=f"Reminder (letter {r.letter.number})"
            if r.letter is not None
            else "Reminder (its letter being issued)",
            how=f"By e-mail to {r.message.to if r.message is not None else account.email}",
            business_at=r.business_at,
            wall_at=r.wall_at,
            by=r.by.get_username() if r.by else "system",
            status=r.message.get_status_display()
            if r.message is not None
            else "Waiting for its letter",
        )
        for r in Reminder.objects.filter(account=account, offer=offer).select_related(
            "letter", "message", "by"
        )
    ]
    return sorted(entries, key=lambda e: e.wall_at, reverse=True)


def accounts_with_position(
    *, offer: ExchangeOffer, firm: BrokerFirm | None = None
) -> QuerySet[ClientAccount]:
    """The clients holding the offer's Old Notes, of one firm or of the whole office."""
    accounts = ClientAccount.objects.filter(
        positions__security_id=offer.old_security_id, positions__principal__gt=0
    )
    if firm is not None:
        accounts = accounts.filter(firm=firm)
    return accounts.select_related("firm").prefetch_related("owners").order_by("pk")


def reminded_on(*, offer: ExchangeOffer, day: date) -> set[int]:
    """The accounts reminded on that business day (at most once a day)."""
    return set(
        Reminder.objects.filter(offer=offer, business_day=day).values_list("account_id", flat=True)
    )
