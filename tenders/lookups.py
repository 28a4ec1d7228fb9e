"""Lookups the representative's pages share, whichever concern's page they are on (the
instruction form, the account page, the review queue): the offer they work on, an account the
user may see (404 otherwise), and the deadlines shown beside it. A module of its own, above the
concerns it reads, so that no views module imports another's."""

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from exchange_office import clock
from notes.models import ExchangeOffer
from notes.selectors import current_offer
from tenders.accounts.models import BrokerFirm, ClientAccount
from tenders.accounts.selectors import accounts_for_user, firm_deadlines


def offer_or_404() -> ExchangeOffer:
    offer = current_offer()
    if offer is None:
        raise Http404("There is no exchange offer yet.")
    return offer


def account_or_404(request: HttpRequest, pk: int) -> ClientAccount:
    """Only the accounts the user may see exist: another firm's id answers 404."""
    return get_object_or_404(accounts_for_user(user=request.user), pk=pk)


def deadline_context(offer: ExchangeOffer, firm: BrokerFirm | None) -> dict[str, Any]:
    """The firm's cutoff (operations looking at every firm have none) and the expiration."""
    return {
        "deadlines": firm_deadlines(firm=firm, offer=offer) if firm is not None else None,
        "expiration": offer.expiration,
        "business_now": clock.now(),
        "clock_pinned": clock.is_pinned(),
    }
