"""Writes for account statements: a statement is issued once per account and quarter (its key,
`statement:a17:2001Q4`), from a snapshot of the books taken when it is first asked for, once
the quarter is over; the quarterly run issues and e-mails the statement of every account that
moved in the quarter, each once, through the outbox."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from exchange_office import clock
from exchange_office.formatting import long_date
from notes.models import ExchangeOffer
from notes.selectors import current_offer
from tenders.accounts.models import ClientAccount
from tenders.accounts.selectors import owner_names
from tenders.bulk_runs import services as bulk_runs
from tenders.bulk_runs import tasks as bulk_run_tasks
from tenders.bulk_runs.models import BulkRun, BulkRunItem, BulkRunStatus
from tenders.documents.keys import DocumentKey
from tenders.documents.models import Document, DocumentKind
from tenders.documents.services import document_issue
from tenders.documents.snapshots import SnapshotInput, document_snapshots_record
from tenders.domain.statements import InvalidPeriod, quarter_bounds, quarter_of
from tenders.statements.contexts import statement_context
from tenders.statements.selectors import (
    accounts_with_movements,
    books_start,
    statement_lines,
)


def statement_key(*, account: ClientAccount, period: str) -> DocumentKey:
    return DocumentKey(DocumentKind.STATEMENT, account_id=account.pk, period=period)


def _check_period(period: str) -> None:
    """ValidationError unless `period` is a quarter that is over by the business clock: a
    statement is issued once, so never for a quarter still running."""
    try:
        last = quarter_bounds(period)[1]
    except InvalidPeriod as exc:
        raise ValidationError(str(exc)) from None
    if clock.today() <= last:
        raise ValidationError(
            f"The quarter {period} is not over until the end of {long_date(last)}: its "
            "statement is issued after that."
        )


def _offer(offer: ExchangeOffer | None = None) -> ExchangeOffer:
    # The offer whose books a statement reports: the one named, else the one the office's
    # pages are about.
    offer = offer or current_offer()
    if offer is None:
        raise ValidationError("There is no exchange offer: there are no books to state.")
    return offer


def _snapshots(
    *, accounts: Iterable[ClientAccount], period: str, offer: ExchangeOffer
) -> list[SnapshotInput]:
    accounts = list(accounts)
    owners = owner_names(account_ids=[a.pk for a in accounts])
    order = (offer.old_security_id, offer.new_security_id)
    return [
        SnapshotInput(
            key=statement_key(account=account, period=period),
            account=account,
            offer=offer,
            context=statement_context(
                account=account,
                offer=offer,
                lines=statement_lines(account=account, period=period, securities_order=order),
                owners=owners.get(account.pk, []),
            ),
        )
        for account in accounts
    ]


def _occasions_taken(occasions: list[str], batch_size: int = 500) -> set[str]:
    """The statements an earlier run took already (asked in batches: a database takes only
    so many parameters in one query)."""
    taken: set[str] = set()
    for start in range(0, len(occasions), batch_size):
        chunk = occasions[start : start + batch_size]
        rows = BulkRunItem.objects.filter(occasion__in=chunk).values_list("occasion", flat=True)
        taken.update(rows)
    return taken


def _check_books_started(*, account: ClientAccount, period: str) -> None:
    """ValidationError for a quarter that ended before the account's books start (its first
    entry): its statement would say nothing was held, when the books simply do not go back
    that far."""
    first = books_start(account=account)
    if first is None:
        raise ValidationError(
            f"Account {account.account_number} has nothing on the books yet: there is no "
            "statement to issue."
        )
    if quarter_bounds(period)[1] < first:
        raise ValidationError(
            f"The books of account {account.account_number} start on {long_date(first)}: "
            f"there is no statement for {period}, which ended before; the first is for "
            f"{quarter_of(first)}."
        )


def statement_issue(*, account: ClientAccount, period: str, by: User | None) -> Document:
    """The statement of `account` for `period` (2001Q4): its snapshot is taken the first time
    (the books as they then stand), its PDF rendered and stored once; later calls return the
    stored one. Not e-mailed here: the quarterly run sends it. ValidationError for a period
    that is not a quarter, or one not over yet."""
    _check_period(period)
    _check_books_started(account=account, period=period)
    offer = _offer()
    key = statement_key(account=account, period=period)
    if not Document.objects.filter(key=str(key)).exists():
        with transaction.atomic():
            document_snapshots_record(
                snapshots=_snapshots(accounts=[account], period=period, offer=offer),
                taken_at=clock.now(),
            )
    return document_issue(key=key, by=by)


@transaction.atomic
def statements_run_start(
    *, period: str, by: User, offer: ExchangeOffer | None = None
) -> BulkRun | None:
    """Issue and e-mail the statement of every account whose books moved in `period`: a bulk
    run, one item per account, whose drains start once this commits. Each statement is
    e-mailed once across runs (the item's occasion is the statement's key, and so is its
    e-mail's): a second run leaves out what the first took. Returns the run, or None when
    every such statement has been sent by an earlier run."""
    _check_period(period)
    offer = _offer(offer)
    accounts = list(accounts_with_movements(period=period))
    snapshots = _snapshots(accounts=accounts, period=period, offer=offer)
    document_snapshots_record(snapshots=snapshots, taken_at=clock.now())
    taken = _occasions_taken([str(item.key) for item in snapshots])
    items = [
        bulk_runs.BulkItemInput(key=item.key, account_id=item.account.pk, occasion=str(item.key))
        for item in snapshots
        if str(item.key) not in taken
    ]
    if not items:
        return None
    run = bulk_runs.bulk_run_start(offer=offer, kind=DocumentKind.STATEMENT, items=items, by=by)
    if run.status == BulkRunStatus.RUNNING:
        bulk_run_tasks.enqueue_drains(run_id=run.pk)
    return run
