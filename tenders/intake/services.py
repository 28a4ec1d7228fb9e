"""Taking a client's instruction: the representative's form (submit, amend, withdraw), the
instruction held for a supervisor of the firm (four eyes) and its approval, and the receipt of
each, snapshotted in the transaction that records it and rendered in the background.

The rules and the record itself are `tenders.instructions`; what waits for a second person is
kept by `tenders.approvals`. A client's online submission becomes an instruction through these
same services once a representative approves it (`tenders.online`).
"""

from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from exchange_office import clock
from exchange_office.formatting import describe_instant, dollars, timestamp
from notes.models import ExchangeOffer
from tenders.accounts.models import ClientAccount
from tenders.accounts.selectors import firm_deadlines
from tenders.accounts.services import account_lock
from tenders.approvals.models import ApprovalStatus, HeldInstruction, HoldReason
from tenders.approvals.policy import above_threshold
from tenders.approvals.selectors import awaiting_held, held_by_token, held_deciders_to_email
from tenders.approvals.services import (
    held_instruction_awaiting,
    held_instruction_hold,
    held_instruction_input,
)
from tenders.documents import tasks as document_tasks
from tenders.documents.models import DocumentKind
from tenders.documents.snapshots import document_snapshot_take
from tenders.domain.lifecycle import Status
from tenders.domain.rules import Actor, NoticeMethod
from tenders.instructions.models import Instruction, InstructionChannel
from tenders.instructions.permissions import actor_for
from tenders.instructions.selectors import live_instruction
from tenders.instructions.services import (
    CheckedInstruction,
    InstructionInput,
    SecondApproval,
    WithdrawalNoticeInput,
    instruction_check,
    instruction_current,
    instruction_deadline_refusals,
    instruction_record,
    instruction_transition,
    notice_of_withdrawal_refusals,
    offer_for_writing,
    raise_refusals,
    refuse,
    require_may_act,
    withdrawal_notice_record,
)
from tenders.outbox import services as outbox
from tenders.outbox import tasks as outbox_tasks


def _issue_receipt(instruction: Instruction, kind: str) -> None:
    """The client's receipt: its snapshot is taken now, in this transaction (the instruction as
    received, the figures, terms and deadlines of this moment); it is rendered from that and
    e-mailed in the background once this commits."""
    document_snapshot_take(instruction=instruction, kind=kind)
    document_tasks.enqueue_issue(instruction_id=instruction.pk, kind=kind)


def _already_recorded(
    token: UUID | None, *, account: ClientAccount, offer_id: int
) -> Instruction | HeldInstruction | None:
    """What this form already became, for this account and offer (a double click). A token
    that another account's or offer's record carries refuses the post: it never came from
    this account's form, and answering with that record would show it."""
    if token is None:
        return None
    recorded = Instruction.objects.filter(submission_token=token).first() or held_by_token(token)
    if recorded is None:
        return None
    if (recorded.account_id, recorded.offer_id) != (account.pk, offer_id):
        raise refuse(
            "This form was already used for another account: nothing was recorded. Open the "
            "form again from this account's page."
        )
    return recorded


def instruction_hold_reason(
    *, account: ClientAccount, offer: ExchangeOffer, checked: CheckedInstruction, by: User
) -> HoldReason | None:
    """Four eyes: why this instruction must wait for a supervisor of the firm, if it must (the
    review step says so before it is confirmed).
    Above the firm's threshold when a representative enters it; late when operations take it
    after the firm's cutoff. A firm without a threshold has no second approval."""
    if account.firm.second_approval_threshold is None:
        return None
    if actor_for(user=by) is Actor.OPERATIONS:
        cutoff = firm_deadlines(firm=account.firm, offer=offer).firm_cutoff
        return HoldReason.LATE if clock.now() >= cutoff else None
    if above_threshold(firm=account.firm, tendered=checked.tendered):
        return HoldReason.OVER_THRESHOLD
    return None


