"""Who may decide about an e-mail that failed or whose outcome is unknown."""

from tenders.accounts.permissions import User, is_active_staff


def may_resend_email(*, user: User) -> bool:
    """Queue a document's e-mail again, after a failure or an attempt of unknown outcome."""
    return is_active_staff(user) and user.has_perm("tenders.add_outboxmessage")


def may_mark_email_sent(*, user: User) -> bool:
    """Record that an e-mail of unknown outcome (its worker stopped mid-send) reached the
    client: a permission of its own, since it changes what the outbox says happened."""
    return is_active_staff(user) and user.has_perm("tenders.mark_outboxmessage_sent")
