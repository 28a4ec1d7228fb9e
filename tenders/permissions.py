"""Who may do what on the broker's side. Every "may this user do this to this object" question
is answered here: services ask before they write, selectors scope their querysets with it, and
views and the admin ask it rather than check permissions themselves.

The roles:
- A **representative** is a user with a firm membership (`Representative`). That membership is
  all a representative needs: they see and act on their own firm's client accounts, and nothing
  else, until the firm's cutoff.
- **Operations** staff are staff users in the Operations group (created by a migration; see
  `grant_operations`), with no firm. They see every firm, act after a firm's cutoff with a
  reason, submit to the exchange agent and run the offer. They delete nothing and never change
  documents or audit rows.
- Revealing a full taxpayer ID is a permission of its own (`tenders.reveal_tin`), given with
  `grant_operations --reveal-tin`.
"""

from typing import TypeVar

from django.contrib.auth import models as auth_models
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from notes.permissions import may_run_offer
from tenders.accounts.models import BrokerFirm, ClientAccount, Representative
from tenders.domain.rules import Actor

User = auth_models.User | auth_models.AnonymousUser
M = TypeVar("M", bound=Model)


OPERATIONS_GROUP = "Operations"
TIN_REVEAL_GROUP = "Taxpayer ID reveal"

__all__ = [
    "OPERATIONS_GROUP",
    "TIN_REVEAL_GROUP",
    "actor_for",
    "firm_for_user",
    "may_act_on_account",
    "may_import_positions",
    "may_issue_documents",
    "may_manage_bulk_runs",
    "may_mark_email_sent",
    "may_resend_email",
    "may_reveal_tin",
    "may_run_offer",
    "may_submit_to_agent",
    "may_supervise",
    "may_use_admin",
    "may_use_broker_pages",
    "require",
    "sees_all_firms",
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


def _is_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def sees_all_firms(*, user: User) -> bool:
    """Operations staff: staff users with no firm who may view client accounts."""
    return (
        _is_staff(user)
        and user.has_perm("tenders.view_clientaccount")
        and firm_for_user(user=user) is None
    )


def may_use_admin(*, user: User) -> bool:
    """The admin lets in active staff users; what they see there is their permissions'."""
    return _is_staff(user)


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


def may_act_on_account(*, user: User, account: ClientAccount) -> bool:
    """Take, amend or withdraw the account's instruction: the firm's representatives, and
    operations staff who may change instructions."""
    firm = firm_for_user(user=user)
    if firm is not None and firm.pk == account.firm_id:
        return True
    return _is_staff(user) and user.has_perm("tenders.change_instruction")


def actor_for(*, user: User) -> Actor:
    """Operations staff may act after a firm's cutoff (with a reason); representatives not."""
    if _is_staff(user) and user.has_perm("tenders.override_cutoff"):
        return Actor.OPERATIONS
    return Actor.REPRESENTATIVE


def may_reveal_tin(*, user: User) -> bool:
    return bool(user.is_active and user.has_perm("tenders.reveal_tin"))


def may_submit_to_agent(*, user: User) -> bool:
    return _is_staff(user) and user.has_perm("tenders.change_instruction")


def may_issue_documents(*, user: User) -> bool:
    """Issue a new revision of a document (the old one is kept: nothing is changed)."""
    return _is_staff(user) and user.has_perm("tenders.add_document")


def may_resend_email(*, user: User) -> bool:
    """Queue a document's e-mail again, after a failure or an attempt of unknown outcome."""
    return _is_staff(user) and user.has_perm("tenders.add_outboxmessage")


def may_mark_email_sent(*, user: User) -> bool:
    """Record that an e-mail of unknown outcome (its worker stopped mid-send) reached the
    client: a permission of its own, since it changes what the outbox says happened."""
    return _is_staff(user) and user.has_perm("tenders.mark_outboxmessage_sent")


def may_manage_bulk_runs(*, user: User) -> bool:
    """Start a bulk run of documents, resume one, retry its failed items."""
    return _is_staff(user) and user.has_perm("tenders.change_bulkrun")


def may_send_client_letters(*, user: User) -> bool:
    """Send the client letter to many clients (a bulk run), or reminders."""
    return _is_staff(user) and user.has_perm("tenders.change_bulkrun")


def may_print_client_letter(*, user: User, account: ClientAccount) -> bool:
    """Print one client's letter: the account's firm, and operations who see every firm."""
    firm = firm_for_user(user=user)
    if firm is not None:
        return firm.pk == account.firm_id
    return sees_all_firms(user=user)


def may_supervise(*, user: User, account: ClientAccount) -> bool:
    """Approve the account's held instructions (large, or late): a supervisor, that is a
    representative of the account's firm with the permission."""
    firm = firm_for_user(user=user)
    return (
        firm is not None
        and firm.pk == account.firm_id
        and user.is_active
        and user.has_perm("tenders.supervise_instructions")
    )


def may_import_positions(*, user: User) -> bool:
    """Import a positions feed: it creates and changes accounts, their owners and positions,
    so it takes the right to add and change each (operations have them)."""
    return _is_staff(user) and user.has_perms(
        [f"tenders.{verb}_{model}" for model in ("clientaccount", "accountowner", "position")
         for verb in ("add", "change")]
    )  # fmt: skip
