"""Writes for payment runs (docs/rules.md "Payment runs"): on each payment date after the
consummation, the later fee installments of every accepted instruction and the New Notes'
coupon (and, at maturity, principal) of every holder of record are posted in ONE transaction,
with a payment advice's snapshot for each client; a bulk run then issues and e-mails each
advice once.

Once per date: the run's row (unique per offer and date) is written first, so a second start,
or one racing this one, finds it (or waits for it and then finds it) and posts nothing; each
entry's occasion (`fee:i42:3`, `coupon:o3:a17:2001-12-31`, `redemption:o3:a17`) is posted once
besides. A worker killed inside the transaction leaves nothing, and the sweep starts the run
again; one killed after it leaves the bulk run, which the sweep drains."""

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from exchange_office import clock
from exchange_office.formatting import long_date
from exchange_office.stamps import stamped
from notes.domain.terms import InvalidTerms, OfferTerms
from notes.models import ExchangeOffer, OfferStatus
from notes.permissions import may_run_offer
from notes.selectors import offer_terms, offers_with_terms
from tenders.accounts.command_line import command_line_user
from tenders.accounts.models import ClientAccount
from tenders.accounts.permissions import require
from tenders.accounts.selectors import owner_names
from tenders.bulk_runs import services as bulk_runs
from tenders.bulk_runs import tasks as bulk_run_tasks
from tenders.bulk_runs.models import BulkRunStatus
from tenders.documents.contexts import firm_values, offer_values
from tenders.documents.keys import DocumentKey
from tenders.documents.models import DocumentKind
from tenders.documents.snapshots import SnapshotInput, document_snapshots_record, encode
from tenders.domain.payments import (
    NotAPaymentDate,
    PaymentDate,
    coupon_paid_on,
    fees_paid_on,
    payment_date_of,
)
from tenders.ledger.models import EntryKind
from tenders.ledger.services import (
    EntryInput,
    LegInput,
    OfferAssets,
    agent_ledger_account_get_or_create,
    client_ledger_accounts_get_or_create,
    entries_post,
    offer_assets_get_or_create,
)
from tenders.payments.contexts import (
    ClientPayment,
    FeeLine,
    description_of_coupon,
    description_of_fee,
    description_of_redemption,
    payment_advice_context,
)
from tenders.payments.models import PaymentRun, PaymentRunStatus
from tenders.payments.selectors import (
    accepted_instructions,
    consummated_offers,
    new_notes_held,
    next_payment_date,
    payment_dates_not_started,
)

log = logging.getLogger(__name__)


def _acting(by: User | None) -> User:
    """Operations staff, like the offer's other steps; None is the command line or the worker
    (whoever runs them on the server may do anything there)."""
    if by is None:
        return command_line_user()
    require(may_run_offer(user=by), "Only operations staff run the payments of an offer.")
    return by


def _terms(offer: ExchangeOffer) -> tuple[ExchangeOffer, OfferTerms, date]:
    offer = offers_with_terms().get(pk=offer.pk)
    if offer.status != OfferStatus.CONSUMMATED or offer.consummation_date is None:
        raise ValidationError(f"{offer} is not consummated: it pays nothing yet.")
    try:
        return offer, offer_terms(offer=offer), offer.consummation_date
    except InvalidTerms as exc:
        raise ValidationError(f"The terms of {offer} are not usable: {exc}") from None


def payment_advice_key(*, offer: ExchangeOffer, account_id: int, on: date) -> DocumentKey:
    return DocumentKey(
        DocumentKind.PAYMENT_ADVICE, offer_id=offer.pk, account_id=account_id, day=on.isoformat()
    )


def _plan(
    offer: ExchangeOffer, terms: OfferTerms, consummated_on: date, due: PaymentDate
) -> list[ClientPayment]:
    """What each client account is paid on `due`, in the order of the accounts."""
    payments: dict[int, ClientPayment] = {}

    def of(account: ClientAccount) -> ClientPayment:
        return payments.setdefault(account.pk, ClientPayment(account=account))

    if due.fee_sequences:
        for instruction in accepted_instructions(offer=offer):
            accepted = instruction.resolved_amount or Decimal("0")
            fees = fees_paid_on(terms, accepted, consummated_on, due.payment_date)
            of(instruction.account).fees += [FeeLine(instruction, accepted, f) for f in fees]
    if due.coupon_period is not None or due.redemption:
        assets = offer_assets_get_or_create(offer=offer)
        held = new_notes_held(new_notes=assets.new_notes, on=due.record_date)
        accounts = ClientAccount.objects.select_related("firm").in_bulk(list(held))
        for account_id, principal in held.items():
            payment = of(accounts[account_id])
            payment.new_notes = principal
            if due.coupon_period is not None:
                payment.coupon = coupon_paid_on(terms, principal, consummated_on, due.payment_date)
            if due.redemption:
                payment.redemption = principal
    return [p for _, p in sorted(payments.items()) if p.total > 0]


