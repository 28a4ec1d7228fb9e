"""The positions feed: a CSV of client accounts and the Old Notes each holds, previewed and
then imported whole or not at all. The admin (through django-import-export's import and
confirm pages), `manage.py import_positions` and `bench/import_positions.py` all call
`positions_import`.

A preview reads the rows and says what each line would do: create a new account (with its
owners and position; only when the caller asks for new accounts, otherwise the line is
refused), update it (the changes listed), leave it unchanged, or be refused (with the
reason). The file's size is checked by the caller before it is read (`file_size_check`); its
lines are counted as they are read (at most POSITIONS_IMPORT_MAX_ROWS).

An import plans the same way inside one transaction, after locking the accounts it touches in
primary-key order (as the instruction services do, so that no tender can slip in between the
check and the write), and writes only if no line is refused and, when the caller saw a
preview, the plan is still the one previewed. The writes are bulk inserts and updates,
each with its audit-trail rows (simple-history's bulk utilities): the user, the business time
and the file named as the reason.
"""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction

from exchange_office.formatting import dollars
from exchange_office.stamps import stamped
from notes.models import Security
from notes.selectors import current_offer
from tenders.accounts import bulk, permissions
from tenders.accounts.command_line import command_line_user
from tenders.accounts.models import AccountOwner, BrokerFirm, ClientAccount, Position
from tenders.accounts.services import accounts_lock
from tenders.domain.owners import OwnerOnFile, OwnersPlan, plan_owners
from tenders.instructions.models import Instruction, InstructionSigner
from tenders.ledger.services import PositionMove, positions_post
from tenders.positions.permissions import may_import_positions
from tenders.positions.rows import (
    FeedRow,
    FileRefused,
    Refusal,
    check_row,
    read_lines,
    size_check,
)
from tenders.positions.services import HoldingTender, moved_by_the_books, tenders_holding_notes

# The account's own fields the feed sets, in the file's order.
ACCOUNT_FIELDS = (
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "email",
    "phone",
)
CHUNK = 2000  # ids or account numbers per query
T = TypeVar("T")


class Outcome(StrEnum):
    CREATED = "created"  # a new account, with its owners and position
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class RowPlan:
    line: int
    participant: str
    account_number: str
    outcome: Outcome
    changes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What a file does (a preview) or did (an import): every line's plan and every refusal."""

    rows: tuple[RowPlan, ...]
    refused: tuple[Refusal, ...]
    written: bool = False
    changed_since_preview: bool = False

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome is outcome)

    @property
    def created(self) -> int:
        return self.count(Outcome.CREATED)

    @property
    def updated(self) -> int:
        return self.count(Outcome.UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(Outcome.UNCHANGED)

    def of(self, outcome: Outcome) -> list[RowPlan]:
        return [row for row in self.rows if row.outcome is outcome]

    @property
    def created_rows(self) -> list[RowPlan]:
        return self.of(Outcome.CREATED)

    @property
    def updated_rows(self) -> list[RowPlan]:
        return self.of(Outcome.UPDATED)

    @property
    def unchanged_rows(self) -> list[RowPlan]:
        return self.of(Outcome.UNCHANGED)

    @property
    def digest(self) -> str:
        """A fingerprint of the plan: the same file against the same rows gives the same one."""
        sha = hashlib.sha256()
        for row in self.rows:
            sha.update(
                f"{row.line}\x1f{row.participant}\x1f{row.account_number}\x1f{row.outcome}"
                f"\x1f{chr(0x1E).join(row.changes)}\n".encode()
            )
        for refusal in self.refused:
            sha.update(f"!{refusal}\n".encode())
        return sha.hexdigest()

    def summary(self) -> str:
        """The command's last line: what was written (all zero when a line is refused)."""
        if self.refused:
            return f"created=0 updated=0 unchanged=0 refused={len(self.refused)}"
        return f"created={self.created} updated={self.updated} unchanged={self.unchanged} refused=0"


class ImportRefused(Exception):
    """Nothing was written: a line is refused, or the plan is not the one previewed."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        if report.refused:
            first = report.refused[0]
            more = len(report.refused) - 1
            message = f"{len(report.refused)} line(s) refused, nothing imported. {first}"
            if more:
                message += f" (and {more} more)"
        else:
            message = (
                "The accounts changed since the preview: nothing imported. Check the new "
                "preview and import again."
            )
        super().__init__(message)


# Reading what is on file


def _chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class _OnFile:
    """The rows a file touches, as they stand: accounts by (firm id, number), their owners,
    positions in the security and the tenders holding notes in them."""

    accounts: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    owners: dict[int, list[OwnerOnFile]] = field(default_factory=dict)
    positions: dict[int, tuple[int, Decimal]] = field(default_factory=dict)
    holding: dict[int, list[HoldingTender]] = field(default_factory=dict)


def _account_ids(keys: dict[int, list[str]]) -> dict[tuple[int, str], int]:
    found: dict[tuple[int, str], int] = {}
    for firm_id, numbers in keys.items():
        for chunk in _chunks(numbers):
            rows = ClientAccount.objects.filter(firm_id=firm_id, account_number__in=chunk)
            for pk, number in rows.values_list("pk", "account_number"):
                found[(firm_id, number)] = pk
    return found


def _scopes(ids: dict[tuple[int, str], int]) -> list[tuple[dict[str, Any], set[int]]]:
    """How to select the accounts a file touches: by primary key, a chunk at a time, for a
    few; by firm for many (one pass over the firm's rows, which also keeps PostgreSQL from
    scanning a table once per chunk when its statistics are stale after a large import)."""
    if len(ids) <= CHUNK:
        return [({"pk__in": chunk}, set(chunk)) for chunk in _chunks(sorted(ids.values()))]
    firms: dict[int, set[int]] = {}
    for (firm_id, _), pk in ids.items():
        firms.setdefault(firm_id, set()).add(pk)
    return [({"firm_id": firm_id}, wanted) for firm_id, wanted in sorted(firms.items())]


def _lock(ids: dict[tuple[int, str], int]) -> None:
    """Lock the accounts' rows in primary-key order, as the instruction services do (by firm
    for a large file: the whole firm's accounts, for the import's few seconds)."""
    for where, _ in _scopes(ids):
        accounts_lock(**where)


def _related(where: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The scope of `_scopes` from a row that points to the account through `prefix`."""
    return {f"{prefix}__{name.replace('pk__in', 'id__in')}": value for name, value in where.items()}


