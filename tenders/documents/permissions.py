"""Who may issue the client's documents again."""

from tenders.accounts.permissions import User, is_active_staff


def may_issue_documents(*, user: User) -> bool:
    """Issue a new revision of a document (the old one is kept: nothing is changed)."""
    return is_active_staff(user) and user.has_perm("tenders.add_document")
