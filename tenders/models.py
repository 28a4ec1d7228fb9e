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
from tenders.approvals.models import (
    ApprovalStatus,
    HeldInstruction,
    HoldReason,
    Proposal,
    ProposalKind,
)
from tenders.bulk_runs.models import BulkItemStatus, BulkRun, BulkRunItem, BulkRunStatus
from tenders.data_version.models import DataVersion
from tenders.documents.models import Document, DocumentKind, DocumentSnapshot, LetterDispatch
from tenders.instructions.models import (
    LIVE_STATUSES,
    Instruction,
    InstructionChannel,
    InstructionChoice,
    InstructionSigner,
    InstructionStatus,
    InstructionTransition,
    NoticeMethodChoice,
    WithdrawalNotice,
    WithdrawalNoticeSigner,
)
from tenders.ledger.models import (
    Asset,
    AssetKind,
    EntryKind,
    JournalEntry,
    LedgerAccount,
    LedgerAccountKind,
    Leg,
)
from tenders.letters.models import Reminder
from tenders.links.models import ClientCheck, ClientLink
from tenders.notices.models import NonTenderReportOffer
from tenders.online.models import (
    ClientSubmission,
    ClientSubmissionSigner,
    ReviewStatus,
    SubmissionAlert,
    SubmissionKind,
)
from tenders.outbox.models import OutboxMessage, OutboxStatus
from tenders.payments.models import PaymentRun, PaymentRunStatus
from tenders.positions.models import PendingImport
from tenders.submissions.models import (
    AgentMovement,
    AgentReply,
    AgentReplyFile,
    AgentSubmission,
    AgentSubmissionItem,
    SubmissionFormat,
    SubmissionItemKind,
)
from tenders.tally.models import (
    TallyAccount,
    TallyFirm,
    TallyGroup,
    TallyLine,
    TallyNote,
    TallyState,
)
from tenders.workers.models import WorkerHeartbeat

# simple-history names a history model defined outside the app's models module after the app
# package ("tenders.HistoricalInstruction"), where nothing can import it (the shell's automatic
# imports and pickling do). It lives here, with the models it records.
for _model in (
    AccountOwner,
    ClientAccount,
    ClientCheck,
    ClientLink,
    ClientSubmission,
    HeldInstruction,
    Instruction,
    Position,
    Proposal,
):
    _history = _model.history.model  # added by simple-history
    _history.__module__ = __name__
    globals()[_history.__name__] = _history

__all__ = [
    "LIVE_STATUSES",
    "AccountOwner",
    "AgentMovement",
    "AgentReply",
    "AgentReplyFile",
    "AgentSubmission",
    "AgentSubmissionItem",
    "ApprovalStatus",
    "Asset",
    "AssetKind",
    "BrokerFirm",
    "BulkItemStatus",
    "BulkRun",
    "BulkRunItem",
    "BulkRunStatus",
    "ClientAccount",
    "ClientCheck",
    "ClientLink",
    "ClientSubmission",
    "ClientSubmissionSigner",
    "DataVersion",
    "Document",
    "DocumentKind",
    "DocumentSnapshot",
    "EntryKind",
    "HeldInstruction",
    "HoldReason",
    "Instruction",
    "InstructionChannel",
    "InstructionChoice",
    "InstructionSigner",
    "InstructionStatus",
    "InstructionTransition",
    "JournalEntry",
    "LedgerAccount",
    "LedgerAccountKind",
    "Leg",
    "LetterDispatch",
    "NonTenderReportOffer",
    "NoticeMethodChoice",
    "OutboxMessage",
    "OutboxStatus",
    "PaymentRun",
    "PaymentRunStatus",
    "PendingImport",
    "Position",
    "Proposal",
    "ProposalKind",
    "Reminder",
    "Representative",
    "ReviewStatus",
    "SubmissionAlert",
    "SubmissionFormat",
    "SubmissionItemKind",
    "SubmissionKind",
    "TallyAccount",
    "TallyFirm",
    "TallyGroup",
    "TallyLine",
    "TallyNote",
    "TallyState",
    "TinReveal",
    "TinTypeChoice",
    "WithdrawalNotice",
    "WithdrawalNoticeSigner",
    "WorkerHeartbeat",
]
