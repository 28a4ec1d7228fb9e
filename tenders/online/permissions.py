"""Who may act on the client's side: send the letters and reminders that carry the client's
link, print one client's letter, unlock the links locked by wrong answers."""

from tenders.accounts.models import ClientAccount
from tenders.accounts.permissions import User, is_active_staff, may_see_account


def may_send_client_letters(*, user: User) -> bool:
    """Send the client letter to many clients (a bulk run), or reminders."""
    return is_active_staff(user) and user.has_perm("tenders.change_bulkrun")


def may_print_client_letter(*, user: User, account: ClientAccount) -> bool:
    """Print one client's letter: the account's firm, and operations who see every firm."""
    return may_see_account(user=user, account=account)


def may_unlock_client_link(*, user: User, account: ClientAccount) -> bool:
    """Unlock the account's links that five wrong answers locked (for an offer, across its
    links): the account's firm (the representative who knows the client), and operations who
    see every firm."""
    return may_see_account(user=user, account=account)
