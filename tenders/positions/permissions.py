"""Who may import a positions feed."""

from tenders.accounts.permissions import User, is_active_staff


def may_import_positions(*, user: User) -> bool:
    """Import a positions feed: it creates and changes accounts, their owners and positions,
    so it takes the right to add and change each (operations have them)."""
    return is_active_staff(user) and user.has_perms(
        [f"tenders.{verb}_{model}" for model in ("clientaccount", "accountowner", "position")
         for verb in ("add", "change")]
    )  # fmt: skip
