"""Writes of the books (docs/ledger.md). `entries_post` is the only writer of entries and legs;
`entry_reverse` corrects an entry by posting its reversal through the same checks. The assets
and ledger accounts a posting names are made here on first use (`..._get_or_create`).

The service checks what the database checks on PostgreSQL (each entry's legs sum to zero for
each asset, migration 0045), so that a caller gets a ValidationError rather than an
IntegrityError at commit, and so that SQLite, which has no such trigger, is held to the same
rule."""

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from exchange_office import clock
from exchange_office.formatting import dollars, long_date
from exchange_office.stamps import stamped
from notes.models import ExchangeOffer, Security
from tenders.accounts import bulk
from tenders.accounts.models import BrokerFirm, ClientAccount, Position
from tenders.accounts.permissions import require
from tenders.domain.ledger import FractionOfAUnit, sums_off_zero
from tenders.ledger.models import (
    OCCASION_LENGTH,
    Asset,
    AssetKind,
    EntryKind,
    JournalEntry,
    LedgerAccount,
    LedgerAccountKind,
    Leg,
)
from tenders.ledger.permissions import may_reverse_entries

if TYPE_CHECKING:  # an entry may name the instruction it posts for (the instructions are beside)
    from tenders.instructions.models import Instruction

BATCH = 1000
DESCRIPTION_LENGTH = JournalEntry._meta.get_field("description").max_length or 300

WARRANTS = "WARRANTS"
USD = "USD"


@dataclass(frozen=True, slots=True)
class LegInput:
    """What `account` receives (+) or gives (-) of `asset`, as people count it: dollars of
    principal or cash, whole warrants."""

    account: LedgerAccount
    asset: Asset
    amount: Decimal


@dataclass(frozen=True, slots=True)
class EntryInput:
    """One movement to post once: `occasion` names it (`exchange:i42`)."""

    occasion: str
    kind: EntryKind
    posted_on: date
    description: str
    legs: Sequence[LegInput]
    offer: ExchangeOffer | None = None
    instruction: "Instruction | None" = None
    client_account: ClientAccount | None = None


@dataclass(frozen=True, slots=True)
class _Checked:
    entry: EntryInput
    quantities: list[int]  # each leg's, in its asset's smallest unit
    reverses: JournalEntry | None = None  # set by entry_reverse only


_KINDS = frozenset(EntryKind.values)  # Choices.values builds its list on every call


def _check(entry: EntryInput) -> _Checked:
    """The entry's legs in whole units, summing to zero for each asset; or a ValidationError
    that names the entry, and the asset and its sum."""
    where = f"Entry {entry.occasion}"
    if not entry.occasion or len(entry.occasion) > OCCASION_LENGTH:
        raise ValidationError(f"An entry's occasion is 1 to {OCCASION_LENGTH} characters.")
    if entry.kind not in _KINDS:
        raise ValidationError(f"{where}: {entry.kind!r} is not a kind of entry.")
    if not entry.description.strip() or len(entry.description) > DESCRIPTION_LENGTH:
        raise ValidationError(f"{where}: a description is 1 to {DESCRIPTION_LENGTH} characters.")
    if not entry.legs:
        raise ValidationError(f"{where} has no legs.")
    quantities = []
    for leg in entry.legs:
        if leg.account.pk is None or leg.asset.pk is None:
            raise ValidationError(f"{where}: a leg names an account or asset not saved.")
        try:
            units = leg.asset.to_units(leg.amount)
        except FractionOfAUnit as exc:
            raise ValidationError(
                f"{where}: {leg.amount} of {leg.asset.code} is not a whole number of its "
                f"smallest unit ({exc})."
            ) from None
        if units == 0:
            raise ValidationError(f"{where}: a leg of zero {leg.asset.code} moves nothing.")
        quantities.append(units)
    # By the asset's id: a model instance hashes slowly, and an entry is checked per holder.
    off = sums_off_zero(
        (leg.asset.pk, units) for leg, units in zip(entry.legs, quantities, strict=True)
    )
    if off:
        assets = {leg.asset.pk: leg.asset for leg in entry.legs}
        asset, units = sorted(
            ((assets[pk], units) for pk, units in off.items()), key=lambda item: item[0].code
        )[0]
        raise ValidationError(
            f"{where} does not balance: {asset.code} sums to {asset.amount(units):,}, not zero."
        )
    return _Checked(entry, quantities)


