"""What consummation posts to the books (issue 23, point 3; docs/ledger.md "Consummation"), in
the consummation's own transaction:

- for each accepted instruction, one EXCHANGE entry (`exchange:i<pk>`): its Old Notes out of
  the client's account to the firm's DTC position (they leave the location for the agent),
  New Notes and warrants in from the exchange agent, as the exchange confirmation states them
  (`compute_entitlement`, the confirmation's own arithmetic); and one FEE entry
  (`fee:i<pk>:<installment>`) for each fee installment paid on the consummation date (the
  first, and any whose scheduled date has passed: `fee_schedule`);
- for each account that keeps Old Notes out (the report of the holders who do not tender),
  one NONTENDER entry (`nontender:o<offer>:a<account>`): those Old Notes out, and their
  principal plus accrued interest in cash from the agent.

Each occasion is posted once, so a consummation that is retried posts nothing twice."""

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from exchange_office.formatting import long_date, money
from notes.domain.entitlement import Entitlement, FeePayment, compute_entitlement
from notes.domain.terms import OfferTerms
from notes.models import ExchangeOffer
from notes.selectors import offer_terms
from tenders.accounts.models import BrokerFirm, ClientAccount
from tenders.ledger.models import EntryKind, JournalEntry, LedgerAccount
from tenders.ledger.services import (
    EntryInput,
    LegInput,
    OfferAssets,
    agent_ledger_account_get_or_create,
    client_ledger_accounts_get_or_create,
    dtc_ledger_account_get_or_create,
    entries_post,
    offer_assets_get_or_create,
)
from tenders.notices.selectors import NonTenderRow
from tenders.offers.selectors import TenderedLine


def fee_description(fee: FeePayment, *, installments: int, on: date) -> str:
    """ "Participation fee, installment 2 of 3 (scheduled Sep 30, 2001, paid on the consummation
    date Nov 1, 2001)": a late installment keeps its scheduled date and says why it is paid
    now (domain.md "After consummation")."""
    what = f"Participation fee, installment {fee.sequence} of {installments}"
    if fee.scheduled_date < fee.payment_date and fee.payment_date == on:
        return (
            f"{what} (scheduled {long_date(fee.scheduled_date)}, paid on the consummation date "
            f"{long_date(on)})"
        )
    if fee.scheduled_date != fee.payment_date:
        return (
            f"{what} (scheduled {long_date(fee.scheduled_date)}, a closed day: paid the next "
            "banking day)"
        )
    return what


class _Postings:
    """The ledger accounts and assets the entries name, each made or read once."""

    def __init__(self, offer: ExchangeOffer, account_ids: Iterable[int]) -> None:
        self.offer = offer
        self.assets: OfferAssets = offer_assets_get_or_create(offer=offer)
        self.agent = agent_ledger_account_get_or_create(offer=offer)
        self.clients = client_ledger_accounts_get_or_create(account_ids=account_ids)
        self.dtc: dict[int, LedgerAccount] = {}

    def dtc_of(self, firm_id: int) -> LedgerAccount:
        if firm_id not in self.dtc:
            self.dtc[firm_id] = dtc_ledger_account_get_or_create(firm=BrokerFirm(pk=firm_id))
        return self.dtc[firm_id]


def _accepted_entries(
    books: _Postings, line: TenderedLine, entitlement: Entitlement, *, on: date
) -> Iterator[EntryInput]:
    instruction = line.instruction
    account = instruction.account
    client = books.clients[account.pk]
    assets = books.assets
    yield EntryInput(
        occasion=f"exchange:i{instruction.pk}",
        kind=EntryKind.EXCHANGE,
        posted_on=on,
        description=(
            f"Exchange: {money(entitlement.principal)} of Old Notes for "
            f"{money(entitlement.new_notes_principal)} of New Notes and "
            f"{entitlement.warrants:,} warrants"
        ),
        legs=[
            LegInput(client, assets.old_notes, -entitlement.principal),
            LegInput(books.dtc_of(account.firm_id), assets.old_notes, entitlement.principal),
            LegInput(client, assets.new_notes, entitlement.new_notes_principal),
            LegInput(books.agent, assets.new_notes, -entitlement.new_notes_principal),
            LegInput(client, assets.warrants, Decimal(entitlement.warrants)),
            LegInput(books.agent, assets.warrants, -Decimal(entitlement.warrants)),
        ],
        offer=books.offer,
        instruction=instruction,
        client_account=account,
    )
    installments = len(entitlement.fee_installments)
    for fee in entitlement.fee_installments:
        if fee.payment_date != on or not fee.amount:
            continue  # paid by a later payment run, on its date
        yield EntryInput(
            occasion=f"fee:i{instruction.pk}:{fee.sequence}",
            kind=EntryKind.FEE,
            posted_on=on,
            description=fee_description(fee, installments=installments, on=on),
            legs=[
                LegInput(client, assets.cash, fee.amount),
                LegInput(books.agent, assets.cash, -fee.amount),
            ],
            offer=books.offer,
            instruction=instruction,
            client_account=account,
        )


def _nontender_entry(books: _Postings, row: NonTenderRow, *, on: date) -> EntryInput:
    client = books.clients[row.account_id]
    assets = books.assets
    payout = row.payout
    if payout is None:  # the payment notices refuse the consummation before this
        raise ValidationError(f"{row.account_number}: no payment can be computed ({row.problem}).")
    return EntryInput(
        occasion=f"nontender:o{books.offer.pk}:a{row.account_id}",
        kind=EntryKind.NONTENDER,
        posted_on=on,
        description=(
            f"Old Notes not tendered, repaid: {money(row.untendered)} of principal and "
            f"{money(payout - row.untendered)} of accrued interest, {money(payout)} in all"
        ),
        legs=[
            LegInput(client, assets.old_notes, -row.untendered),
            LegInput(books.dtc_of(row.firm_id), assets.old_notes, row.untendered),
            LegInput(client, assets.cash, payout),
            LegInput(books.agent, assets.cash, -payout),
        ],
        offer=books.offer,
        client_account=ClientAccount(pk=row.account_id),
    )


def consummation_post(
    *,
    offer: ExchangeOffer,
    on: date,
    accepted: Iterable[TenderedLine],
    kept_out: Iterable[NonTenderRow],
    by: User,
    terms: OfferTerms | None = None,
) -> list[JournalEntry]:
    """Post the consummation on `on` (in the caller's transaction): the exchange and the fee
    installments due that day for each accepted line (its `tendered` principal), and the
    payoff of each account's Old Notes kept out. Refused whole if a position would fall
    below zero or an entry would not balance."""
    terms = terms or offer_terms(offer=offer)
    accepted, kept_out = list(accepted), [row for row in kept_out if row.untendered > 0]
    books = _Postings(
        offer,
        [line.instruction.account_id for line in accepted] + [row.account_id for row in kept_out],
    )
    # The confirmation's figures for each distinct principal, computed once (most repeat).
    entitlements: dict[Decimal, Entitlement] = {}
    entries: list[EntryInput] = []
    for line in accepted:
        if line.tendered not in entitlements:
            entitlements[line.tendered] = compute_entitlement(terms, line.tendered, on)
        entries += _accepted_entries(books, line, entitlements[line.tendered], on=on)
    for row in kept_out:
        entries.append(_nontender_entry(books, row, on=on))
    return entries_post(entries=entries, by=by)
