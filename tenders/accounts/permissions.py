"""Who a user is on the broker's side, and what they may do with client accounts. Each concern
answers "may this user do this to my objects" in its own `permissions` module, built on the
answers here (`firm_for_user`, `is_active_staff`); services ask before they write, selectors
scope their querysets with it, and views and the admin ask rather than check permissions
themselves.

The roles:
- A **representative** is a user with a firm membership (`Representative`). That membership is
  all a representative needs: they see and act on their own firm's client accounts, and nothing
  else, until the firm's cutoff.
- **Operations** staff are staff users in the Operations group (`tenders.accounts.roles`; see
  `grant_operations`), with no firm. They see every firm, act after a firm's cutoff with a
  reason, submit to the exchange agent and run the offer. They delete nothing and never change
  documents or audit rows.
- Revealing a full taxpayer ID is a permission of its own (`tenders.reveal_tin`), given with
  `grant_operations --reveal-tin`.
"""

from typing import TypeVar

from django.conf import settings
from django.contrib.auth import models as auth_models
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from tenders.accounts.models import BrokerFirm, ClientAccount, Representative

User = auth_models.User | auth_models.AnonymousUser
M = TypeVar("M", bound=Model)

__all__ = [
    "User",
    "firm_for_user",
    "is_active_staff",
    "may_reveal_tin",
    "may_see_account",
    "may_use_admin",
    "may_use_broker_pages",
    "require",
    "sees_all_firms",
    "tin_reveal_needs_second_person",
    "visible_accounts",
    "visible_by_account",
]

_NO_FIRM = object()


def require(allowed: bool, message: str) -> None:
    """Raise PermissionDenied with `message` unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)


def firm_for_user(*, user: User) -> BrokerFirm | None:
    """The firm a user represents, or None (operations staff, anonymous users). Kept on the
    user object, so a request asks the database once."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_exchange_office_firm", _NO_FIRM)
    if cached is _NO_FIRM:
        membership = Representative.objects.select_related("firm").filter(user=user).first()
        cached = membership.firm if membership else None
        user._exchange_office_firm = cached  # type: ignore[attr-defined]  # a per-request cache
    return cached  # type: ignore[return-value]  # _NO_FIRM was replaced just above


def is_active_staff(user: User) -> bool:
    """An active staff user: the admin's own test, which every operations permission adds to."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def sees_all_firms(*, user: User) -> bool:
    """Operations staff: staff users with no firm who may view client accounts."""
    return (
        is_active_staff(user)
        and user.has_perm("tenders.view_clientaccount")
        and firm_for_user(user=user) is None
    )


def may_use_admin(*, user: User) -> bool:
    """The admin lets in active staff users; what they see there is their permissions'."""
    return is_active_staff(user)


def may_use_broker_pages(*, user: User) -> bool:
    """The account list and the instruction pages: a firm's representatives and operations."""
    return firm_for_user(user=user) is not None or sees_all_firms(user=user)


def visible_accounts(*, user: User, accounts: QuerySet[ClientAccount]) -> QuerySet[ClientAccount]:
    """`accounts` narrowed to those the user may see: their firm's, or every firm's for
    operations. Any other account is simply not there (a URL with its id answers 404)."""
    firm = firm_for_user(user=user)
    if firm is not None:
        return accounts.filter(firm=firm)
    if sees_all_firms(user=user):
        return accounts
    return accounts.none()


def visible_by_account(*, user: User, rows: QuerySet[M], account_path: str) -> QuerySet[M]:
    """Rows that belong to an account (documents, instructions), narrowed like the accounts:
    `account_path` is the lookup from a row to its account, e.g. "instruction__account"."""
    firm = firm_for_user(user=user)
    if firm is not None:
        return rows.filter(**{f"{account_path}__firm": firm})
    if sees_all_firms(user=user):
        return rows
    return rows.none()


def may_reveal_tin(*, user: User) -> bool:
    return bool(user.is_active and user.has_perm("tenders.reveal_tin"))


def tin_reveal_needs_second_person() -> bool:
    """TIN_REVEAL_NEEDS_APPROVAL (off by default): a full TIN only through a request another
    person approved (`tenders.approvals`)."""
    return bool(settings.TIN_REVEAL_NEEDS_APPROVAL)


def may_see_account(*, user: User, account: ClientAccount) -> bool:
    """The account's firm, and operations who see every firm: what `visible_accounts` lets
    through, for one account already loaded."""
    firm = firm_for_user(user=user)
    if firm is not None:
        return firm.pk == account.firm_id
    return sees_all_firms(user=user)
