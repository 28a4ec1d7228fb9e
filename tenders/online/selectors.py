"""Reads for clients who answer online: the signed link, the review queue."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from exchange_office import clock
from notes.models import ExchangeOffer
from tenders.accounts import permissions
from tenders.accounts.models import ClientAccount
from tenders.accounts.permissions import User
from tenders.accounts.selectors import firm_deadlines
from tenders.domain.lifecycle import OPEN
from tenders.instructions.selectors import live_instruction
from tenders.online.models import ClientLink, ClientSubmission, ReviewStatus

# Django's signing, salted for this purpose only: a document link's token opens no form.
LINK_SALT = "tenders.client-link"


def _signer() -> signing.Signer:
    # No timestamp in the token: the row holds the expiry, and one link prints the same in
    # the letter and every reminder.
    return signing.Signer(salt=LINK_SALT)


def client_link_token(link: ClientLink) -> str:
    return _signer().sign_object({"l": link.pk, "a": link.account_id, "o": link.offer_id})


def client_link_url(link: ClientLink) -> str:
    """The address printed in the letter and the reminders."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "client_page", args=[client_link_token(link)]
    )


class LinkNotFound(Exception):
    """Not a link this office signed (or its account or offer no longer match)."""


class LinkExpired(Exception):
    def __init__(self, link: ClientLink) -> None:
        super().__init__(f"link {link.pk} expired at {link.expires_at}")
        self.link = link


def may_still_withdraw(link: ClientLink) -> bool:
    """After the link's expiry (the firm's cutoff) a client with a live instruction may still
    withdraw it online, until the offer expires: withdrawal rights run until then."""
    offer = link.offer
    if clock.now() >= offer.expiration:
        return False
    live = live_instruction(account=link.account, offer=offer)
    return live is not None and live.status in OPEN


def client_link_from_token(token: str) -> ClientLink:
    """The link a token names: LinkNotFound if forged, LinkExpired at or after its expiry
    (the firm's cutoff when it was issued, on the business clock), unless the client may
    still withdraw (`may_still_withdraw`)."""
    try:
        payload = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise LinkNotFound from None
    link = (
        ClientLink.objects.select_related("account__firm", "offer")
        .filter(pk=payload.get("l"), account_id=payload.get("a"), offer_id=payload.get("o"))
        .first()
    )
    if link is None:
        raise LinkNotFound
    if clock.now() >= link.expires_at and not may_still_withdraw(link):
        raise LinkExpired(link)
    return link


def withdraw_only(link: ClientLink) -> bool:
    """The link is past its expiry but the client may still withdraw: only that is offered."""
    return clock.now() >= link.expires_at


def awaiting_submission(*, account: ClientAccount, offer: ExchangeOffer) -> ClientSubmission | None:
    return (
        ClientSubmission.objects.filter(account=account, offer=offer, status=ReviewStatus.AWAITING)
        .prefetch_related("signers__owner")
        .first()
    )


def account_submissions(
    *, account: ClientAccount, offer: ExchangeOffer
) -> QuerySet[ClientSubmission]:
    return (
        ClientSubmission.objects.filter(account=account, offer=offer)
        .select_related("reviewed_by", "instruction")
        .prefetch_related("signers")
        .order_by("-submitted_wall_at", "-id")
    )


@dataclass(frozen=True, slots=True)
class QueueItem:
    submission: ClientSubmission
    firm_cutoff: datetime
    cutoff_passed: bool
    expiration: datetime  # approved only before it: not reviewed by then, it is missed


def review_queue(*, user: User, offer: ExchangeOffer) -> list[QueueItem]:
    """Client submissions awaiting review that the user may review: those nearest their
    firm's cutoff first, then the oldest. Each may be approved until the offer expires."""
    submissions = permissions.visible_by_account(
        user=user,
        rows=ClientSubmission.objects.filter(offer=offer, status=ReviewStatus.AWAITING),
        account_path="account",
    ).select_related("account__firm", "link")
    now = clock.now()
    cutoffs: dict[int, datetime] = {}
    items = []
    for submission in submissions.prefetch_related("signers", "account__owners"):
        firm = submission.account.firm
        if firm.pk not in cutoffs:
            cutoffs[firm.pk] = firm_deadlines(firm=firm, offer=offer).firm_cutoff
        items.append(
            QueueItem(submission, cutoffs[firm.pk], now >= cutoffs[firm.pk], offer.expiration)
        )
    return sorted(items, key=lambda i: (i.firm_cutoff, i.submission.submitted_wall_at))


@dataclass(frozen=True, slots=True)
class ReviewCounts:
    """What operations see of the clients' online submissions for an offer."""

    awaiting: int
    oldest_awaiting_at: datetime | None  # business clock
    missed: int


def _counted(status: str) -> Any:
    rows = ClientSubmission.objects.filter(offer=OuterRef("pk"), status=status)
    return Coalesce(Subquery(rows.values("offer").annotate(n=Count("pk")).values("n")), 0)


def offers_with_review_counts(offers: QuerySet[ExchangeOffer]) -> QuerySet[ExchangeOffer]:
    """The offers, each with its `review_counts` read in the same query (a list of offers)."""
    oldest = ClientSubmission.objects.filter(
        offer=OuterRef("pk"), status=ReviewStatus.AWAITING
    ).order_by("submitted_at")
    return offers.annotate(
        online_awaiting=_counted(ReviewStatus.AWAITING),
        online_missed=_counted(ReviewStatus.MISSED),
        online_oldest_awaiting_at=Subquery(oldest.values("submitted_at")[:1]),
    )


def review_counts(*, offer: ExchangeOffer) -> ReviewCounts:
    """What still waits for a representative, and what was missed (read already where the
    offer came from `offers_with_review_counts`)."""
    if not hasattr(offer, "online_awaiting"):
        offer = offers_with_review_counts(ExchangeOffer.objects.filter(pk=offer.pk)).get()
    counted: Any = offer  # the annotations are not the model's attributes
    return ReviewCounts(
        awaiting=counted.online_awaiting,
        oldest_awaiting_at=counted.online_oldest_awaiting_at,
        missed=counted.online_missed,
    )


def missed_submission(*, account: ClientAccount, offer: ExchangeOffer) -> ClientSubmission | None:
    """The account's latest submission, if it was missed at the expiration."""
    latest = (
        ClientSubmission.objects.filter(account=account, offer=offer)
        .exclude(status=ReviewStatus.REPLACED)
        .select_related("account__firm", "offer")
        .order_by("-submitted_wall_at", "-id")
        .first()
    )
    return latest if latest is not None and latest.status == ReviewStatus.MISSED else None


def client_links(*, account: ClientAccount, offer: ExchangeOffer) -> QuerySet[ClientLink]:
    return ClientLink.objects.filter(account=account, offer=offer).select_related("unlocked_by")
