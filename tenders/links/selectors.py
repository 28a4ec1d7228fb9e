"""Reads of the client's links: the signed token and address, the current link of an account
for an offer, and until when a link lets the client act (the offer as it stands now)."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount
from tenders.accounts.selectors import firm_deadlines
from tenders.links.models import ClientCheck, ClientLink

# Django's signing, salted for this purpose only: a document link's token opens no form.
LINK_SALT = "tenders.client-link"


def _signer() -> signing.Signer:
    # No timestamp in the token: validity follows the offer (`link_deadlines`), and one link
    # prints the same in the letter, every reminder and the extension notice.
    return signing.Signer(salt=LINK_SALT)


def client_link_token(link: ClientLink) -> str:
    return _signer().sign_object({"l": link.pk, "a": link.account_id, "o": link.offer_id})


def client_link_url(link: ClientLink) -> str:
    """The address printed in the letter, the reminders and the extension notice."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "client_page", args=[client_link_token(link)]
    )


def client_link_ids(token: str) -> tuple[int, int, int] | None:
    """The link, account and offer ids a token names, or None if this office did not sign it
    for a client link."""
    try:
        payload = _signer().unsign_object(token)
        ids = (payload["l"], payload["a"], payload["o"])
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        return None
    return ids if all(type(value) is int for value in ids) else None


@dataclass(frozen=True, slots=True)
class LinkDeadlines:
    """Until when a link lets the client act: instructions until the firm's cutoff, a
    withdrawal of a live instruction until the offer expires."""

    firm_cutoff: datetime
    expiration: datetime


def link_deadlines(*, account: ClientAccount, offer: ExchangeOffer) -> LinkDeadlines:
    """Derived from the offer's current expiration and the firm's current cutoff rule, never
    stored: every link of the account, old or new, follows an extension at once."""
    deadlines = firm_deadlines(firm=account.firm, offer=offer)
    return LinkDeadlines(firm_cutoff=deadlines.firm_cutoff, expiration=deadlines.expiration)


def current_link(*, account: ClientAccount, offer: ExchangeOffer) -> ClientLink | None:
    """The link of the newest letter (or notice) for the account and offer: the one every
    older link forwards to."""
    return (
        ClientLink.objects.filter(account=account, offer=offer)
        .order_by("-event_id", "-issued_wall_at", "-id")
        .first()
    )


def client_links(*, account: ClientAccount, offer: ExchangeOffer) -> list[ClientLink]:
    """Every link of the account for the offer, the current one first."""
    return list(
        ClientLink.objects.filter(account=account, offer=offer).order_by(
            "-event_id", "-issued_wall_at", "-id"
        )
    )


def client_check(*, account: ClientAccount, offer: ExchangeOffer) -> ClientCheck | None:
    """The account's identity check for the offer (None until a first answer)."""
    return (
        ClientCheck.objects.filter(account=account, offer=offer)
        .select_related("unlocked_by")
        .first()
    )


def client_check_locked(*, account_id: int, offer_id: int) -> bool:
    """Whether the account's identity check for the offer is locked (one check an account and
    offer): asked on each request of the client's page and of every projection it fetches, so
    without reading the check and who unlocked it."""
    return ClientCheck.objects.filter(
        account_id=account_id, offer_id=offer_id, locked_at__isnull=False
    ).exists()


@dataclass(frozen=True, slots=True)
class AccountLinks:
    """What the account page shows of the client's links for the offer."""

    current: ClientLink
    url: str
    deadlines: LinkDeadlines  # as the offer stands now: the link follows an extension
    earlier: int  # older links, which forward to the current one after the identity check
    check: ClientCheck | None


def account_links(*, account: ClientAccount, offer: ExchangeOffer) -> AccountLinks | None:
    """The account's current link for the offer and until when it lets the client act, the
    older links that forward to it, and the identity check; None before any letter."""
    links = client_links(account=account, offer=offer)
    if not links:
        return None
    return AccountLinks(
        current=links[0],
        url=client_link_url(links[0]),
        deadlines=link_deadlines(account=account, offer=offer),
        earlier=len(links) - 1,
        check=client_check(account=account, offer=offer),
    )
