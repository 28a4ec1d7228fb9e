"""Snapshots of what a document says, taken at the moment it describes.

A receipt acknowledges an instruction as received (or withdrawn): its figures, the terms and
deadlines they rest on, and its date are those of that moment. The instruction services take
the snapshot in the transaction that records the instruction; the receipt is rendered from it
later, by a worker, and reads the same whenever that is (amendments, withdrawals and changed
terms come after it and do not touch it). A notice (`tenders.notices`) is snapshotted the same
way, in the transaction of the step it reports, with `document_snapshots_record`.

The snapshot holds the template's values as tagged JSON (`exchange_office.tagged`), so
amounts, dates and instants come back exactly.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection

from exchange_office import clock
from exchange_office.tagged import decode, encode
from notes.models import ExchangeOffer
from tenders.accounts import bulk
from tenders.accounts.models import ClientAccount
from tenders.documents.contexts import receipt_context
from tenders.documents.keys import DocumentKey
from tenders.documents.models import DocumentKind, DocumentSnapshot
from tenders.instructions.models import Instruction

__all__ = [
    "SNAPSHOT_KINDS",
    "SnapshotInput",
    "decode",
    "document_snapshot_take",
    "document_snapshots_record",
    "encode",
    "snapshot_context",
]

SNAPSHOT_KINDS = (DocumentKind.RECEIPT, DocumentKind.WITHDRAWAL_RECEIPT)


def document_snapshot_take(*, instruction: Instruction, kind: str) -> DocumentSnapshot:
    """The receipt (or withdrawal receipt) of the instruction as it stands now, in the
    caller's transaction: the one that records the instruction or its withdrawal."""
    if kind not in SNAPSHOT_KINDS:
        raise ValueError(f"no snapshot is taken for a {kind}: it is rendered from its rows")
    context = receipt_context(instruction, kind=kind)
    # The moment described: the receipt of the instruction, or its withdrawal.
    if kind == DocumentKind.WITHDRAWAL_RECEIPT:
        taken_at = context["instruction"]["withdrawn_at"] or clock.now()
    else:
        taken_at = context["instruction"]["received_at"]
    return DocumentSnapshot.objects.create(
        key=str(DocumentKey.for_instruction(kind, instruction.pk)),
        kind=kind,
        account_id=instruction.account_id,
        offer_id=instruction.offer_id,
        instruction=instruction,
        taken_at=taken_at,
        taken_wall_at=clock.wall_now(),
        data=encode(context),
    )


@dataclass(frozen=True, slots=True)
class SnapshotInput:
    """One document's snapshot to record: its occasion and its template's values."""

    key: DocumentKey
    account: ClientAccount
    offer: ExchangeOffer
    context: dict[str, Any]
    instruction: Instruction | None = None
    # Parts of the context shared by many snapshots (the offer, the firm), encoded once by
    # the caller (`encode`): a run of 100,000 notices does not encode them 100,000 times.
    encoded_parts: Mapping[str, Any] = field(default_factory=dict)


def document_snapshots_record(
    *, snapshots: Iterable[SnapshotInput], taken_at: datetime, batch_size: int = 500
) -> list[str]:
    """Record the snapshots of a moment (`taken_at`, business clock) in the caller's
    transaction, except those whose key already has one: calling twice records once. Returns
    the keys recorded now; the caller queues their documents once this commits."""
    items = list(snapshots)
    keys = [str(item.key) for item in items]
    taken = _existing_keys(keys, batch_size)
    # In their stored form, copied in bulk (tenders/accounts/bulk.py): a consummation records
    # a snapshot per holder, and bulk_create prepares each value through its field.
    fields = {f.name: f for f in DocumentSnapshot._meta.concrete_fields}
    data, at = fields["data"], fields["taken_at"]
    taken_at_stored = at.get_db_prep_save(taken_at, connection)
    wall = at.get_db_prep_save(clock.wall_now(), connection)
    new = [
        {
            "key": key,
            "kind": str(item.key.kind),
            "account_id": item.account.pk,
            "offer_id": item.offer.pk,
            "instruction_id": item.instruction.pk if item.instruction else None,
            "taken_at": taken_at_stored,
            "taken_wall_at": wall,
            "data": data.get_db_prep_save(
                {**encode(item.context), **item.encoded_parts}, connection
            ),
        }
        for key, item in zip(keys, items, strict=True)
        if key not in taken
    ]
    # ON CONFLICT DO NOTHING: a key another transaction records meanwhile (two runs racing)
    # keeps its snapshot; this one waits for it and skips the key instead of failing.
    bulk.insert_new(DocumentSnapshot, new)
    return [row["key"] for row in new]


def _existing_keys(keys: list[str], batch_size: int) -> set[str]:
    """The keys among `keys` that have a snapshot (asked in batches: a database takes only so
    many parameters in one query)."""
    found: set[str] = set()
    for start in range(0, len(keys), batch_size):
        chunk = keys[start : start + batch_size]
        found.update(DocumentSnapshot.objects.filter(key__in=chunk).values_list("key", flat=True))
    return found


def snapshot_context(snapshot: DocumentSnapshot) -> dict[str, Any]:
    """The template's values as they were when the snapshot was taken."""
    context = decode(snapshot.data)
    assert isinstance(context, dict), "a snapshot holds a template context"
    return context
