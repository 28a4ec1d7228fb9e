"""Reads for the notices: whom each one addresses, and the report of the holders who do not
tender.

The report lists every account holding the offer's Old Notes that keeps some out of the
exchange: nothing tendered, or the rest of a partial tender (domain.md, "Holders who do not
tender"). An instruction not accepted on consummation (the exchange agent did not hold it)
tenders nothing: its account is paid as a holder who did not tender. Each is paid its
principal plus accrued interest on the consummation date (`non_tender_payout`), or would be on
the projected date before consummation. It is read in a fixed number of queries, whatever the
number of accounts (four: positions with their accounts and firms, live instructions, those
not accepted, owners), and each distinct principal is priced once.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from notes.domain.entitlement import InvalidConsummationDate, InvalidPrincipal, non_tender_payout
from notes.domain.terms import InvalidTerms, OfferTerms
from notes.models import ExchangeOffer, OfferStatus
from notes.selectors import offer_consummation_date, offer_terms, offers_with_terms
from tenders.accounts.models import AccountOwner, ClientAccount, Position
from tenders.documents.models import Document, DocumentKind
from tenders.domain.lifecycle import LIVE, OPEN, Status
from tenders.domain.tender import tendered_principal
from tenders.instructions.models import Instruction, InstructionStatus, InstructionTransition
from tenders.ledger.selectors import held_for_offer, old_notes_taken_by_consummation


@dataclass(frozen=True, slots=True)
class NonTenderRow:
    """One account's Old Notes kept out of the exchange, and what they are paid."""

    account_id: int
    firm_id: int
    firm: str
    dtc_participant_number: str
    account_number: str
    owners: tuple[str, ...]
    email: str
    position: Decimal
    tendered: Decimal
    untendered: Decimal
    payout: Decimal | None  # None when it cannot be computed: `problem` says why
    instruction_id: int | None = None
    instruction_version: int | None = None
    instruction_status: str = ""  # "" when the account never instructed (or withdrew)
    problem: str = ""
    not_accepted_reason: str = ""  # why its instruction was not accepted on consummation

    @property
    def partial(self) -> bool:
        """Part tendered, the rest kept."""
        return self.tendered > 0

    @property
    def instruction_status_label(self) -> str:
        return InstructionStatus(self.instruction_status).label if self.instruction_status else ""


@dataclass(frozen=True)
class NonTenderReport:
    offer: ExchangeOffer
    payment_date: date | None
    projected: bool  # before consummation: the payouts on the expected consummation date
    rows: tuple[NonTenderRow, ...]
    error: str = ""  # why no payout could be computed at all
    total_untendered: Decimal = field(init=False)
    total_payout: Decimal = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "total_untendered", sum((r.untendered for r in self.rows), Decimal(0))
        )
        object.__setattr__(
            self, "total_payout", sum((r.payout or Decimal(0) for r in self.rows), Decimal(0))
        )

    @property
    def accounts(self) -> int:
        return len(self.rows)


def owner_names(*, accounts: Q) -> dict[int, list[str]]:
    """The owners' names of the accounts `accounts` selects (a filter on AccountOwner), in
    order, in one query: by a join, not a list of ids (a database takes only so many)."""
    names: dict[int, list[str]] = defaultdict(list)
    rows = (
        AccountOwner.objects.filter(accounts)
        .order_by("account_id", "sequence")
        .values_list("account_id", "name")
        .distinct()
    )
    for account_id, name in rows:
        names[account_id].append(name)
    return names


def _payment_date(offer: ExchangeOffer) -> tuple[date | None, bool, str]:
    if offer.status == OfferStatus.TERMINATED:
        return None, False, "The offer was terminated: nobody is paid under it."
    when, projected = offer_consummation_date(offer=offer)
    return when, projected, ""


class _Pricing:
    """`non_tender_payout` once per distinct principal (most holdings repeat)."""

    def __init__(self, terms: OfferTerms | None, on: date | None) -> None:
        self.terms, self.on = terms, on
        self.known: dict[Decimal, tuple[Decimal | None, str]] = {}

    def payout(self, principal: Decimal) -> tuple[Decimal | None, str]:
        if self.terms is None or self.on is None:
            return None, ""
        if principal not in self.known:
            try:
                self.known[principal] = (non_tender_payout(self.terms, principal, self.on), "")
            except (InvalidPrincipal, InvalidConsummationDate) as exc:
                self.known[principal] = (None, str(exc))
        return self.known[principal]


