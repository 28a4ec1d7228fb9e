"""The roles a user can hold besides a firm membership, as groups: operations staff, and the
right to reveal a full taxpayer ID (`grant_operations`)."""

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction

from tenders.accounts.permissions import firm_for_user

OPERATIONS_GROUP = "Operations"
TIN_REVEAL_GROUP = "Taxpayer ID reveal"


def _group(name: str) -> Group:
    try:
        return Group.objects.get(name=name)
    except Group.DoesNotExist:
        raise ValidationError(
            f"The {name} group does not exist: run `manage.py migrate` first."
        ) from None


@transaction.atomic
def operations_role_grant(*, user: User, reveal_tin: bool = False) -> None:
    """Make a user operations staff (staff, in the Operations group); with `reveal_tin`,
    also allowed to reveal full taxpayer IDs. A firm's representative cannot be an operator:
    operations see every firm."""
    firm = firm_for_user(user=user)
    if firm is not None:
        raise ValidationError(
            f"{user.get_username()} is a representative of {firm.name}: an operator belongs "
            "to no firm. Remove the firm membership first."
        )
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(_group(OPERATIONS_GROUP))
    if reveal_tin:
        user.groups.add(_group(TIN_REVEAL_GROUP))


@transaction.atomic
def operations_role_revoke(*, user: User, reveal_tin_only: bool = False) -> None:
    """Take the right to reveal TINs away; unless `reveal_tin_only`, the operations role too
    (a superuser stays staff)."""
    user.groups.remove(_group(TIN_REVEAL_GROUP))
    if reveal_tin_only:
        return
    user.groups.remove(_group(OPERATIONS_GROUP))
    if not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