def _tell_supervisors(held: HeldInstruction) -> HeldInstruction:
    """E-mail the supervisors of the firm who may approve the held instruction (not the one
    who entered it), once: each e-mail's key is the held instruction's and the person's."""
    account = held.account
    owners = " and ".join(owner.name for owner in account.owners.all())
    queue = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("tenders:review_queue")
    body = (
        f"An instruction for account {account.account_number} ({owners}) waits for a "
        f"supervisor of {account.firm.name}.\n\n"
        f"Why it waits: {held.get_reason_display()} (it tenders {dollars(held.tendered)})\n"
        f"Entered by: {held.entered_by.get_username()} at {timestamp(held.entered_at)}\n\n"
        "It counts only once a supervisor who did not enter it approves it, as received when "
        f"entered; it can be approved until the offer expires, "
        f"{describe_instant(held.offer.expiration)}.\n\n"
        f"Review it: {queue}\n"
    )
    notices = [
        outbox.NoticeEmail(
            key=f"held:{held.pk}:u{person.pk}",
            account=account,
            to=person.email,
            subject=f"To approve: {account.account_number}'s instruction waits for a supervisor",
            body=body,
        )
        for person in held_deciders_to_email(held=held)
    ]
    for message in outbox.outbox_notices_create(offer=held.offer, notices=notices, by=None):
        outbox_tasks.enqueue_send(message_id=message.pk)
    return held


def _refuse_if_held(account: ClientAccount, offer: ExchangeOffer) -> None:
    held = awaiting_held(account=account, offer=offer)
    if held is not None:
        raise refuse(
            f"An instruction for this account, entered by {held.entered_by.get_username()} at "
            f"{describe_instant(held.entered_at)}, awaits a supervisor's approval: it must be "
            "approved or rejected first."
        )


@transaction.atomic
def instruction_submit(
    *,
    account: ClientAccount,
    offer: ExchangeOffer,
    data: InstructionInput,
    by: User,
    approval: SecondApproval | None = None,
) -> Instruction | HeldInstruction:
    """Record a client's instruction (version 1, or a new one after a withdrawal); with
    `approval`, one that waited for `by` to approve it. One that needs a supervisor of the
    firm (four eyes) is held for them instead, and returned as held."""
    account = account_lock(account)
    existing = _already_recorded(data.submission_token, account=account, offer_id=offer.pk)
    if existing is not None:
        return existing  # the same form posted twice: a double click
    offer = offer_for_writing(offer)
    if approval is None:
        _refuse_if_held(account, offer)
    live = live_instruction(account=account, offer=offer)
    if live is not None:
        raise refuse(
            f"This account already has an instruction (version {live.version}, "
            f"{live.get_status_display().lower()}): amend or withdraw it instead."
        )
    checked = instruction_check(account=account, offer=offer, data=data, by=by, approval=approval)
    if approval is None and (
        reason := instruction_hold_reason(account=account, offer=offer, checked=checked, by=by)
    ):
        return _tell_supervisors(
            held_instruction_hold(
                account=account,
                offer=offer,
                reason=reason,
                tendered=checked.tendered,
                data=data,
                by=by,
            )
        )
    instruction = instruction_record(
        account=account,
        offer=offer,
        checked=checked,
        data=data,
        by=by,
        supersedes=None,
        approval=approval,
    )
    _issue_receipt(instruction, DocumentKind.RECEIPT)
    return instruction


@transaction.atomic
def instruction_amend(
    *,
    instruction: Instruction,
    expected_version: int,
    data: InstructionInput,
    by: User,
    approval: SecondApproval | None = None,
) -> Instruction | HeldInstruction:
    """Replace the live instruction by a new version; the old one stays, superseded. One that
    needs a supervisor of the firm is held for them instead (the live one stays as it is)."""
    account = account_lock(instruction.account)
    existing = _already_recorded(
        data.submission_token, account=account, offer_id=instruction.offer_id
    )
    if existing is not None:
        return existing
    current = instruction_current(
        instruction=instruction, expected_version=expected_version, account=account, verb="amended"
    )
    offer = offer_for_writing(current.offer)
    if approval is None:
        _refuse_if_held(account, offer)
    checked = instruction_check(
        account=account,
        offer=offer,
        data=data,
        by=by,
        approval=approval,
    )
    if approval is None and (
        reason := instruction_hold_reason(account=account, offer=offer, checked=checked, by=by)
    ):
        return _tell_supervisors(
            held_instruction_hold(
                account=account,
                offer=offer,
                reason=reason,
                tendered=checked.tendered,
                data=data,
                by=by,
                amends=current,
            )
        )
    instruction_transition(current, Status.SUPERSEDED, by=by, reason=checked.late_reason)
    amended = instruction_record(
        account=account,
        offer=current.offer,
        checked=checked,
        data=data,
        by=by,
        supersedes=current,
        approval=approval,
    )
    _issue_receipt(amended, DocumentKind.RECEIPT)
    return amended


