"""The offer's lifecycle as operations run it: extend, amend the terms, clear its conditions,
terminate (consummation is in `tenders.offers.consummation`). The press release reserves "the
right to extend, amend, or terminate" the offer; SEC Rule 14e-1 says how.

Each decision has a `*_check` function that applies every rule and writes nothing: a proposal
calls it before it is recorded (`tenders.offers.decisions`), and the action calls it again on
the locked offer before it records an `OfferEvent` (who, why, both clocks, what changed) and
tells the clients concerned through `tenders.notices`, in one transaction. The offer's fields
keep where it stands now (its current expiration, terms and status); its events are how it
got there.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from exchange_office import clock
from exchange_office.formatting import describe_instant, dollars, long_date, timestamp
from exchange_office.stamps import stamped
from notes.domain.calendar import sec_business_days
from notes.domain.deadlines import (
    CONSIDERATION_CHANGE_DAYS,
    OTHER_MATERIAL_CHANGE_DAYS,
    announcement_deadline,
    earliest_expiration_after_change,
    expected_consummation_date,
)
from notes.domain.money import quantize_cents
from notes.domain.terms import InvalidTerms
from notes.models import (
    ExchangeOffer,
    FeeInstallment,
    OfferCondition,
    OfferEvent,
    OfferEventKind,
    OfferStatus,
)
from notes.permissions import may_run_offer
from notes.selectors import offer_calendar, offer_terms, offers_with_terms
from tenders.accounts import permissions
from tenders.approvals.models import Proposal, ProposalKind
from tenders.approvals.policy import require_approved
from tenders.domain.lifecycle import Status
from tenders.instructions.models import Instruction
from tenders.instructions.services import instruction_transition
from tenders.notices.services import (
    extension_notices_queue,
    termination_notices_queue,
    terms_amended_documents_queue,
)
from tenders.offers.selectors import open_instructions, tabulate

# The terms an amendment may change. Rule 14e-1(b): a change of the consideration keeps the
# offer open 10 business days; any other material change (the minimum condition) 5.
CONSIDERATION_TERMS = (
    "accrual_rate",
    "warrants_per_unit",
    "warrant_rounding",
    "warrant_exercise_price",
    "warrant_expiry",
    "participation_fee_per_unit",
)
OTHER_MATERIAL_TERMS = ("minimum_tender_percent",)
AMENDABLE_TERMS = CONSIDERATION_TERMS + OTHER_MATERIAL_TERMS


def _refuse(message: str, code: str | None = None, **params: Any) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [ValidationError(message, code=code, params=params)]})


def _require_operations(by: User, action: str) -> None:
    permissions.require(may_run_offer(user=by), f"Only operations staff {action} an offer.")


def _locked(offer: ExchangeOffer) -> ExchangeOffer:
    return ExchangeOffer.objects.select_for_update().get(pk=offer.pk)


def _open(offer: ExchangeOffer, action: str) -> None:
    if offer.status != OfferStatus.OPEN:
        raise _refuse(f"The offer is {offer.get_status_display().lower()}: it cannot be {action}.")


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": "Say why: it is recorded with the offer's timeline."})
    return reason.strip()


def _event(offer: ExchangeOffer, kind: str, *, reason: str, by: User, **fields: Any) -> OfferEvent:
    return OfferEvent.objects.create(
        offer=offer,
        kind=kind,
        reason=reason,
        by=by,
        **stamped(),
        **fields,
    )


def _save_offer(offer: ExchangeOffer, by: User, fields: list[str]) -> None:
    offer._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    offer.save(update_fields=fields)


# Extend


def extension_announcement(*, offer: ExchangeOffer) -> str:
    """Rule 14e-1(d): the announcement states the approximate amount tendered so far."""
    tabulation = tabulate(offer=offer)
    return (
        f"As of {timestamp(clock.now())}, approximately {dollars(tabulation.tendered)} "
        f"({tabulation.percent}%) in aggregate principal amount of the outstanding "
        f"{offer.old_security.name} had been tendered and not withdrawn."
    )


def extension_deadline(*, offer: ExchangeOffer) -> datetime:
    """The last moment an extension of the offer's current expiration may be recorded."""
    return announcement_deadline(offer.expiration, sec_business_days())


