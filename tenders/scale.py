"""A synthetic book for measuring the office at scale: `manage.py load_scale --accounts N`.

It adds firms of its own ("Scale Securities 1", DTC 9501, ...), one representative each
(`scale-rep-1`, ...; no usable password: the benchmarks sign them in directly), and N client
accounts dealt round the firms, each with its owners (one account in seven is joint), an
address, e-mail, telephone, SSN (encrypted, as the office stores it) and a position in the
offer's Old Notes. Three accounts in five have an instruction for the offer, in every state an
open offer's instructions can be in:

    share  what the account's instructions are
    25%    received (v1): "tender all" or a stated amount, alternately
    15%    submitted to the exchange agent (v1), resolved to its amount
     5%    withdrawn (v1)
    10%    amended: v1 superseded, v2 received
     5%    amended and sent: v1 superseded, v2 submitted

Accepted and returned come only with the offer's consummation or termination, which the
operations run on the whole book (and which would end the open offer the pages show).
Every instruction has its owners' signatures and its status changes, as the services write
them. The values are written in their stored form with one statement per table and batch
(COPY on PostgreSQL), through the positions import's bulk writer (why not `bulk_create`:
see tenders/accounts/bulk.py). No audit-trail rows are written for the synthetic
rows but the positions, which the books write with theirs (one OPENING entry per firm and
round of accounts, a leg per account), and nothing is e-mailed or rendered.

Running it again tops the book up to N accounts: the accounts already there are kept.
Positions add up to more than the issue's $27,412,000 at this size: the figures on the
tabulation page are the book's, not 2001's.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from exchange_office import clock
from exchange_office.encryption import encrypt, keyed_hash
from notes.models import ExchangeOffer
from tenders.accounts import bulk
from tenders.accounts.command_line import command_line_user
from tenders.accounts.models import (
    AccountOwner,
    BrokerFirm,
    ClientAccount,
    Representative,
)
from tenders.accounts.validators import validate_account_fields
from tenders.domain.lifecycle import Status
from tenders.domain.tin import last_four, normalize_tin
from tenders.instructions.models import Instruction, InstructionSigner, InstructionTransition
from tenders.ledger.services import PositionMove, positions_post

FIRM_NAME = "Scale Securities {}"
FIRM_PARTICIPANT = "95{:02d}"  # DTC 9501, 9502, ...: clear of the demo's 0901-0903
REP_USERNAME = "scale-rep-{}"
STATES = ("NY", "NJ", "CT", "PA", "MA", "CA", "IL", "TX", "FL", "OH")
CITY = "Springfield"
CHUNK = 10_000  # accounts written per round (memory stays flat at any N)

# What account i's instructions are, by i % 20 (the table in the module's docstring).
NONE, RECEIVED, SUBMITTED, WITHDRAWN, AMENDED, AMENDED_SENT = range(6)
PLAN = [NONE] * 8 + [RECEIVED] * 5 + [SUBMITTED] * 3 + [WITHDRAWN] + [AMENDED] * 2 + [AMENDED_SENT]


@dataclass(frozen=True, slots=True)
class ScaleReport:
    firms: int
    accounts_before: int
    accounts_created: int
    instructions_created: int
    seconds: float

    def line(self) -> str:
        return (
            f"firms={self.firms} accounts={self.accounts_before + self.accounts_created} "
            f"created={self.accounts_created} instructions={self.instructions_created} "
            f"seconds={self.seconds:.1f}"
        )


def account_number(firm_index: int, index: int) -> str:
    return f"SC{firm_index}-{index:07d}"


def owner_names(index: int) -> list[str]:
    """One owner; every seventh account is joint."""
    return [f"Client {index} Holder", *([f"Joint {index} Holder"] if index % 7 == 0 else [])]


def ssn_for(index: int) -> str:
    """A valid SSN per account (area 100-664, group 10-98, serial 0001-9999)."""
    area, group, serial = 100 + index % 565, 10 + index % 89, 1 + index % 9999
    return normalize_tin("SSN", f"{area:03d}-{group:02d}-{serial:04d}")


def principal_for(index: int) -> Decimal:
    """$1,000 to $250,000 in whole thousands, spread evenly."""
    return Decimal(1000 * (1 + (index * 37) % 250))


def _firms(count: int) -> list[tuple[BrokerFirm, User]]:
    firms = []
    for k in range(1, count + 1):
        firm, _ = BrokerFirm.objects.get_or_create(
            dtc_participant_number=FIRM_PARTICIPANT.format(k),
            defaults={
                "name": FIRM_NAME.format(k),
                "address": f"{k} Scale Plaza\nNew York, NY 10004",
                "email": f"operations@scale{k}.example",
            },
        )
        user, created = User.objects.get_or_create(
            username=REP_USERNAME.format(k),
            defaults={"first_name": "Scale", "last_name": f"Representative {k}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Representative.objects.get_or_create(user=user, defaults={"firm": firm})
        firms.append((firm, user))
    return firms


def _ids(model: type[Any], rows: list[dict[str, Any]], key: tuple[str, ...]) -> None:
    """Give each inserted row its id, looked up by its natural key (on PostgreSQL they were
    allocated before the insert)."""
    if "id" in rows[0]:
        return
    firsts = {row[key[0]] for row in rows}
    found = {
        tuple(values[:-1]): values[-1]
        for values in model.objects.filter(**{f"{key[0]}__in": firsts}).values_list(*key, "id")
    }
    for row in rows:
        row["id"] = found[tuple(row[name] for name in key)]


def _insert(model: type[Any], rows: list[dict[str, Any]], key: tuple[str, ...]) -> None:
    if not rows:
        return
    bulk.allocate_ids(model, rows)
    bulk.insert(model, rows)
    _ids(model, rows, key)


def _indices(firm_count: int, accounts: int, existing: set[str]) -> Iterator[list[int]]:
    batch: list[int] = []
    for index in range(accounts):
        if account_number(index % firm_count + 1, index) in existing:
            continue
        batch.append(index)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


class _Writer:
    """One round of accounts and everything that hangs off them."""

    def __init__(self, offer: ExchangeOffer, firms: list[tuple[BrokerFirm, User]]) -> None:
        self.offer = offer
        self.firms = firms
        self.now = clock.now()
        self.wall = clock.wall_now()
        self.commenced = datetime.combine(
            offer.commencement_date, datetime.min.time(), tzinfo=self.now.tzinfo
        ) + timedelta(hours=9)
        self.span = max((self.now - self.commenced).total_seconds(), 60.0)

    def received_at(self, index: int, version: int) -> datetime:
        """Spread over the offer so far; a second version an hour after the first."""
        at = self.commenced + timedelta(seconds=(index * 7919) % int(self.span * 0.9))
        return min(at + timedelta(hours=version - 1), self.now)

    def write(self, indices: list[int]) -> int:
        accounts: list[dict[str, Any]] = []
        for index in indices:
            firm, _ = self.firms[index % len(self.firms)]
            tin = ssn_for(index)
            number = account_number(index % len(self.firms) + 1, index)
            address_line1 = f"{index % 9000 + 1} Main Street"
            address_line2 = f"Apt {index % 40 + 1}" if index % 3 == 0 else ""
            # Inserted in bulk, past full_clean(): the fields' rules are checked here instead.
            validate_account_fields(
                account_number=number,
                owners=owner_names(index),
                address_line1=address_line1,
                address_line2=address_line2,
                city=CITY,
            )
            accounts.append(
                {
                    "firm_id": firm.pk,
                    "account_number": number,
                    "address_line1": address_line1,
                    "address_line2": address_line2,
                    "city": CITY,
                    "state": STATES[index % len(STATES)],
                    "postal_code": f"{10000 + index % 89999:05d}",
                    "country": "US",
                    "phone": f"+1212{200 + index % 800:03d}{index % 10000:04d}",
                    "email": f"client{index}@scale.example",
                    "tin_type": "SSN",
                    "tin": encrypt(tin),
                    "tin_last4": last_four(tin),
                    "tin_hash": keyed_hash(tin),
                    "_index": index,
                }
            )
        stored = [{k: v for k, v in a.items() if not k.startswith("_")} for a in accounts]
        _insert(ClientAccount, stored, ("account_number", "firm_id"))
        owners: list[dict[str, Any]] = []
        positions: list[PositionMove] = []
        for account, row in zip(accounts, stored, strict=True):
            account_id = account["id"] = row["id"]
            index = account["_index"]
            account["owners"] = [
                {"account_id": account_id, "sequence": sequence, "name": name}
                for sequence, name in enumerate(owner_names(index), start=1)
            ]
            owners.extend(account["owners"])
            positions.append(
                PositionMove(
                    account_id=account_id,
                    firm_id=row["firm_id"],
                    security=self.offer.old_security,
                    principal=principal_for(index),
                    held=None,
                )
            )
        _insert(AccountOwner, owners, ("account_id", "sequence"))
        # Through the books: one OPENING entry per firm and round, a leg per account.
        positions_post(moves=positions, by=command_line_user(), description="load_scale")
        return self._instructions(accounts)

    def _instructions(self, accounts: list[dict[str, Any]]) -> int:
        firsts: list[dict[str, Any]] = []
        seconds: list[dict[str, Any]] = []
        plans: list[tuple[dict[str, Any], int]] = []
        for account in accounts:
            index = account["_index"]
            plan = PLAN[index % len(PLAN)]
            if plan == NONE:
                continue
            plans.append((account, plan))
            first_status = {
                RECEIVED: Status.RECEIVED,
                SUBMITTED: Status.SUBMITTED,
                WITHDRAWN: Status.WITHDRAWN,
            }.get(plan, Status.SUPERSEDED)
            firsts.append(self._instruction(account, 1, first_status))
        _insert(Instruction, firsts, ("account_id", "version"))
        by_account = {row["account_id"]: row for row in firsts}
        for account, plan in plans:
            if plan in (AMENDED, AMENDED_SENT):
                status = Status.SUBMITTED if plan == AMENDED_SENT else Status.RECEIVED
                second = self._instruction(account, 2, status)
                second["supersedes_id"] = by_account[account["id"]]["id"]
                seconds.append(second)
        _insert(Instruction, seconds, ("account_id", "version"))
        owners = {account["id"]: account["owners"] for account, _ in plans}
        signers, transitions = [], []
        for instruction in [*firsts, *seconds]:
            user_id = instruction["entered_by_id"]
            at = instruction["received_at"]
            for owner in owners[instruction["account_id"]]:
                signers.append(
                    {
                        "instruction_id": instruction["id"],
                        "owner_id": owner["id"],
                        "typed_name": owner["name"],
                        "attested": True,
                        "recorded_by_id": user_id,
                        "business_at": at,
                        "wall_at": self.wall,
                    }
                )
            moves = [("", Status.RECEIVED)]
            if instruction["status"] != Status.RECEIVED:
                moves.append((Status.RECEIVED, instruction["status"]))
            for from_status, to_status in moves:
                transitions.append(
                    {
                        "instruction_id": instruction["id"],
                        "from_status": str(from_status),
                        "to_status": str(to_status),
                        "by_id": user_id,
                        "business_at": at if not from_status else at + timedelta(minutes=30),
                        "wall_at": self.wall,
                        "reason": "Synthetic book (load_scale).",
                    }
                )
        bulk.insert(InstructionSigner, signers)
        bulk.insert(InstructionTransition, transitions)
        return len(firsts) + len(seconds)

    def _instruction(self, account: dict[str, Any], version: int, status: str) -> dict[str, Any]:
        index = account["_index"]
        _, user = self.firms[index % len(self.firms)]
        position = principal_for(index)
        tender_all = (index // 20 + version) % 2 == 0 or position < 2000
        amount = None if tender_all else position // 2 // 1000 * 1000
        received = self.received_at(index, version)
        resolved = None
        if status == Status.SUBMITTED:
            resolved = position if tender_all else amount
        address = "\n".join(
            line
            for line in (
                account["address_line1"],
                account["address_line2"],
                f"{account['city']}, {account['state']} {account['postal_code']}",
            )
            if line
        )
        return {
            "account_id": account["id"],
            "offer_id": self.offer.pk,
            "version": version,
            "supersedes_id": None,
            "choice": "ALL" if tender_all else "AMOUNT",
            "amount": amount,
            "resolved_amount": resolved,
            "status": str(status),
            "form_date": received.date(),
            "signed_address": address,
            "signed_phone": account["phone"],
            "tin_type": "SSN",
            "tin": account["tin"],
            "tin_last4": account["tin_last4"],
            "entered_by_id": user.pk,
            "received_at": received,
            "received_wall_at": self.wall,
        }


def load_scale(*, offer: ExchangeOffer, accounts: int, firm_count: int = 3) -> ScaleReport:
    """Top the synthetic book up to `accounts` accounts over `firm_count` firms."""
    started = clock.wall_now()
    with transaction.atomic():
        firms = _firms(firm_count)
    existing = set(
        ClientAccount.objects.filter(firm__in=[firm for firm, _ in firms]).values_list(
            "account_number", flat=True
        )
    )
    created = instructions = 0
    writer = _Writer(offer, firms)
    for indices in _indices(firm_count, accounts, existing):
        # One transaction per round: a round is whole or absent, and a run stopped part way
        # is topped up by the next.
        with transaction.atomic():
            instructions += writer.write(indices)
        created += len(indices)
    return ScaleReport(
        firms=firm_count,
        accounts_before=len(existing),
        accounts_created=created,
        instructions_created=instructions,
        seconds=(clock.wall_now() - started).total_seconds(),
    )
