"""Who may start and resume bulk runs of documents."""

from tenders.accounts.permissions import User, is_active_staff


def may_manage_bulk_runs(*, user: User) -> bool:
    """Start a bulk run of documents, resume one, retry its failed items."""
    return is_active_staff(user) and user.has_perm("tenders.change_bulkrun")