@dataclass(frozen=True, slots=True)
class _LegRow:
    """A leg to write: its account, asset and quantity in the asset's smallest unit (no model
    instance: a posting may write a hundred thousand)."""

    account: LedgerAccount
    asset: Asset
    quantity: int


# An entry's columns as the service writes them (`txid` is the database's: a trigger sets it).
_ENTRY_FIELDS = [
    f.attname for f in JournalEntry._meta.concrete_fields if not f.primary_key and f.name != "txid"
]


def _insert(rows: list[tuple[JournalEntry, list[_LegRow]]]) -> None:
    """Entries, then their legs, each in bulk, in the caller's transaction (on PostgreSQL the
    legs must be written in the transaction that wrote their entry)."""
    entries = [entry for entry, _ in rows]
    # The entries' values are in their stored form already (text, dates, instants, ids; the
    # kind's value): on PostgreSQL they are copied with ids from the sequence, not prepared
    # through each field by bulk_create (a consummation posts an entry per holder).
    stored = [{name: getattr(entry, name) for name in _ENTRY_FIELDS} for entry in entries]
    for row in stored:
        row["kind"] = str(row["kind"])
    if bulk.allocate_ids(JournalEntry, stored):
        bulk.insert(JournalEntry, stored)
        for entry, row in zip(entries, stored, strict=True):
            entry.pk = row["id"]
            entry._state.adding, entry._state.db = False, connection.alias
    else:
        JournalEntry.objects.bulk_create(entries, batch_size=BATCH)
    # The legs in their stored form (a feed posts a leg per account: bulk_create would prepare
    # each value through its field, tenders/accounts/bulk.py says why that is slow).
    legs = []
    for entry, entry_legs in rows:
        for leg in entry_legs:
            legs.append(
                {"entry_id": entry.pk, "account_id": leg.account.pk, "asset_id": leg.asset.pk,
                 "quantity": leg.quantity}
            )  # fmt: skip
    bulk.insert(Leg, legs)


def _positions_keep(
    rows: list[tuple[JournalEntry, list[_LegRow]]], *, by: User, reason: str | None
) -> None:
    """Position is the ledger's cached balance (docs/ledger.md): what the legs give a client in
    a security's principal moves its position here, in the posting's transaction, with the
    position's audit-trail rows. Nothing else writes `Position.principal`. A position that
    would fall below zero refuses the whole posting."""
    deltas: dict[tuple[int, int], int] = defaultdict(int)
    assets: dict[int, Asset] = {}
    for _, legs in rows:
        for leg in legs:
            client = leg.account.client_account_id
            security = leg.asset.security_id
            if leg.account.kind != LedgerAccountKind.CLIENT or client is None or security is None:
                continue
            deltas[(client, security)] += leg.quantity
            assets[security] = leg.asset
    moved = {key: units for key, units in deltas.items() if units}
    if not moved:
        return
    held = _positions_held(moved)
    created: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for (account_id, security_id), units in sorted(moved.items()):
        pk, before = held.get((account_id, security_id), (None, Decimal("0")))
        after = before + assets[security_id].amount(units)
        if after < 0:
            raise ValidationError(
                f"The position of client account {account_id} in {assets[security_id].code} "
                f"would fall below zero ({dollars(before)} held, {dollars(after - before)} moved)."
            )
        row = {"account_id": account_id, "security_id": security_id, "principal": after}
        if pk is None:
            created.append(row)
        else:
            changed.append({"id": pk, **row})
    if reason is None:  # the audit trail's reason: the entry's description, or the caller's
        first = rows[0][0]
        reason = first.description if len(rows) == 1 else f"{first.description} (and others)"
    stamp = bulk.Stamp(user=by, **stamped(), reason=reason)
    _positions_insert(created, stamp=stamp)
    if changed:
        bulk.update(Position, ["principal"], [(row["principal"], row["id"]) for row in changed])
        bulk.history(Position, changed, changed=True, stamp=stamp)


def _positions_held(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, Decimal]]:
    """{(account, security): (position pk, principal)} of the positions on file, locked."""
    keys = list(keys)
    account_ids = sorted({account for account, _ in keys})
    securities = sorted({security for _, security in keys})
    held = {}
    for start in range(0, len(account_ids), BATCH):
        rows = (
            Position.objects.select_for_update()
            .filter(account_id__in=account_ids[start : start + BATCH], security_id__in=securities)
            .values_list("pk", "account_id", "security_id", "principal")
        )
        for pk, account_id, security_id, principal in rows:
            held[(account_id, security_id)] = (pk, principal)
    return held


