"""The rules a client instruction must pass, as pure functions returning refusals.

Each refusal names the form field it belongs next to (None: the whole form), so a page can
show every problem at once and keep what the user typed.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from exchange_office.formatting import describe_instant, dollars, long_date
from tenders.domain.owners import owner_key


class Actor(StrEnum):
    REPRESENTATIVE = "representative"
    OPERATIONS = "operations"
    CLIENT = "client"  # the client on the online form: the representative's rules, own words


class Choice(StrEnum):
    ALL = "ALL"
    AMOUNT = "AMOUNT"


@dataclass(frozen=True, slots=True)
class Refusal:
    field: str | None
    message: str


@dataclass(frozen=True, slots=True)
class Deadlines:
    """A firm's cutoff and the offer's expiration (which also ends withdrawal rights)."""

    firm_cutoff: datetime
    expiration: datetime


@dataclass(frozen=True, slots=True)
class Signature:
    owner_name: str
    typed_name: str
    attested: bool
    # Why operations accept a printed name that differs from the owner's (a power of attorney).
    mismatch_reason: str = ""


def signer_field(index: int, name: str = "typed_name") -> str:
    """The field a refusal about the `index`-th owner's signature belongs next to."""
    return f"signer-{index}-{name}"


def names_match(typed: str, owner: str) -> bool:
    """The printed name is the owner's, ignoring case, spaces and punctuation (domain.md)."""
    return bool(owner_key(typed)) and owner_key(typed) == owner_key(owner)


def deadline_refusals(
    *,
    now: datetime,
    deadlines: Deadlines,
    actor: Actor,
    late_reason: str,
    received_at: datetime | None = None,
    firm_cutoff_applies: bool = True,
) -> list[Refusal]:
    """Before the cutoff anyone may act; after it only operations, with a reason; at or after
    the expiration instant nobody. `received_at`: when an instruction that waited for a second
    person's approval was received (a client's online submission, a large instruction): the
    cutoff is judged at that moment, the expiration at `now`, the approval. A client's own
    withdrawal online is bound by the expiration only (`firm_cutoff_applies=False`): their
    withdrawal rights run until the offer expires."""
    if now >= deadlines.expiration:
        return [
            Refusal(
                None,
                f"The offer and withdrawal rights expired at "
                f"{describe_instant(deadlines.expiration)}: instructions can no longer be "
                "taken, amended or withdrawn.",
            )
        ]
    if not firm_cutoff_applies or (received_at or now) < deadlines.firm_cutoff:
        return []
    if actor is Actor.CLIENT:
        return [
            Refusal(
                None,
                f"Your broker's deadline for instructions passed at "
                f"{describe_instant(deadlines.firm_cutoff)}. Please call your representative.",
            )
        ]
    if actor is Actor.REPRESENTATIVE:
        return [
            Refusal(
                None,
                f"The firm's cutoff passed at {describe_instant(deadlines.firm_cutoff)}. "
                "Operations staff can still take this, with a reason, until the offer expires "
                f"at {describe_instant(deadlines.expiration)}.",
            )
        ]
    if not late_reason.strip():
        return [
            Refusal(
                "late_reason",
                "The firm's cutoff has passed: give the reason for accepting this late.",
            )
        ]
    return []


def amount_refusals(
    *,
    choice: Choice,
    amount: Decimal | None,
    position: Decimal,
    unit: Decimal,
    actor: Actor = Actor.REPRESENTATIVE,
) -> list[Refusal]:
    """A stated amount is a positive whole multiple of the unit and not above the position;
    "tender all" states none (an amount written beside it is refused, never dropped: which of
    the two the client meant is theirs to say). The representative's form, the client's page
    and its live projection all ask this (the client, who typed it, is told in their own
    words: `actor=Actor.CLIENT`)."""
    if position <= 0:
        return [Refusal(None, "The account holds no Old Notes to tender.")]
    if choice is Choice.ALL:
        if amount is None:
            return []
        if actor is Actor.CLIENT:
            return [
                Refusal(
                    "amount",
                    f"You chose to tender all and typed {dollars(amount)}: choose to tender "
                    "only the amount you typed, or clear the amount to tender all.",
                )
            ]
        return [
            Refusal(
                "amount",
                f"“Tender all” is ticked and {dollars(amount)} is written: the form does not "
                "say which the client meant. Tick “Tender only the aggregate principal amount "
                "indicated” for the amount, or clear it to tender all.",
            )
        ]
    if amount is None:
        return [Refusal("amount", "Enter the principal amount to tender, or choose to tender all.")]
    if amount <= 0 or amount % unit:
        return [
            Refusal("amount", f"The amount must be a positive whole multiple of {dollars(unit)}.")
        ]
    if amount > position:
        if actor is Actor.CLIENT:
            return [
                Refusal(
                    "amount", f"You hold {dollars(position)}: the amount cannot be more than that."
                )
            ]
        return [
            Refusal(
                "amount",
                f"The amount {dollars(amount)} is more than the {dollars(position)} "
                "held for the account.",
            )
        ]
    return []


