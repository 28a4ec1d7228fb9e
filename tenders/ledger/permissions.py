"""Who may correct the books."""

from tenders.accounts.permissions import User, is_active_staff


def may_reverse_entries(*, user: User) -> bool:
    """Post the reversing entry of a journal entry (the entry itself stays as it was):
    operations have the right (`tenders.reverse_journalentry`)."""
    return is_active_staff(user) and user.has_perm("tenders.reverse_journalentry")


def may_see_books(*, user: User) -> bool:
    """The trial balance, every client's balances at once: operations, who see the entries,
    their legs and the ledger accounts (a firm's staff see none of them)."""
    return is_active_staff(user) and all(
        user.has_perm(f"tenders.view_{model}") for model in ("journalentry", "leg", "ledgeraccount")
    )