def _positions_insert(rows: list[dict[str, Any]], *, stamp: bulk.Stamp) -> None:
    """New positions and their audit-trail rows, in bulk (tenders/accounts/bulk.py says why)."""
    if not rows:
        return
    if bulk.allocate_ids(Position, rows):
        bulk.insert(Position, rows)
    else:
        bulk.insert(Position, rows)
        ids = _positions_held((r["account_id"], r["security_id"]) for r in rows)
        for row in rows:
            row["id"] = ids[(row["account_id"], row["security_id"])][0]
    bulk.history(Position, rows, changed=False, stamp=stamp)


def entries_post(*, entries: Sequence[EntryInput], by: User) -> list[JournalEntry]:
    """Post the entries, in one transaction: each one's legs in whole units of their assets,
    summing to zero for each asset, or nothing is written. An occasion posted already is
    skipped, and its entry returned as it was posted (posting again is harmless). Returns the
    entries in the order given."""
    return _post([_check(entry) for entry in entries], by=by)


def _post(
    checked: list[_Checked], *, by: User, reason: str | None = None, again: bool = True
) -> list[JournalEntry]:
    occasions = [c.entry.occasion for c in checked]
    repeated = sorted(o for o, count in Counter(occasions).items() if count > 1)
    if repeated:
        raise ValidationError(f"Each occasion is posted once: {', '.join(repeated)} repeated.")
    with transaction.atomic():
        try:
            # A savepoint: another transaction may post one of these occasions and commit
            # first. Its unique index stops this one; the posting is then made again, once,
            # and finds that entry posted (PostgreSQL reads what committed since).
            with transaction.atomic():
                return _post_once(checked, occasions, by=by, reason=reason)
        except IntegrityError:
            if not again or not _any_posted(occasions):
                raise
        return _post(checked, by=by, reason=reason, again=False)


def _any_posted(occasions: list[str]) -> bool:
    return any(
        JournalEntry.objects.filter(occasion__in=occasions[start : start + BATCH]).exists()
        for start in range(0, len(occasions), BATCH)
    )


def _posted(occasions: list[str]) -> dict[str, JournalEntry]:
    """{occasion: its entry} of the occasions posted already, asked in batches: one IN list of
    a whole book's occasions costs the database more than its size (bench/consummation.py)."""
    posted: dict[str, JournalEntry] = {}
    for start in range(0, len(occasions), BATCH):
        posted.update(
            JournalEntry.objects.in_bulk(occasions[start : start + BATCH], field_name="occasion")
        )
    return posted


def _post_once(
    checked: list[_Checked], occasions: list[str], *, by: User, reason: str | None
) -> list[JournalEntry]:
    posted = _posted(occasions)
    stamps = stamped()
    rows = [
        (
            JournalEntry(
                occasion=c.entry.occasion,
                kind=c.entry.kind,
                posted_on=c.entry.posted_on,
                description=c.entry.description,
                # By id: a consummation posts an entry per holder, and each related object set
                # through its descriptor costs more than the rest of the entry.
                offer_id=c.entry.offer.pk if c.entry.offer else None,
                instruction_id=c.entry.instruction.pk if c.entry.instruction else None,
                client_account_id=c.entry.client_account.pk if c.entry.client_account else None,
                reverses_id=c.reverses.pk if c.reverses else None,
                by_id=by.pk,
                **stamps,
            ),
            [
                _LegRow(account=leg.account, asset=leg.asset, quantity=units)
                for leg, units in zip(c.entry.legs, c.quantities, strict=True)
            ],
        )
        for c in checked
        if c.entry.occasion not in posted
    ]
    _insert(rows)
    _positions_keep(rows, by=by, reason=reason)
    made = {entry.occasion: entry for entry, _ in rows}
    return [posted.get(occasion) or made[occasion] for occasion in occasions]


