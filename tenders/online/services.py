"""Writes for clients who answer online.

A client opens the link in their letter, proves who they are with the last four digits of the
taxpayer ID and the ZIP code on file (five wrong answers lock the link until a representative
unlocks it), and submits a tender or a withdrawal, each owner's name typed as a signature. The
submission is recorded exactly as made (with the text agreed to, both clocks, the IP address and
the browser) and waits for a representative: approving it makes it an instruction through the
same services and rules as a paper form, received when the client submitted it.
"""

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from exchange_office import clock
from exchange_office.formatting import describe_instant, dollars, in_new_york, long_date
from notes.models import ExchangeOffer
from notes.selectors import offer_last_change, offers_with_terms
from tenders.accounts import permissions
from tenders.accounts.models import ClientAccount
from tenders.accounts.selectors import firm_deadlines, position_for
from tenders.accounts.services import account_lock
from tenders.approvals.permissions import may_supervise
from tenders.approvals.policy import above_threshold
from tenders.documents import tasks as document_tasks
from tenders.documents.contexts import client_values, firm_values
from tenders.documents.keys import DocumentKey
from tenders.documents.models import DocumentKind
from tenders.documents.snapshots import SnapshotInput, document_snapshots_record
from tenders.domain.lifecycle import OPEN
from tenders.domain.rules import Actor, Refusal, Signature, deadline_refusals, signer_refusals
from tenders.domain.tender import Voice, choice_text, tendered_principal
from tenders.instructions.models import Instruction, InstructionChannel, InstructionChoice
from tenders.instructions.permissions import may_act_on_account
from tenders.instructions.selectors import live_instruction
from tenders.instructions.services import (
    InstructionInput,
    SecondApproval,
    SignatureInput,
    WithdrawalNoticeInput,
    instruction_rules_check,
)
from tenders.intake.services import instruction_amend, instruction_submit, instruction_withdraw
from tenders.letters.contexts import client_letter_context
from tenders.online import agreement
from tenders.online.alerts import client_submission_flag
from tenders.online.models import (
    MAX_FAILED_CHECKS,
    ClientLink,
    ClientSubmission,
    ClientSubmissionSigner,
    ReviewStatus,
    SubmissionKind,
)
from tenders.online.permissions import may_unlock_client_link
from tenders.online.selectors import client_link_url, may_still_withdraw
from tenders.outbox import services as outbox
from tenders.outbox import tasks as outbox_tasks

# Links


def client_links_issue(
    *, offer: ExchangeOffer, accounts: Sequence[ClientAccount]
) -> dict[int, ClientLink]:
    """Each account's link for the letter as it stands (after the offer's last extension or
    amendment of the terms: a new one after each), expiring at the firm's cutoff. Issued once
    per occasion, in bulk for a letter run; the letter and every reminder of that occasion
    carry the same link. Returns the links by account id."""
    event = offer_last_change(offer)
    event_id = event.pk if event is not None else 0
    now, wall = clock.now(), clock.wall_now()
    cutoffs: dict[int, datetime] = {}
    for account in accounts:
        if account.firm_id not in cutoffs:
            cutoffs[account.firm_id] = firm_deadlines(firm=account.firm, offer=offer).firm_cutoff
    ids = [account.pk for account in accounts]
    issued_before = _issued(offer, event_id, ids)
    ClientLink.objects.bulk_create(
        [
            ClientLink(
                account=account,
                offer=offer,
                event_id=event_id,
                expires_at=cutoffs[account.firm_id],
                issued_at=now,
                issued_wall_at=wall,
            )
            for account in accounts
            if account.pk not in issued_before
        ],
        batch_size=500,
        ignore_conflicts=True,  # issued at this moment by another run: that link stands
    )
    links: dict[int, ClientLink] = {}
    for start in range(0, len(ids), 500):
        for link in ClientLink.objects.filter(
            offer=offer, event_id=event_id, account_id__in=ids[start : start + 500]
        ):
            links[link.account_id] = link
    # The audit trail's first row of each link issued now (bulk_create saves no history).
    ClientLink.history.bulk_history_create(
        [link for account_id, link in links.items() if account_id not in issued_before],
        batch_size=500,
    )
    return links