def jurisdiction_refusals(
    *, state: str, state_name: str, excluded: Mapping[str, str]
) -> list[Refusal]:
    """`excluded` maps the offer's excluded state codes to the reason operations recorded."""
    if state not in excluded:
        return []
    reason = excluded[state].strip()
    because = f" ({reason})" if reason else ""
    return [
        Refusal(
            None,
            f"The offer is not made to holders domiciled in {state_name}{because}: "
            "this account cannot tender.",
        )
    ]


def signer_refusals(*, signatures: Sequence[Signature], actor: Actor) -> list[Refusal]:
    """Every owner signs: a printed name that matches the owner on file (or, for operations
    only, a recorded reason why it differs) and the representative's attestation. Each
    refusal belongs next to that owner's field."""
    refusals = []
    for index, signature in enumerate(signatures):
        typed, owner = signature.typed_name.strip(), signature.owner_name
        reason = signature.mismatch_reason.strip()
        if not typed:
            missing = (
                f"Type {owner}'s name: it is the signature."
                if actor is Actor.CLIENT
                else f"Type the name {owner} signed with."
            )
            refusals.append(Refusal(signer_field(index), missing))
        elif reason and actor is not Actor.OPERATIONS:
            refusals.append(
                Refusal(
                    signer_field(index, "mismatch_reason"),
                    "Only operations accept a printed name that differs from the owner on file.",
                )
            )
        elif not reason and not names_match(typed, owner):
            refusals.append(
                Refusal(
                    signer_field(index),
                    f"The printed name must be the owner's as on file: {owner}.",
                )
            )
        if not signature.attested:
            refusals.append(
                Refusal(
                    signer_field(index, "attested"),
                    f"Attest that {owner} signed the instruction form.",
                )
            )
    return refusals


def form_date_refusals(*, form_date: date, today: date, commenced: date) -> list[Refusal]:
    if form_date > today:
        return [Refusal("form_date", "The form cannot be dated after today.")]
    if form_date < commenced:
        return [
            Refusal(
                "form_date",
                f"The form cannot be dated before the offer commenced on {long_date(commenced)}.",
            )
        ]
    return []


class NoticeMethod(StrEnum):
    """How a client's notice of withdrawal came (domain.md: the office records it)."""

    LETTER = "letter"
    FAX = "fax"
    TELEPHONE = "telephone"
    ONLINE = "online"  # the client's own page, each owner's name typed as a signature

    @property
    def written(self) -> bool:
        return self is not NoticeMethod.TELEPHONE


@dataclass(frozen=True, slots=True)
class WithdrawalNotice:
    """The client's notice of withdrawal as the representative records it."""

    method: str
    received_on: date | None
    signatures: Sequence[Signature]  # each owner's, for a written notice (attested: True)
    callback_number: str  # telephone: the number on file the representative called back
    called_back: bool
    attested: bool  # the representative's attestation that the notice is as recorded


def withdrawal_notice_refusals(
    *, notice: WithdrawalNotice, today: date, commenced: date, actor: Actor
) -> list[Refusal]:
    """A withdrawal, like a tender, comes from the client: its date, how it came, each owner's
    signature for a written notice (a letter or a fax) or, for a telephone call, the call-back
    to the number on file, and the representative's attestation."""
    refusals: list[Refusal] = []
    try:
        method: NoticeMethod | None = NoticeMethod(notice.method)
    except ValueError:
        method = None
        refusals.append(
            Refusal("method", "Choose how the notice came: a signed letter, a fax or a call.")
        )
    if notice.received_on is None:
        refusals.append(Refusal("received_on", "Enter the date of the client's notice."))
    elif notice.received_on > today:
        refusals.append(Refusal("received_on", "The notice cannot be dated after today."))
    elif notice.received_on < commenced:
        refusals.append(
            Refusal(
                "received_on",
                f"The notice cannot be dated before the offer commenced on {long_date(commenced)}.",
            )
        )
    if method is not None and method.written:
        refusals += [
            refusal
            for refusal in signer_refusals(signatures=notice.signatures, actor=actor)
            if not (refusal.field or "").endswith("-attested")
        ]
    if method is NoticeMethod.TELEPHONE:
        if not notice.callback_number.strip():
            refusals.append(Refusal("callback_number", "Enter the number on file you called back."))
        if not notice.called_back:
            refusals.append(
                Refusal(
                    "called_back",
                    "A telephone notice counts only once you have called the client back on "
                    "the number on file.",
                )
            )
    if not notice.attested:
        refusals.append(Refusal("attested", "Attest that the client gave this notice as recorded."))
    return refusals
