"""Reads for the submissions to the exchange agent: what a participant's next file holds (its
plan), the file itself without recording it (the command without `--record`, previews), and
what every firm has to send.

One channel per participant: an instruction is sent once, whatever the format. A firm's files
are recorded in its own format (`BrokerFirm.agent_format`); every format can be previewed, and
each preview holds what is due on the channel: the instructions not yet sent in any format,
and the cancellations of those sent (in any format) that were withdrawn or amended since. With
`holds_all`, the instructions sent before are repeated under the same references, flagged as
possible duplicates.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q, QuerySet

from exchange_office import clock
from exchange_office.formatting import dollars
from notes.models import ExchangeOffer
from tenders.accounts.models import BrokerFirm
from tenders.accounts.selectors import principal_held
from tenders.domain.lifecycle import LIVE, OPEN, Status
from tenders.domain.submission import (
    STANDING_LABELS,
    AgentMessage,
    InvalidReference,
    MessageKind,
    Standing,
    SubmissionHeader,
    isin_for_cusip,
    message_reference,
)
from tenders.domain.tender import tendered_principal
from tenders.instructions.models import Instruction
from tenders.submissions import files
from tenders.submissions.models import (
    FILE_TYPES,
    AgentReply,
    AgentReplyKind,
    AgentStatus,
    AgentSubmission,
    AgentSubmissionItem,
    SubmissionFormat,
)

# An instruction sent to the agent and then withdrawn or amended is cancelled there.
CANCELLED = (Status.WITHDRAWN, Status.SUPERSEDED)


def refusal(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})


def _one_line(text: str) -> str:
    return " ".join(text.split())


def submission_header(*, offer: ExchangeOffer, firm: BrokerFirm) -> SubmissionHeader:
    """What every message of the firm's file shares, as of now; refused while the offer or the
    firm lacks what routes a file (the BICs) or names the event, saying where to enter it."""
    if not offer.agent_event_id:
        raise refusal(
            f"{offer} has no corporate action event reference: enter the servicer's, or "
            "NONREF, in the admin's Exchange offers before sending it files."
        )
    if not offer.exchange_agent.strip():
        raise refusal(f"{offer} names no exchange agent: enter it in the admin's Exchange offers.")
    if not offer.servicer_bic:
        raise refusal(
            f"{offer} has no account servicer's BIC, the receiver of every file: enter it in "
            "the admin's Exchange offers."
        )
    if not firm.bic:
        raise refusal(
            f"{firm.dtc_participant_number} {_one_line(firm.name)} has no BIC, the sender of "
            "its files: enter it in the admin's Broker firms."
        )
    security = offer.old_security
    return SubmissionHeader(
        event_id=offer.agent_event_id,
        participant=firm.dtc_participant_number,
        firm_name=_one_line(firm.name),
        agent_name=_one_line(offer.exchange_agent),
        cusip=security.cusip,
        isin=isin_for_cusip(security.cusip),
        security_name=_one_line(security.name),
        created_at=clock.now(),
        sender_bic=firm.bic,
        receiver_bic=offer.servicer_bic,
        safekeeping_account=firm.safekeeping_account or firm.dtc_participant_number,
    )


@dataclass(frozen=True, slots=True)
class SubmissionPlan:
    """What a participant's next file in one format holds, and why some instructions are held
    back (a stated amount the account no longer holds, or nothing held at all)."""

    offer: ExchangeOffer
    firm: BrokerFirm
    file_format: SubmissionFormat
    holds_all: bool
    header: SubmissionHeader
    messages: tuple[AgentMessage, ...]
    held_back: tuple[str, ...]
    instructions: dict[int, Instruction]  # by id, each message's instruction

    @property
    def new(self) -> int:
        return sum(m.kind is MessageKind.INSTRUCT for m in self.messages)

    @property
    def cancellations(self) -> int:
        return sum(m.kind is MessageKind.CANCEL for m in self.messages)

    @property
    def principal(self) -> Decimal:
        return sum(
            (m.face_amount for m in self.messages if m.kind is MessageKind.INSTRUCT), Decimal(0)
        )

    @property
    def resends(self) -> int:
        return sum(m.possible_duplicate for m in self.messages)


@dataclass(frozen=True, slots=True)
class _Sent:
    reference: str
    face_amount: Decimal


def _sent_in(*, offer: ExchangeOffer, firm: BrokerFirm) -> tuple[dict[int, _Sent], set[int]]:
    """The instructions the participant already sent, in any format (with the reference and
    amount the agent holds), and those already cancelled: one channel per participant."""
    sent: dict[int, _Sent] = {}
    cancelled: set[int] = set()
    rows = AgentSubmissionItem.objects.filter(
        submission__offer=offer, submission__firm=firm
    ).order_by("submission_id", "sequence")
    for instruction_id, kind, reference, amount in rows.values_list(
        "instruction_id", "kind", "reference", "face_amount"
    ):
        if kind == MessageKind.CANCEL:
            cancelled.add(instruction_id)
        else:
            sent[instruction_id] = _Sent(reference, amount)
    return sent, cancelled


def _message(
    instruction: Instruction,
    *,
    kind: MessageKind,
    reference: str,
    face_amount: Decimal,
    cancels: str = "",
    possible_duplicate: bool = False,
) -> AgentMessage:
    return AgentMessage(
        kind=kind,
        reference=reference,
        cancels=cancels,
        instruction_id=instruction.pk,
        account_number=instruction.account.account_number,
        version=instruction.version,
        choice=instruction.choice,
        stated=instruction.amount,
        face_amount=face_amount,
        status=instruction.status,
        possible_duplicate=possible_duplicate,
    )


def _reference(header: SubmissionHeader, instruction: Instruction, kind: MessageKind) -> str:
    try:
        return message_reference(
            participant=header.participant,
            instruction_id=instruction.pk,
            version=instruction.version,
            kind=kind,
        )
    except InvalidReference as exc:
        raise refusal(str(exc)) from None


def submission_plan(
    *,
    offer: ExchangeOffer,
    firm: BrokerFirm,
    file_format: SubmissionFormat | str,
    holds_all: bool = False,
    lock: bool = False,
) -> SubmissionPlan:
    """The firm's next file in `file_format`: the cancellations due (instructions sent in any
    format, withdrawn or amended since), then the live instructions not yet sent in any, or
    every live one with `holds_all` (those sent before flagged as possible duplicates). A
    "tender all" not yet submitted resolves to the account's position now; one submitted keeps
    the amount it resolved to then. `file_format` only names the file's format: what it holds
    is the same in every format. With `lock`, the instructions are read under row locks (the
    caller has locked their accounts first)."""
    file_format = SubmissionFormat(file_format)
    header = submission_header(offer=offer, firm=firm)
    sent, cancelled = _sent_in(offer=offer, firm=firm)
    to_cancel = set(sent) - cancelled
    statuses = sorted(LIVE if holds_all else OPEN)
    rows = Instruction.objects.filter(offer=offer, account__firm=firm).filter(
        Q(status__in=statuses) | Q(pk__in=to_cancel, status__in=CANCELLED)
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    instructions = {
        i.pk: i for i in rows.select_related("account").order_by("account__account_number")
    }
    positions = principal_held(
        security_id=offer.old_security_id,
        account_ids=sorted({i.account_id for i in instructions.values()}),
    )
    messages: list[AgentMessage] = []
    held_back: list[str] = []
    for instruction in instructions.values():
        earlier = sent.get(instruction.pk)
        if instruction.status in CANCELLED:
            assert earlier is not None, "only instructions sent and not yet cancelled are read"
            messages.append(
                _message(
                    instruction,
                    kind=MessageKind.CANCEL,
                    reference=_reference(header, instruction, MessageKind.CANCEL),
                    face_amount=earlier.face_amount,
                    cancels=earlier.reference,
                )
            )
            continue
        if earlier is not None and not holds_all:
            continue  # the agent has it already
        reference = (
            earlier.reference if earlier else _reference(header, instruction, MessageKind.INSTRUCT)
        )
        if instruction.status != Status.RECEIVED and instruction.resolved_amount:
            # Submitted before: the amount it resolved to then, whatever is held now.
            messages.append(
                _message(
                    instruction,
                    kind=MessageKind.INSTRUCT,
                    reference=reference,
                    face_amount=instruction.resolved_amount,
                    possible_duplicate=earlier is not None,
                )
            )
            continue
        position = positions.get(instruction.account_id, Decimal(0))
        tendered = tendered_principal(
            choice=instruction.choice,
            stated=instruction.amount,
            resolved=None,  # resolved now, as it would be on submission
            position=position,
        ).principal
        if not tendered or tendered > position:
            held_back.append(
                f"{instruction.account.account_number}: {dollars(tendered)} instructed but "
                f"{dollars(position)} held."
            )
            continue
        messages.append(
            _message(
                instruction,
                kind=MessageKind.INSTRUCT,
                reference=reference,
                face_amount=tendered,
                possible_duplicate=earlier is not None,
            )
        )
    return SubmissionPlan(
        offer=offer,
        firm=firm,
        file_format=file_format,
        holds_all=holds_all,
        header=header,
        messages=tuple(files.in_file_order(messages)),
        held_back=tuple(held_back),
        instructions=instructions,
    )


@dataclass(frozen=True, slots=True)
class SubmissionFile:
    plan: SubmissionPlan
    content: bytes
    filename: str
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def submission_file(plan: SubmissionPlan, messages: Iterable[AgentMessage] | None = None) -> bytes:
    """The file of a plan (or of `messages` under its header)."""
    return files.render(
        plan.file_format, plan.header, tuple(plan.messages if messages is None else messages)
    )


def agent_submission_build(
    *,
    offer: ExchangeOffer,
    firm: BrokerFirm,
    file_format: SubmissionFormat | str,
    holds_all: bool = False,
) -> SubmissionFile:
    """The firm's next file, as it would be sent now, without recording anything: the
    instructions keep their status, and the same file can be built again."""
    plan = submission_plan(offer=offer, firm=firm, file_format=file_format, holds_all=holds_all)
    extension, content_type = FILE_TYPES[plan.file_format]
    return SubmissionFile(
        plan=plan,
        content=submission_file(plan),
        filename=f"{offer.slug}-{firm.dtc_participant_number}-{plan.file_format}-preview"
        f".{extension}",
        content_type=content_type,
    )


@dataclass(frozen=True, slots=True)
class FirmPending:
    """What is due on a firm's channel (the same in every format), the format it records in,
    or why nothing can be sent (a BIC missing)."""

    firm: BrokerFirm
    new: int = 0
    cancellations: int = 0
    principal: Decimal = Decimal(0)
    held_back: tuple[str, ...] = ()
    error: str = ""

    @property
    def anything(self) -> bool:
        return bool(self.new or self.cancellations)

    @property
    def record_format(self) -> SubmissionFormat:
        return SubmissionFormat(self.firm.agent_format)


def pending_by_firm(*, offer: ExchangeOffer) -> list[FirmPending]:
    """For each firm, what its next file would hold (none is built)."""
    rows = []
    for firm in BrokerFirm.objects.order_by("dtc_participant_number"):
        try:
            plan = submission_plan(offer=offer, firm=firm, file_format=firm.agent_format)
        except ValidationError as exc:
            rows.append(FirmPending(firm=firm, error=" ".join(exc.messages)))
            continue
        rows.append(
            FirmPending(
                firm=firm,
                new=plan.new,
                cancellations=plan.cancellations,
                principal=plan.principal,
                held_back=plan.held_back,
            )
        )
    return rows


def participants_to_send(*, offer: ExchangeOffer, holds_all: bool = False) -> list[BrokerFirm]:
    """The firms with something due on their channel."""
    return [
        firm
        for firm in BrokerFirm.objects.order_by("dtc_participant_number")
        if submission_plan(
            offer=offer, firm=firm, file_format=firm.agent_format, holds_all=holds_all
        ).messages
    ]


def firm_by_participant(*, participant: str) -> BrokerFirm:
    """The firm with this DTC participant number, exactly as written (0901 is not 901)."""
    return BrokerFirm.objects.get(dtc_participant_number=participant)


def submissions(*, offer: ExchangeOffer | None = None) -> QuerySet[AgentSubmission]:
    rows = AgentSubmission.objects.select_related("offer", "firm", "created_by").defer("content")
    return rows if offer is None else rows.filter(offer=offer)


# Where each instruction stands with the agent (issue 21)


@dataclass(frozen=True, slots=True)
class AgentStandingRow:
    """An instruction's standing with the agent: the reference it was sent under and when it
    was first sent, and the agent's latest status advice (when it came, and why a rejection)."""

    standing: Standing
    reference: str = ""
    sent_at: datetime | None = None  # business clock, the first file that held it
    advised_at: datetime | None = None  # business clock, when the latest status was imported
    # When the agent wrote the latest status, as its message states (AgentReply.advised_at);
    # None where the message states no time.
    agent_wrote_at: datetime | None = None
    reason_code: str = ""
    reason: str = ""

    @property
    def label(self) -> str:
        return STANDING_LABELS[self.standing]