def _read(ids: dict[tuple[int, str], int], security: Security) -> _OnFile:
    on_file = _OnFile()
    key_of = {pk: key for key, pk in ids.items()}
    for where, wanted in _scopes(ids):
        rows = ClientAccount.objects.filter(**where).order_by()
        for row in rows.values("pk", *ACCOUNT_FIELDS):
            if row["pk"] in wanted:
                row["phone"] = str(row["phone"] or "")
                on_file.accounts[key_of[row["pk"]]] = row
        signed = set(
            InstructionSigner.objects.filter(**_related(where, "owner__account"))
            .order_by()
            .values_list("owner_id", flat=True)
        )
        owners = AccountOwner.objects.filter(**_related(where, "account")).order_by()
        for pk, account_id, sequence, name in owners.values_list(
            "pk", "account_id", "sequence", "name"
        ):
            if account_id in wanted:
                owner = OwnerOnFile(pk=pk, sequence=sequence, name=name, signed=pk in signed)
                on_file.owners.setdefault(account_id, []).append(owner)
        positions = Position.objects.filter(**_related(where, "account"), security=security)
        for pk, account_id, principal in positions.order_by().values_list(
            "pk", "account_id", "principal"
        ):
            if account_id in wanted:
                on_file.positions[account_id] = (pk, principal)
        holding = Instruction.objects.filter(
            tenders_holding_notes(), **_related(where, "account"), offer__old_security=security
        ).values_list(*HoldingTender.fields())
        for row in holding.order_by():
            tender = HoldingTender(*row)
            if tender.account_id in wanted:
                on_file.holding.setdefault(tender.account_id, []).append(tender)
    return on_file


# Planning


def _shown(value: str) -> str:
    return repr(value) if value else "blank"


@dataclass
class _Plan:
    report: ImportReport
    feed: list[tuple[FeedRow, int]]  # every accepted row with its firm's id
    owners: dict[int, OwnersPlan]  # by line


NOT_ASKED = (
    "the account is not on file, and creating new accounts was not asked for "
    "(--create-accounts, or the tick on the import page)."
)


