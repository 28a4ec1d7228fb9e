"""Consummating the offer, and the exchange confirmations it gives.

Consummation accepts the live instructions the exchange agent holds (sent and not rejected,
`Standing.held_by_agent`; "tender all" resolved to the positions); the others (never sent, or
rejected by the agent) become "not accepted", and their Old Notes are paid as not tendered.
It records the offer's step and starts two bulk runs: the exchange confirmations, and the
payment notices of the Old Notes kept out of the exchange (`tenders.notices`), which tell the
clients of instructions not accepted why. The service queues their drains (another concern's
task) once the transaction commits. In the same transaction it posts the exchange, the fee
installments due that day and the payoffs to the books (`tenders.offers.books`).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from exchange_office import clock
from exchange_office.formatting import describe_instant, dollars, long_date
from exchange_office.stamps import stamped
from notes.domain.deadlines import validate_consummation_date
from notes.domain.entitlement import InvalidConsummationDate
from notes.models import ExchangeOffer, OfferEvent, OfferEventKind, OfferStatus
from notes.permissions import may_run_offer
from notes.selectors import offer_calendar
from tenders.accounts import permissions
from tenders.approvals.models import Proposal, ProposalKind
from tenders.approvals.policy import require_approved
from tenders.bulk_runs import services as bulk_runs
from tenders.bulk_runs import tasks as bulk_run_tasks
from tenders.bulk_runs.models import BulkRun, BulkRunStatus
from tenders.bulk_runs.permissions import may_manage_bulk_runs
from tenders.domain.lifecycle import Status
from tenders.instructions.services import Move, instructions_transition
from tenders.notices.selectors import nontender_report
from tenders.notices.services import payment_notices_queue
from tenders.offers.books import consummation_post
from tenders.offers.selectors import Tabulation, tabulate


def _refuse(messages: list[str] | str) -> ValidationError:
    return ValidationError(
        {NON_FIELD_ERRORS: [messages] if isinstance(messages, str) else messages}
    )


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
        refusals.append(_minimum_not_met(tabulation))
    refusals += [
        f"Account {line.instruction.account.account_number} instructs "
        f"{dollars(line.tendered)} but holds {dollars(line.position)}."
        for line in tabulation.over_position
    ]
    unmet = offer.conditions.filter(is_satisfied=False, is_waived=False)
    refusals += [f"Condition not satisfied: {condition.description}." for condition in unmet]
    return refusals


def _minimum_not_met(tabulation: Tabulation) -> str:
    required = f"{dollars(tabulation.required)} required."
    held = f"{dollars(tabulation.held)} tendered and held by the exchange agent"
    if tabulation.judged_on_agent:
        return (
            f"The minimum condition is not met: {dollars(tabulation.judged)} as the exchange "
            f"agent reports for the whole issue ({tabulation.judged_percent}%; the office's "
            f"clients: {held}), {required}"
        )
    missing = (
        f": {dollars(tabulation.not_held)} more the office took was never sent to the agent "
        "or was rejected by it"
        if tabulation.not_held
        else ""
    )
    return (
        f"The minimum condition is not met: {dollars(tabulation.held)} tendered "
        f"({tabulation.held_percent}%), {dollars(tabulation.required)} required, counting "
        f"what the exchange agent holds{missing}."
    )


def offer_consummate_check(
    *, offer: ExchangeOffer, on: date, by: User, lock: bool = False
) -> Tabulation:
    """Every rule of a consummation on `on`, writing nothing; refused with every reason at
    once. Returns the tabulation the minimum was judged on (read under the instructions' locks
    with `lock`, as the consummation itself reads it): its `exceptions` (instructions the agent
    does not hold, which consummation will not accept) and `warnings` (held, unconfirmed) are
    for the operator to see before confirming."""
    permissions.require(may_run_offer(user=by), "Only operations staff consummate an offer.")
    tabulation = tabulate(offer=offer, lock=lock)
    refusals = _consummation_refusals(offer, on, tabulation)
    if refusals:
        raise _refuse(refusals)
    return tabulation


@dataclass(frozen=True, slots=True)
class ConsummationResult:
    offer: ExchangeOffer
    accepted: int
    tendered: Decimal  # accepted: held by the agent
    run: BulkRun
    not_accepted: int = 0  # never sent to the agent, or rejected by it
    payment_run: BulkRun | None = None  # the payment notices of the Old Notes not tendered


@transaction.atomic
def offer_consummate(
    *, offer: ExchangeOffer, on: date, by: User, proposal: Proposal | None = None
) -> ConsummationResult:
    """Consummate the offer on `on`, or refuse with every reason at once: the live
    instructions the exchange agent holds are accepted ("tender all" resolved to the
    positions), the others become "not accepted" with the reason (never sent, or rejected by
    the agent), and the exchange confirmations are issued in a bulk run; then the payment
    notices of the Old Notes not tendered, not accepted ones included, in another
    (`tenders.notices`)."""
    permissions.require(may_run_offer(user=by), "Only operations staff consummate an offer.")
    require_approved(kind=ProposalKind.CONSUMMATE, offer=offer, by=by, proposal=proposal)
    offer = ExchangeOffer.objects.select_for_update().get(pk=offer.pk)
    tabulation = offer_consummate_check(offer=offer, on=on, by=by, lock=True)
    for line in tabulation.held_lines:
        line.instruction.resolved_amount = line.tendered
    # The whole book at once: 100,000 instructions are not saved one by one (bench/consummation.py).
    instructions_transition(
        moves=[
            *(
                Move(line.instruction, Status.ACCEPTED, f"Consummated {on}")
                for line in tabulation.held_lines
            ),
            *(
                Move(
                    line.instruction,
                    Status.NOT_ACCEPTED,
                    f"Not accepted on consummation {on}: {line.why_not_held}.",
                )
                for line in tabulation.exceptions
            ),
        ],
        by=by,
    )
    offer.status = OfferStatus.CONSUMMATED
    offer.consummation_date = on
    offer._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    offer.save(update_fields=["status", "consummation_date"])
    OfferEvent.objects.create(
        offer=offer,
        kind=OfferEventKind.CONSUMMATED,
        reason=f"Consummated on {long_date(on)}: every condition met or waived. "
        f"{len(tabulation.held_lines)} instruction(s) held by the exchange agent accepted, "
        f"{len(tabulation.exceptions)} not accepted.",
        by=by,
        **stamped(),
        changes={
            "consummation_date": on.isoformat(),
            "accepted_instructions": str(len(tabulation.held_lines)),
            "tendered_principal": str(tabulation.held),
            "not_accepted_instructions": str(len(tabulation.exceptions)),
            "not_accepted_principal": str(tabulation.not_held),
            "judged_principal": str(tabulation.judged),
            "judged_on": "agent" if tabulation.judged_on_agent else "office",
        },
    )
    run = _start_confirmations(offer=offer, by=by)
    # The holders who kept Old Notes out of the exchange are paid principal plus accrued
    # interest today: each gets a payment notice, snapshotted now, issued in a bulk run. Their
    # report is read once, for the notices and the books (nothing moves in between).
    kept_out = nontender_report(offer=offer)
    payment_run = payment_notices_queue(offer=offer, by=by, report=kept_out)
    # The books move in the same transaction, from the same figures as the documents: the
    # accepted lines' exchange and fees, and the payoff of what was kept out.
    consummation_post(
        offer=offer,
        on=on,
        accepted=tabulation.held_lines,
        kept_out=kept_out.rows,
        by=by,
    )
    return ConsummationResult(
        offer=offer,
        accepted=len(tabulation.held_lines),
        tendered=tabulation.held,
        run=run,
        not_accepted=len(tabulation.exceptions),
        payment_run=payment_run,
    )


# The exchange confirmations


def _start_confirmations(*, offer: ExchangeOffer, by: User) -> BulkRun:
    run = bulk_runs.bulk_run_create(offer=offer, by=by)
    if run.status == BulkRunStatus.RUNNING:
        bulk_run_tasks.enqueue_drains(run_id=run.pk)
    return run


@transaction.atomic
def confirmations_issue(*, offer: ExchangeOffer, by: User) -> BulkRun:
    """Issue (again) the exchange confirmations of a consummated offer in a bulk run: a
    confirmation already issued is not issued twice."""
    permissions.require(may_manage_bulk_runs(user=by), "You may not start bulk runs of documents.")
    if offer.status != OfferStatus.CONSUMMATED:
        raise _refuse(f"{offer} is not consummated: there is nothing to confirm.")
    return _start_confirmations(offer=offer, by=by)
