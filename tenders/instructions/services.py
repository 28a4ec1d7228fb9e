"""The instruction record: every rule an instruction must pass (`instruction_check`), and the
writes of the record itself: a new version, a move of the lifecycle, a client's notice of
withdrawal. Taking an instruction (the form's submit, amend and withdraw, the second person's
approval, the receipt) is `tenders.intake`, which calls these.

Every write locks the client account's row first (`tenders.accounts.services.account_lock`),
so that two requests for one account (a double click, two representatives) run one after the
other; the database constraints (one live instruction per account and offer, unique versions)
back this up.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ExpressionWrapper, F, TextField
from phonenumber_field.phonenumber import PhoneNumber, to_python

from exchange_office import clock
from exchange_office.stamps import stamped
from notes.models import ExchangeOffer, OfferStatus
from tenders.accounts import bulk, permissions
from tenders.accounts.models import ClientAccount
from tenders.accounts.selectors import firm_deadlines, position_for
from tenders.domain.lifecycle import OPEN, Status, TransitionNotAllowed, check_transition
from tenders.domain.rules import (
    Actor,
    Choice,
    NoticeMethod,
    Refusal,
    Signature,
    WithdrawalNotice,
    amount_refusals,
    deadline_refusals,
    form_date_refusals,
    jurisdiction_refusals,
    signer_refusals,
    withdrawal_notice_refusals,
)
from tenders.domain.tender import tendered_principal
from tenders.domain.tin import InvalidTIN, last_four, normalize_tin
from tenders.instructions.models import (
    Instruction,
    InstructionChannel,
    InstructionChoice,
    InstructionSigner,
    InstructionStatus,
    InstructionTransition,
    WithdrawalNoticeSigner,
)
from tenders.instructions.models import WithdrawalNotice as WithdrawalNoticeRecord
from tenders.instructions.permissions import actor_for, may_act_on_account


@dataclass(frozen=True, slots=True)
class SignatureInput:
    owner_id: int
    typed_name: str
    attested: bool
    mismatch_reason: str = ""  # operations only: why a printed name differs from the owner's


@dataclass(frozen=True, slots=True)
class WithdrawalNoticeInput:
    """The client's notice of withdrawal as the representative typed it."""

    method: str  # letter, fax or telephone
    received_on: date | None
    signatures: tuple[SignatureInput, ...] = ()  # each owner's, for a letter or a fax
    callback_number: str = ""  # telephone: the number on file called back
    called_back: bool = False
    attested: bool = False


@dataclass(frozen=True, slots=True)
class InstructionInput:
    """What the representative typed from the client's form."""

    choice: str
    amount: Decimal | None
    form_date: date
    address: str
    phone: str
    tin_type: str
    tin: str  # blank: the TIN on file for the account
    signatures: tuple[SignatureInput, ...]
    late_reason: str = ""
    submission_token: UUID | None = None


@dataclass(frozen=True, slots=True)
class SecondApproval:
    """An instruction that waited for a second person and is approved now by the writer
    (`by`): a client's online submission, approved by a representative; a large or late
    instruction, approved by the firm's supervisor. It counts as received when it was
    submitted or entered: the firm's cutoff is judged at that moment, the expiration now."""

    received_at: datetime
    received_wall_at: datetime
    actor: Actor  # whose rules it was entered under: the client's online
    channel: str = InstructionChannel.PAPER
    entered_by: User | None = None  # None: the client, online (the approver records it)
    # A client's online withdrawal: withdrawal rights run until the expiration, whatever the
    # firm's cutoff for instructions.
    firm_cutoff_applies: bool = True


@dataclass(frozen=True, slots=True)
class CheckedInstruction:
    """An instruction that passed every rule, with its values as they will be stored."""

    choice: Choice
    amount: Decimal | None
    position: Decimal
    tendered: Decimal  # what it tenders today: the amount, or the whole position for ALL
    no_box_ticked: bool  # read as "tender all", as the letter states
    address: str
    phone: PhoneNumber
    tin_type: str
    tin: str
    late_reason: str


# Validation shared by the review step and the writes