def _plan(
    rows: list[FeedRow | Refusal],
    firms: dict[str, BrokerFirm],
    ids: dict[tuple[int, str], int],
    on_file: _OnFile,
    *,
    create_accounts: bool,
) -> _Plan:
    plans: list[RowPlan] = []
    refused: list[Refusal] = [row for row in rows if isinstance(row, Refusal)]
    feed: list[tuple[FeedRow, int]] = []
    owner_plans: dict[int, OwnersPlan] = {}
    for row in rows:
        if isinstance(row, Refusal):
            continue
        firm = firms.get(row.participant)
        if firm is None:
            refused.append(
                Refusal(
                    row.line,
                    row.account_number,
                    f"participant {row.participant} is not a firm of the office.",
                )
            )
            continue
        account_id = ids.get((firm.pk, row.account_number))
        if account_id is None and not create_accounts:
            refused.append(Refusal(row.line, row.account_number, NOT_ASKED))
            continue
        if account_id is None:
            plans.append(
                RowPlan(
                    row.line,
                    row.participant,
                    row.account_number,
                    Outcome.CREATED,
                    (f"owners {'; '.join(row.owners)}", f"principal {dollars(row.principal)}"),
                )
            )
            feed.append((row, firm.pk))
            continue
        account = on_file.accounts[(firm.pk, row.account_number)]
        changes = [
            f"{name} {_shown(account[name])} → {_shown(getattr(row, name))}"
            for name in ACCOUNT_FIELDS
            if account[name] != getattr(row, name)
        ]
        on_file_owners = sorted(on_file.owners.get(account_id, []), key=lambda o: o.sequence)
        owners = plan_owners(on_file_owners, row.owners)
        problems = [owners.refusal] if owners.refusal else []
        if owners.changed:
            changes.append(
                f"owners {'; '.join(o.name for o in on_file_owners) or 'none'} → "
                f"{'; '.join(row.owners)}"
            )
        position = on_file.positions.get(account_id)
        held = position[1] if position is not None else None
        if held is None or held != row.principal:
            changes.append(
                f"principal {dollars(held) if held is not None else 'none'} → "
                f"{dollars(row.principal)}"
            )
            if row.principal < (held or 0):
                problems += [
                    refusal
                    for tender in on_file.holding.get(account_id, [])
                    if (refusal := tender.below_it(principal=row.principal, held=held))
                ]
        if problems:
            refused.append(Refusal(row.line, row.account_number, " ".join(problems)))
            continue
        owner_plans[row.line] = owners
        outcome = Outcome.UPDATED if changes else Outcome.UNCHANGED
        plans.append(
            RowPlan(row.line, row.participant, row.account_number, outcome, tuple(changes))
        )
        if changes:
            feed.append((row, firm.pk))
    refused.sort(key=lambda r: r.line)
    return _Plan(ImportReport(tuple(plans), tuple(refused)), feed, owner_plans)


def _security() -> Security:
    offer = current_offer()
    if offer is None:
        raise FileRefused("There is no exchange offer: load its terms first (load_offer).")
    refusal = moved_by_the_books(security_id=offer.old_security_id)
    if refusal:
        raise FileRefused(refusal)
    return offer.old_security


def _read_file(
    text: str, firm: BrokerFirm | None, security: Security
) -> tuple[list[FeedRow | Refusal], dict[str, BrokerFirm]]:
    """Every line checked, and the firms the file may name: `firm`, or any firm."""
    participants = frozenset({firm.dtc_participant_number}) if firm is not None else None
    rows: list[FeedRow | Refusal] = []
    first_line: dict[tuple[str, str], int] = {}
    for line, values in read_lines(text, max_rows=settings.POSITIONS_IMPORT_MAX_ROWS):
        key = (values.get("participant", "").strip(), values.get("account_number", "").strip())
        if key[1] and key in first_line:
            rows.append(
                Refusal(
                    line, key[1], f"the account is already on line {first_line[key]} of the file."
                )
            )
            continue
        first_line.setdefault(key, line)
        rows.append(
            check_row(
                line,
                values,
                participants=participants,
                increment=security.denomination_increment,
                cusip=security.cusip,
            )
        )
    if not rows:
        raise FileRefused("The file has a header but no account lines.")
    named = {row.participant for row in rows if isinstance(row, FeedRow)}
    firms = {
        f.dtc_participant_number: f
        for f in BrokerFirm.objects.filter(dtc_participant_number__in=sorted(named))
    }
    return rows, firms


def _keys(rows: list[FeedRow | Refusal], firms: dict[str, BrokerFirm]) -> dict[int, list[str]]:
    keys: dict[int, list[str]] = {}
    for row in rows:
        if isinstance(row, FeedRow) and row.participant in firms:
            keys.setdefault(firms[row.participant].pk, []).append(row.account_number)
    return keys


def _require_may_import(by: User | None) -> None:
    if by is not None:  # None: the command, run by whoever may run commands on the server
        permissions.require(may_import_positions(user=by), "You may not import positions.")


