"""Who may decide what waits for a second person."""

from notes.permissions import may_run_offer
from tenders.accounts.models import ClientAccount
from tenders.accounts.permissions import User, firm_for_user, may_reveal_tin
from tenders.approvals.models import HeldInstruction, Proposal, ProposalKind


def may_supervise(*, user: User, account: ClientAccount) -> bool:
    """Approve the account's held instructions (large, or late): a supervisor, that is a
    representative of the account's firm with the permission."""
    firm = firm_for_user(user=user)
    return (
        firm is not None
        and firm.pk == account.firm_id
        and user.is_active
        and user.has_perm("tenders.supervise_instructions")
    )


def may_decide_held(*, user: User, held: HeldInstruction) -> bool:
    """Approve or reject this held instruction: a supervisor of its firm who did not enter it."""
    return may_supervise(user=user, account=held.account) and held.entered_by_id != user.pk


def may_change_firm_controls(*, user: User) -> bool:
    """Propose, approve or reject a change of a firm's cutoff or threshold: operations staff
    who may change firms."""
    return may_run_offer(user=user) and user.has_perm("tenders.change_brokerfirm")


def may_make_decision(*, user: User, kind: str) -> bool:
    """Make this kind of decision at all: reveal a TIN, change a firm's controls, or run the
    offer."""
    if kind == ProposalKind.REVEAL_TIN:
        return may_reveal_tin(user=user)
    if kind == ProposalKind.FIRM_CONTROLS:
        return may_change_firm_controls(user=user)
    return may_run_offer(user=user)


def may_decide_proposal(*, user: User, proposal: Proposal) -> bool:
    """Approve or reject this proposal: whoever may make such a decision, except the person
    who proposed it."""
    return may_make_decision(user=user, kind=proposal.kind) and proposal.proposed_by_id != user.pk