def raise_refusals(refusals: Iterable[Refusal]) -> None:
    errors: dict[str, list[str]] = {}
    for refusal in refusals:
        errors.setdefault(refusal.field or NON_FIELD_ERRORS, []).append(refusal.message)
    if errors:
        raise ValidationError(errors)


def require_may_act(*, user: User, account: ClientAccount) -> None:
    permissions.require(
        may_act_on_account(user=user, account=account),
        "Only the firm's representatives and operations staff may act here.",
    )


def refuse(message: str) -> ValidationError:
    """A refusal of the whole request (not of one field), shown above the form."""
    return ValidationError({NON_FIELD_ERRORS: [message]})


def instruction_deadline_refusals(
    *,
    account: ClientAccount,
    offer: ExchangeOffer,
    actor: Actor,
    late_reason: str,
    received_at: datetime | None = None,
    firm_cutoff_applies: bool = True,
) -> list[Refusal]:
    if offer.status != OfferStatus.OPEN:
        return [
            Refusal(
                None,
                f"The offer is {offer.get_status_display().lower()}: instructions can no "
                "longer be taken, amended or withdrawn.",
            )
        ]
    return deadline_refusals(
        now=clock.now(),
        deadlines=firm_deadlines(firm=account.firm, offer=offer),
        actor=actor,
        late_reason=late_reason,
        received_at=received_at,
        firm_cutoff_applies=firm_cutoff_applies,
    )


def instruction_check(
    *,
    account: ClientAccount,
    offer: ExchangeOffer,
    data: InstructionInput,
    by: User,
    approval: SecondApproval | None = None,
) -> CheckedInstruction:
    """Every rule of an instruction, without writing: the review step shows the result, and
    the writes run it again under the account's lock."""
    require_may_act(user=by, account=account)
    return instruction_rules_check(
        account=account,
        offer=offer,
        data=data,
        actor=approval.actor if approval else actor_for(user=by),
        received_at=approval.received_at if approval else None,
    )


def instruction_rules_check(
    *,
    account: ClientAccount,
    offer: ExchangeOffer,
    data: InstructionInput,
    actor: Actor,
    received_at: datetime | None = None,
) -> CheckedInstruction:
    """The rules alone, for `actor` (a client online has no user to ask permissions of)."""
    refusals = instruction_deadline_refusals(
        account=account,
        offer=offer,
        actor=actor,
        late_reason=data.late_reason,
        received_at=received_at,
    )
    excluded = dict(offer.excluded_jurisdictions.values_list("state", "reason"))
    refusals += jurisdiction_refusals(
        state=account.state, state_name=account.state_name, excluded=excluded
    )
    position = position_for(account=account, offer=offer)
    choice: Choice | None
    no_box_ticked = not (data.choice or "").strip()
    if no_box_ticked and data.amount is None:
        # The letter: "ALL OLD NOTES HELD BY US FOR YOUR ACCOUNT WILL BE TENDERED UNLESS
        # OTHERWISE SPECIFIED": a signed form with neither box ticked tenders all.
        choice = Choice.ALL
    elif no_box_ticked:
        refusals.append(
            Refusal(
                "choice",
                "An amount is written but neither box is ticked: tick "
                f"“{InstructionChoice.AMOUNT.label}”, or clear the amount to tender all.",
            )
        )
        choice = None
    else:
        try:
            choice = Choice(data.choice)
        except ValueError:
            refusals.append(Refusal("choice", "Choose to tender all, or a stated amount."))
            choice = None
    if choice is not None:
        refusals += amount_refusals(
            choice=choice,
            amount=data.amount,
            position=position,
            unit=offer.unit_principal,
            actor=actor,
        )
    refusals += form_date_refusals(
        form_date=data.form_date,
        today=clock.today(),
        commenced=offer.commencement_date,
    )
    refusals += _signature_refusals(account=account, signatures=data.signatures, actor=actor)
    tin_type, tin = _checked_tin(account=account, data=data, refusals=refusals)
    phone = to_python(data.phone)
    if not isinstance(phone, PhoneNumber) or not phone.is_valid():
        refusals.append(Refusal("phone", "Enter a valid telephone number with its area code."))
    if not data.address.strip():
        refusals.append(Refusal("address", "Enter the address as written on the form."))
    raise_refusals(refusals)
    assert choice is not None, "an unknown choice is refused above"
    stated = data.amount if choice is Choice.AMOUNT else None
    return CheckedInstruction(
        choice=choice,
        amount=stated,
        position=position,
        tendered=tendered_principal(
            choice=choice, stated=stated, resolved=None, position=position
        ).principal,
        address=data.address.strip(),
        phone=phone,
        tin_type=tin_type,
        tin=tin,
        late_reason=data.late_reason.strip(),
        no_box_ticked=no_box_ticked,
    )