_STATUS_STANDING = {
    AgentStatus.ACCEPTED: Standing.ACCEPTED,
    AgentStatus.REJECTED: Standing.REJECTED,
    AgentStatus.PENDING: Standing.PENDING,
}


def agent_standings(
    *, offer: ExchangeOffer, instruction_ids: Iterable[int] | None = None
) -> dict[int, AgentStandingRow]:
    """The standing of each instruction of the offer that was sent to the agent, by
    instruction id (with `instruction_ids`, of those only): an instruction missing from the
    result was never sent. The latest status advice answering its instruction message counts;
    replies to its cancellation do not."""
    items = AgentSubmissionItem.objects.filter(submission__offer=offer, kind=MessageKind.INSTRUCT)
    replies = AgentReply.objects.filter(
        item__submission__offer=offer,
        kind=AgentReplyKind.STATUS,
        item__kind=MessageKind.INSTRUCT,
    )
    if instruction_ids is not None:
        ids = sorted(set(instruction_ids))
        items = items.filter(instruction_id__in=ids)
        replies = replies.filter(instruction_id__in=ids)
    sent: dict[int, tuple[str, datetime]] = {}
    for instruction_id, reference, at in items.order_by(
        "submission__business_at", "submission_id"
    ).values_list("instruction_id", "reference", "submission__business_at"):
        sent.setdefault(instruction_id, (reference, at))
    latest: dict[int, tuple[str, datetime, datetime | None, str, str]] = {}
    for instruction_id, status, at, wrote_at, code, reason in replies.order_by(
        "business_at", "id"
    ).values_list("instruction_id", "status", "business_at", "advised_at", "reason_code", "reason"):
        latest[instruction_id] = (status, at, wrote_at, code, reason)
    rows = {}
    for instruction_id, (reference, sent_at) in sent.items():
        if instruction_id not in latest:
            rows[instruction_id] = AgentStandingRow(
                Standing.UNACKNOWLEDGED, reference=reference, sent_at=sent_at
            )
            continue
        status, advised_at, wrote_at, code, reason = latest[instruction_id]
        rows[instruction_id] = AgentStandingRow(
            _STATUS_STANDING[AgentStatus(status)],
            reference=reference,
            sent_at=sent_at,
            advised_at=advised_at,
            agent_wrote_at=wrote_at,
            reason_code=code,
            reason=reason,
        )
    return rows


def agent_standings_of(
    *, offer: ExchangeOffer, instruction_ids: Iterable[int]
) -> dict[int, AgentStandingRow]:
    """The standing of each instruction named, every one of them (NOT_SENT when no file held
    it), in two queries whatever their number; none when no instruction is named."""
    ids = sorted(set(instruction_ids))
    if not ids:
        return {}
    standings = agent_standings(offer=offer, instruction_ids=ids)
    return {pk: standings.get(pk, AgentStandingRow(Standing.NOT_SENT)) for pk in ids}


def agent_standing(*, instruction: Instruction) -> AgentStandingRow:
    """One instruction's standing with the agent (NOT_SENT when no file held it)."""
    return agent_standings(offer=instruction.offer, instruction_ids=[instruction.pk]).get(
        instruction.pk, AgentStandingRow(Standing.NOT_SENT)
    )
