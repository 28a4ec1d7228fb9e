"""Reads for the broker's side, scoped by who asks."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from tenders.models import BrokerFirm, ClientAccount, Representative


def firm_for_user(*, user: AbstractBaseUser | AnonymousUser) -> BrokerFirm | None:
    """The firm a user represents, or None (operations staff, anonymous users)."""
    if not user.is_authenticated:
        return None
    membership = Representative.objects.select_related("firm").filter(user=user).first()
    return membership.firm if membership else None


def accounts_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[ClientAccount]:
    """The accounts a user may see: their firm's, or every firm's for operations staff."""
    accounts = ClientAccount.objects.select_related("firm").prefetch_related(
        "owners", "positions__security"
    )
    firm = firm_for_user(user=user)
    if firm is not None:
        return accounts.filter(firm=firm)
    if user.is_authenticated and user.is_staff:
        return accounts
    return accounts.none()
