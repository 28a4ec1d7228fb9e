"""A consummation scene where the exchange agent does not hold everything the office took, and
helpers that write what the agent answered as the importer would (`AgentReplyFile`,
`AgentReply`, `AgentMovement` rows: the importer is another issue's).

A $610,000 issue, minimum lowered to 80% ($488,000), every other condition met, at Hudson &
Broad (DTC 0901):
- HB-100007 Ferris Family Foundation: holds $480,000, instructs $400,000; sent, accepted;
- HB-100021 Kim Holdings: holds $90,000, tenders all; sent, rejected by the agent
  (SAFE: safekeeping account unknown);
- HB-100022 Grace Young: holds $10,000, tenders all; sent, not acknowledged;
- HB-100003 Eleanor J. Whitfield: holds $125,000, tenders all; taken after the file was sent,
  never sent.
The office took $625,000; the agent holds $410,000 of it (Ferris and Young).
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from exchange_office.stamps import stamped
from notes.models import ExchangeOffer
from tenders.intake.services import instruction_submit
from tenders.models import ClientAccount, Instruction
from tenders.submissions.models import (
    AgentMovement,
    AgentReply,
    AgentReplyFile,
    AgentReplyKind,
    AgentStatus,
    AgentSubmissionItem,
    MovementAsset,
)
from tests.tenders.conftest import NY, amount_input, make_input, send_to_agent
from tests.tenders.notices_scene import holder

SEP_5 = date(2001, 9, 5)
SEP_5_MORNING = datetime(2001, 9, 5, 10, 0, tzinfo=NY)


@dataclass
class AgentScene:
    offer: ExchangeOffer
    ferris: Instruction
    kim: Instruction
    young: Instruction
    whitfield: Instruction
    accounts: dict[str, ClientAccount]


def reply_file(offer: ExchangeOffer, by: Any, name: str) -> AgentReplyFile:
    content = f"<simulated {name}>".encode()
    return AgentReplyFile.objects.create(
        offer=offer,
        filename=name,
        format="seev",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        imported_by=by,
        **stamped(),
    )


def agent_says(
    file: AgentReplyFile,
    instruction: Instruction,
    status: str,
    *,
    kind: str = AgentReplyKind.STATUS,
    reason_code: str = "",
    reason: str = "",
) -> AgentReply:
    """The agent's reply to the message that sent `instruction`."""
    item = AgentSubmissionItem.objects.get(instruction=instruction, kind="instruct")
    return AgentReply.objects.create(
        file=file,
        item=item,
        instruction=instruction,
        kind=kind,
        message_type="seev.034.001.14" if kind == AgentReplyKind.STATUS else "seev.036.001.15",
        reference=item.reference,
        status=status,
        reason_code=reason_code,
        reason=reason,
        **stamped(),
    )


def movements(
    file: AgentReplyFile,
    instruction: Instruction,
    *,
    old_notes: str | None = None,
    new_notes: str | None = None,
    warrants: str | None = None,
    cash: str | None = None,
    posted_on: date = SEP_5,
) -> AgentReply:
    """A movement confirmation for `instruction`: the Old Notes debited, the rest credited."""
    reply = agent_says(file, instruction, AgentStatus.ACCEPTED, kind=AgentReplyKind.MOVEMENT)
    for asset, amount in (
        (MovementAsset.OLD_NOTES, old_notes),
        (MovementAsset.NEW_NOTES, new_notes),
        (MovementAsset.WARRANTS, warrants),
        (MovementAsset.CASH, cash),
    ):
        if amount is not None:
            AgentMovement.objects.create(
                reply=reply,
                asset=asset,
                credit=asset != MovementAsset.OLD_NOTES,
                amount=Decimal(amount),
                posted_on=posted_on,
            )
    return reply


def set_the_agent_scene(
    offer: ExchangeOffer, firm: Any, rep: Any, ops: Any, account: ClientAccount
) -> AgentScene:
    offer.outstanding_principal = Decimal("610000")
    offer.minimum_tender_percent = Decimal("80")
    offer.save()
    offer.conditions.update(is_satisfied=True, satisfied_on=date(2001, 9, 4))
    ferris = holder(firm, offer, ops, "HB-100007", "Ferris Family Foundation", "480000")
    kim = holder(firm, offer, ops, "HB-100021", "Kim Holdings", "90000")
    young = holder(firm, offer, ops, "HB-100022", "Grace Young", "10000")
    instructions = {
        "ferris": instruction_submit(
            account=ferris, offer=offer, data=amount_input(ferris, "400000"), by=rep
        ),
        "kim": instruction_submit(account=kim, offer=offer, data=make_input(kim), by=rep),
        "young": instruction_submit(account=young, offer=offer, data=make_input(young), by=rep),
    }
    send_to_agent(offer, ops)
    status = reply_file(offer, ops, "status-0901.xml")
    agent_says(status, instructions["ferris"], AgentStatus.ACCEPTED)
    agent_says(
        status,
        instructions["kim"],
        AgentStatus.REJECTED,
        reason_code="SAFE",
        reason="Safekeeping account unknown",
    )
    whitfield = instruction_submit(account=account, offer=offer, data=make_input(account), by=rep)
    return AgentScene(
        offer=offer,
        ferris=Instruction.objects.get(pk=instructions["ferris"].pk),
        kim=Instruction.objects.get(pk=instructions["kim"].pk),
        young=Instruction.objects.get(pk=instructions["young"].pk),
        whitfield=whitfield,
        accounts={"ferris": ferris, "kim": kim, "young": young, "whitfield": account},
    )