def _signature_refusals(
    *, account: ClientAccount, signatures: tuple[SignatureInput, ...], actor: Actor
) -> list[Refusal]:
    """The owners in their order on file, each with what was typed for them: a refusal names
    the owner's place in that order (the form lists the owners in the same order)."""
    by_owner = {s.owner_id: s for s in signatures}
    blank = SignatureInput(owner_id=0, typed_name="", attested=False)
    return signer_refusals(
        signatures=[
            Signature(
                owner_name=owner.name,
                typed_name=by_owner.get(owner.pk, blank).typed_name,
                attested=by_owner.get(owner.pk, blank).attested,
                mismatch_reason=by_owner.get(owner.pk, blank).mismatch_reason,
            )
            for owner in account.owners.all()
        ],
        actor=actor,
    )


def _checked_tin(
    *, account: ClientAccount, data: InstructionInput, refusals: list[Refusal]
) -> tuple[str, str]:
    """The TIN as written on the form; left blank, the one on file for the account."""
    if data.tin.strip():
        try:
            return data.tin_type, normalize_tin(data.tin_type, data.tin)
        except (InvalidTIN, ValueError) as exc:
            refusals.append(Refusal("tin", str(exc)))
            return data.tin_type, ""
    if account.tin and account.tin_type == data.tin_type:
        return account.tin_type, account.tin
    refusals.append(Refusal("tin", "Enter the taxpayer ID as written on the form."))
    return data.tin_type, ""


# Writes


def offer_for_writing(offer: ExchangeOffer) -> ExchangeOffer:
    """The offer as it stands, read under a shared row lock (after the account's lock):
    instruction writes run beside each other, but not beside an extension, an amendment of the
    terms or a termination, which lock the offer for update. So the status, deadlines and terms
    a write checks are the ones in force when it commits. (PostgreSQL; SQLite runs one write
    at a time anyway. Django has no FOR SHARE of its own.)"""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ExchangeOffer._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR SHARE", [offer.pk])
    return ExchangeOffer.objects.select_related("old_security", "new_security", "issuer").get(
        pk=offer.pk
    )


def instruction_transition(
    instruction: Instruction, target: Status, *, by: User, reason: str = ""
) -> None:
    """Apply one move of the lifecycle table and record it; any other move is refused."""
    try:
        check_transition(instruction.status, target)
    except TransitionNotAllowed as exc:
        raise refuse(str(exc)) from None
    InstructionTransition.objects.create(
        instruction=instruction,
        from_status=instruction.status,
        to_status=target,
        by=by,
        **stamped(),
        reason=reason,
    )
    instruction.status = target
    instruction._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    instruction.save(update_fields=["status", "resolved_amount"])


@dataclass(frozen=True, slots=True)
class Move:
    """One instruction to move to `target`, and why (`instruction_transition`'s arguments)."""

    instruction: Instruction
    target: Status
    reason: str = ""


