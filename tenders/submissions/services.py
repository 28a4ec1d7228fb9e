"""Writes: recording a file sent to the exchange agent.

Recording is what sends: the file's messages are stored with it (its bytes and their SHA-256,
who and when), and the instructions it holds that were received move to "submitted", a "tender
all" with the position it resolved to. The next file of the same firm in the same format holds
only what changed since: new instructions, and the cancellations of those withdrawn or amended.
"""

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from exchange_office import clock
from exchange_office.formatting import describe_instant, dollars
from notes.models import ExchangeOffer, OfferStatus
from tenders.accounts import permissions
from tenders.accounts.command_line import command_line_user, shell_login
from tenders.accounts.models import BrokerFirm
from tenders.accounts.selectors import principal_held
from tenders.accounts.services import accounts_lock
from tenders.domain.lifecycle import Status
from tenders.domain.submission import AgentMessage, MessageKind
from tenders.domain.tender import tendered_principal
from tenders.instructions.models import Instruction, InstructionStatus
from tenders.instructions.services import instruction_transition
from tenders.submissions.models import (
    AgentSubmission,
    AgentSubmissionItem,
    SubmissionFormat,
)
from tenders.submissions.permissions import may_submit_to_agent
from tenders.submissions.selectors import refusal, submission_file, submission_plan


@dataclass(frozen=True, slots=True)
class RecordedSubmission:
    submission: AgentSubmission
    new: int
    cancellations: int
    held_back: tuple[str, ...]  # instructions left out, and why


def _lock(*, offer: ExchangeOffer, firm: BrokerFirm) -> tuple[ExchangeOffer, BrokerFirm]:
    """One file per firm at a time: the firm's row first (FOR NO KEY UPDATE, so that new
    accounts of the firm can still be written), then its accounts with instructions for the
    offer in order, as the other writes lock them before their instructions."""
    firm = BrokerFirm.objects.select_for_update(no_key=True).get(pk=firm.pk)
    accounts_lock(
        pk__in=Instruction.objects.filter(offer=offer, account__firm=firm).values("account_id")
    )
    return ExchangeOffer.objects.select_related("old_security").get(pk=offer.pk), firm


@transaction.atomic
def agent_submission_record(
    *,
    offer: ExchangeOffer,
    firm: BrokerFirm,
    file_format: SubmissionFormat | str,
    by: User | None,
    holds_all: bool = False,
) -> RecordedSubmission:
    """Record and return the firm's next file for the exchange agent in `file_format`; refused
    when there is nothing to send, after the expiration, or for anyone but operations.

    `by=None` is the command line, run by whoever may run commands on the server: recorded as
    the "command-line" account, with the shell's login in the transitions' reason."""
    via = ""
    if by is None:
        by, via = command_line_user(), f" from the command line ({shell_login()})"
    else:
        permissions.require(
            may_submit_to_agent(user=by),
            "Only operations staff submit instructions to the agent.",
        )
    offer, firm = _lock(offer=offer, firm=firm)
    if offer.status != OfferStatus.OPEN:
        raise refusal(
            f"The offer is {offer.get_status_display().lower()}: nothing more is sent to the agent."
        )
    if clock.now() >= offer.expiration:
        raise refusal(
            f"The offer expired at {describe_instant(offer.expiration)}: the agent takes no "
            "more tenders."
        )
    plan = submission_plan(
        offer=offer, firm=firm, file_format=file_format, holds_all=holds_all, lock=True
    )
    if not plan.messages:
        raise refusal(
            " ".join(
                [
                    f"Nothing to send for {firm.dtc_participant_number} in "
                    f"{plan.file_format.label}: every live instruction was sent and no "
                    "cancellation is due.",
                    *(f"Held back: {reason}" for reason in plan.held_back),
                ]
            )
        )
    messages: list[AgentMessage] = []
    for message in plan.messages:
        instruction = plan.instructions[message.instruction_id]
        if message.kind is MessageKind.INSTRUCT and instruction.status == Status.RECEIVED:
            instruction.resolved_amount = message.face_amount
            instruction_transition(
                instruction,
                Status.SUBMITTED,
                by=by,
                reason=f"Sent to the exchange agent as {message.reference} "
                f"({plan.file_format.label}){via}.",
            )
            message = dataclasses.replace(message, status=instruction.status)
        messages.append(message)
    content = submission_file(plan, messages)
    submission = AgentSubmission(
        offer=offer,
        firm=firm,
        participant=plan.header.participant,
        format=plan.file_format,
        holds_all=holds_all,
        event_id=plan.header.event_id,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        created_by=by,
        business_at=plan.header.created_at,
        wall_at=clock.wall_now(),
    )
    submission.save()
    AgentSubmissionItem.objects.bulk_create(
        AgentSubmissionItem(
            submission=submission,
            sequence=sequence,
            instruction=plan.instructions[message.instruction_id],
            kind=message.kind,
            reference=message.reference,
            cancels_reference=message.cancels,
            choice=message.choice,
            face_amount=message.face_amount,
            status=message.status,
        )
        for sequence, message in enumerate(messages, start=1)
    )
    return RecordedSubmission(
        submission=submission,
        new=plan.new,
        cancellations=plan.cancellations,
        held_back=plan.held_back,
    )


# Instructions submitted one by one (the instruction list's admin action), without a file


def _refuse(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})


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
        may_submit_to_agent(user=by),
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
    accounts_lock(pk__in=Instruction.objects.filter(pk__in=ids).values("account_id"))
    locked = list(
        Instruction.objects.select_for_update()
        .filter(pk__in=ids, offer=offer, status=InstructionStatus.RECEIVED)
        .select_related("account")
        .order_by("account_id")
    )
    positions = principal_held(
        security_id=offer.old_security_id, account_ids=[i.account_id for i in locked]
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
