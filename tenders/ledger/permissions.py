"""Who may correct the books."""

from tenders.accounts.permissions import User, is_active_staff


def may_reverse_entries(*, user: User) -> bool:
    """Post the reversing entry of a journal entry (the entry itself stays as it was):
    operations have the right (`tenders.reverse_journalentry`)."""
    return is_active_staff(user) and user.has_perm("tenders.reverse_journalentry")