def file_size_check(size: int) -> None:
    """Refuse (FileRefused) a file over POSITIONS_IMPORT_MAX_BYTES, from its size alone: the
    admin's upload and the command call this before they read the file."""
    size_check(size, limit=settings.POSITIONS_IMPORT_MAX_BYTES)


def positions_preview(
    *, text: str, by: User | None, firm: BrokerFirm | None = None, create_accounts: bool = False
) -> ImportReport:
    """What importing `text` would do now, writing nothing; with `create_accounts`, an
    account not on file is a new account, otherwise its line is refused. Raises FileRefused
    when the file cannot be read as a feed at all."""
    _require_may_import(by)
    security = _security()
    rows, firms = _read_file(text, firm, security)
    ids = _account_ids(_keys(rows, firms))
    on_file = _read(ids, security)
    return _plan(rows, firms, ids, on_file, create_accounts=create_accounts).report


# Writing


def _ids(
    model: type[Any], keys: Iterable[Any], key: str, *fields: str, **where: Any
) -> dict[Any, int]:
    """{(the row's `fields`…): pk} of `model`'s rows whose `key` is among `keys`."""
    found: dict[Any, int] = {}
    for chunk in _chunks(sorted(set(keys))):
        rows = model.objects.filter(**where, **{f"{key}__in": chunk})
        for pk, *values in rows.values_list("pk", *fields):
            found[tuple(values)] = pk
    return found