def instructions_transition(*, moves: Sequence[Move], by: User) -> None:
    """`instruction_transition` for many instructions at once (consummation moves a whole
    book): the same checks, then the transitions, the new statuses (and resolved amounts, as
    set on each instruction) and the audit-trail rows, each written in bulk, in the caller's
    transaction. One move refused refuses them all."""
    for move in moves:
        try:
            check_transition(move.instruction.status, move.target)
        except TransitionNotAllowed as exc:
            raise refuse(f"Instruction {move.instruction.pk}: {exc}") from None
    if not moves:
        return
    stamp = stamped()
    bulk.insert(
        InstructionTransition,
        [
            {
                "instruction_id": move.instruction.pk,
                "from_status": move.instruction.status,
                "to_status": move.target.value,
                "by_id": by.pk,
                "business_at": stamp["business_at"],
                "wall_at": stamp["wall_at"],
                "reason": move.reason,
            }
            for move in moves
        ],
    )
    resolved = Instruction._meta.get_field("resolved_amount")
    bulk.update(
        Instruction,
        ["status", "resolved_amount"],
        [
            (
                move.target.value,
                resolved.get_db_prep_save(move.instruction.resolved_amount, connection),
                move.instruction.pk,
            )
            for move in moves
        ],
    )
    for move in moves:
        move.instruction.status = move.target
    # The audit trail as simple-history writes it on a save: each row as it now stands.
    tracked = [f.attname for f in Instruction.history.model.tracked_fields]
    own = {f.attname: f for f in Instruction._meta.concrete_fields}
    # A field that converts what it reads (the signer's telephone, parsed) is read as stored
    # and copied as it is: parsed and formatted again, 100,000 of them cost seconds.
    raw = {
        f"stored_{name}": ExpressionWrapper(F(name), output_field=TextField())
        for name in tracked
        if hasattr(own[name], "from_db_value")
    }
    prepared = [name for name in tracked if f"stored_{name}" not in raw]
    pks = [move.instruction.pk for move in moves]
    rows = []
    for start in range(0, len(pks), bulk.BATCH):
        chunk = Instruction.objects.filter(pk__in=pks[start : start + bulk.BATCH])
        for values in chunk.values(*prepared, **raw):
            row = {name: own[name].get_db_prep_save(values[name], connection) for name in prepared}
            row.update((alias.removeprefix("stored_"), values[alias]) for alias in raw)
            rows.append(row)
    bulk.history(
        Instruction,
        rows,
        changed=True,
        stamp=bulk.Stamp(
            user=by, wall_at=stamp["wall_at"], business_at=stamp["business_at"], reason=""
        ),
    )


