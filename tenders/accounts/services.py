"""Writes about client accounts: their details, owners and positions, and their taxpayer IDs
(stored encrypted; a full number is shown only through a recorded reveal)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from exchange_office import clock
from exchange_office.encryption import keyed_hash
from exchange_office.formatting import dollars, long_date
from notes.models import OfferStatus
from tenders.accounts import permissions
from tenders.accounts.models import AccountOwner, ClientAccount, Position, TinReveal
from tenders.approvals.models import ProposalKind
from tenders.approvals.policy import needs_second_person
from tenders.domain.lifecycle import OPEN, Status
from tenders.domain.tender import tendered_principal
from tenders.domain.tin import InvalidTIN, TinType, last_four, normalize_tin
from tenders.instructions.models import Instruction, InstructionStatus


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
    in one save: a refused TIN leaves nothing half-saved."""
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
    account._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    account.save()
    return account


@transaction.atomic
def account_owner_save(*, owner: AccountOwner, by: User) -> AccountOwner:
    owner._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    owner.save()
    return owner


def tenders_holding_notes() -> Q:
    """The instructions whose Old Notes are still in the account, so that its position cannot
    fall below what they tender: received or submitted for an open offer, and accepted ones
    until their offer's consummation date, when the tendered notes leave the account (a
    returned, withdrawn or superseded instruction holds nothing)."""
    return Q(status__in=sorted(OPEN), offer__status=OfferStatus.OPEN) | Q(
        status=Status.ACCEPTED,
        offer__status=OfferStatus.CONSUMMATED,
        offer__consummation_date__gt=clock.today(),
    )


@dataclass(frozen=True, slots=True)
class HoldingTender:
    """An instruction that holds notes in an account, as the position floor reads it."""

    account_id: int
    version: int
    status: str
    choice: str
    amount: Decimal | None
    resolved_amount: Decimal | None
    offer_name: str
    consummation_date: date | None

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        return ("account_id", "version", "status", "choice", "amount", "resolved_amount",
                "offer__name", "offer__consummation_date")  # fmt: skip

    def below_it(self, *, principal: Decimal, held: Decimal | None = None) -> str:
        """Why `principal` may not replace the position (`held`, when the caller knows it),
        with both figures; "" when it may."""
        tendered = tendered_principal(
            choice=self.choice,
            stated=self.amount,
            resolved=self.resolved_amount,
            position=principal,
        ).principal
        if principal >= tendered:
            return ""
        status = InstructionStatus(self.status).label.lower()
        held_now = f", {dollars(held)} held" if held is not None else ""
        if self.status == Status.ACCEPTED and self.consummation_date is not None:
            then = (
                f"its notes leave the account on the consummation date, "
                f"{long_date(self.consummation_date)}"
            )
        else:
            then = "Amend or withdraw the instruction first"
        return (
            f"The account's instruction (version {self.version}, {status}) tenders "
            f"{dollars(tendered)} of the {self.offer_name}: the position cannot go below it "
            f"({dollars(principal)} entered{held_now}). {then[0].upper()}{then[1:]}."
        )


def position_check(*, position: Position) -> None:
    """A position cannot go below what a tender holding notes in the account tenders
    (`tenders_holding_notes`): the client's tender would no longer be covered. Once the
    tendered notes have left the account, a feed may lower the position. Raises a
    ValidationError on `principal` with both figures."""
    if position.security_id is None or position.account_id is None:
        return
    holding = Instruction.objects.filter(
        tenders_holding_notes(),
        account_id=position.account_id,
        offer__old_security_id=position.security_id,
    ).values_list(*HoldingTender.fields())
    for row in holding:
        refusal = HoldingTender(*row).below_it(principal=position.principal)
        if refusal:
            raise ValidationError({"principal": refusal})


@transaction.atomic
def position_save(*, position: Position, by: User) -> Position:
    """Record the principal held for an account (typed by operations, or from a feed). The
    account's row is locked first, as the instruction services do, so that a tender and a
    change of position cannot pass each other."""
    if position.account_id is not None:
        ClientAccount.objects.select_for_update(of=("self",)).filter(pk=position.account_id).first()
    position.full_clean()
    position_check(position=position)
    position._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    position.save()
    return position


def account_reveal_tin(
    *,
    account: ClientAccount,
    by: User,
    reason: str,
    instruction: Instruction | None = None,
    approved: bool = False,
) -> str:
    """The full TIN, for a user with the permission; every reveal is recorded first. Where
    a reveal needs a second person (TIN_REVEAL_NEEDS_APPROVAL), only through an approved
    request (`tenders.approvals.services.tin_reveal_with_approval`, which passes `approved`)."""
    permissions.require(permissions.may_reveal_tin(user=by), "You may not reveal taxpayer IDs.")
    if needs_second_person(ProposalKind.REVEAL_TIN) and not approved:
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
        business_at=clock.now(),
        wall_at=clock.wall_now(),
    )
    return instruction.tin if instruction is not None else account.tin
