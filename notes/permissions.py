"""Who may do what on the issuer's side. Every such question about offers is answered here."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

User = AbstractBaseUser | AnonymousUser


def may_run_offer(*, user: User) -> bool:
    """Operations staff run an offer's lifecycle (consummation; later extensions and
    termination): staff users who may change offers."""
    return bool(user.is_active and user.is_staff and user.has_perm("notes.change_exchangeoffer"))
