"""Reads about firms and client accounts, scoped by who asks (`tenders.accounts.permissions`)."""

from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as AuthUser
from django.db.models import Prefetch, QuerySet

from notes.domain.deadlines import CutoffRule, firm_cutoff
from notes.models import ExchangeOffer
from notes.selectors import offer_calendar
from tenders.accounts import permissions
from tenders.accounts.models import AccountOwner, BrokerFirm, ClientAccount, Position
from tenders.accounts.permissions import User
from tenders.domain.rules import Deadlines


def accounts_for_user(*, user: User) -> QuerySet[ClientAccount]:
    """The accounts a user may see, with their firm and owners."""
    accounts = ClientAccount.objects.select_related("firm").prefetch_related(
        Prefetch("owners", queryset=AccountOwner.objects.order_by("sequence"))
    )
    return permissions.visible_accounts(user=user, accounts=accounts)


def position_for(*, account: ClientAccount, offer: ExchangeOffer) -> Decimal:
    """The principal of the offer's Old Notes held for the account (0 if none)."""
    # At most one row (unique per account and security): ordered by its id, not by the
    # model's ordering, whose sort joins the account, its firm, the security and its issuer.
    held = (
        Position.objects.filter(account=account, security_id=offer.old_security_id)
        .order_by("pk")
        .values_list("principal", flat=True)
        .first()
    )
    return held if held is not None else Decimal(0)


def principal_held(*, security_id: int, account_ids: list[int]) -> dict[int, Decimal]:
    """The principal of a security held for each of these accounts (none: not listed)."""
    return dict(
        Position.objects.filter(security_id=security_id, account__in=account_ids).values_list(
            "account_id", "principal"
        )
    )


def firm_deadlines(*, firm: BrokerFirm, offer: ExchangeOffer) -> Deadlines:
    """The firm's cutoff and the expiration, derived from the offer's current expiration: an
    extension moves both."""
    rule = CutoffRule(firm.cutoff_banking_days_before, firm.cutoff_time)
    return Deadlines(
        firm_cutoff=firm_cutoff(offer.expiration, rule, offer_calendar(offer=offer)),
        expiration=offer.expiration,
    )


def firm_people_to_email(*, firm: BrokerFirm) -> QuerySet[AuthUser]:
    """The firm's representatives, its supervisors among them, who can be e-mailed about its
    clients: active users with an address."""
    return (
        get_user_model()
        .objects.filter(representative__firm=firm, is_active=True)
        .exclude(email="")
        .order_by("username")
    )


def excluded_states(*, offer: ExchangeOffer) -> set[str]:
    return set(offer.excluded_jurisdictions.values_list("state", flat=True))


def owner_names(*, account_ids: list[int], batch_size: int = 500) -> dict[int, list[str]]:
    """The owners' names of each account, in order (asked in batches: a database takes only
    so many parameters in one query). For the documents of many accounts at once (payment
    advices, statements)."""
    names: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(account_ids), batch_size):
        rows = (
            AccountOwner.objects.filter(account_id__in=account_ids[start : start + batch_size])
            .order_by("account_id", "sequence")
            .values_list("account_id", "name")
        )
        for account_id, name in rows:
            names[account_id].append(name)
    return names
