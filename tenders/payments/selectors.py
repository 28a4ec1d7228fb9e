"""Reads for payment runs: who is owed what on a payment date, read from the instructions
accepted on consummation (the fee installments) and the books as of the record date (the
New Notes held, for the coupon and the principal)."""

from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from notes.domain.terms import OfferTerms
from notes.models import ExchangeOffer, OfferStatus
from notes.selectors import offers_with_terms
from tenders.domain.payments import PaymentDate, payment_dates, payments_due
from tenders.instructions.models import Instruction, InstructionStatus
from tenders.ledger.models import Asset, LedgerAccount, LedgerAccountKind
from tenders.ledger.selectors import balances_as_of
from tenders.payments.models import PaymentRun


def accepted_instructions(*, offer: ExchangeOffer) -> QuerySet[Instruction]:
    """The instructions accepted on consummation, with their accounts: each is paid the fee
    installments on its accepted principal (`resolved_amount`)."""
    return (
        Instruction.objects.filter(
            offer=offer, status=InstructionStatus.ACCEPTED, resolved_amount__gt=0
        )
        .select_related("account__firm")
        .order_by("account_id", "pk")
    )


def new_notes_held(*, new_notes: Asset, on: date) -> dict[int, Decimal]:
    """{client account id: its New Notes in the books as of the close of `on`}, for every
    client holding some then (the holders of record, on a record date)."""
    held = {
        balance.account_id: balance.amount
        for balance in balances_as_of(on=on, assets=[new_notes])
        if balance.units > 0
    }
    clients = LedgerAccount.objects.filter(
        pk__in=list(held), kind=LedgerAccountKind.CLIENT
    ).values_list("pk", "client_account_id")
    # A client ledger account always names its client account (a CHECK says so).
    return {account_id: held[pk] for pk, account_id in clients}


def payment_dates_not_started(
    *, offer: ExchangeOffer, terms: OfferTerms, until: date
) -> list[PaymentDate]:
    """The offer's payment dates on or before `until` that no run has paid yet (none before
    its consummation)."""
    if offer.status != OfferStatus.CONSUMMATED or offer.consummation_date is None:
        return []
    started = set(PaymentRun.objects.filter(offer=offer).values_list("payment_date", flat=True))
    return [
        due
        for due in payments_due(terms, offer.consummation_date, until=until)
        if due.payment_date not in started
    ]


def consummated_offers() -> QuerySet[ExchangeOffer]:
    """The offers whose payment runs may fall due."""
    return offers_with_terms().filter(
        status=OfferStatus.CONSUMMATED, consummation_date__isnull=False
    )


def next_payment_date(
    *, offer: ExchangeOffer, terms: OfferTerms, after: date
) -> PaymentDate | None:
    """The offer's first payment date after `after`, if it is consummated and has one."""
    if offer.consummation_date is None:
        return None
    return next(
        (d for d in payment_dates(terms, offer.consummation_date) if d.payment_date > after),
        None,
    )
