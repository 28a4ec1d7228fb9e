"""Writes for clients who answer online.

A client opens the link in their letter, proves who they are with the last four digits of the
taxpayer ID and the ZIP code on file (five wrong answers, through any of the account's links
for the offer, lock them until a representative unlocks them), and submits a tender or a
withdrawal, each owner's name typed as a signature. The submission is recorded exactly as made
(with the text agreed to, both clocks, the IP address and the browser) and waits for a
representative: approving it makes it an instruction through the same services and rules as a
paper form, received when the client submitted it.
"""

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
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
from tenders.documents.contexts import client_values, firm_values, projected_figures
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
from tenders.links import services as links
from tenders.links.models import MAX_FAILED_CHECKS, ClientCheck, ClientLink
from tenders.links.selectors import current_link, link_deadlines
from tenders.links.services import client_link_issue as client_link_issue  # re-exported
from tenders.links.services import client_links_issue as client_links_issue  # re-exported
from tenders.online import agreement
from tenders.online.alerts import client_submission_flag
from tenders.online.models import (
    ClientSubmission,
    ClientSubmissionSigner,
    ReviewStatus,
    SubmissionKind,
)
from tenders.online.permissions import may_unlock_client_link
from tenders.online.selectors import (
    PageOffer,
    client_link_url,
    client_page_offer,
    link_locked,
    may_still_withdraw,
    newer_link,
    submission_tendered,
)
from tenders.outbox import services as outbox
from tenders.outbox import tasks as outbox_tasks


# The identity check
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
    time. A wrong answer is counted for the account and offer, whichever of its links it came
    through (committed, whatever the caller does next): a newer letter's link gives no new
    tries. The fifth locks every link of the account for the offer. A right one clears the
    count."""
    link = ClientLink.objects.select_related("account", "offer").get(pk=link.pk)
    account = link.account
    check = links.client_check_lock_row(account=account, offer=link.offer)
    if check.is_locked:
        return IdentityCheck(passed=False, locked=True, tries_left=0)
    expected = f"{account.tin_last4}|{_digits(account.postal_code)[:5]}"
    given = f"{_digits(tin_last4)}|{_digits(postal_code)[:5]}"
    if account.tin_last4 and hmac.compare_digest(expected.encode(), given.encode()):
        if check.failed_checks:
            ClientCheck.objects.filter(pk=check.pk).update(failed_checks=0)
        return IdentityCheck(passed=True, locked=False, tries_left=MAX_FAILED_CHECKS)
    failed = check.failed_checks + 1
    locked = failed >= MAX_FAILED_CHECKS
    ClientCheck.objects.filter(pk=check.pk).update(
        failed_checks=F("failed_checks") + 1, locked_at=clock.wall_now() if locked else None
    )
    return IdentityCheck(passed=False, locked=locked, tries_left=MAX_FAILED_CHECKS - failed)


@transaction.atomic
def client_check_unlock(
    *, account: ClientAccount, offer: ExchangeOffer, by: User
) -> ClientCheck | None:
    """A representative of the firm (or operations) unlocks the account's links for the offer
    after five wrong answers, typically after speaking to the client. Returns the check
    unlocked, or None if it was not locked."""
    permissions.require(
        may_unlock_client_link(user=by, account=account),
        "Only the firm's representatives and operations may unlock a client's link.",
    )
    check = (
        ClientCheck.objects.select_for_update(of=("self",))
        .filter(account=account, offer=offer)
        .first()
    )
    if check is None or not check.is_locked:
        return None
    check.failed_checks = 0
    check.locked_at = None
    check.unlocked_by = by
    check.unlocked_wall_at = clock.wall_now()
    check._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    check.save(update_fields=["failed_checks", "locked_at", "unlocked_by", "unlocked_wall_at"])
    return check


def client_link_unlock(*, link: ClientLink, by: User) -> ClientCheck | None:
    """Unlock the links of the link's account for its offer (`client_check_unlock`)."""
    return client_check_unlock(account=link.account, offer=link.offer, by=by)


def client_links_unlock(*, account: ClientAccount, by: User) -> list[ClientCheck]:
    """Unlock the account's links, for every offer they are locked for (the account page's
    button); returns the checks unlocked."""
    offers = ClientCheck.objects.filter(account=account, locked_at__isnull=False).values_list(
        "offer", flat=True
    )
    unlocked = [
        client_check_unlock(account=account, offer=offer, by=by)
        for offer in ExchangeOffer.objects.filter(pk__in=list(offers))
    ]
    return [check for check in unlocked if check is not None]


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
    # Of the page the client read (`agreement.shown_digest`); None: not posted from the page
    # (the demo's history), so only the kind is held to what the page would offer.
    shown_digest: str | None = None


class PageChanged(ValidationError):
    """The page the client posted from no longer stands: what it offered (a tender, a
    withdrawal), the deadlines it stated, the terms or the position changed while it was
    open. Nothing is recorded; the client gets the page again, as it stands now."""


