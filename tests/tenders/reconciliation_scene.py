"""A participant's instructions in every standing with the exchange agent, for the
reconciliation and the reminders before the expiration (issue 21).

Hudson & Broad, each account holding $125,000: HB-200001 … HB-200005 were sent in one file
on Aug 20; the agent then accepted HB-200001 ($125,000, tender all), held HB-200002 ($90,000)
pending, rejected HB-200003 ($80,000) with a reason, and has not answered about HB-200004
($70,000) and HB-200005 ($60,000). HB-200006 ($50,000) and HB-200007 ($40,000) were taken after
the file and are not sent. Not sent: 2 for $90,000; not acknowledged: 2 for $130,000.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from exchange_office import clock
from exchange_office.stamps import stamped
from tenders.intake.services import instruction_submit
from tenders.models import (
    AgentReply,
    AgentReplyFile,
    AgentSubmissionItem,
    ClientAccount,
    Instruction,
)
from tenders.submissions.services import agent_submission_record
from tests.tenders.conftest import _account, amount_input, make_input

REJECTION_CODE = "DQUN"
REJECTION = "Quantity exceeds the safekeeping position at DTC"


@dataclass
class ReconciliationScene:
    offer: Any
    firm: Any
    accounts: dict[str, ClientAccount]
    instructions: dict[str, Instruction]


def instruct(offer: Any, account: ClientAccount, rep: Any, amount: str | None) -> Instruction:
    data = make_input(account) if amount is None else amount_input(account, amount)
    return instruction_submit(account=account, offer=offer, data=data, by=rep)


def reply_file(offer: Any, ops: Any, name: str = "status.xml") -> AgentReplyFile:
    content = f"<simulated status advice {name}/>".encode()
    return AgentReplyFile.objects.create(
        offer=offer,
        filename=name,
        format="seev",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        imported_by=ops,
        **stamped(),
    )


def reply(
    file: AgentReplyFile,
    instruction: Instruction,
    status: str,
    *,
    code: str = "",
    reason: str = "",
) -> AgentReply:
    item = AgentSubmissionItem.objects.get(instruction=instruction, kind="instruct")
    return AgentReply.objects.create(
        file=file,
        item=item,
        instruction=instruction,
        kind="status",
        message_type="seev.034.001.14",
        reference=item.reference,
        status=status,
        reason_code=code,
        reason=reason,
        advised_at=clock.now(),
        **stamped(),
    )


def build_scene(offer: Any, firm: Any, ops: Any, rep: Any) -> ReconciliationScene:
    numbers = [f"HB-20000{n}" for n in range(1, 8)]
    accounts = {
        number: _account(firm, offer, ops, [f"Holder {number}"], account_number=number)
        for number in numbers
    }
    amounts = [None, "90000", "80000", "70000", "60000"]
    instructions = {
        number: instruct(offer, accounts[number], rep, amount)
        for number, amount in zip(numbers[:5], amounts, strict=True)
    }
    agent_submission_record(offer=offer, firm=firm, file_format="seev033", by=ops)
    for number, amount in zip(numbers[5:], ["50000", "40000"], strict=True):
        instructions[number] = instruct(offer, accounts[number], rep, amount)
    status = reply_file(offer, ops)
    reply(status, instructions["HB-200001"], "accepted")
    reply(status, instructions["HB-200002"], "pending")
    reply(status, instructions["HB-200003"], "rejected", code=REJECTION_CODE, reason=REJECTION)
    return ReconciliationScene(offer, firm, accounts, instructions)


NOT_SENT = (2, Decimal("90000"))
UNACKNOWLEDGED = (2, Decimal("130000"))
