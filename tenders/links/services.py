"""Writes of the client's links: issued once per account, offer and occasion of the letter."""

from collections.abc import Sequence

from django.db import transaction

from exchange_office import clock
from notes.models import ExchangeOffer
from notes.selectors import offer_last_change
from tenders.accounts.models import ClientAccount
from tenders.links.models import ClientCheck, ClientLink


def client_links_issue(
    *, offer: ExchangeOffer, accounts: Sequence[ClientAccount]
) -> dict[int, ClientLink]:
    """Each account's link for the offer as it stands (after its last extension or amendment
    of the terms: a new one after each). Issued once per occasion, in bulk for a letter run;
    the letter, every reminder and the extension notice of that occasion carry the same link,
    and every older link of the account forwards to it. Returns the links by account id."""
    event = offer_last_change(offer)
    event_id = event.pk if event is not None else 0
    now, wall = clock.now(), clock.wall_now()
    ids = [account.pk for account in accounts]
    issued_before = _issued(offer, event_id, ids)
    ClientLink.objects.bulk_create(
        [
            ClientLink(
                account=account, offer=offer, event_id=event_id, issued_at=now, issued_wall_at=wall
            )
            for account in accounts
            if account.pk not in issued_before
        ],
        batch_size=500,
        ignore_conflicts=True,  # issued at this moment by another run: that link stands
    )
    links: dict[int, ClientLink] = {}
    for start in range(0, len(ids), 500):
        for link in ClientLink.objects.filter(
            offer=offer, event_id=event_id, account_id__in=ids[start : start + 500]
        ):
            links[link.account_id] = link
    # The audit trail's first row of each link issued now (bulk_create saves no history).
    ClientLink.history.bulk_history_create(
        [link for account_id, link in links.items() if account_id not in issued_before],
        batch_size=500,
    )
    return links


def _issued(offer: ExchangeOffer, event_id: int, ids: list[int]) -> set[int]:
    issued: set[int] = set()
    for start in range(0, len(ids), 500):
        issued.update(
            ClientLink.objects.filter(
                offer=offer, event_id=event_id, account_id__in=ids[start : start + 500]
            ).values_list("account_id", flat=True)
        )
    return issued


def client_link_issue(*, offer: ExchangeOffer, account: ClientAccount) -> ClientLink:
    """One account's link (see `client_links_issue`)."""
    return client_links_issue(offer=offer, accounts=[account])[account.pk]


def client_check_lock_row(*, account: ClientAccount, offer: ExchangeOffer) -> ClientCheck:
    """The account's identity check for the offer, created if need be and locked for update
    (inside the caller's transaction): two answers at once are counted one after the other."""
    assert transaction.get_connection().in_atomic_block, "lock the row inside a transaction"
    ClientCheck.objects.get_or_create(account=account, offer=offer)
    return ClientCheck.objects.select_for_update(of=("self",)).get(account=account, offer=offer)
