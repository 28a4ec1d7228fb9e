"""Who may do what on the issuer's side. Every such question about offers is answered here."""

from django.contrib.auth import models as auth_models

User = auth_models.User | auth_models.AnonymousUser


def may_run_offer(*, user: User) -> bool:
    """Operations staff run an offer's lifecycle (consummation; later extensions and
    termination): staff users who may change offers."""
    return bool(user.is_active and user.is_staff and user.has_perm("notes.change_exchangeoffer"))


def may_record_agent_report(*, user: User) -> bool:
    """Enter the exchange agent's reported total tendered (the tabulation): operations staff."""
    return bool(user.is_active and user.is_staff and user.has_perm("notes.add_agentreport"))
