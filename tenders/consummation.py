"""Consummating the offer: judged on the minimum condition and every recorded condition, it
accepts the live instructions, resolves "tender all" to the positions, and queues the bulk
run of exchange confirmations. (Extensions and termination come with the operations issue.)
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction

from exchange_office import clock
from notes.domain.deadlines import describe_instant, validate_consummation_date
from notes.domain.entitlement import InvalidConsummationDate, minimum_condition
from notes.models import ExchangeOffer, OfferStatus
from notes.selectors import offer_calendar, offer_terms
from tenders.domain.lifecycle import Status
from tenders.models import Instruction, InstructionChoice, InstructionStatus, Position
from tenders.services import instruction_transition


@dataclass(frozen=True, slots=True)
class TenderedLine:
    instruction: Instruction
    position: Decimal
    tendered: Decimal


@dataclass(frozen=True, slots=True)
class Tabulation:
    """What the office's live instructions tender, against the minimum condition."""

    lines: tuple[TenderedLine, ...]
    tendered: Decimal
    required: Decimal
    outstanding: Decimal

    @property
    def minimum_met(self) -> bool:
        return self.tendered >= self.required

    @property
    def percent(self) -> Decimal:
        return (self.tendered / self.outstanding * 100).quantize(Decimal("0.01"))

    @property
    def over_position(self) -> tuple[TenderedLine, ...]:
        return tuple(line for line in self.lines if line.tendered > line.position)


def tabulate(*, offer: ExchangeOffer, lock: bool = False) -> Tabulation:
    """Each live instruction's tender: a submitted one as resolved at submission, a stated
    amount as stated, a "tender all" as the account's position now."""
    live = Instruction.objects.filter(
        offer=offer,
        status__in=[InstructionStatus.RECEIVED, InstructionStatus.SUBMITTED],
    ).order_by("account_id")
    if lock:
        live = live.select_for_update()
    positions = dict(
        Position.objects.filter(security_id=offer.old_security_id).values_list(
            "account_id", "principal"
        )
    )
    lines = []
    for instruction in live:
        position = positions.get(instruction.account_id, Decimal(0))
        if instruction.resolved_amount is not None:
            tendered = instruction.resolved_amount
        elif instruction.choice == InstructionChoice.AMOUNT:
            tendered = instruction.amount
        else:
            tendered = position
        lines.append(TenderedLine(instruction, position, tendered))
    terms = offer_terms(offer=offer)
    return Tabulation(
        lines=tuple(lines),
        tendered=sum((line.tendered for line in lines), Decimal(0)),
        required=minimum_condition(terms).required_principal,
        outstanding=terms.outstanding_principal,
    )


def _refusals(offer: ExchangeOffer, on: date, tabulation: Tabulation) -> list[str]:
    refusals = []
    if offer.status != OfferStatus.OPEN:
        refusals.append(f"The offer is {offer.get_status_display().lower()}, not open.")
    if clock.now() < offer.expiration:
        refusals.append(
            f"The offer is open until {describe_instant(offer.expiration)}: it can be "
            "consummated only after it expires."
        )
    try:
        validate_consummation_date(offer.expiration, on, offer_calendar(offer=offer))
    except InvalidConsummationDate as exc:
        refusals.append(str(exc))
    if on > clock.today():
        refusals.append(f"The consummation date {on:%B} {on.day}, {on.year} is in the future.")
    if not tabulation.minimum_met:
        refusals.append(
            f"The minimum condition is not met: ${tabulation.tendered:,.0f} tendered "
            f"({tabulation.percent}%), ${tabulation.required:,.0f} required."
        )
    refusals += [
        f"Account {line.instruction.account.account_number} instructs "
        f"${line.tendered:,.0f} but holds ${line.position:,.0f}."
        for line in tabulation.over_position
    ]
    unmet = offer.conditions.filter(is_satisfied=False)
    refusals += [f"Condition not satisfied: {condition.description}." for condition in unmet]
    return refusals


@dataclass(frozen=True, slots=True)
class ConsummationResult:
    offer: ExchangeOffer
    accepted: int
    tendered: Decimal


@transaction.atomic
def offer_consummate(*, offer: ExchangeOffer, on: date, by: AbstractBaseUser) -> ConsummationResult:
    """Consummate the offer on `on`, or refuse with every reason at once."""
    if not (by.is_staff and by.has_perm("notes.change_exchangeoffer")):
        raise PermissionDenied("Only operations staff consummate an offer.")
    offer = ExchangeOffer.objects.select_for_update().get(pk=offer.pk)
    tabulation = tabulate(offer=offer, lock=True)
    refusals = _refusals(offer, on, tabulation)
    if refusals:
        raise ValidationError({NON_FIELD_ERRORS: refusals})
    for line in tabulation.lines:
        line.instruction.resolved_amount = line.tendered
        instruction_transition(line.instruction, Status.ACCEPTED, by=by, reason=f"Consummated {on}")
    offer.status = OfferStatus.CONSUMMATED
    offer.consummation_date = on
    offer._history_user = by  # type: ignore[attr-defined]
    offer.save(update_fields=["status", "consummation_date"])

    from tenders.documents import bulk_run_start

    bulk_run_start(offer_id=offer.pk, by=by)
    return ConsummationResult(
        offer=offer, accepted=len(tabulation.lines), tendered=tabulation.tendered
    )