def client_page_digest(*, link: ClientLink, page: PageOffer | None = None) -> str:
    """The digest of the client's page as it stands now (`agreement.shown_digest`)."""
    _, letter = _letter(link)
    page = page or client_page_offer(link)
    return agreement.shown_digest(
        letter=letter,
        position=page.position,
        offered=page.kinds,
        firm_cutoff=page.firm_cutoff,
        expiration=page.expiration,
    )


def _page_changed_reason(page: PageOffer, kind: str) -> str:
    if kind == SubmissionKind.TENDER and clock.now() >= page.firm_cutoff:
        reason = (
            f"Our deadline for instructions passed at {describe_instant(page.firm_cutoff)}, "
            "while this page was open: your instruction to tender was not recorded."
        )
        if SubmissionKind.WITHDRAWAL in page.kinds:
            reason += " You may still withdraw your instruction here, until the offer expires."
        return reason
    if kind == SubmissionKind.WITHDRAWAL and clock.now() >= page.expiration:
        return (
            f"The offer and your right to withdraw expired at "
            f"{describe_instant(page.expiration)}: your withdrawal was not recorded."
        )
    if kind == SubmissionKind.WITHDRAWAL:
        return (
            "There is no instruction of yours to withdraw now (it may have changed while this "
            "page was open): nothing was recorded."
        )
    return (
        "This page no longer offers what you chose: nothing was recorded. The page below "
        "shows what you can do now."
    )


def client_page_moment_check(*, link: ClientLink, kind: str, shown_digest: str | None) -> None:
    """A post is taken only as what the page offered, and only while that still stands: its
    kind (posted, never assumed) is one the page offers now, and the page's digest (which
    the page always posts) is the page's as it stands now: the same terms, position, kinds
    and deadlines (a post from the page without its digest is taken as from a page that no
    longer stands). Otherwise `PageChanged`, saying why in plain words. A post without a
    kind is left to `client_submission_check` ("Choose to tender or to withdraw")."""
    page = client_page_offer(link)
    if kind in SubmissionKind.values and kind not in page.kinds:
        raise PageChanged(_page_changed_reason(page, kind))
    if shown_digest is not None and shown_digest != client_page_digest(link=link, page=page):
        raise PageChanged(
            "What you sent does not match this page as it stands now (the offer's terms or "
            "dates, or what we hold for you, may have changed since you opened it): nothing "
            "was recorded. Read the page again as it stands now, then sign."
        )


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
        amount=data.amount,  # beside "tender all", refused by the rules: never dropped
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
        refusals.append(Refusal("esign_consent", "Tick the box to agree to sign electronically."))
    if data.kind == SubmissionKind.WITHDRAWAL:
        refusals += _withdrawal_refusals(account=account, offer=offer, data=data)
        _raise(refusals)
        return
    if data.kind != SubmissionKind.TENDER:
        refusals.append(Refusal("kind", "Choose to tender or to withdraw your instruction."))
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
        # The figures of what was submitted, projected as on the page the client signed.
        **projected_figures(
            offer=submission.offer,
            tendered=submission_tendered(submission, position=position),
            position=position,
        ),
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
            if (posted.account_id, posted.offer_id) != (link.account_id, link.offer_id):
                # Not this page's token: answering with that submission would show another
                # account's, and recording this one under it cannot be (the token is unique).
                raise ValidationError(
                    "This page was already used for another account: nothing was recorded. "
                    "Reload the page and submit it again."
                )
            return posted  # the same page posted twice
        if link_locked(link):
            raise ValidationError("This link is locked: please call your representative.")
        if newer_link(link) is not None:
            # A newer letter's link replaced this one: it only forwards there, and records
            # nothing itself (what the client read here may be out of date).
            raise ValidationError(
                "This link was replaced by the one in our latest letter: nothing was recorded. "
                "Please use the new link."
            )
        # What the page offered, still standing (the cutoff, the expiration, the terms): a
        # tender is never recorded as a withdrawal, nor the reverse.
        client_page_moment_check(link=link, kind=data.kind, shown_digest=data.shown_digest)
        client_submission_check(link=link, data=data)
        offer, letter = _letter(link)
        position = position_for(account=link.account, offer=offer)
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
        # The account's current link (a newer letter's, if one replaced the submission's),
        # valid until the offer's current dates.
        link = current_link(account=account, offer=submission.offer) or submission.link
        cutoff = link_deadlines(account=account, offer=submission.offer).firm_cutoff
        still_open = clock.now() < cutoff or may_still_withdraw(link)
        body = (
            f"Dear {names},\n\n"
            f"We could not accept what you submitted online on "
            f"{long_date(in_new_york(submission.submitted_at).date())} for account "
            f"{account.account_number}:\n\n{reason.strip()}\n\n"
            + (
                f"You may submit again with your link until "
                f"{describe_instant(cutoff)} (a withdrawal of your instruction, until "
                f"the offer expires):\n{client_link_url(link)}\n\n"
                if still_open
                else "Please call your representative.\n\n"
            )
            + f"{account.firm.name}\n{account.firm.address}\n"
        )
        message = outbox.outbox_message_create(
            key=f"submission_rejected:s{submission.pk}",  # a submission is turned down once
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