def _entries(
    offer: ExchangeOffer,
    payments: list[ClientPayment],
    due: PaymentDate,
    *,
    installments: int,
    assets: OfferAssets,
) -> list[EntryInput]:
    """Each payment as its entry: the client receives (+), the exchange agent, the issuer's
    side, pays (-)."""
    clients = client_ledger_accounts_get_or_create(account_ids=[p.account.pk for p in payments])
    agent = agent_ledger_account_get_or_create(offer=offer)
    on, cash = due.payment_date, assets.cash
    entries = []
    for payment in payments:
        account = payment.account
        client = clients[account.pk]
        for line in payment.fees:
            entries.append(
                EntryInput(
                    occasion=f"fee:i{line.instruction.pk}:{line.fee.sequence}",
                    kind=EntryKind.FEE,
                    posted_on=on,
                    description=description_of_fee(line, installments=installments),
                    legs=[
                        LegInput(account=client, asset=cash, amount=line.fee.amount),
                        LegInput(account=agent, asset=cash, amount=-line.fee.amount),
                    ],
                    offer=offer,
                    instruction=line.instruction,
                    client_account=account,
                )
            )
        if payment.coupon is not None:
            amount = payment.coupon.amount
            entries.append(
                EntryInput(
                    occasion=f"coupon:o{offer.pk}:a{account.pk}:{on.isoformat()}",
                    kind=EntryKind.COUPON,
                    posted_on=on,
                    description=description_of_coupon(payment.coupon, payment.new_notes),
                    legs=[
                        LegInput(account=client, asset=cash, amount=amount),
                        LegInput(account=agent, asset=cash, amount=-amount),
                    ],
                    offer=offer,
                    client_account=account,
                )
            )
        if payment.redemption:
            principal = payment.redemption
            entries.append(
                EntryInput(
                    occasion=f"redemption:o{offer.pk}:a{account.pk}",
                    kind=EntryKind.REDEMPTION,
                    posted_on=on,
                    description=description_of_redemption(principal, on),
                    legs=[
                        LegInput(account=client, asset=assets.new_notes, amount=-principal),
                        LegInput(account=agent, asset=assets.new_notes, amount=principal),
                        LegInput(account=client, asset=cash, amount=principal),
                        LegInput(account=agent, asset=cash, amount=-principal),
                    ],
                    offer=offer,
                    client_account=account,
                )
            )
    return entries


def _snapshots(
    offer: ExchangeOffer, terms: OfferTerms, payments: list[ClientPayment], due: PaymentDate
) -> list[SnapshotInput]:
    offer_block = encode(offer_values(offer, terms))
    firms = {p.account.firm_id: encode(firm_values(p.account.firm)) for p in payments}
    owners = owner_names(account_ids=[p.account.pk for p in payments])
    return [
        SnapshotInput(
            key=payment_advice_key(offer=offer, account_id=p.account.pk, on=due.payment_date),
            account=p.account,
            offer=offer,
            context=payment_advice_context(
                payment=p,
                due=due,
                terms=terms,
                installments=len(terms.fee_installments),
                owners=owners.get(p.account.pk, []),
            ),
            encoded_parts={"offer": offer_block, "firm": firms[p.account.firm_id]},
        )
        for p in payments
    ]


def payment_run_start(*, offer: ExchangeOffer, on: date, by: User | None) -> PaymentRun:
    """Pay what falls due on `on`, a payment date of the consummated offer on or before the
    business date: every entry in one transaction, each client's advice snapshotted in it,
    then a bulk run issuing and e-mailing the advices. Started once per date: a second start,
    or one racing it, returns the run already started and posts nothing. ValidationError for
    an offer not consummated, a date it pays nothing on, or one not yet due."""
    user = _acting(by)
    started = PaymentRun.objects.filter(offer=offer, payment_date=on).first()
    if started is not None:
        return started
    offer, terms, consummated_on = _terms(offer)
    try:
        due = payment_date_of(terms, consummated_on, on)
    except NotAPaymentDate as exc:
        raise ValidationError(f"{exc}.") from None
    today = clock.today()
    if on > today:
        raise ValidationError(
            f"The payments of {long_date(on)} ({due.what}) are not due yet: the business date "
            f"is {long_date(today)}."
        )
    try:
        with transaction.atomic():
            return _start(offer, terms, consummated_on, due, by=user)
    except IntegrityError:
        # Started at the same moment by another worker or operator: theirs is the run.
        existing = PaymentRun.objects.filter(offer=offer, payment_date=on).first()
        if existing is None:
            raise
        return existing


