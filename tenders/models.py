"""The broker side's models, defined by concern in each sub-package and gathered here: Django
finds an app's models in `tenders.models`, and `from tenders.models import …` keeps working."""

from tenders.accounts.models import (
    AccountOwner,
    BrokerFirm,
    ClientAccount,
    Position,
    Representative,
    TinReveal,
    TinTypeChoice,
)
from tenders.bulk_runs.models import BulkItemStatus, BulkRun, BulkRunItem, BulkRunStatus
from tenders.documents.models import Document, DocumentKind
from tenders.instructions.models import (
    LIVE_STATUSES,
    Instruction,
    InstructionChoice,
    InstructionSigner,
    InstructionStatus,
    InstructionTransition,
)
from tenders.outbox.models import OutboxMessage, OutboxStatus

__all__ = [
    "LIVE_STATUSES",
    "AccountOwner",
    "BrokerFirm",
    "BulkItemStatus",
    "BulkRun",
    "BulkRunItem",
    "BulkRunStatus",
    "ClientAccount",
    "Document",
    "DocumentKind",
    "Instruction",
    "InstructionChoice",
    "InstructionSigner",
    "InstructionStatus",
    "InstructionTransition",
    "OutboxMessage",
    "OutboxStatus",
    "Position",
    "Representative",
    "TinReveal",
    "TinTypeChoice",
]