def _check_new_expiration(offer: ExchangeOffer, new_expiration: datetime) -> None:
    if new_expiration.tzinfo is None or new_expiration.utcoffset() is None:
        raise ValidationError({"new_expiration": "Give the new expiration in New York time."})
    if new_expiration <= offer.expiration:
        raise ValidationError(
            {
                "new_expiration": f"An extension moves the expiration later than "
                f"{describe_instant(offer.expiration)}."
            }
        )
    if new_expiration <= clock.now():
        raise ValidationError({"new_expiration": "The new expiration has already passed."})
    consummation = expected_consummation_date(new_expiration, offer_calendar(offer=offer))
    if consummation >= offer.new_security.maturity_date:
        raise ValidationError(
            {
                "new_expiration": f"The offer would be consummated on {long_date(consummation)} "
                f"at the earliest, not before the New Notes mature "
                f"({long_date(offer.new_security.maturity_date)})."
            }
        )


def _check_extension(offer: ExchangeOffer, new_expiration: datetime, announcement: str) -> None:
    """The extension itself (its own deadline is the caller's: an amendment of the terms may
    extend after it)."""
    _check_new_expiration(offer, new_expiration)
    if not announcement.strip():
        raise ValidationError(
            {"announcement": "Give the announcement's text: it states the amount tendered so far."}
        )


def _extend(
    offer: ExchangeOffer, *, new_expiration: datetime, reason: str, announcement: str, by: User
) -> OfferEvent:
    """Extend the locked, open offer, checked (`_check_extension`)."""
    event = _event(
        offer,
        OfferEventKind.EXTENDED,
        reason=reason,
        by=by,
        previous_expiration=offer.expiration,
        new_expiration=new_expiration,
        announcement=announcement.strip(),
        announcement_deadline=extension_deadline(offer=offer),
    )
    offer.expiration = new_expiration
    _save_offer(offer, by, ["expiration"])
    extension_notices_queue(offer=offer, event=event, by=by)
    return event


def offer_extend_check(
    *, offer: ExchangeOffer, new_expiration: datetime, reason: str, announcement: str, by: User
) -> None:
    """Every rule of an extension, writing nothing: allowed until 9:00 a.m. Eastern on the
    business day after the scheduled expiration (Rule 14e-1(d)), to a later expiration the
    New Notes' maturity leaves room for, with its announcement."""
    _require_operations(by, "extend")
    _reason(reason)
    _open(offer, "extended")
    deadline = extension_deadline(offer=offer)
    if clock.now() > deadline:
        raise _refuse(
            f"An extension of the expiration at {describe_instant(offer.expiration)} had to be "
            f"announced by {describe_instant(deadline)} (Rule 14e-1(d)): it is too late now."
        )
    _check_extension(offer, new_expiration, announcement)


@transaction.atomic
def offer_extend(
    *,
    offer: ExchangeOffer,
    new_expiration: datetime,
    reason: str,
    announcement: str,
    by: User,
    proposal: Proposal | None = None,
) -> OfferEvent:
    """Extend the offer to `new_expiration` (its time of day may change, as from midnight to
    5:00 p.m.): the offer, withdrawal rights included, is then open again until the new
    expiration, every derived deadline moves, and the clients with live instructions are told.
    Their instructions stay live."""
    _require_operations(by, "extend")
    require_approved(kind=ProposalKind.EXTEND, offer=offer, by=by, proposal=proposal)
    offer = _locked(offer)
    offer_extend_check(
        offer=offer, new_expiration=new_expiration, reason=reason, announcement=announcement, by=by
    )
    return _extend(
        offer,
        new_expiration=new_expiration,
        reason=reason.strip(),
        announcement=announcement,
        by=by,
    )


# Amend the terms


@dataclass(frozen=True, slots=True)
class TermsChange:
    changes: dict[str, tuple[Any, Any]]  # field -> (old, new)
    business_days: int  # how long the offer must stay open from the announcement
    earliest_expiration: datetime


def _as_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def terms_change_check(*, offer: ExchangeOffer, changes: Mapping[str, Any]) -> TermsChange:
    """What an amendment changes, and how long the offer must then stay open."""
    unknown = set(changes) - set(AMENDABLE_TERMS)
    if unknown:
        raise _refuse(f"These terms cannot be amended here: {', '.join(sorted(unknown))}.")
    changed = {
        name: (getattr(offer, name), value)
        for name, value in changes.items()
        if value is not None and value != getattr(offer, name)
    }
    if not changed:
        raise _refuse("Nothing would change: these are the offer's terms already.")
    days = (
        CONSIDERATION_CHANGE_DAYS
        if set(changed) & set(CONSIDERATION_TERMS)
        else OTHER_MATERIAL_CHANGE_DAYS
    )
    earliest = earliest_expiration_after_change(clock.today(), days, sec_business_days())
    return TermsChange(changes=changed, business_days=days, earliest_expiration=earliest)