def _start(
    offer: ExchangeOffer, terms: OfferTerms, consummated_on: date, due: PaymentDate, *, by: User
) -> PaymentRun:
    # The run's row first: a run racing this one waits here, then finds it (IntegrityError).
    run = PaymentRun.objects.create(
        offer=offer,
        payment_date=due.payment_date,
        record_date=due.record_date,
        what=due.what,
        status=PaymentRunStatus.NOTHING,
        clients=0,
        entries=0,
        fees_total=0,
        coupons_total=0,
        redemption_total=0,
        total=0,
        started_by=by,
        **stamped(),
    )
    payments = _plan(offer, terms, consummated_on, due)
    if not payments:
        return run
    assets = offer_assets_get_or_create(offer=offer)
    entries = _entries(
        offer, payments, due, installments=len(terms.fee_installments), assets=assets
    )
    entries_post(entries=entries, by=by)
    snapshots = _snapshots(offer, terms, payments, due)
    document_snapshots_record(snapshots=snapshots, taken_at=clock.now())
    bulk_run = bulk_runs.bulk_run_start(
        offer=offer,
        kind=DocumentKind.PAYMENT_ADVICE,
        items=(
            bulk_runs.BulkItemInput(key=s.key, account_id=s.account.pk, occasion=str(s.key))
            for s in snapshots
        ),
        by=by,
    )
    if bulk_run.status == BulkRunStatus.RUNNING:
        bulk_run_tasks.enqueue_drains(run_id=bulk_run.pk)
    run.status = PaymentRunStatus.PAID
    run.clients = len(payments)
    run.entries = len(entries)
    run.fees_total = sum((p.fees_total for p in payments), Decimal("0"))
    run.coupons_total = sum((p.coupon_total for p in payments), Decimal("0"))
    run.redemption_total = sum((p.redemption for p in payments), Decimal("0"))
    run.total = run.fees_total + run.coupons_total + run.redemption_total
    run.bulk_run = bulk_run
    run.save()
    return run


def payments_pay_due(
    *, offer: ExchangeOffer, until: date | None = None, by: User | None
) -> list[PaymentRun]:
    """Start every payment run of the offer due on or before `until` (the business date
    unless given) and not started yet, in date order. ValidationError for a date after the
    business date, or an offer not consummated."""
    _acting(by)
    today = clock.today()
    until = until or today
    if until > today:
        raise ValidationError(
            f"{long_date(until)} is after the business date, {long_date(today)}: a payment "
            "is made on its date, not before."
        )
    offer, terms, _ = _terms(offer)
    return [
        payment_run_start(offer=offer, on=due.payment_date, by=by)
        for due in payment_dates_not_started(offer=offer, terms=terms, until=until)
    ]


def payments_nothing_due(*, offer: ExchangeOffer) -> str:
    """Why nothing was paid just now: the offer is not consummated, or its next payment date
    is still to come (or it has paid its last)."""
    try:
        offer, terms, _ = _terms(offer)
    except ValidationError as exc:
        return " ".join(exc.messages)
    today = clock.today()
    upcoming = next_payment_date(offer=offer, terms=terms, after=today)
    if upcoming is None:
        return f"{offer} has made its last payment: nothing is due."
    return (
        f"Nothing is due on {long_date(today)}: every payment of {offer} up to that date has "
        f"been made, and the next, {upcoming.what}, is not due until "
        f"{long_date(upcoming.payment_date)}."
    )


@dataclass(frozen=True, slots=True)
class DueStarted:
    runs: list[PaymentRun]  # started now
    failed: list[str]  # "lexington-2001 2001-12-31: why", left for the next sweep


def payment_runs_start_due() -> DueStarted:
    """For the sweep: every payment run due by the business date and not started, of every
    consummated offer. One that fails (it wrote nothing) is logged and reported, and the next
    sweep tries it again; an offer whose terms are not usable is left to operations."""
    runs, failed = [], []
    for offer in consummated_offers():
        try:
            terms = offer_terms(offer=offer)
        except InvalidTerms:
            continue
        for due in payment_dates_not_started(offer=offer, terms=terms, until=clock.today()):
            try:
                runs.append(payment_run_start(offer=offer, on=due.payment_date, by=None))
            except Exception as exc:  # one offer's trouble must not stop the sweep
                log.exception("Payment run of %s on %s not started", offer.slug, due.payment_date)
                failed.append(f"{offer.slug} {due.payment_date.isoformat()}: {exc}")
    return DueStarted(runs, failed)
