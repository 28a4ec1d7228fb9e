"""Who may send instructions to the exchange agent."""

from tenders.accounts.permissions import User, is_active_staff


def may_submit_to_agent(*, user: User) -> bool:
    """Operations staff who may change instructions: a submission moves them to submitted."""
    return is_active_staff(user) and user.has_perm("tenders.change_instruction")


def may_import_agent_files(*, user: User) -> bool:
    """Operations staff who may add the agent's files: its status advice and movements."""
    return is_active_staff(user) and user.has_perm("tenders.add_agentreplyfile")


def may_see_reconciliation(*, user: User) -> bool:
    """Operations staff (who see the files sent, the agent's replies and the instructions):
    the reconciliation with the agent lists every instruction of a participant."""
    return is_active_staff(user) and all(
        user.has_perm(f"tenders.view_{model}")
        for model in ("agentsubmission", "agentreply", "instruction")
    )