def _issued(offer: ExchangeOffer, event_id: int, ids: list[int]) -> set[int]:
    issued: set[int] = set()
    for start in range(0, len(ids), 500):
        issued.update(
            ClientLink.objects.filter(
                offer=offer, event_id=event_id, account_id__in=ids[start : start + 500]
            ).values_list("account_id", flat=True)
        )
    return issued


def client_link_issue(*, offer: ExchangeOffer, account: ClientAccount) -> ClientLink:
    """One account's link (see `client_links_issue`)."""
    return client_links_issue(offer=offer, accounts=[account])[account.pk]


@dataclass(frozen=True, slots=True)
class IdentityCheck:
    passed: bool
    locked: bool
    tries_left: int


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isascii() and ch.isdigit())


@transaction.atomic
def client_identity_check(*, link: ClientLink, tin_last4: str, postal_code: str) -> IdentityCheck:
    """The last four digits of the taxpayer ID and the ZIP code on file, compared in constant
    time. A wrong answer is counted (committed, whatever the caller does next); the fifth
    locks the link. A right one clears the count."""
    link = (
        ClientLink.objects.select_for_update(of=("self",)).select_related("account").get(pk=link.pk)
    )
    if link.is_locked:
        return IdentityCheck(passed=False, locked=True, tries_left=0)
    account = link.account
    expected = f"{account.tin_last4}|{_digits(account.postal_code)[:5]}"
    given = f"{_digits(tin_last4)}|{_digits(postal_code)[:5]}"
    if account.tin_last4 and hmac.compare_digest(expected.encode(), given.encode()):
        if link.failed_checks:
            ClientLink.objects.filter(pk=link.pk).update(failed_checks=0)
        return IdentityCheck(passed=True, locked=False, tries_left=MAX_FAILED_CHECKS)
    failed = link.failed_checks + 1
    locked = failed >= MAX_FAILED_CHECKS
    ClientLink.objects.filter(pk=link.pk).update(
        failed_checks=F("failed_checks") + 1, locked_at=clock.wall_now() if locked else None
    )
    return IdentityCheck(passed=False, locked=locked, tries_left=MAX_FAILED_CHECKS - failed)


@transaction.atomic
def client_link_unlock(*, link: ClientLink, by: User) -> ClientLink:
    """A representative of the firm (or operations) unlocks a link after five wrong answers,
    typically after speaking to the client."""
    permissions.require(
        may_unlock_client_link(user=by, link=link),
        "Only the firm's representatives and operations may unlock a client's link.",
    )
    link = ClientLink.objects.select_for_update(of=("self",)).get(pk=link.pk)
    link.failed_checks = 0
    link.locked_at = None
    link.unlocked_by = by
    link.unlocked_wall_at = clock.wall_now()
    link._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    link.save(update_fields=["failed_checks", "locked_at", "unlocked_by", "unlocked_wall_at"])
    return link


def client_links_unlock(*, account: ClientAccount, by: User) -> list[ClientLink]:
    """Unlock every locked link of the account (the account page's button); returns them."""
    locked = list(ClientLink.objects.filter(account=account, locked_at__isnull=False))
    return [client_link_unlock(link=link, by=by) for link in locked]


# Submissions


@dataclass(frozen=True, slots=True)
class OnlineInput:
    """What the client typed on their page."""

    kind: str  # tender or withdrawal
    choice: str  # ALL or AMOUNT (tender)
    amount: Decimal | None
    names: Mapping[int, str]  # owner id -> the name typed as that owner's signature
    address: str
    phone: str
    esign_consent: bool
    ip_address: str | None = None
    user_agent: str = ""
    submission_token: UUID | None = None
    shown_digest: str = ""  # of the page the client read (`agreement.shown_digest`)