def nontender_report(*, offer: ExchangeOffer) -> NonTenderReport:
    """Every account of the offer's Old Notes with principal not tendered (its position minus
    what its live or accepted instruction tenders, `tendered_principal`; the whole position
    without one, or when its instruction was not accepted on consummation), and the payout:
    principal plus accrued interest on the consummation date, or the projected one. Ordered
    by firm and account number."""
    offer = offers_with_terms().get(pk=offer.pk)
    when, projected, error = _payment_date(offer)
    terms = None
    if not error:
        try:
            terms = offer_terms(offer=offer)
        except InvalidTerms as exc:
            error = f"The offer's terms cannot be used: {exc}"
    pricing = _Pricing(terms, when)
    # After consummation the positions hold what is left: the report reads them as the offer
    # saw them, with what its consummation took out added back.
    taken = old_notes_taken_by_consummation(offer=offer)
    positions = (
        Position.objects.filter(held_for_offer(offer=offer))
        .order_by("account__firm__name", "account__account_number")
        .values_list(
            "account_id",
            "principal",
            "account__account_number",
            "account__email",
            "account__firm__name",
            "account__firm__dtc_participant_number",
            "account__firm_id",
        )
    )
    live = {
        row[0]: row[1:]
        for row in Instruction.objects.filter(offer=offer, status__in=sorted(LIVE)).values_list(
            "account_id", "pk", "version", "status", "choice", "amount", "resolved_amount"
        )
    }
    # Not accepted on consummation: the instruction, and why, as the consummation recorded it.
    not_accepted = {
        account_id: (
            (pk, version, Status.NOT_ACCEPTED.value, "", None, None),
            reason.partition(": ")[2].rstrip(".") or reason,
        )
        for account_id, pk, version, reason in InstructionTransition.objects.filter(
            instruction__offer=offer, to_status=Status.NOT_ACCEPTED
        )
        .order_by("instruction__account_id", "id")
        .values_list("instruction__account_id", "instruction_id", "instruction__version", "reason")
    }
    owners = owner_names(accounts=held_for_offer(offer=offer, prefix="account__positions__"))
    rows = []
    for account_id, principal, number, email, firm, dtc, firm_id in positions:
        position = principal + taken.get(account_id, Decimal(0))
        instruction = live.get(account_id)
        reason = ""
        if instruction is None and account_id in not_accepted:
            instruction, reason = not_accepted[account_id]  # it tenders nothing
        tendered = Decimal(0)
        if instruction is not None and not reason:
            _, _, _, choice, amount, resolved = instruction
            tendered = tendered_principal(
                choice=choice, stated=amount, resolved=resolved, position=position
            ).principal
        untendered = position - tendered
        if untendered <= 0:
            continue
        payout, problem = pricing.payout(untendered)
        rows.append(
            NonTenderRow(
                account_id=account_id,
                firm_id=firm_id,
                firm=firm,
                dtc_participant_number=dtc,
                account_number=number,
                owners=tuple(owners.get(account_id, ())),
                email=email,
                position=position,
                tendered=tendered,
                untendered=untendered,
                payout=payout,
                instruction_id=instruction[0] if instruction else None,
                instruction_version=instruction[1] if instruction else None,
                instruction_status=instruction[2] if instruction else "",
                problem=problem,
                not_accepted_reason=reason,
            )
        )
    return NonTenderReport(
        offer=offer, payment_date=when, projected=projected, rows=tuple(rows), error=error
    )


def open_instructions_for_notices(*, offer: ExchangeOffer) -> Iterable[Instruction]:
    """The instructions a notice of an open offer's step addresses: received or submitted,
    with their account and firm, by account."""
    return (
        Instruction.objects.filter(offer=offer, status__in=sorted(OPEN))
        .select_related("account__firm")
        .order_by("account_id")
    )


def letter_recipients(*, offer: ExchangeOffer) -> QuerySet[ClientAccount]:
    """The accounts that were given the letter "To Our Clients" for the offer (any of its
    editions: e-mailed, printed for mailing, printed by a representative or linked from a
    reminder), with what a notice reads of them."""
    given = Document.objects.filter(offer=offer, kind=DocumentKind.CLIENT_LETTER)
    return (
        ClientAccount.objects.filter(pk__in=given.values("account_id"))
        .select_related("firm")
        .prefetch_related("owners")
        .order_by("pk")
    )
