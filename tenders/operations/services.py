"""What operations staff run: submission to the exchange agent, consummation, the documents'
bulk runs and e-mails that need a person's decision, and who is an operator.

These services sit above the other concerns: they call their services and queue their
background work (`…tasks.enqueue_…`) once the transaction commits.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from exchange_office import clock
from exchange_office.formatting import describe_instant, dollars, long_date
from notes.domain.deadlines import validate_consummation_date
from notes.domain.entitlement import InvalidConsummationDate
from notes.models import ExchangeOffer, OfferEvent, OfferEventKind, OfferStatus
from notes.selectors import offer_calendar
from tenders import permissions
from tenders.accounts.models import ClientAccount, Position
from tenders.approvals.models import Proposal, ProposalKind
from tenders.approvals.policy import require_approved
from tenders.bulk_runs import services as bulk_runs
from tenders.bulk_runs import tasks as bulk_run_tasks
from tenders.bulk_runs.models import BulkRun, BulkRunStatus
from tenders.domain.lifecycle import Status
from tenders.domain.tender import tendered_principal
from tenders.instructions.models import Instruction, InstructionStatus
from tenders.instructions.services import instruction_transition
from tenders.notices.services import payment_notices_queue
from tenders.operations.selectors import Tabulation, tabulate
from tenders.outbox import services as outbox
from tenders.outbox import tasks as outbox_tasks
from tenders.outbox.models import OutboxMessage


def _refuse(messages: list[str] | str) -> ValidationError:
    return ValidationError(
        {NON_FIELD_ERRORS: [messages] if isinstance(messages, str) else messages}
    )


# Submission to the exchange agent


@dataclass(frozen=True, slots=True)
class AgentSubmissionResult:
    submitted: tuple[Instruction, ...]
    refused: tuple[tuple[Instruction, str], ...]
    skipped: int = 0  # instructions asked for that were not received ones

    @property
    def principal(self) -> Decimal:
        return sum((i.resolved_amount or Decimal(0) for i in self.submitted), Decimal(0))


@transaction.atomic
def instructions_submit_to_agent(
    *, offer: ExchangeOffer, instructions: Iterable[Instruction], by: User
) -> AgentSubmissionResult:
    """Submit the received instructions among `instructions` to the exchange agent (through
    ATOP): a "tender all" resolves to the account's position now; a stated amount must still
    be held. Instructions in any other status, or of another offer, are skipped."""
    permissions.require(
        permissions.may_submit_to_agent(user=by),
        "Only operations staff submit instructions to the agent.",
    )
    if clock.now() >= offer.expiration:
        raise _refuse(
            f"The offer expired at {describe_instant(offer.expiration)}: the agent takes no "
            "more tenders."
        )
    ids = {i.pk for i in instructions}
    # Lock the accounts first, in order, as the other writes do: locking an instruction before
    # its account deadlocks with a representative amending or withdrawing it at that moment.
    accounts = Instruction.objects.filter(pk__in=ids).values("account_id")
    list(
        ClientAccount.objects.select_for_update()
        .filter(pk__in=accounts)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    locked = list(
        Instruction.objects.select_for_update()
        .filter(pk__in=ids, offer=offer, status=InstructionStatus.RECEIVED)
        .select_related("account")
        .order_by("account_id")
    )
    positions = dict(
        Position.objects.filter(
            account_id__in=[i.account_id for i in locked], security_id=offer.old_security_id
        ).values_list("account_id", "principal")
    )
    submitted, refused = [], []
    for instruction in locked:
        position = positions.get(instruction.account_id, Decimal(0))
        tendered = tendered_principal(
            choice=instruction.choice,
            stated=instruction.amount,
            resolved=None,  # resolved now, at submission
            position=position,
        ).principal
        if not tendered or tendered > position:
            refused.append(
                (
                    instruction,
                    f"{instruction.account.account_number}: {dollars(tendered)} instructed "
                    f"but {dollars(position)} held.",
                )
            )
            continue
        instruction.resolved_amount = tendered
        instruction_transition(instruction, Status.SUBMITTED, by=by)
        submitted.append(instruction)
    return AgentSubmissionResult(
        submitted=tuple(submitted), refused=tuple(refused), skipped=len(ids) - len(locked)
    )


# Consummation


def _consummation_refusals(offer: ExchangeOffer, on: date, tabulation: Tabulation) -> list[str]:
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
        refusals.append(f"The consummation date {long_date(on)} is in the future.")
    if not tabulation.minimum_met:
        agent = (
            f" ({dollars(tabulation.judged)} as the exchange agent reports for the whole issue)"
            if tabulation.judged_on_agent
            else ""
        )
        refusals.append(
            f"The minimum condition is not met: {dollars(tabulation.tendered)} tendered "
            f"({tabulation.percent}%){agent}, {dollars(tabulation.required)} required."
        )
    refusals += [
        f"Account {line.instruction.account.account_number} instructs "
        f"{dollars(line.tendered)} but holds {dollars(line.position)}."
        for line in tabulation.over_position
    ]
    unmet = offer.conditions.filter(is_satisfied=False, is_waived=False)
    refusals += [f"Condition not satisfied: {condition.description}." for condition in unmet]
    return refusals


@dataclass(frozen=True, slots=True)
class ConsummationResult:
    offer: ExchangeOffer
    accepted: int
    tendered: Decimal
    run: BulkRun
    payment_run: BulkRun | None = None  # the payment notices of the Old Notes not tendered


@transaction.atomic
def offer_consummate(
    *, offer: ExchangeOffer, on: date, by: User, proposal: Proposal | None = None
) -> ConsummationResult:
    """Consummate the offer on `on`, or refuse with every reason at once: the live
    instructions are accepted ("tender all" resolved to the positions), and the exchange
    confirmations are issued in a bulk run; then the payment notices of the Old Notes not
    tendered, in another (`tenders.notices`)."""
    permissions.require(
        permissions.may_run_offer(user=by), "Only operations staff consummate an offer."
    )
    require_approved(kind=ProposalKind.CONSUMMATE, offer=offer, by=by, proposal=proposal)
    offer = ExchangeOffer.objects.select_for_update().get(pk=offer.pk)
    tabulation = tabulate(offer=offer, lock=True)
    refusals = _consummation_refusals(offer, on, tabulation)
    if refusals:
        raise _refuse(refusals)
    for line in tabulation.lines:
        line.instruction.resolved_amount = line.tendered
        instruction_transition(line.instruction, Status.ACCEPTED, by=by, reason=f"Consummated {on}")
    offer.status = OfferStatus.CONSUMMATED
    offer.consummation_date = on
    offer._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    offer.save(update_fields=["status", "consummation_date"])
    OfferEvent.objects.create(
        offer=offer,
        kind=OfferEventKind.CONSUMMATED,
        reason=f"Consummated on {long_date(on)}: every condition met or waived.",
        by=by,
        business_at=clock.now(),
        wall_at=clock.wall_now(),
        changes={
            "consummation_date": on.isoformat(),
            "accepted_instructions": str(len(tabulation.lines)),
            "tendered_principal": str(tabulation.tendered),
        },
    )
    run = _start_confirmations(offer=offer, by=by)
    # The holders who kept Old Notes out of the exchange are paid principal plus accrued
    # interest today: each gets a payment notice, snapshotted now, issued in a bulk run.
    payment_run = payment_notices_queue(offer=offer, by=by)
    return ConsummationResult(
        offer=offer,
        accepted=len(tabulation.lines),
        tendered=tabulation.tendered,
        run=run,
        payment_run=payment_run,
    )


# Documents that need a person's decision


def _start_confirmations(*, offer: ExchangeOffer, by: User) -> BulkRun:
    run = bulk_runs.bulk_run_create(offer=offer, by=by)
    if run.status == BulkRunStatus.RUNNING:
        bulk_run_tasks.enqueue_drains(run_id=run.pk)
    return run


@transaction.atomic
def confirmations_issue(*, offer: ExchangeOffer, by: User) -> BulkRun:
    """Issue (again) the exchange confirmations of a consummated offer in a bulk run: a
    confirmation already issued is not issued twice."""
    permissions.require(
        permissions.may_manage_bulk_runs(user=by), "You may not start bulk runs of documents."
    )
    if offer.status != OfferStatus.CONSUMMATED:
        raise _refuse(f"{offer} is not consummated: there is nothing to confirm.")
    return _start_confirmations(offer=offer, by=by)


@transaction.atomic
def bulk_run_resume(*, run: BulkRun, by: User, retry_failed: bool = False) -> int:
    """Put back the items whose worker is gone (at once, without waiting for the lease) or
    whose lease ran out, and the failed ones if asked; then start drains again. Returns how
    many items were put back."""
    permissions.require(permissions.may_manage_bulk_runs(user=by), "You may not resume bulk runs.")
    requeued = bulk_runs.bulk_run_requeue(run=run, retry_failed=retry_failed)
    if requeued.needs_drain:
        bulk_run_tasks.enqueue_drains(run_id=run.pk)
    return requeued.items


def outbox_message_mark_sent(*, message: OutboxMessage, by: User) -> OutboxMessage:
    """A person checked that a message of unknown outcome reached the client: it is recorded
    as sent, by whom and when, and never sent again."""
    permissions.require(
        permissions.may_mark_email_sent(user=by), "You may not mark e-mails as sent."
    )
    return outbox.outbox_message_record_sent(message=message, by=by)


@transaction.atomic
def outbox_message_resend(*, message: OutboxMessage, by: User) -> OutboxMessage:
    """A person decided to send a message again (after a failure, or an attempt of unknown
    outcome): a new message is queued; the old one stays as it was."""
    permissions.require(permissions.may_resend_email(user=by), "You may not resend e-mails.")
    again = outbox.outbox_message_copy(message=message, by=by)
    outbox_tasks.enqueue_send(message_id=again.pk)
    return again


# Who is an operator


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
    firm = permissions.firm_for_user(user=user)
    if firm is not None:
        raise ValidationError(
            f"{user.get_username()} is a representative of {firm.name}: an operator belongs "
            "to no firm. Remove the firm membership first."
        )
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(_group(permissions.OPERATIONS_GROUP))
    if reveal_tin:
        user.groups.add(_group(permissions.TIN_REVEAL_GROUP))


@transaction.atomic
def operations_role_revoke(*, user: User, reveal_tin_only: bool = False) -> None:
    """Take the right to reveal TINs away; unless `reveal_tin_only`, the operations role too
    (a superuser stays staff)."""
    user.groups.remove(_group(permissions.TIN_REVEAL_GROUP))
    if reveal_tin_only:
        return
    user.groups.remove(_group(permissions.OPERATIONS_GROUP))
    if not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
