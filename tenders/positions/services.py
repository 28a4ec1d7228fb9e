"""Writes of a client's position: the principal held, typed by operations or from a feed. A
position cannot fall below what a tender still holding notes in the account tenders: the
client's tender would no longer be covered."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from exchange_office import clock
from exchange_office.formatting import dollars, long_date
from notes.models import ExchangeOffer, OfferStatus
from tenders.accounts.models import Position
from tenders.accounts.services import accounts_lock
from tenders.domain.lifecycle import OPEN, Status
from tenders.domain.tender import tendered_principal
from tenders.instructions.models import Instruction, InstructionStatus
from tenders.ledger.services import PositionMove, positions_post


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
    tendered notes have left the account, a feed may lower the position. Nor can a position
    in notes the books move since a consummation change (`moved_by_the_books`). Raises a
    ValidationError on `principal` saying why."""
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
    held = (
        Position.objects.filter(account_id=position.account_id, security_id=position.security_id)
        .values_list("principal", flat=True)
        .first()
    )
    if held != position.principal:
        refusal = moved_by_the_books(security_id=position.security_id)
        if refusal:
            raise ValidationError({"principal": refusal})


def moved_by_the_books(*, security_id: int) -> str:
    """Why no hand or feed may change a position in this security, or "": once an offer that
    exchanges it (its Old Notes) or issues it (its New Notes) is consummated, its positions
    move only by the books' entries (the exchange, the payoffs, the payment runs), and a
    wrong one is corrected by reversing its entry (docs/ledger.md). Otherwise one person's
    edit would create or destroy notes against the firm's DTC account."""
    offer = (
        ExchangeOffer.objects.filter(
            Q(old_security_id=security_id) | Q(new_security_id=security_id),
            status=OfferStatus.CONSUMMATED,
        )
        .order_by("consummation_date")
        .first()
    )
    if offer is None or offer.consummation_date is None:
        return ""
    which = "Old Notes" if offer.old_security_id == security_id else "New Notes"
    return (
        f"The offer's {which} move only through the books since its consummation on "
        f"{long_date(offer.consummation_date)}: a position in them cannot be changed by hand or "
        "by a feed. Correct a wrong movement by reversing its entry (the admin's Journal "
        "entries)."
    )


@transaction.atomic
def position_save(*, position: Position, by: User) -> Position:
    """Record the principal held for an account (typed by operations, or from a feed), through
    the books: a new position posts an OPENING entry, a changed one an ADJUSTMENT of the
    difference, against the firm's DTC account (docs/ledger.md). The account's row is locked
    first, as the instruction services do, so that a tender and a change of position cannot
    pass each other."""
    if position.account_id is not None:
        accounts_lock(pk=position.account_id)
    position.full_clean()
    position_check(position=position)
    held = (
        Position.objects.filter(account_id=position.account_id, security_id=position.security_id)
        .values_list("principal", flat=True)
        .first()
    )
    positions_post(
        moves=[
            PositionMove(
                account_id=position.account_id,
                firm_id=position.account.firm_id,
                security=position.security,
                principal=position.principal,
                held=held,
            )
        ],
        by=by,
        description=f"account {position.account.account_number}",
    )
    stored = Position.objects.get(account_id=position.account_id, security_id=position.security_id)
    position.pk, position.principal = stored.pk, stored.principal
    return position