def entry_reverse(*, entry: JournalEntry, on: date, reason: str, by: User) -> JournalEntry:
    """Post the reversal of `entry`, dated `on`: the same legs negated, of the same kind (so
    each kind's totals net out by themselves), naming the entry it reverses and why. The
    entry stays as it was; an entry is reversed once."""
    require(may_reverse_entries(user=by), "You may not reverse journal entries.")
    reason = reason.strip()
    prefix = f"Reversal of {entry.occasion}: "
    if not reason:
        raise ValidationError({"reason": "Say why the entry is reversed."})
    if len(prefix) + len(reason) > DESCRIPTION_LENGTH:
        raise ValidationError(
            {"reason": f"At most {DESCRIPTION_LENGTH - len(prefix)} characters for this entry."}
        )
    if on < entry.posted_on:
        raise ValidationError(
            {"on": f"A reversal is dated on or after its entry ({long_date(entry.posted_on)})."}
        )
    with transaction.atomic():
        # The entry's row, locked: a second reversal waits for the first, then finds it.
        locked = (
            JournalEntry.objects.select_for_update(of=("self",))
            .select_related("offer", "instruction", "client_account")
            .get(pk=entry.pk)
        )
        done = JournalEntry.objects.filter(reverses=locked).first()
        if done is not None:
            raise ValidationError(
                f"Entry {locked.occasion} was reversed already, by {done.occasion} on "
                f"{long_date(done.posted_on)}."
            )
        legs = locked.legs.select_related("account", "asset").order_by("pk")
        reversal = _check(
            EntryInput(
                occasion=f"reversal:j{locked.pk}",
                kind=EntryKind(locked.kind),
                posted_on=on,
                description=prefix + reason,
                legs=[
                    LegInput(
                        account=leg.account, asset=leg.asset, amount=-leg.asset.amount(leg.quantity)
                    )
                    for leg in legs
                ],
                offer=locked.offer,
                instruction=locked.instruction,
                client_account=locked.client_account,
            )
        )
        (posted,) = _post([replace(reversal, reverses=locked)], by=by)
    return posted


# The assets and ledger accounts, made on first use


@dataclass(frozen=True, slots=True)
class OfferAssets:
    """What an offer's postings move: its Old and New Notes, the warrants, US dollars."""

    old_notes: Asset
    new_notes: Asset
    warrants: Asset
    cash: Asset


def security_asset_get_or_create(*, security: Security) -> Asset:
    """The security's principal as an asset, in cents, coded by its CUSIP."""
    asset, _ = Asset.objects.get_or_create(
        security=security,
        defaults={
            "code": security.cusip,
            "kind": AssetKind.NOTES,
            "name": security.short_name,
            "scale": 2,
        },
    )
    return asset


def offer_assets_get_or_create(*, offer: ExchangeOffer) -> OfferAssets:
    warrants, _ = Asset.objects.get_or_create(
        code=WARRANTS, defaults={"kind": AssetKind.WARRANTS, "name": "Warrants", "scale": 0}
    )
    cash, _ = Asset.objects.get_or_create(
        code=USD, defaults={"kind": AssetKind.CASH, "name": "US dollars", "scale": 2}
    )
    return OfferAssets(
        old_notes=security_asset_get_or_create(security=offer.old_security),
        new_notes=security_asset_get_or_create(security=offer.new_security),
        warrants=warrants,
        cash=cash,
    )


def client_ledger_account_get_or_create(*, account: ClientAccount) -> LedgerAccount:
    """What the firm holds for the client of `account`."""
    ledger_account, _ = LedgerAccount.objects.get_or_create(
        client_account=account, defaults={"kind": LedgerAccountKind.CLIENT}
    )
    return ledger_account


def dtc_ledger_account_get_or_create(*, firm: BrokerFirm) -> LedgerAccount:
    """The firm's position at DTC, as a location."""
    ledger_account, _ = LedgerAccount.objects.get_or_create(kind=LedgerAccountKind.DTC, firm=firm)
    return ledger_account


def cash_ledger_account_get_or_create(*, firm: BrokerFirm) -> LedgerAccount:
    """The firm's cash, as a location."""
    ledger_account, _ = LedgerAccount.objects.get_or_create(kind=LedgerAccountKind.CASH, firm=firm)
    return ledger_account


def agent_ledger_account_get_or_create(*, offer: ExchangeOffer) -> LedgerAccount:
    """The exchange agent of `offer`: the issuer's side, which delivers and takes."""
    ledger_account, _ = LedgerAccount.objects.get_or_create(
        kind=LedgerAccountKind.AGENT, offer=offer
    )
    return ledger_account