def _scale_installments(
    installments: list[FeeInstallment], old_fee: Decimal, new_fee: Decimal
) -> None:
    """A new participation fee is paid in the same installments, on the same dates, each in
    proportion (convention); the last takes the cents left over, so they add up to the fee."""
    paid = Decimal(0)
    for installment in installments[:-1]:
        installment.amount_per_unit = quantize_cents(
            installment.amount_per_unit * new_fee / old_fee
        )
        paid += installment.amount_per_unit
    if installments:
        installments[-1].amount_per_unit = new_fee - paid
    for installment in installments:
        installment.full_clean()


@dataclass(frozen=True, slots=True)
class TermsAmendment:
    change: TermsChange
    amended: ExchangeOffer  # the offer with the new terms, in memory (nothing saved)


def _amended(offer: ExchangeOffer, change: TermsChange) -> ExchangeOffer:
    """The offer with its terms changed, in memory (nothing is saved): its fields and its fee
    installments, validated as the engine reads them."""
    amended = offers_with_terms().get(pk=offer.pk)
    new_fee = change.changes.get("participation_fee_per_unit", (None, None))[1]
    if new_fee is not None:
        _scale_installments(
            list(amended.fee_installments.all()), amended.participation_fee_per_unit, new_fee
        )
    for name, (_, new) in change.changes.items():
        setattr(amended, name, new)
    amended.full_clean()
    try:
        offer_terms(offer=amended)
    except InvalidTerms as exc:
        raise _refuse(f"These terms cannot be used: {exc}.") from None
    return amended


def offer_amend_terms_check(
    *,
    offer: ExchangeOffer,
    changes: Mapping[str, Any],
    reason: str,
    by: User,
    extend_to: datetime | None = None,
    announcement: str = "",
) -> TermsAmendment:
    """Every rule of an amendment of the terms, writing nothing; returns what changes, and
    the amended offer in memory. Rule 14e-1(b): a change of the consideration keeps the offer
    open at least 10 business days from today, counting today; another material change (the
    minimum) 5. A change that the current expiration does not allow is refused with the
    earliest expiration that does (code `needs_extension`); with `extend_to` (and the
    extension's `announcement`) the offer is extended in the same step."""
    _require_operations(by, "amend")
    _reason(reason)
    _open(offer, "amended")
    if clock.now() >= offer.expiration and extend_to is None:
        raise _refuse(
            f"The offer expired at {describe_instant(offer.expiration)}: extend it to amend it."
        )
    change = terms_change_check(offer=offer, changes=changes)
    needed = change.earliest_expiration
    if extend_to is not None:
        if extend_to < needed:
            raise ValidationError(
                {
                    "extend_to": f"This change keeps the offer open until at least "
                    f"{describe_instant(needed)}: {change.business_days} business days "
                    "counting today (Rule 14e-1)."
                }
            )
        _check_extension(offer, extend_to, announcement)
    elif offer.expiration < needed:
        raise _refuse(
            f"This change keeps the offer open until at least {describe_instant(needed)} "
            f"({change.business_days} business days counting today, Rule 14e-1), but it "
            f"expires at {describe_instant(offer.expiration)}: extend it with the change.",
            code="needs_extension",
            earliest=needed,
        )
    return TermsAmendment(change=change, amended=_amended(offer, change))


