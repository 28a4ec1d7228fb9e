"""Notices to clients about the offer's steps: an extension, an amendment of the terms, a
termination, the payment of the Old Notes not tendered on consummation.

The offer's services (`tenders.offers`) call these INSIDE their transaction, after they
have recorded the step: each notice is written now, as of this moment (a snapshot of its PDF's
values, or the e-mail itself for an extension), and its document and e-mail are queued once
the step commits. Each is idempotent per occasion (the step's event, or the consummation):
calling again writes nothing more, and the sweep issues any document whose task was lost.
Each returns how many clients it addresses (the payment notices: their bulk run).
"""

import logging
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from exchange_office import clock
from notes.domain.terms import InvalidTerms, OfferTerms
from notes.models import ExchangeOffer, OfferEvent, OfferEventKind, OfferStatus
from notes.selectors import offer_calendar, offer_terms, offers_with_terms
from tenders.accounts.models import ClientAccount, Position
from tenders.bulk_runs import services as bulk_runs
from tenders.bulk_runs import tasks as bulk_run_tasks
from tenders.bulk_runs.models import BulkRun, BulkRunStatus
from tenders.documents import tasks as document_tasks
from tenders.documents.contexts import firm_values, offer_values
from tenders.documents.keys import DocumentKey
from tenders.documents.models import DocumentKind
from tenders.documents.snapshots import SnapshotInput, document_snapshots_record, encode
from tenders.instructions.models import Instruction, InstructionStatus
from tenders.ledger.selectors import held_for_offer
from tenders.links.selectors import client_link_url
from tenders.links.services import client_links_issue
from tenders.notices.contexts import (
    amended_terms_receipt_context,
    extension_email,
    holder_termination_notice_context,
    payment_notice_context,
    termination_notice_context,
)
from tenders.notices.selectors import (
    NonTenderReport,
    letter_recipients,
    nontender_report,
    open_instructions_for_notices,
    owner_names,
)
from tenders.outbox import services as outbox
from tenders.outbox import tasks as outbox_tasks

log = logging.getLogger(__name__)


def _check_event(offer: ExchangeOffer, event: OfferEvent, kind: str) -> None:
    if event.offer_id != offer.pk or event.kind != kind:
        raise ValueError(f"event {event.pk} is not an event of kind {kind} of {offer.slug}")


def _positions(offer: ExchangeOffer, account_ids: Sequence[int]) -> dict[int, Decimal]:
    """The Old Notes held for these accounts (asked in batches: a database takes only so many
    parameters in one query)."""
    held: dict[int, Decimal] = {}
    ids = sorted(set(account_ids))
    for start in range(0, len(ids), 500):
        held.update(
            Position.objects.filter(
                account_id__in=ids[start : start + 500], security_id=offer.old_security_id
            ).values_list("account_id", "principal")
        )
    return held


def _terms(offer: ExchangeOffer) -> OfferTerms | None:
    try:
        return offer_terms(offer=offers_with_terms().get(pk=offer.pk))
    except InvalidTerms:
        return None


def _issue_on_commit(keys: Sequence[str]) -> None:
    for key in keys:
        document_tasks.enqueue_issue(key=key)


# Extension: an e-mail alone


def extension_notice_key(*, event: OfferEvent, account: ClientAccount) -> str:
    return f"extension:e{event.pk}:a{account.pk}"


