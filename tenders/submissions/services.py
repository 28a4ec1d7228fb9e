"""Writes: recording a file sent to the exchange agent.

Recording is what sends: the file's messages are stored with it (its bytes and their SHA-256,
who and when), and the instructions it holds that were received move to "submitted", a "tender
all" with the position it resolved to. One channel per participant: a firm's files are recorded
in its own format (`BrokerFirm.agent_format`), and its next file, in whatever format, holds only
what changed since: new instructions, and the cancellations of those withdrawn or amended.
Sending again (`holds_all`, or a recorded file again) repeats the same references flagged as
possible duplicates, and the file is recorded as a resend.
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
from tenders.domain.submission import AgentMessage, MessageKind, SubmissionHeader
from tenders.domain.tender import tendered_principal
from tenders.instructions.models import Instruction, InstructionStatus
from tenders.instructions.services import instruction_transition
from tenders.submissions import files
from tenders.submissions.models import (
    AgentSubmission,
    AgentSubmissionItem,
    SubmissionFormat,
)
from tenders.submissions.permissions import may_submit_to_agent
from tenders.submissions.selectors import (
    refusal,
    submission_header,
    submission_plan,
)


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


def _operator(by: User | None) -> tuple[User, str]:
    """Who records, and how the transitions' reason says it: `by=None` is the command line,
    run by whoever may run commands on the server."""
    if by is None:
        return command_line_user(), f" from the command line ({shell_login()})"
    permissions.require(
        may_submit_to_agent(user=by),
        "Only operations staff submit instructions to the agent.",
    )
    return by, ""


def _require_open(offer: ExchangeOffer) -> None:
    if offer.status != OfferStatus.OPEN:
        raise refusal(
            f"The offer is {offer.get_status_display().lower()}: nothing more is sent to the agent."
        )
    if clock.now() >= offer.expiration:
        raise refusal(
            f"The offer expired at {describe_instant(offer.expiration)}: the agent takes no "
            "more tenders."
        )


def _channel_format(
    firm: BrokerFirm, file_format: SubmissionFormat | str | None
) -> SubmissionFormat:
    """The firm's format; another is refused (it is a preview only)."""
    channel = SubmissionFormat(firm.agent_format)
    if file_format is not None and SubmissionFormat(file_format) != channel:
        raise refusal(
            f"{firm.dtc_participant_number} records its files in {channel.label}: "
            f"{SubmissionFormat(file_format).label} is a preview only (the firm's format is "
            "set in the admin's Broker firms)."
        )
    return channel


def _store(
    *,
    offer: ExchangeOffer,
    firm: BrokerFirm,
    file_format: SubmissionFormat,
    header: SubmissionHeader,
    messages: list[AgentMessage],
    instructions: dict[int, Instruction],
    holds_all: bool,
    by: User,
) -> AgentSubmission:
    content = files.render(file_format, header, messages)
    submission = AgentSubmission(
        offer=offer,
        firm=firm,
        participant=header.participant,
        format=file_format,
        holds_all=holds_all,
        possible_duplicate=any(m.possible_duplicate for m in messages),
        event_id=header.event_id,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        created_by=by,
        business_at=header.created_at,
        wall_at=clock.wall_now(),
    )
    submission.save()
    AgentSubmissionItem.objects.bulk_create(
        AgentSubmissionItem(
            submission=submission,
            sequence=sequence,
            instruction=instructions[message.instruction_id],
            kind=message.kind,
            reference=message.reference,
            cancels_reference=message.cancels,
            choice=message.choice,
            face_amount=message.face_amount,
            status=message.status,
        )
        for sequence, message in enumerate(messages, start=1)
    )
    return submission


@transaction.atomic
def agent_submission_record(
    *,
    offer: ExchangeOffer,
    firm: BrokerFirm,
    by: User | None,
    file_format: SubmissionFormat | str | None = None,
    holds_all: bool = False,
) -> RecordedSubmission:
    """Record and return the firm's next file for the exchange agent, in the firm's format
    (`file_format`, when given, must be it); refused when there is nothing to send, after the
    expiration, or for anyone but operations. With `holds_all` every live instruction is in it,
    those sent before flagged as possible duplicates.

    `by=None` is the command line, run by whoever may run commands on the server: recorded as
    the "command-line" account, with the shell's login in the transitions' reason."""
    by, via = _operator(by)
    offer, firm = _lock(offer=offer, firm=firm)
    channel = _channel_format(firm, file_format)
    _require_open(offer)
    plan = submission_plan(
        offer=offer, firm=firm, file_format=channel, holds_all=holds_all, lock=True
    )
    if not plan.messages:
        raise refusal(
            " ".join(
                [
                    f"Nothing to send for {firm.dtc_participant_number}: every live "
                    "instruction was sent and no cancellation is due.",
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
                reason=f"Sent to the exchange agent as {message.reference} ({channel.label}){via}.",
            )
            message = dataclasses.replace(message, status=instruction.status)
        messages.append(message)
    submission = _store(
        offer=offer,
        firm=firm,
        file_format=channel,
        header=plan.header,
        messages=messages,
        instructions=plan.instructions,
        holds_all=holds_all,
        by=by,
    )
    return RecordedSubmission(
        submission=submission,
        new=plan.new,
        cancellations=plan.cancellations,
        held_back=plan.held_back,
    )


@transaction.atomic
def agent_submission_resend(*, submission: AgentSubmission, by: User | None) -> RecordedSubmission:
    """Send a recorded file's messages again, in the firm's format now: the same references
    and amounts, each flagged as a possible duplicate, recorded as a resend. Nothing changes
    status (what it holds was sent)."""
    by, _ = _operator(by)
    offer, firm = _lock(offer=submission.offer, firm=submission.firm)
    channel = _channel_format(firm, None)
    _require_open(offer)
    header = submission_header(offer=offer, firm=firm)
    items = list(submission.items.select_related("instruction__account").order_by("sequence"))
    messages = [
        AgentMessage(
            kind=MessageKind(item.kind),
            reference=item.reference,
            cancels=item.cancels_reference,
            instruction_id=item.instruction_id,
            account_number=item.instruction.account.account_number,
            version=item.instruction.version,
            choice=item.choice,
            stated=item.instruction.amount,
            face_amount=item.face_amount,
            status=item.instruction.status,
            possible_duplicate=True,
        )
        for item in items
    ]
    resent = _store(
        offer=offer,
        firm=firm,
        file_format=channel,
        header=header,
        messages=files.in_file_order(messages),
        instructions={item.instruction_id: item.instruction for item in items},
        holds_all=False,
        by=by,
    )
    return RecordedSubmission(
        submission=resent,
        new=sum(m.kind is MessageKind.INSTRUCT for m in messages),
        cancellations=sum(m.kind is MessageKind.CANCEL for m in messages),
        held_back=(),
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