@transaction.atomic
def instruction_withdraw(
    *,
    instruction: Instruction,
    expected_version: int,
    by: User,
    notice: WithdrawalNoticeInput,
    late_reason: str = "",
    approval: SecondApproval | None = None,
) -> Instruction:
    """Withdraw the live instruction before the deadline, on the client's notice (recorded
    with it); it stays on record, withdrawn. With `approval`, a notice the client gave
    online, approved now by `by`."""
    account = account_lock(instruction.account)
    require_may_act(user=by, account=account)
    online = approval is not None and approval.channel == InstructionChannel.ONLINE
    if (notice.method == NoticeMethod.ONLINE) != online:
        raise refuse(
            "An online notice of withdrawal comes only from the client's own page."
            if not online
            else "A client's online withdrawal is recorded as an online notice."
        )
    actor = approval.actor if approval else actor_for(user=by)
    current = instruction_current(
        instruction=instruction,
        expected_version=expected_version,
        account=account,
        verb="withdrawn",
    )
    offer = offer_for_writing(current.offer)
    raise_refusals(
        instruction_deadline_refusals(
            account=account,
            offer=offer,
            actor=actor,
            late_reason=late_reason,
            received_at=approval.received_at if approval else None,
            firm_cutoff_applies=approval.firm_cutoff_applies if approval else True,
        )
        + notice_of_withdrawal_refusals(account=account, offer=offer, notice=notice, actor=actor)
    )
    withdrawal_notice_record(current, account, notice, by)
    instruction_transition(current, Status.WITHDRAWN, by=by, reason=late_reason.strip())
    _issue_receipt(current, DocumentKind.WITHDRAWAL_RECEIPT)
    return current


# The supervisor's approval of a held instruction


def _record_held(held: HeldInstruction, by: User) -> Instruction:
    """The held instruction recorded by the supervisor `by`, as it was entered."""
    approval = SecondApproval(
        received_at=held.entered_at,
        received_wall_at=held.entered_wall_at,
        actor=actor_for(user=held.entered_by),
        channel=InstructionChannel.PAPER,
        entered_by=held.entered_by,
    )
    data = held_instruction_input(held)
    recorded = (
        instruction_amend(
            instruction=held.amends,
            expected_version=held.amends.version,
            data=data,
            by=by,
            approval=approval,
        )
        if held.amends is not None
        else instruction_submit(
            account=held.account, offer=held.offer, data=data, by=by, approval=approval
        )
    )
    assert isinstance(recorded, Instruction), "an approved instruction is not held again"
    held.decide(ApprovalStatus.APPROVED, by=by)
    held.instruction = recorded
    held.save()
    return recorded


def held_instruction_approve(*, held: HeldInstruction, by: User) -> Instruction:
    """The supervisor's approval: the instruction is recorded as entered, received when it was
    entered, with every rule checked again, before the offer expires (as extended). At or after
    that it is marked expired (kept, committed) and the approval refused."""
    with transaction.atomic():
        held = held_instruction_awaiting(held=held, by=by)
        # The offer's expiration as it is now: an extension keeps the held instruction open.
        expiration = ExchangeOffer.objects.values_list("expiration", flat=True).get(
            pk=held.offer_id
        )
        if clock.now() < expiration:
            return _record_held(held, by)
        held.decide(ApprovalStatus.EXPIRED, by=by, note="The offer expired before approval.")
        held.save()
    raise ValidationError(
        f"The offer expired at {describe_instant(expiration)}: this instruction can no longer "
        "be approved."
    )