@transaction.atomic
def extension_notices_queue(*, offer: ExchangeOffer, event: OfferEvent, by: User) -> int:
    """An e-mail to each client with a live instruction (received or submitted): the new
    expiration, the firm's new cutoff, the new projected consummation date, that the
    instruction stays live and can be amended or withdrawn until the new expiration, the
    client's current link, and the announcement. Sent through the outbox once the extension
    commits; one per client and extension. Returns how many clients are e-mailed (an account
    without an address is not)."""
    _check_event(offer, event, OfferEventKind.EXTENDED)
    instructions = list(open_instructions_for_notices(offer=offer))
    owners = owner_names(
        accounts=Q(
            account__instructions__offer=offer,
            account__instructions__status__in=[
                InstructionStatus.RECEIVED,
                InstructionStatus.SUBMITTED,
            ],
        )
    )
    positions = dict(
        Position.objects.filter(
            security_id=offer.old_security_id,
            account__instructions__offer=offer,
            account__instructions__status__in=[
                InstructionStatus.RECEIVED,
                InstructionStatus.SUBMITTED,
            ],
        ).values_list("account_id", "principal")
    )
    calendar, terms, now = offer_calendar(offer=offer), _terms(offer), clock.now()
    # The link of the offer as it now stands (the one the next letter carries too): the
    # client's older links forward to it.
    links = client_links_issue(
        offer=offer, accounts=[i.account for i in instructions if i.account.email]
    )
    notices = []
    for instruction in instructions:
        account = instruction.account
        if not account.email:
            log.info("No e-mail address for account %s: extension notice not sent", account)
            continue
        subject, body = extension_email(
            offer=offer,
            event=event,
            account=account,
            owners=owners.get(account.pk, []),
            firm=account.firm,
            calendar=calendar,
            instruction=instruction,
            position=positions.get(account.pk, Decimal(0)),
            terms=terms,
            now=now,
            client_link=client_link_url(links[account.pk]),
        )
        notices.append(
            outbox.NoticeEmail(
                key=extension_notice_key(event=event, account=account),
                account=account,
                to=account.email,
                subject=subject,
                body=body,
            )
        )
    for message in outbox.outbox_notices_create(offer=offer, notices=notices, by=by):
        outbox_tasks.enqueue_send(message_id=message.pk)
    return len(notices)


# Amendment of the terms: a new receipt for each live instruction


@transaction.atomic
def terms_amended_documents_queue(*, offer: ExchangeOffer, event: OfferEvent, by: User) -> int:
    """For each live instruction (received or submitted), a new receipt under the amended
    terms, from a snapshot taken now (the new terms and projection, and what changed), and its
    e-mail. The earlier receipts stay untouched. Returns how many clients it addresses."""
    _check_event(offer, event, OfferEventKind.TERMS_AMENDED)
    instructions = list(open_instructions_for_notices(offer=offer))
    snapshots = [
        SnapshotInput(
            key=DocumentKey(
                DocumentKind.AMENDED_TERMS_RECEIPT, instruction_id=instruction.pk, event_id=event.pk
            ),
            account=instruction.account,
            offer=offer,
            instruction=instruction,
            context=amended_terms_receipt_context(instruction=instruction, event=event),
        )
        for instruction in instructions
    ]
    _issue_on_commit(document_snapshots_record(snapshots=snapshots, taken_at=clock.now()))
    return len(snapshots)


# Termination: a notice for each instruction returned


@transaction.atomic
def termination_notices_queue(
    *, offer: ExchangeOffer, event: OfferEvent, instructions: Sequence[Instruction], by: User
) -> int:
    """A termination notice to every client told of the offer: for each instruction live at
    the termination (now returned), its notice (the offer was terminated, why, the instruction
    returned); for each other account sent the letter "To Our Clients", the account's notice.
    Each says what happens to the Old Notes (they stay in the account: nothing exchanged, no
    payment under the offer), from a snapshot taken now, with its e-mail. Returns how many
    clients it addresses."""
    _check_event(offer, event, OfferEventKind.TERMINATED)
    returned = {instruction.account_id for instruction in instructions}
    holders = [a for a in letter_recipients(offer=offer) if a.pk not in returned]
    positions = _positions(offer, [*returned, *(account.pk for account in holders)])
    snapshots = []
    for account in holders:
        snapshots.append(
            SnapshotInput(
                key=DocumentKey(
                    DocumentKind.TERMINATION_NOTICE, offer_id=offer.pk, account_id=account.pk
                ),
                account=account,
                offer=offer,
                context=holder_termination_notice_context(
                    offer=offer,
                    account=account,
                    event=event,
                    position=positions.get(account.pk, Decimal(0)),
                ),
            )
        )
    for instruction in instructions:
        if instruction.offer_id != offer.pk:
            raise ValueError(f"instruction {instruction.pk} is not for {offer}")
        snapshots.append(
            SnapshotInput(
                key=DocumentKey.for_instruction(DocumentKind.TERMINATION_NOTICE, instruction.pk),
                account=instruction.account,
                offer=offer,
                instruction=instruction,
                context=termination_notice_context(
                    instruction=instruction,
                    event=event,
                    position=positions.get(instruction.account_id, Decimal(0)),
                ),
            )
        )
    _issue_on_commit(document_snapshots_record(snapshots=snapshots, taken_at=event.business_at))
    return len(snapshots)


