"""The exchange agent SIMULATOR, for the demo and the tests: it answers what the office
recorded as sent for one participant, as the account servicer and the agent would, in the
standard messages. It is not the agent and writes nothing to the database: its file is read
back with `manage.py import_agent_messages` like any file from the agent.

- `status`: a status advice per instruction sent (seev.034 / MT567 INST), accepted, or
  rejected with a reason for each reference named in `reject`; and per cancellation sent
  (seev.041 / MT567 CAST), accepted.
- `movements` (after consummation): per instruction accepted on consummation, a movement
  confirmation (seev.036 / MT566): the Old Notes debited, the New Notes (principal plus accrued
  interest) and the warrants credited, and the cash of every fee installment paid on the
  consummation date, all computed by the entitlement engine (`compute_entitlement`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from exchange_office import clock
from exchange_office.formatting import digits_timestamp
from notes.domain.entitlement import compute_entitlement
from notes.models import ExchangeOffer, OfferStatus
from notes.selectors import offer_terms
from tenders.accounts.models import BrokerFirm
from tenders.domain.agent_replies import (
    MOVEMENT_CONFIRMATION,
    MT_MOVEMENT,
    MT_STATUS,
    STATUS_CANCELLATION,
    STATUS_INSTRUCTION,
    Asset,
    FinParties,
    Movement,
    ParsedReply,
    ReplyKind,
    ReplyStatus,
    fin_file,
    fin_message,
    movement,
    mt566_fields,
    mt567_fields,
)
from tenders.domain.submission import MessageKind, isin_for_cusip
from tenders.instructions.models import InstructionStatus
from tenders.submissions.models import AgentReply, AgentReplyKind, AgentSubmissionItem
from tenders.submissions.selectors import refusal

SIMULATOR_NARRATIVE = (
    "Written by the Exchange Office agent SIMULATOR for the demo and tests, not by the "
    "exchange agent."
)
REJECTION_CODE = "LACK"
REJECTION_REASON = "Simulator: insufficient Old Notes in the participant's DTC account."


class SimulatedReply(StrEnum):
    STATUS = "status"
    MOVEMENTS = "movements"


_FILE_CODES = {SimulatedReply.STATUS: "STS", SimulatedReply.MOVEMENTS: "MVT"}


class SimulatedFormat(StrEnum):
    SEEV = "seev"
    MT = "mt"


@dataclass(frozen=True, slots=True)
class _Answer:
    reply: ParsedReply
    definition: str
    face_amount: Decimal


def _sent(*, offer: ExchangeOffer, firm: BrokerFirm) -> list[AgentSubmissionItem]:
    """Every message recorded as sent for the participant, once per reference (a resend
    repeats the reference), in the order first sent."""
    seen: set[str] = set()
    items = []
    rows = (
        AgentSubmissionItem.objects.filter(submission__offer=offer, submission__firm=firm)
        .select_related("instruction")
        .order_by("submission__business_at", "submission_id", "sequence")
    )
    for item in rows:
        if item.reference not in seen:
            seen.add(item.reference)
            items.append(item)
    return items


def _status_answers(
    items: list[AgentSubmissionItem], reject: set[str], at: datetime
) -> list[_Answer]:
    answers = []
    for number, item in enumerate(items, start=1):
        cancellation = item.kind == MessageKind.CANCEL
        rejected = item.reference in reject
        reply = ParsedReply(
            message_type=STATUS_CANCELLATION if cancellation else STATUS_INSTRUCTION,
            kind=ReplyKind.STATUS,
            answers=item.reference,
            agent_reference=f"SIMS{number:06d}",
            status=ReplyStatus.REJECTED if rejected else ReplyStatus.ACCEPTED,
            reason_code=REJECTION_CODE if rejected else "",
            reason=REJECTION_REASON if rejected else "",
            advised_at=at,
            cancellation=cancellation,
        )
        answers.append(_Answer(reply, reply.message_type, item.face_amount))
    return answers


def _movement_answers(
    offer: ExchangeOffer, items: list[AgentSubmissionItem], at: datetime
) -> list[_Answer]:
    if offer.status != OfferStatus.CONSUMMATED or offer.consummation_date is None:
        raise refusal(
            f"{offer} is not consummated: the agent confirms movements only after the "
            "consummation. Answer with --reply status."
        )
    consummated_on = offer.consummation_date
    terms = offer_terms(offer=offer)
    latest: dict[int, AgentSubmissionItem] = {}
    for item in items:
        if item.kind == MessageKind.INSTRUCT:
            latest[item.instruction_id] = item
    answers = []
    for number, item in enumerate(latest.values(), start=1):
        instruction = item.instruction
        if instruction.status != InstructionStatus.ACCEPTED or not instruction.resolved_amount:
            continue
        principal = instruction.resolved_amount
        entitlement = compute_entitlement(terms, principal, consummated_on)
        moves: list[Movement] = [
            movement(
                asset=Asset.OLD_NOTES, credit=False, amount=principal, posted_on=consummated_on
            ),
            movement(
                asset=Asset.NEW_NOTES,
                credit=True,
                amount=entitlement.new_notes_principal,
                posted_on=consummated_on,
            ),
            movement(
                asset=Asset.WARRANTS,
                credit=True,
                amount=Decimal(entitlement.warrants),
                posted_on=consummated_on,
            ),
        ]
        moves += [
            movement(asset=Asset.CASH, credit=True, amount=fee.amount, posted_on=fee.payment_date)
            for fee in entitlement.fee_installments
            if fee.payment_date == consummated_on
        ]
        reply = ParsedReply(
            message_type=MOVEMENT_CONFIRMATION,
            kind=ReplyKind.MOVEMENT,
            answers=item.reference,
            agent_reference=f"SIMM{number:06d}",
            status=ReplyStatus.ACCEPTED,
            advised_at=at,
            movements=tuple(moves),
        )
        answers.append(_Answer(reply, MOVEMENT_CONFIRMATION, principal))
    return answers


def agent_simulator_file(
    *,
    offer: ExchangeOffer,
    firm: BrokerFirm,
    reply: SimulatedReply | str,
    file_format: SimulatedFormat | str = SimulatedFormat.SEEV,
    reject: Iterable[str] = (),
    unanswered_only: bool = False,
) -> bytes:
    """The simulator's answer to what was recorded as sent for `firm`; refused (plainly) when
    nothing was sent, a rejected reference was not sent, the BICs are missing, or movements are
    asked for before the consummation. With `unanswered_only` a status advice answers only the
    references no imported status advice has answered yet, as an agent answers each file once
    (the 2001 replay's morning advice after each day's files)."""
    reply, file_format = SimulatedReply(reply), SimulatedFormat(file_format)
    if not offer.servicer_bic or not firm.bic:
        raise refusal(
            "The simulator writes as the account servicer to the participant, by BIC: enter "
            "the offer's account servicer's BIC and the firm's BIC in the admin first."
        )
    items = _sent(offer=offer, firm=firm)
    if items and unanswered_only and reply is SimulatedReply.STATUS:
        answered = set(
            AgentReply.objects.filter(
                item__submission__offer=offer,
                item__submission__firm=firm,
                kind=AgentReplyKind.STATUS,
            ).values_list("reference", flat=True)
        )
        items = [item for item in items if item.reference not in answered]
        if not items:
            raise refusal(
                f"Every message sent for {firm.dtc_participant_number} has its status advice."
            )
    if not items:
        raise refusal(
            f"Nothing was recorded as sent for {firm.dtc_participant_number}: the simulator "
            "answers only what the agent received."
        )
    reject = set(reject)
    unknown = sorted(reject - {item.reference for item in items})
    if unknown:
        raise refusal(
            f"--reject names {', '.join(unknown)}, which no file sent for "
            f"{firm.dtc_participant_number} holds."
        )
    at = clock.now()
    if reply is SimulatedReply.STATUS:
        answers = _status_answers(items, reject, at)
    else:
        answers = _movement_answers(offer, items, at)
        if not answers:
            raise refusal(
                f"No instruction of {firm.dtc_participant_number} sent to the agent was "
                "accepted on consummation: there is no movement to confirm."
            )
    security = offer.old_security
    isin = isin_for_cusip(security.cusip)
    new_isin = isin_for_cusip(offer.new_security.cusip)
    account = firm.safekeeping_account or firm.dtc_participant_number
    if file_format is SimulatedFormat.MT:
        parties = FinParties(
            sender_bic=offer.servicer_bic,
            receiver_bic=firm.bic,
            event_id=offer.agent_event_id,
            safekeeping_account=account,
            isin=isin,
            new_isin=new_isin,
        )
        messages = []
        for answer in answers:
            if answer.reply.kind is ReplyKind.STATUS:
                fields = mt567_fields(parties, answer.reply, narrative=SIMULATOR_NARRATIVE)
                message_type = MT_STATUS
            else:
                fields = mt566_fields(parties, answer.reply, narrative=SIMULATOR_NARRATIVE)
                message_type = MT_MOVEMENT
            messages.append(fin_message(parties, message_type, fields, sent_at=at))
        return fin_file(messages)
    # Imported here: the ISO 20022 dataclasses take a second or two to import.
    from tenders.submissions import agent_iso20022

    header = agent_iso20022.ReplyHeader(
        servicer_bic=offer.servicer_bic,
        participant_bic=firm.bic,
        event_id=offer.agent_event_id,
        safekeeping_account=account,
        isin=isin,
        cusip=security.cusip,
        new_isin=new_isin,
        security_name=" ".join(security.name.split()),
        created_at=at,
        narrative=SIMULATOR_NARRATIVE,
    )
    return agent_iso20022.xml_file(
        header,
        [agent_iso20022.OutgoingMessage(a.reply, a.definition, a.face_amount) for a in answers],
        # PyldIdr is 35 characters at most: SIM (simulator), the participant (8 digits at
        # most), STS or MVT, and the time.
        file_id=f"SIM-{firm.dtc_participant_number}-{_FILE_CODES[reply]}-{digits_timestamp(at)}",
    )