def client_ledger_accounts_get_or_create(*, account_ids: Iterable[int]) -> dict[int, LedgerAccount]:
    """{client account id: its ledger account} for many accounts at once (a feed of 100,000
    lines cannot afford a query each): the missing ones are made in bulk."""
    wanted = sorted(set(account_ids))
    found: dict[int, LedgerAccount] = {}
    for start in range(0, len(wanted), BATCH):
        for ledger_account in LedgerAccount.objects.filter(
            kind=LedgerAccountKind.CLIENT, client_account_id__in=wanted[start : start + BATCH]
        ):
            # A client ledger account always names its client account (a CHECK says so).
            found[cast(int, ledger_account.client_account_id)] = ledger_account
    missing: list[dict[str, Any]] = [
        {"kind": LedgerAccountKind.CLIENT.value, "client_account_id": pk}
        for pk in wanted
        if pk not in found
    ]
    # In their stored form, as the legs (_insert); the ids are looked up where the database
    # does not hand them out first.
    if bulk.allocate_ids(LedgerAccount, missing):
        bulk.insert(LedgerAccount, missing)
        for row in missing:
            account_id = row["client_account_id"]
            found[account_id] = LedgerAccount(
                pk=row["id"], kind=LedgerAccountKind.CLIENT, client_account_id=account_id
            )
        return found
    bulk.insert(LedgerAccount, missing)
    if missing:
        return client_ledger_accounts_get_or_create(account_ids=wanted)
    return found


# Positions, through the ledger


@dataclass(frozen=True, slots=True)
class PositionMove:
    """A client's position in a security as it is to stand: `principal`; `held` is what it was
    (None for a position not yet on file)."""

    account_id: int
    firm_id: int
    security: Security
    principal: Decimal
    held: Decimal | None


def positions_post(
    *, moves: Sequence[PositionMove], by: User, description: str, on: date | None = None
) -> list[JournalEntry]:
    """Bring each position to its principal through the books, dated `on` (the business date
    unless given): for each firm and security, one OPENING entry for the new positions and one
    ADJUSTMENT of the differences for the changed ones, each client's leg against the firm's
    DTC account. The positions follow in the same transaction (`_positions_keep`); a new
    position of zero has no leg, and its row is written here."""
    on = on or clock.today()
    groups: dict[tuple[EntryKind, int, int], list[tuple[int, Decimal]]] = defaultdict(list)
    securities: dict[int, Security] = {}
    empty: list[dict[str, Any]] = []
    for move in moves:
        securities[move.security.pk] = move.security
        kind = EntryKind.OPENING if move.held is None else EntryKind.ADJUSTMENT
        delta = move.principal - (move.held or Decimal("0"))
        if delta:
            groups[(kind, move.firm_id, move.security.pk)].append((move.account_id, delta))
        elif move.held is None:
            empty.append(
                {"account_id": move.account_id, "security_id": move.security.pk, "principal": 0}
            )
    with transaction.atomic():
        _positions_insert(empty, stamp=bulk.Stamp(user=by, **stamped(), reason=description))
        if not groups:
            return []
        clients = client_ledger_accounts_get_or_create(
            account_ids=(pk for group in groups.values() for pk, _ in group)
        )
        firms = BrokerFirm.objects.in_bulk({firm for _, firm, _ in groups})
        assets = {pk: security_asset_get_or_create(security=s) for pk, s in securities.items()}
        # The occasion names the firm, the security and this posting: positions change many
        # times, and each change is posted once, in the transaction that makes it.
        posting = uuid.uuid4().hex[:12]
        entries = []
        for (kind, firm_id, security_id), group in sorted(groups.items()):
            asset = assets[security_id]
            dtc = dtc_ledger_account_get_or_create(firm=firms[firm_id])
            legs = [LegInput(account=clients[pk], asset=asset, amount=d) for pk, d in group]
            total = sum((d for _, d in group), Decimal("0"))
            if total:
                legs.append(LegInput(account=dtc, asset=asset, amount=-total))
            label = "Opening positions" if kind == EntryKind.OPENING else "Positions adjusted"
            entries.append(
                EntryInput(
                    occasion=f"{kind.value}:f{firm_id}:s{security_id}:{posting}",
                    kind=kind,
                    posted_on=on,
                    description=f"{label}: {description}"[:DESCRIPTION_LENGTH],
                    legs=legs,
                    client_account=ClientAccount(pk=group[0][0]) if len(group) == 1 else None,
                )
            )
        return _post([_check(entry) for entry in entries], by=by, reason=description)
