"""Writes about client accounts: their details and owners, and their taxpayer IDs (stored
encrypted; a full number is shown only through a recorded reveal). Positions are written by
`tenders.positions`, which keeps them above the tenders that hold them."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from exchange_office.encryption import keyed_hash
from exchange_office.stamps import stamped
from tenders.accounts import permissions
from tenders.accounts.models import AccountOwner, ClientAccount, TinReveal
from tenders.domain.tin import InvalidTIN, TinType, last_four, normalize_tin

if TYPE_CHECKING:  # an instruction's own copy of the TIN (the instruction is above)
    from tenders.instructions.models import Instruction


# Locks: every write about an account (its instructions, holds, online submissions, files to
# the agent, positions) takes the account's row first, accounts in id order, so that two writes
# for one account run one after the other and no two writers deadlock.


def account_lock(account: ClientAccount) -> ClientAccount:
    """The account's row, locked for the caller's transaction, with its firm."""
    # of=("self",): the account's row only, not its firm's (which would queue every
    # instruction of the firm behind each other).
    return (
        ClientAccount.objects.select_for_update(of=("self",))
        .select_related("firm")
        .get(pk=account.pk)
    )


def accounts_lock(**where: Any) -> list[int]:
    """The rows of the accounts `where` selects (`pk__in=...`, `firm=...`), locked in id
    order for the caller's transaction; returns their ids."""
    return list(
        ClientAccount.objects.select_for_update(of=("self",))
        .filter(**where)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def account_tin_check(*, tin_type: str, tin: str) -> str:
    """The TIN in its standard format, or a ValidationError on the `tin` field saying why."""
    try:
        return normalize_tin(tin_type, tin)
    except (InvalidTIN, ValueError) as exc:
        raise ValidationError({"tin": str(exc)}) from None


def _apply_tin(account: ClientAccount, *, tin_type: str, normalized: str) -> None:
    account.tin_type = TinType(tin_type)
    account.tin = normalized
    account.tin_last4 = last_four(normalized)
    account.tin_hash = keyed_hash(normalized)


@transaction.atomic
def account_set_tin(*, account: ClientAccount, tin_type: str, tin: str, by: User) -> ClientAccount:
    """Store a client's TIN encrypted, with its last four digits and keyed hash."""
    _apply_tin(account, tin_type=tin_type, normalized=account_tin_check(tin_type=tin_type, tin=tin))
    account._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    account.save(update_fields=["tin_type", "tin", "tin_last4", "tin_hash"])
    return account


def account_tin_change_check(
    *, tin_type_on_file: str, has_tin: bool, tin_type: str, new_tin: str
) -> str:
    """The new TIN in its standard format ("" when none was typed), or a ValidationError: an
    invalid number (`tin`), or a change of type without a new number (`tin_type`), since the
    digits on file belong to the old type."""
    if new_tin.strip():
        if not tin_type:
            raise ValidationError({"tin_type": "Choose the type of the new taxpayer ID."})
        return account_tin_check(tin_type=tin_type, tin=new_tin)
    if has_tin and tin_type != tin_type_on_file:
        raise ValidationError(
            {"tin_type": "To change the type of taxpayer ID, enter the new number too."}
        )
    return ""


@transaction.atomic
def account_save(*, account: ClientAccount, by: User, new_tin: str = "") -> ClientAccount:
    """Save an account's details as operations edited them, with a new TIN if one was typed,
    in one save: a refused TIN or field leaves nothing half-saved."""
    on_file = (
        ClientAccount.objects.filter(pk=account.pk).values_list("tin_type", "tin_last4").first()
        if account.pk is not None
        else None
    )
    normalized = account_tin_change_check(
        tin_type_on_file=on_file[0] if on_file else "",
        has_tin=bool(on_file and on_file[1]),
        tin_type=account.tin_type,
        new_tin=new_tin,
    )
    if normalized:
        _apply_tin(account, tin_type=account.tin_type, normalized=normalized)
    # The fields' rules (an account number such as =1+1, a line break in an address) hold
    # here as on the admin's form (tenders.accounts.validators).
    account.full_clean()
    account._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    account.save()
    return account


@transaction.atomic
def account_owner_save(*, owner: AccountOwner, by: User) -> AccountOwner:
    """Save an owner as operations entered it: a name on one line, not blank."""
    owner.full_clean()
    owner._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    owner.save()
    return owner


def account_reveal_tin(
    *,
    account: ClientAccount,
    by: User,
    reason: str,
    instruction: "Instruction | None" = None,
    approved: bool = False,
) -> str:
    """The full TIN, for a user with the permission; every reveal is recorded first. Where
    a reveal needs a second person (TIN_REVEAL_NEEDS_APPROVAL), only through an approved
    request (`tenders.approvals.services.tin_reveal`, which passes `approved`)."""
    permissions.require(permissions.may_reveal_tin(user=by), "You may not reveal taxpayer IDs.")
    if permissions.tin_reveal_needs_second_person() and not approved:
        raise PermissionDenied(
            "A full taxpayer ID is shown only once another person approves the request."
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why you need to see the full taxpayer ID."})
    TinReveal.objects.create(
        account=account,
        instruction=instruction,
        by=by,
        reason=reason.strip(),
        **stamped(),
    )
    return instruction.tin if instruction is not None else account.tin