# Consummation: a payment notice for each account that kept Old Notes out of the exchange


@transaction.atomic
def payment_notices_queue(
    *, offer: ExchangeOffer, by: User, report: NonTenderReport | None = None
) -> BulkRun | None:
    """After consummation, a payment notice for each account holding Old Notes of the offer
    that it did not tender (nothing tendered, or the rest of a partial tender): principal plus
    accrued interest through the day before consummation, paid on the consummation date. The
    snapshots are taken now, in the consummation's transaction (a position may fall later, as
    the notes leave the account); the notices are issued and e-mailed by a bulk run, one item
    per account, whose drains start once this commits. An account whose instruction was not
    accepted on consummation is paid its whole position, and its notice says why. Returns the
    run, or None if no account
    is owed a notice that it has not been given already. `report` is the offer's report of the
    holders who do not tender as of its consummation, if the caller read it already (the
    consummation reads it once, for these notices and for its books)."""
    offer = offers_with_terms().prefetch_related("conditions").get(pk=offer.pk)
    if offer.status != OfferStatus.CONSUMMATED or offer.consummation_date is None:
        raise ValidationError(f"{offer} is not consummated: no payment is due.")
    if report is None:
        report = nontender_report(offer=offer)
    elif report.offer.pk != offer.pk or report.payment_date != offer.consummation_date:
        raise ValueError(f"the report is not {offer.slug}'s as of its consummation")
    if report.error:
        raise ValidationError(report.error)
    problems = [f"{row.account_number}: {row.problem}" for row in report.rows if row.problem]
    if problems:
        raise ValidationError(["No payment can be computed for these accounts:", *problems])
    terms = offer_terms(offer=offer)
    on = offer.consummation_date
    offer_block = encode(offer_values(offer, terms))
    held = held_for_offer(offer=offer, prefix="positions__", account="pk")
    # Without the taxpayer ID and the telephone: the notice states neither, and each would be
    # decrypted or parsed.
    accounts = {
        a.pk: a
        for a in ClientAccount.objects.filter(held).select_related("firm").defer("tin", "phone")
    }
    firms = {a.firm_id: encode(firm_values(a.firm)) for a in accounts.values()}
    owners = owner_names(accounts=held_for_offer(offer=offer, prefix="account__positions__"))
    snapshots = [
        SnapshotInput(
            key=DocumentKey(
                DocumentKind.PAYMENT_NOTICE, offer_id=offer.pk, account_id=row.account_id
            ),
            account=accounts[row.account_id],
            offer=offer,
            context=payment_notice_context(
                account=accounts[row.account_id],
                owners=owners.get(row.account_id, []),
                terms=terms,
                position=row.position,
                tendered=row.tendered,
                instruction_version=row.instruction_version,
                on=on,
                not_accepted=row.not_accepted_reason,
            ),
            encoded_parts={"offer": offer_block, "firm": firms[accounts[row.account_id].firm_id]},
        )
        for row in report.rows
    ]
    recorded = set(document_snapshots_record(snapshots=snapshots, taken_at=clock.now()))
    if not recorded:
        return None
    run = bulk_runs.bulk_run_start(
        offer=offer,
        kind=DocumentKind.PAYMENT_NOTICE,
        items=(
            bulk_runs.BulkItemInput(
                key=item.key, account_id=item.account.pk, occasion=str(item.key)
            )
            for item in snapshots
            if str(item.key) in recorded
        ),
        by=by,
    )
    if run.status == BulkRunStatus.RUNNING:
        bulk_run_tasks.enqueue_drains(run_id=run.pk)
    return run