@transaction.atomic
def offer_amend_terms(
    *,
    offer: ExchangeOffer,
    changes: Mapping[str, Any],
    reason: str,
    by: User,
    extend_to: datetime | None = None,
    announcement: str = "",
    proposal: Proposal | None = None,
) -> OfferEvent:
    """Amend the offer's terms while it is open (`offer_amend_terms_check`). Every client
    with a live instruction gets a new receipt with the new projection; the old receipts
    stay."""
    _require_operations(by, "amend")
    require_approved(kind=ProposalKind.AMEND_TERMS, offer=offer, by=by, proposal=proposal)
    offer = _locked(offer)
    amendment = offer_amend_terms_check(
        offer=offer,
        changes=changes,
        reason=reason,
        by=by,
        extend_to=extend_to,
        announcement=announcement,
    )
    if extend_to is not None:
        _extend(
            offer,
            new_expiration=extend_to,
            reason=reason.strip(),
            announcement=announcement,
            by=by,
        )
    change = amendment.change
    if "participation_fee_per_unit" in change.changes:
        for installment in amendment.amended.fee_installments.all():
            installment.save(update_fields=["amount_per_unit"])
    for name, (_, new) in change.changes.items():
        setattr(offer, name, new)
    _save_offer(offer, by, list(change.changes))
    event = _event(
        offer,
        OfferEventKind.TERMS_AMENDED,
        reason=reason.strip(),
        by=by,
        changes={
            name: [_as_text(old), _as_text(new)] for name, (old, new) in change.changes.items()
        },
    )
    terms_amended_documents_queue(offer=offer, event=event, by=by)
    return event


# Conditions


def _locked_condition(condition: OfferCondition, action: str) -> OfferCondition:
    _open(_locked(condition.offer), action)
    locked = OfferCondition.objects.select_for_update().get(pk=condition.pk)
    if locked.is_cleared:
        state = "met" if locked.is_satisfied else "waived"
        raise _refuse(f"The condition “{locked.description}” is already {state}.")
    return locked


@transaction.atomic
def offer_condition_meet(*, condition: OfferCondition, on: date, note: str, by: User) -> OfferEvent:
    """Record that a condition was met on `on` (not in the future)."""
    _require_operations(by, "run")
    condition = _locked_condition(condition, "changed")
    if on > clock.today():
        raise ValidationError({"on": "A condition is met on a day that has come."})
    condition.is_satisfied, condition.satisfied_on, condition.note = True, on, note.strip()
    condition._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    condition.save(update_fields=["is_satisfied", "satisfied_on", "note"])
    return _event(
        condition.offer,
        OfferEventKind.CONDITION_MET,
        reason=note.strip() or f"Met on {long_date(on)}.",
        by=by,
        changes={"condition": condition.description, "met_on": on.isoformat()},
    )


@transaction.atomic
def offer_condition_waive(*, condition: OfferCondition, reason: str, by: User) -> OfferEvent:
    """Waive a condition, with the reason (the company's right, under the offer)."""
    _require_operations(by, "run")
    reason = _reason(reason)
    condition = _locked_condition(condition, "changed")
    condition.is_waived, condition.waiver_reason = True, reason
    condition._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    condition.save(update_fields=["is_waived", "waiver_reason"])
    return _event(
        condition.offer,
        OfferEventKind.CONDITION_WAIVED,
        reason=reason,
        by=by,
        changes={"condition": condition.description},
    )


# Terminate


def offer_terminate_check(*, offer: ExchangeOffer, reason: str, by: User) -> None:
    """Every rule of a termination, writing nothing: operations, with a reason, while the
    offer is open (expired or not: its conditions may have failed)."""
    _require_operations(by, "terminate")
    _reason(reason)
    _open(offer, "terminated")


@transaction.atomic
def offer_terminate(
    *, offer: ExchangeOffer, reason: str, by: User, proposal: Proposal | None = None
) -> OfferEvent:
    """Terminate the offer: every live instruction is returned (the notes stay in the
    account), each of those clients gets a termination notice, and nothing can be changed
    afterwards."""
    _require_operations(by, "terminate")
    require_approved(kind=ProposalKind.TERMINATE, offer=offer, by=by, proposal=proposal)
    offer = _locked(offer)
    offer_terminate_check(offer=offer, reason=reason, by=by)
    reason = reason.strip()
    returned: list[Instruction] = list(
        open_instructions(offer=offer).select_for_update(of=("self",)).select_related("account")
    )
    for instruction in returned:
        instruction_transition(instruction, Status.RETURNED, by=by, reason=f"Terminated: {reason}")
    offer.status = OfferStatus.TERMINATED
    _save_offer(offer, by, ["status"])
    event = _event(
        offer,
        OfferEventKind.TERMINATED,
        reason=reason,
        by=by,
        changes={"returned_instructions": str(len(returned))},
    )
    termination_notices_queue(offer=offer, event=event, instructions=returned, by=by)
    return event
