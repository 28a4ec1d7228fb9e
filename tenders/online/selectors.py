"""Reads for clients who answer online: the signed link as the client opens it (current,
forwarded, expired or locked), the review queue."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from exchange_office import clock
from notes.models import ExchangeOffer, OfferStatus
from tenders.accounts import permissions
from tenders.accounts.models import ClientAccount
from tenders.accounts.permissions import User
from tenders.accounts.selectors import firm_deadlines, position_for
from tenders.documents.contexts import projected_figures
from tenders.domain.lifecycle import OPEN
from tenders.instructions.models import Instruction, InstructionChoice
from tenders.instructions.selectors import live_instruction
from tenders.links.models import ClientLink
from tenders.links.selectors import (
    LinkDeadlines,
    client_check_locked,
    client_link_ids,
    current_link,
    link_deadlines,
)
from tenders.links.selectors import client_link_token as client_link_token  # re-exported
from tenders.links.selectors import client_link_url as client_link_url  # re-exported
from tenders.online.models import ClientSubmission, ReviewStatus, SubmissionKind


class LinkNotFound(Exception):
    """Not a link this office signed (or its account or offer no longer match)."""


class LinkExpired(Exception):
    """The offer, as it stands now, no longer lets the client act through the link."""

    def __init__(self, link: ClientLink, deadlines: LinkDeadlines) -> None:
        super().__init__(f"link {link.pk} expired at {deadlines.firm_cutoff}")
        self.link = link
        self.deadlines = deadlines


def may_still_withdraw(link: ClientLink) -> bool:
    """After the firm's cutoff a client with a live instruction may still withdraw it online,
    until the offer expires: withdrawal rights run until then."""
    offer = link.offer
    if clock.now() >= offer.expiration:
        return False
    live = live_instruction(account=link.account, offer=offer)
    return live is not None and live.status in OPEN


def client_link_from_token(token: str) -> ClientLink:
    """The link a token names: LinkNotFound if forged, LinkExpired at or after the firm's
    CURRENT cutoff (on the business clock, after any extension), unless the client may still
    withdraw (`may_still_withdraw`). An older link is returned as it is: the page forwards it
    to the current one (`newer_link`) once the client passed the check."""
    ids = client_link_ids(token)
    if ids is None:
        raise LinkNotFound
    link_id, account_id, offer_id = ids
    link = (
        ClientLink.objects.select_related("account__firm", "offer")
        .filter(pk=link_id, account_id=account_id, offer_id=offer_id)
        .first()
    )
    if link is None:
        raise LinkNotFound
    deadlines = link_deadlines(account=link.account, offer=link.offer)
    if clock.now() >= deadlines.firm_cutoff and not may_still_withdraw(link):
        raise LinkExpired(link, deadlines)
    return link


def withdraw_only(link: ClientLink) -> bool:
    """The firm's current cutoff has passed but the client may still withdraw: only that is
    offered."""
    return clock.now() >= link_deadlines(account=link.account, offer=link.offer).firm_cutoff


def newer_link(link: ClientLink) -> ClientLink | None:
    """The account's current link for the offer, where a newer letter issued one after this
    link; None while this link is the current one."""
    current = current_link(account=link.account, offer=link.offer)
    return current if current is not None and current.pk != link.pk else None


def link_locked(link: ClientLink) -> bool:
    """Locked by wrong answers to the identity check, given through any link of the account
    for the offer."""
    return client_check_locked(account_id=link.account_id, offer_id=link.offer_id)


@dataclass(frozen=True, slots=True)
class PageOffer:
    """What the client's page offers at this moment, and the deadlines it states: the page
    puts it in the digest it posts back (`agreement.shown_digest`), so that a post is taken
    only for what the page showed."""

    kinds: tuple[str, ...]  # SubmissionKind values the page offers (none: no form)
    firm_cutoff: datetime  # "We must receive your instructions by …"
    expiration: datetime  # the offer's, which ends withdrawal rights
    # What the kinds were decided from, for the page to show without reading them again.
    live: Instruction | None  # the account's live instruction
    position: Decimal  # the offer's Old Notes held for the account


def client_page_offer(link: ClientLink) -> PageOffer:
    """Before the link's expiry: a tender (to change the instruction too), and a withdrawal
    where an open instruction exists; after it, only that withdrawal, until the offer
    expires; nothing once the instruction is accepted, the offer is over, or (for a tender)
    the account holds no Old Notes."""
    offer, account = link.offer, link.account
    live = live_instruction(account=account, offer=offer)
    position = position_for(account=account, offer=offer)
    has_open = live is not None and live.status in OPEN
    kinds: tuple[str, ...]
    if clock.now() >= offer.expiration or offer.status != OfferStatus.OPEN:
        kinds = ()
    elif live is not None and not has_open:
        kinds = ()  # accepted: it can no longer be changed here
    elif withdraw_only(link):
        kinds = (SubmissionKind.WITHDRAWAL,) if may_still_withdraw(link) else ()
    elif position > 0:
        kinds = (
            (SubmissionKind.TENDER, SubmissionKind.WITHDRAWAL)
            if has_open
            else (SubmissionKind.TENDER,)
        )
    elif has_open:
        kinds = (SubmissionKind.WITHDRAWAL,)
    return PageOffer(
        kinds=tuple(str(kind) for kind in kinds),
        firm_cutoff=link_deadlines(account=account, offer=offer).firm_cutoff,
        expiration=offer.expiration,
        live=live,
        position=position,
    )


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


def submission_tendered(submission: ClientSubmission, *, position: Decimal) -> Decimal:
    """The principal a client's submission tenders out of `position`: none for a withdrawal,
    the position for "tender all", else the amount written."""
    if submission.kind != SubmissionKind.TENDER:
        return Decimal(0)
    if submission.choice == InstructionChoice.ALL:
        return position
    return submission.amount or Decimal(0)


def submission_untendered(submission: ClientSubmission) -> dict[str, Any] | None:
    """What the account's Old Notes left out of a client's submission receive, projected for
    the expected consummation date (`projected_figures`' "untendered"); None when it tenders
    everything or the engine cannot project it."""
    position = position_for(account=submission.account, offer=submission.offer)
    return projected_figures(
        offer=submission.offer,
        tendered=submission_tendered(submission, position=position),
        position=position,
    )["untendered"]