def instruction_record(
    *,
    account: ClientAccount,
    offer: ExchangeOffer,
    checked: CheckedInstruction,
    data: InstructionInput,
    by: User,
    supersedes: Instruction | None,
    approval: SecondApproval | None = None,
) -> Instruction:
    last = (
        Instruction.objects.filter(account=account, offer=offer)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    now, wall = clock.now(), clock.wall_now()
    # An approved instruction counts from when it was submitted or entered.
    received_at, received_wall_at = (
        (approval.received_at, approval.received_wall_at) if approval else (now, wall)
    )
    online = approval is not None and approval.channel == InstructionChannel.ONLINE
    instruction = Instruction(
        account=account,
        offer=offer,
        version=(last or 0) + 1,
        supersedes=supersedes,
        choice=checked.choice,
        amount=checked.amount,
        resolved_amount=checked.amount,
        form_date=data.form_date,
        signed_address=checked.address,
        signed_phone=checked.phone,
        tin_type=checked.tin_type,
        tin=checked.tin,
        tin_last4=last_four(checked.tin),
        entered_by=(approval.entered_by or by) if approval else by,
        received_at=received_at,
        received_wall_at=received_wall_at,
        channel=approval.channel if approval else InstructionChannel.PAPER,
        approved_by=by if approval else None,
        approved_at=now if approval else None,
        approved_wall_at=wall if approval else None,
        late_reason=checked.late_reason,
        no_box_ticked=checked.no_box_ticked,
        submission_token=data.submission_token,
    )
    instruction._history_user = by  # type: ignore[attr-defined]  # simple-history reads it
    try:
        with transaction.atomic():
            instruction.save()
    except IntegrityError:
        # Only reachable where the row lock is not enforced (SQLite): another request won.
        raise refuse(
            "Another instruction for this account was recorded at the same moment: "
            "reload the account to see it."
        ) from None
    owners = {o.pk: o for o in account.owners.all()}
    InstructionSigner.objects.bulk_create(
        InstructionSigner(
            instruction=instruction,
            owner=owners[s.owner_id],
            typed_name=s.typed_name.strip(),
            attested=s.attested and not online,
            signed_electronically=online,
            mismatch_reason=s.mismatch_reason.strip(),
            recorded_by=by,
            business_at=received_at,
            wall_at=received_wall_at,
        )
        for s in data.signatures
        if s.owner_id in owners
    )
    InstructionTransition.objects.create(
        instruction=instruction,
        from_status="",
        to_status=Status.RECEIVED,
        by=by,
        business_at=received_at,
        wall_at=wall,
        reason=checked.late_reason
        or (f"Approved by {by.get_username()}" if approval is not None else ""),
    )
    return instruction


def instruction_current(
    *, instruction: Instruction, expected_version: int, account: ClientAccount, verb: str
) -> Instruction:
    """The instruction as it is now, if nobody changed it since the user looked at it and it
    can still be changed; `verb` ("amended", "withdrawn") words the refusal."""
    latest = (
        Instruction.objects.filter(account=account, offer=instruction.offer)
        .select_related("entered_by")
        .order_by("-version")
        .first()
    )
    if latest is None or latest.version != expected_version:
        now = (
            f"it is now version {latest.version}, {latest.get_status_display().lower()}, "
            f"recorded by {latest.entered_by.get_username()}"
            if latest is not None
            else "it no longer exists"
        )
        raise refuse(
            f"This instruction changed while you were looking at it: {now}. "
            "Review it and try again."
        )
    if latest.status == InstructionStatus.WITHDRAWN:
        if verb == "withdrawn":
            raise refuse(f"Version {latest.version} of this instruction was already withdrawn.")
        raise refuse(
            f"Version {latest.version} of this instruction was withdrawn: it cannot be {verb}. "
            "Take a new instruction instead."
        )
    if latest.status not in OPEN:
        raise refuse(
            f"An instruction that is {latest.get_status_display().lower()} cannot be {verb}."
        )
    return latest


def notice_of_withdrawal_refusals(
    *, account: ClientAccount, offer: ExchangeOffer, notice: WithdrawalNoticeInput, actor: Actor
) -> list[Refusal]:
    by_owner = {s.owner_id: s for s in notice.signatures}
    blank = SignatureInput(owner_id=0, typed_name="", attested=True)
    return withdrawal_notice_refusals(
        notice=WithdrawalNotice(
            method=notice.method,
            received_on=notice.received_on,
            signatures=[
                Signature(
                    owner_name=owner.name,
                    typed_name=by_owner.get(owner.pk, blank).typed_name,
                    attested=True,  # the notice has one attestation, the representative's
                    mismatch_reason=by_owner.get(owner.pk, blank).mismatch_reason,
                )
                for owner in account.owners.all()
            ],
            callback_number=notice.callback_number,
            called_back=notice.called_back,
            attested=notice.attested,
        ),
        today=clock.today(),
        commenced=offer.commencement_date,
        actor=actor,
    )


def withdrawal_notice_record(
    instruction: Instruction, account: ClientAccount, notice: WithdrawalNoticeInput, by: User
) -> None:
    assert notice.received_on is not None, "the refusals require the notice's date"
    written = NoticeMethod(notice.method).written
    recorded = WithdrawalNoticeRecord.objects.create(
        instruction=instruction,
        method=notice.method,
        received_on=notice.received_on,
        callback_number="" if written else notice.callback_number.strip(),
        attested=notice.attested,
        recorded_by=by,
        **stamped(),
    )
    if written:
        owners = {o.pk: o for o in account.owners.all()}
        WithdrawalNoticeSigner.objects.bulk_create(
            WithdrawalNoticeSigner(
                notice=recorded,
                owner=owners[s.owner_id],
                typed_name=s.typed_name.strip(),
                mismatch_reason=s.mismatch_reason.strip(),
            )
            for s in notice.signatures
            if s.owner_id in owners
        )
