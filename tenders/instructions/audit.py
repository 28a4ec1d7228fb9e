"""The account's audit trail as people read it: who changed what, when by both clocks."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import ForeignKey, Model

from exchange_office.formatting import money, short_date, timestamp
from tenders.accounts.models import AccountOwner, ClientAccount, Position
from tenders.domain.tin import mask_tin
from tenders.instructions.models import Instruction

# Never shown: the audit trail does not keep a TIN or its hash, and a TIN shows masked (from its
# type and last four digits); the double-click token means nothing to a reader.
HIDDEN_FIELDS = {"tin", "tin_hash", "tin_last4", "submission_token"}


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    what: str
    action: str  # created, changed, deleted
    who: str
    wall_at: datetime
    business_at: datetime | None
    changes: tuple[Change, ...]


_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _fields(model: type[Model]) -> list[Any]:
    """The fields worth showing: links to other records (account, offer, user) are context
    the page already gives."""
    return [f for f in model._meta.fields if f.name != "id" and not isinstance(f, ForeignKey)]


def _display(record: Any, field: Any) -> str:
    value = getattr(record, field.attname)
    if value is None:
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return short_date(value)
    return str(value)


def _masked_tin(record: Any) -> str:
    return mask_tin(record.tin_type, record.tin_last4) if record.tin_type else ""


def _entries(history: Any, label: Any, fields: list[Any]) -> list[AuditEntry]:
    records = list(history.select_related("history_user").order_by("id", "history_date", "pk"))
    entries = []
    previous_by_object: dict[int, Any] = {}
    for record in records:
        before = previous_by_object.get(record.id)
        changes = []
        for field in fields:
            if field.name in HIDDEN_FIELDS:
                continue
            new = _display(record, field)
            old = _display(before, field) if before is not None else ""
            if new != old:
                changes.append(Change(str(field.verbose_name), old, new))
        if hasattr(record, "tin_last4"):
            new, old = _masked_tin(record), _masked_tin(before) if before is not None else ""
            if new != old:
                changes.append(Change("taxpayer ID", old, new))
        entries.append(
            AuditEntry(
                what=label(record),
                action=_ACTIONS.get(record.history_type, record.history_type),
                who=record.history_user.get_username() if record.history_user else "system",
                wall_at=record.history_date,
                business_at=record.history_business_at,
                changes=tuple(changes),
            )
        )
        previous_by_object[record.id] = record
    return entries


def account_audit_trail(*, account: ClientAccount) -> list[AuditEntry]:
    """Changes to the account, its owners, positions and instructions, newest first."""
    entries = _entries(
        ClientAccount.history.filter(id=account.pk),
        lambda r: f"Account {r.account_number}",
        _fields(ClientAccount),
    )
    entries += _entries(
        AccountOwner.history.filter(account_id=account.pk),
        lambda r: f"Owner {r.sequence}",
        _fields(AccountOwner),
    )
    entries += _entries(
        Position.history.filter(account_id=account.pk),
        lambda r: "Position",
        _fields(Position),
    )
    entries += _entries(
        Instruction.history.filter(account_id=account.pk),
        lambda r: f"Instruction version {r.version}",
        [f for f in _fields(Instruction) if f.name != "received_wall_at"],
    )
    return sorted(entries, key=lambda e: e.wall_at, reverse=True)