def _raise(refusals: list[Refusal]) -> None:
    errors: dict[str, list[str]] = {}
    for refusal in refusals:
        errors.setdefault(refusal.field or NON_FIELD_ERRORS, []).append(refusal.message)
    if errors:
        raise ValidationError(errors)


def _signatures(account: ClientAccount, names: Mapping[int, str]) -> tuple[SignatureInput, ...]:
    # "Attested" here is the client's own act of typing the name, with consent to sign
    # electronically; the instruction records it as signed electronically.
    return tuple(
        SignatureInput(owner_id=owner.pk, typed_name=names.get(owner.pk, ""), attested=True)
        for owner in account.owners.all()
    )


def _instruction_input(account: ClientAccount, data: OnlineInput) -> InstructionInput:
    return InstructionInput(
        choice=data.choice,
        amount=data.amount if data.choice == InstructionChoice.AMOUNT else None,
        form_date=clock.today(),
        address=data.address,
        phone=data.phone,
        tin_type=account.tin_type,
        tin="",  # the number on file, which the client proved they know the end of
        signatures=_signatures(account, data.names),
    )


def _letter(link: ClientLink) -> tuple[ExchangeOffer, dict]:
    offer = offers_with_terms().prefetch_related("conditions").get(pk=link.offer_id)
    letter = client_letter_context(
        offer=offer,
        account=link.account,
        position=position_for(account=link.account, offer=offer),
        event=offer_last_change(offer),
        now=clock.now(),
    )
    return offer, letter


def _choice_words(
    choice: str, amount: Decimal | None, position: Decimal, voice: Voice, *, within: bool = False
) -> str:
    """The choice as the client made it ("tender all" with the position it stands for today)."""
    stated = choice == InstructionChoice.AMOUNT and amount is not None
    words = choice_text(tenders_all=not stated, amount=amount, voice=voice, within_sentence=within)
    return words if stated else f"{words} ({dollars(position)} today)"


def _choice_text(data: OnlineInput, position: Decimal) -> str:
    if data.kind == SubmissionKind.WITHDRAWAL:
        return "Withdraw my instruction."
    return _choice_words(data.choice, data.amount, position, Voice.MINE) + "."


def _withdrawal_refusals(
    *, account: ClientAccount, offer: ExchangeOffer, data: OnlineInput
) -> list[Refusal]:
    """A client's own withdrawal: until the offer expires (withdrawal rights), whatever the
    firm's cutoff for instructions; each owner signs."""
    live = live_instruction(account=account, offer=offer)
    refusals = deadline_refusals(
        now=clock.now(),
        deadlines=firm_deadlines(firm=account.firm, offer=offer),
        actor=Actor.CLIENT,
        late_reason="",
        firm_cutoff_applies=False,
    )
    if live is None or live.status not in OPEN:
        refusals.append(Refusal(None, "There is no instruction of yours to withdraw."))
    refusals += signer_refusals(
        signatures=[
            Signature(owner_name=s.name, typed_name=data.names.get(s.pk, ""), attested=True)
            for s in account.owners.all()
        ],
        actor=Actor.CLIENT,
    )
    return refusals