def _stored(model: type[Any], pks: Iterable[int]) -> list[dict[str, Any]]:
    """Rows as they now stand, each value in its stored form (for their audit-trail rows)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    rows = []
    for chunk in _chunks(sorted(pks)):
        for row in model.objects.filter(pk__in=chunk).values(*fields):
            rows.append(
                {name: fields[name].get_db_prep_save(value, connection)
                 for name, value in row.items()}
            )  # fmt: skip
    return rows


def _write(
    plan: _Plan,
    ids: dict[tuple[int, str], int],
    on_file: _OnFile,
    security: Security,
    stamp: bulk.Stamp,
) -> None:
    creating = [(r, firm_id) for r, firm_id in plan.feed if (firm_id, r.account_number) not in ids]
    updating = [(r, firm_id) for r, firm_id in plan.feed if (firm_id, r.account_number) in ids]

    # New accounts, then their owners and positions (each insert, its ids, its audit trail).
    accounts = [
        {"firm_id": firm_id, "account_number": r.account_number,
         **{name: getattr(r, name) for name in ACCOUNT_FIELDS}}
        for r, firm_id in creating
    ]  # fmt: skip
    if bulk.allocate_ids(ClientAccount, accounts):
        bulk.insert(ClientAccount, accounts)
    else:
        bulk.insert(ClientAccount, accounts)
        for firm_id in {firm_id for _, firm_id in creating}:
            numbers = [r.account_number for r, f in creating if f == firm_id]
            found = _ids(ClientAccount, numbers, "account_number", "account_number",
                         firm_id=firm_id)  # fmt: skip
            for account in accounts:
                if account["firm_id"] == firm_id:
                    account["id"] = found[(account["account_number"],)]
    new_ids = {(a["firm_id"], a["account_number"]): a["id"] for a in accounts}
    bulk.history(ClientAccount, accounts, changed=False, stamp=stamp)
    account_id = {**ids, **new_ids}
    firm_of = {pk: firm_id for (firm_id, _), pk in account_id.items()}
    owners = [
        {"account_id": new_ids[(firm_id, r.account_number)], "sequence": sequence, "name": name}
        for r, firm_id in creating
        for sequence, name in enumerate(r.owners, start=1)
    ]
    positions = [
        {"account_id": new_ids[(firm_id, r.account_number)], "security_id": security.pk,
         "principal": r.principal}
        for r, firm_id in creating
    ]  # fmt: skip

    # Accounts on file: their own fields, owners and positions.
    changed_accounts = [
        (*(getattr(r, name) for name in ACCOUNT_FIELDS), account_id[(firm_id, r.account_number)])
        for r, firm_id in updating
        if any(
            on_file.accounts[(firm_id, r.account_number)][name] != getattr(r, name)
            for name in ACCOUNT_FIELDS
        )
    ]
    moved: list[tuple[int, int, int, str]] = []  # pk, account, new sequence, new name
    removed: list[AccountOwner] = []
    changed_positions: list[dict[str, Any]] = []
    for r, firm_id in updating:
        pk = account_id[(firm_id, r.account_number)]
        owners_plan = plan.owners[r.line]
        owners += [
            {"account_id": pk, "sequence": sequence, "name": name}
            for sequence, name in owners_plan.added
        ]
        moved += [(o.pk, pk, sequence, name) for o, sequence, name in owners_plan.kept]
        removed += [
            AccountOwner(pk=o.pk, account_id=pk, sequence=o.sequence, name=o.name)
            for o in owners_plan.removed
        ]
        position = on_file.positions.get(pk)
        if position is None:
            positions.append(
                {"account_id": pk, "security_id": security.pk, "principal": r.principal}
            )
        elif position[1] != r.principal:
            changed_positions.append(
                {"id": position[0], "account_id": pk, "security_id": security.pk,
                 "principal": r.principal}
            )  # fmt: skip

    if changed_accounts:
        bulk.update(ClientAccount, ACCOUNT_FIELDS, changed_accounts)
        bulk.history(
            ClientAccount,
            _stored(ClientAccount, (row[-1] for row in changed_accounts)),
            changed=True,
            stamp=stamp,
        )
    # Owners: the removed first (an owner who signed was refused in the plan), then the moved
    # ones out of the way (a sequence is unique in its account), then the new, then the moved.
    for gone in removed:
        gone._history_user = stamp.user  # type: ignore[attr-defined]  # simple-history reads it
        gone._change_reason = stamp.reason[:100]  # type: ignore[attr-defined]  # simple-history reads it
        gone.delete()
    bulk.update(AccountOwner, ["sequence"], [(1000 + seq, pk) for pk, _, seq, _ in moved])
    if not bulk.allocate_ids(AccountOwner, owners):
        bulk.insert(AccountOwner, owners)
        owner_ids = _ids(AccountOwner, (o["account_id"] for o in owners), "account_id",
                         "account_id", "sequence")  # fmt: skip
        for owner in owners:
            owner["id"] = owner_ids[(owner["account_id"], owner["sequence"])]
    else:
        bulk.insert(AccountOwner, owners)
    bulk.history(AccountOwner, owners, changed=False, stamp=stamp)
    if moved:
        bulk.update(AccountOwner, ["sequence", "name"], [(s, n, pk) for pk, _, s, n in moved])
        bulk.history(
            AccountOwner,
            [{"id": pk, "account_id": a, "sequence": s, "name": n} for pk, a, s, n in moved],
            changed=True,
            stamp=stamp,
        )
    # Positions move through the books, which keep Position (docs/ledger.md).
    moves = [
        PositionMove(account_id=int(p["account_id"]), firm_id=firm_of[int(p["account_id"])],
                     security=security, principal=p["principal"], held=None)
        for p in positions
    ] + [
        PositionMove(account_id=int(p["account_id"]), firm_id=firm_of[int(p["account_id"])],
                     security=security, principal=p["principal"],
                     held=on_file.positions[int(p["account_id"])][1])
        for p in changed_positions
    ]  # fmt: skip
    positions_post(
        moves=moves,
        by=stamp.user or command_line_user(),
        description=stamp.reason or "Positions import",
    )


@transaction.atomic
def positions_import(
    *,
    text: str,
    by: User | None,
    firm: BrokerFirm | None = None,
    file_name: str = "",
    previewed: str = "",
    create_accounts: bool = False,
) -> ImportReport:
    """Import the feed whole, or raise ImportRefused and write nothing. With `previewed` (a
    preview's `digest`), the plan must still be the one previewed. Accounts not on file are
    created only with `create_accounts` (otherwise their lines are refused)."""
    _require_may_import(by)
    security = _security()
    rows, firms = _read_file(text, firm, security)
    ids = _account_ids(_keys(rows, firms))
    _lock(ids)
    on_file = _read(ids, security)
    plan = _plan(rows, firms, ids, on_file, create_accounts=create_accounts)
    if plan.report.refused:
        raise ImportRefused(plan.report)
    if previewed and previewed != plan.report.digest:
        raise ImportRefused(
            ImportReport(plan.report.rows, plan.report.refused, changed_since_preview=True)
        )
    stamp = bulk.Stamp(user=by, **stamped(), reason=f"Positions import {file_name}".strip())
    try:
        with transaction.atomic():
            _write(plan, ids, on_file, security, stamp)
    except IntegrityError:
        # An account of the file was created by someone else since it was looked up.
        conflict = Refusal(0, "", "Another change created some of these accounts meanwhile: "
                           "nothing imported, import the file again.")  # fmt: skip
        raise ImportRefused(ImportReport(plan.report.rows, (conflict,))) from None
    return ImportReport(plan.report.rows, (), written=True)
