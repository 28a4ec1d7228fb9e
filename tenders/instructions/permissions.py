"""Who may take, amend or withdraw a client's instruction, and under whose rules."""

from tenders.accounts.models import ClientAccount
from tenders.accounts.permissions import User, firm_for_user, is_active_staff
from tenders.domain.rules import Actor


def may_act_on_account(*, user: User, account: ClientAccount) -> bool:
    """Take, amend or withdraw the account's instruction: the firm's representatives, and
    operations staff who may change instructions."""
    firm = firm_for_user(user=user)
    if firm is not None and firm.pk == account.firm_id:
        return True
    return is_active_staff(user) and user.has_perm("tenders.change_instruction")


def actor_for(*, user: User) -> Actor:
    """Operations staff may act after a firm's cutoff (with a reason); representatives not."""
    if is_active_staff(user) and user.has_perm("tenders.override_cutoff"):
        return Actor.OPERATIONS
    return Actor.REPRESENTATIVE