def client_submission_check(*, link: ClientLink, data: OnlineInput) -> None:
    """Every rule the submission must pass now, as for a paper form (ValidationError by
    field, as the page names them: choice, amount, address, phone, signer-N-typed_name)."""
    account, offer = link.account, link.offer
    refusals: list[Refusal] = []
    if not data.esign_consent:
        refusals.append(
            Refusal(
                "esign_consent",
                "To answer online, consent to sign electronically; or call your "
                "representative for the paper form.",
            )
        )
    if data.kind == SubmissionKind.WITHDRAWAL:
        refusals += _withdrawal_refusals(account=account, offer=offer, data=data)
        _raise(refusals)
        return
    if data.kind != SubmissionKind.TENDER:
        refusals.append(Refusal(None, "Choose to tender or to withdraw."))
        _raise(refusals)
    try:
        instruction_rules_check(
            account=account,
            offer=offer,
            data=_instruction_input(account, data),
            actor=Actor.CLIENT,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                refusals.append(Refusal(None if field == NON_FIELD_ERRORS else field, message))
    if not data.choice:
        refusals.append(Refusal("choice", "Choose to tender all, or a stated amount."))
    _raise(refusals)


def _receipt_context(
    submission: ClientSubmission, letter: dict, position: Decimal, signers: list[str]
) -> dict:
    deadlines_text = letter["firm_cutoff_text"]
    is_tender = submission.kind == SubmissionKind.TENDER
    return {
        "document_title": "Online submission received",
        "firm": firm_values(submission.account.firm),
        "client": client_values(submission.account),
        "offer": letter["offer"],
        "submission": {
            "kind": submission.kind,
            "kind_label": "Instruction to tender" if is_tender else "Withdrawal",
            "tenders_all": submission.choice == InstructionChoice.ALL,
            "amount": submission.amount,
            "position": position,
            "signers": signers,
            "address_lines": [ln.strip() for ln in submission.address.splitlines() if ln.strip()],
            "phone": submission.phone.as_national if submission.phone else "",
            "submitted_at": submission.submitted_at,
            "submitted_wall_at": submission.submitted_wall_at,
            "ip_address": submission.ip_address or "",
            "user_agent": submission.user_agent,
            "agreed_paragraphs": submission.agreed_text.split("\n\n"),
        },
        "firm_cutoff_text": deadlines_text,
        "expiration_text": letter["expiration_text"],
        "email_paragraphs": [
            "We received what you submitted online"
            + (
                f": {_choice_text_from(submission, position)}"
                if submission.kind == SubmissionKind.TENDER
                else ": the withdrawal of your instruction."
            ),
            "It is awaiting your broker's review. It counts from the moment you submitted it, "
            "once your representative approves it; we will e-mail you then, or tell you why "
            "not. A PDF of what you submitted is attached.",
        ],
    }


def _choice_text_from(submission: ClientSubmission, position: Decimal) -> str:
    return _choice_words(submission.choice, submission.amount, position, Voice.YOURS, within=True)


def client_submission_create(*, link: ClientLink, data: OnlineInput) -> ClientSubmission:
    """Record what the client submitted, replacing one still awaiting review, e-mail them a
    PDF of it ("received, awaiting your broker's review"), and flag it to the firm."""
    with transaction.atomic():
        link = (
            ClientLink.objects.select_for_update(of=("self",))
            .select_related("account__firm", "offer")
            .get(pk=link.pk)
        )
        # The account's row lock, as for any instruction write: one submission at a time.
        account_lock(link.account)
        if data.submission_token is not None and (
            posted := ClientSubmission.objects.filter(
                submission_token=data.submission_token
            ).first()
        ):
            return posted  # the same page posted twice
        if link.is_locked:
            raise ValidationError("This link is locked: please call your representative.")
        past_cutoff = clock.now() >= link.expires_at
        if past_cutoff and (data.kind != SubmissionKind.WITHDRAWAL or not may_still_withdraw(link)):
            raise ValidationError(
                f"This link expired at {describe_instant(link.expires_at)}"
                + (
                    ": you may still withdraw your instruction here, until the offer expires."
                    if may_still_withdraw(link)
                    else ": please call your representative."
                )
            )
        client_submission_check(link=link, data=data)
        offer, letter = _letter(link)
        position = position_for(account=link.account, offer=offer)
        if data.shown_digest and data.shown_digest != agreement.shown_digest(
            letter=letter, position=position
        ):
            raise ValidationError(
                "The offer or your position changed while this page was open: read it again "
                "as it stands now, then sign."
            )
        declaration = (
            agreement.withdrawal_declaration(letter)
            if data.kind == SubmissionKind.WITHDRAWAL
            else agreement.tender_declaration(letter)
        )
        ClientSubmission.objects.filter(
            account=link.account, offer=offer, status=ReviewStatus.AWAITING
        ).update(status=ReviewStatus.REPLACED)
        is_tender = data.kind == SubmissionKind.TENDER
        submission = ClientSubmission.objects.create(
            link=link,
            account=link.account,
            offer=offer,
            kind=data.kind,
            choice=data.choice if is_tender else "",
            amount=data.amount if is_tender and data.choice == InstructionChoice.AMOUNT else None,
            address=data.address.strip() if is_tender else "",
            phone=data.phone if is_tender else "",
            esign_consent=data.esign_consent,
            agreed_text=agreement.agreed_text(
                letter=letter,
                declaration=declaration,
                choice_text=_choice_text(data, position),
            ),
            submitted_at=clock.now(),
            submitted_wall_at=clock.wall_now(),
            ip_address=data.ip_address,
            user_agent=data.user_agent[:1000],
            submission_token=data.submission_token,
        )
        owners = list(link.account.owners.all())
        ClientSubmissionSigner.objects.bulk_create(
            ClientSubmissionSigner(
                submission=submission, owner=owner, typed_name=data.names[owner.pk].strip()
            )
            for owner in owners
        )
        key = DocumentKey(
            DocumentKind.ONLINE_SUBMISSION, account_id=link.account_id, submission_id=submission.pk
        )
        document_snapshots_record(
            snapshots=[
                SnapshotInput(
                    key=key,
                    account=link.account,
                    offer=offer,
                    context=_receipt_context(
                        submission,
                        letter,
                        position,
                        [data.names[o.pk].strip() for o in owners],
                    ),
                )
            ],
            taken_at=submission.submitted_at,
        )
        document_tasks.enqueue_issue(key=key)
        # The firm's representatives and supervisors are told at once: it waits for them.
        client_submission_flag(submission=submission)
    return submission


# Review


def _awaiting(submission: ClientSubmission) -> ClientSubmission:
    # The account's row first, as every instruction write and a new submission take it: two
    # writers never hold these two locks in opposite orders.
    account_lock(submission.account)
    locked = (
        ClientSubmission.objects.select_for_update(of=("self",))
        .select_related("account__firm", "offer", "link")
        .get(pk=submission.pk)
    )
    if locked.status != ReviewStatus.AWAITING:
        raise ValidationError(
            f"This submission was already {locked.get_status_display().lower()}"
            + (f" by {locked.reviewed_by.get_username()}" if locked.reviewed_by else "")
            + "."
        )
    return locked


def _approval(submission: ClientSubmission) -> SecondApproval:
    return SecondApproval(
        received_at=submission.submitted_at,
        received_wall_at=submission.submitted_wall_at,
        actor=Actor.CLIENT,
        channel=InstructionChannel.ONLINE,
        firm_cutoff_applies=submission.kind != SubmissionKind.WITHDRAWAL,
    )


def _mark_reviewed(
    submission: ClientSubmission,
    status: str,
    by: User,
    *,
    instruction: Instruction | None = None,
    reason: str = "",
) -> None:
    submission.status = status
    submission.reviewed_by = by
    submission.reviewed_at = clock.now()
    submission.reviewed_wall_at = clock.wall_now()
    submission.instruction = instruction
    submission.rejection_reason = reason
    submission._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    submission.save(
        update_fields=[
            "status",
            "reviewed_by",
            "reviewed_at",
            "reviewed_wall_at",
            "instruction",
            "rejection_reason",
        ]
    )


def _require_supervisor_above_threshold(submission: ClientSubmission, by: User) -> None:
    """Four eyes hold online too: a tender above the firm's threshold is approved by a
    supervisor of the firm, so a representative cannot record a large instruction alone by
    answering in the client's place and approving it."""
    if submission.kind != SubmissionKind.TENDER:
        return
    firm = submission.account.firm
    tendered = tendered_principal(
        choice=submission.choice,
        stated=submission.amount,
        resolved=None,
        position=position_for(account=submission.account, offer=submission.offer),
    ).principal
    if above_threshold(firm=firm, tendered=tendered) and not may_supervise(
        user=by, account=submission.account
    ):
        raise PermissionDenied(
            f"This tenders {dollars(tendered)}, above {firm.name}'s "
            f"{dollars(firm.second_approval_threshold or 0)} threshold: a supervisor of the firm "
            "approves it."
        )


@transaction.atomic
def client_submission_approve(*, submission: ClientSubmission, by: User) -> Instruction:
    """The submission becomes an instruction (a tender: new, or amending the live one; a
    withdrawal of the live one), by the same services and rules as a paper form. It counts
    as received when the client submitted it: a submission made before the firm's cutoff may
    be approved after it, but not at or after the expiration."""
    permissions.require(
        may_act_on_account(user=by, account=submission.account),
        "Only the firm's representatives and operations may review a client's submission.",
    )
    submission = _awaiting(submission)
    account, offer = submission.account, submission.offer
    _require_supervisor_above_threshold(submission, by)
    names = {s.owner_id: s.typed_name for s in submission.signers.all()}
    live = live_instruction(account=account, offer=offer)
    approval = _approval(submission)
    instruction: Instruction
    if submission.kind == SubmissionKind.WITHDRAWAL:
        if live is None or live.status not in OPEN:
            raise ValidationError("The account has no open instruction to withdraw.")
        instruction = instruction_withdraw(
            instruction=live,
            expected_version=live.version,
            by=by,
            notice=WithdrawalNoticeInput(
                method="online",
                received_on=in_new_york(submission.submitted_at).date(),
                signatures=_signatures(account, names),
                attested=True,  # the representative's approval of what the client submitted
            ),
            approval=approval,
        )
    else:
        data = InstructionInput(
            choice=submission.choice,
            amount=submission.amount,
            form_date=in_new_york(submission.submitted_at).date(),
            address=submission.address,
            phone=str(submission.phone),
            tin_type=account.tin_type,
            tin="",
            signatures=_signatures(account, names),
        )
        if live is None:
            recorded = instruction_submit(
                account=account, offer=offer, data=data, by=by, approval=approval
            )
        elif live.status in OPEN:
            recorded = instruction_amend(
                instruction=live,
                expected_version=live.version,
                data=data,
                by=by,
                approval=approval,
            )
        else:
            raise ValidationError(
                f"The account's instruction is {live.get_status_display().lower()}: it can no "
                "longer be changed."
            )
        assert isinstance(recorded, Instruction), "an approved instruction is never held again"
        instruction = recorded
    _mark_reviewed(submission, ReviewStatus.APPROVED, by, instruction=instruction)
    return instruction


@transaction.atomic
def client_submission_reject(
    *, submission: ClientSubmission, by: User, reason: str
) -> ClientSubmission:
    """Turn a submission down with a reason the client is told by e-mail; their link still
    works, to submit again."""
    permissions.require(
        may_act_on_account(user=by, account=submission.account),
        "Only the firm's representatives and operations may review a client's submission.",
    )
    if not reason.strip():
        raise ValidationError({"reason": ["Give the reason: the client is told it."]})
    submission = _awaiting(submission)
    _mark_reviewed(submission, ReviewStatus.REJECTED, by, reason=reason.strip())
    account = submission.account
    if account.email:
        names = " and ".join(owner.name for owner in account.owners.all())
        link = submission.link
        still_open = clock.now() < link.expires_at or may_still_withdraw(link)
        body = (
            f"Dear {names},\n\n"
            f"We could not accept what you submitted online on "
            f"{long_date(in_new_york(submission.submitted_at).date())} for account "
            f"{account.account_number}:\n\n{reason.strip()}\n\n"
            + (
                f"You may submit again with the same link until "
                f"{describe_instant(link.expires_at)} (a withdrawal of your instruction, until "
                f"the offer expires):\n{client_link_url(link)}\n\n"
                if still_open
                else "Please call your representative.\n\n"
            )
            + f"{account.firm.name}\n{account.firm.address}\n"
        )
        message = outbox.outbox_message_create(
            account=account,
            offer=submission.offer,
            to=account.email,
            subject=f"Your online instruction for account {account.account_number} was not "
            "accepted",
            body=body,
            by=by,
        )
        outbox_tasks.enqueue_send(message_id=message.pk)
    return submission
