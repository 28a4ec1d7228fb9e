"""The positions feed as a file: its columns, and each line read into a `FeedRow` or refused
with its line number and the reason. Nothing here reads the database: the firms and the
security are given.

The file is CSV in UTF-8 (a byte-order mark is allowed), one header line, then one line per
account. See docs/rules.md, "Positions import", for the columns.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django_countries import countries
from localflavor.us.us_states import US_STATES
from phonenumber_field.phonenumber import to_python as to_phone_number

from exchange_office.formatting import dollars
from tenders.domain.account_fields import (
    ACCOUNT_NUMBER_LENGTH,
    ADDRESS_LINE_LENGTH,
    CITY_LENGTH,
    CONTROL,
    OWNER_NAME_LENGTH,
    account_number_problem,
    control_problem,
    length_problem,
)
from tenders.instructions.forms import AMOUNT_AS_WRITTEN

# Column -> the longest value accepted (the model's field length; owners: the whole list).
COLUMNS: dict[str, int] = {
    "participant": 8,
    "account_number": ACCOUNT_NUMBER_LENGTH,
    "owners": 2000,
    "address_line1": ADDRESS_LINE_LENGTH,
    "address_line2": ADDRESS_LINE_LENGTH,
    "city": CITY_LENGTH,
    "state": 2,
    "postal_code": 10,
    "country": 2,
    "email": 254,
    "phone": 30,
    "principal": 25,
}
OPTIONAL_COLUMNS: dict[str, int] = {"cusip": 12}
OWNER_SEPARATOR = ";"
MAX_OWNERS = 10

PARTICIPANT = re.compile(r"\d{3,8}", re.ASCII)
ZIP_CODE = re.compile(r"\d{5}(?:-\d{4})?", re.ASCII)


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One account as the feed states it, every value checked and in its stored form."""

    line: int
    participant: str
    account_number: str
    owners: tuple[str, ...]
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    country: str
    email: str
    phone: str  # E.164, or ""
    principal: Decimal


@dataclass(frozen=True, slots=True)
class Refusal:
    line: int  # 0: the file as a whole (the reason names it)
    account_number: str
    reason: str

    def __str__(self) -> str:
        if not self.line:
            return self.reason
        account = f" (account {self.account_number})" if self.account_number else ""
        return f"Line {self.line}{account}: {self.reason}"


class FileRefused(Exception):
    """The file cannot be read as a positions feed at all (its header, its encoding)."""


def _email_validator() -> EmailValidator:
    """Django's e-mail check, with its patterns compiled now rather than behind a lazy object
    on every call (a third of its time over a feed)."""
    validator = EmailValidator()
    for name in ("user_regex", "domain_regex", "literal_regex"):
        lazy = getattr(EmailValidator, name)
        setattr(validator, name, re.compile(lazy.pattern, lazy.flags))
    return validator


validate_email = _email_validator()


@lru_cache(maxsize=1)
def _state_codes() -> frozenset[str]:
    return frozenset(code for code, _ in US_STATES)


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    return frozenset(code for code, _ in countries)


@lru_cache(maxsize=1 << 18)
def _phone(raw: str) -> str | None:
    """The number in E.164 (as PhoneNumberField stores it), or None if it is not valid."""
    number = to_phone_number(raw, region="US")
    if number is None or isinstance(number, str) or not number.is_valid():
        return None
    return str(number.as_e164)


def size_check(size: int, *, limit: int) -> None:
    """Refuse a file larger than `limit` bytes, from its size alone (before it is read)."""
    if size > limit:
        raise FileRefused(
            f"The file is {size:,} bytes, more than the {limit:,} bytes "
            f"({limit / 2**20:.3g} MB) one import takes: split it into smaller files."
        )


def decode(data: bytes) -> str:
    """The file's text: UTF-8, with or without a byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read): save it as "
            "CSV UTF-8."
        ) from None


def _header(cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    problems = []
    if "tin" in names or "taxpayer_id" in names:
        problems.append(
            "taxpayer IDs are not part of the feed (operations enter them on the account)"
        )
    unknown = [n for n in names if n not in COLUMNS and n not in OPTIONAL_COLUMNS]
    unknown = [n for n in unknown if n not in ("tin", "taxpayer_id")]
    if unknown:
        problems.append("unknown columns: " + ", ".join(repr(n) for n in unknown))
    missing = [n for n in COLUMNS if n not in names]
    if missing:
        problems.append("missing columns: " + ", ".join(missing))
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.append("columns given twice: " + ", ".join(repeated))
    if problems:
        raise FileRefused(
            "The header (line 1) does not name the feed's columns: " + "; ".join(problems) + "."
        )
    return names


def read_lines(text: str, *, max_rows: int) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) for each line after the header, one at a time as the
    CSV reader reaches it; blank lines are skipped. A line with the wrong number of values
    gives {} (refused by `check_row`). More than `max_rows` account lines refuse the file as
    soon as the next one is read (nothing past it is parsed)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header_cells = next(reader, None)
    except csv.Error as exc:
        raise FileRefused(f"Line 1 cannot be read as CSV: {exc}.") from None
    if header_cells is None:
        raise FileRefused("The file is empty: it needs a header line and one line per account.")
    names = _header(header_cells)
    width = len(names)
    line = reader.line_num
    rows = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileRefused(f"Line {reader.line_num} cannot be read as CSV: {exc}.") from None
        first, line = line + 1, reader.line_num
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        rows += 1
        if rows > max_rows:
            raise FileRefused(
                f"The file has more than {max_rows:,} account lines, the most one import "
                "takes: split it into smaller files."
            )
        if first != line:  # a quoted value ran over several lines
            yield first, {"": "a value runs over several lines"}
        elif len(cells) != width:
            yield first, {"": f"{len(cells)} values where the header names {width}"}
        else:
            yield first, dict(zip(names, cells, strict=True))


def check_row(
    line: int,
    values: dict[str, str],
    *,
    participants: frozenset[str] | None,
    increment: Decimal,
    cusip: str,
) -> FeedRow | Refusal:
    """The line as a `FeedRow`, or the first reasons it is refused (all of them, joined).
    `participants` are the firms the file may name (None: any, checked later)."""
    account_number = values.get("account_number", "").strip()[:ACCOUNT_NUMBER_LENGTH]
    if "" in values:
        return Refusal(line, "", values[""] + ".")
    problems: list[str] = []
    suspect = CONTROL.search("".join(values.values()))
    for column, value in values.items():
        limit = COLUMNS.get(column) or OPTIONAL_COLUMNS[column]
        # A NUL first, then the length, then any other control character: the checks of the
        # account's fields (tenders.domain.account_fields), on every column.
        problem = (
            (control_problem(value) if suspect and "\x00" in value else "")
            or length_problem(value, limit=limit)
            or (control_problem(value) if suspect else "")
        )
        if problem:
            problems.append(f"{column} {problem}")
    if problems:
        return Refusal(line, account_number, "; ".join(problems) + ".")
    v = {column: value.strip() for column, value in values.items()}

    participant = v["participant"]
    if not PARTICIPANT.fullmatch(participant):
        problems.append(
            f"participant {participant!r} is not a DTC participant number (3 to 8 digits)"
        )
    elif participants is not None and participant not in participants:
        allowed = ", ".join(sorted(participants))
        problems.append(f"participant {participant} is not the firm being imported ({allowed})")
    # The characters the admin's account form refuses too (tenders.domain.account_fields).
    if problem := account_number_problem(account_number):
        problems.append(f"account_number {problem}")
    owners = tuple(" ".join(n.split()) for n in v["owners"].split(OWNER_SEPARATOR))
    if not v["owners"] or not all(owners):
        problems.append("owners must name each owner, separated by ';'")
    elif len(owners) > MAX_OWNERS:
        problems.append(f"owners names {len(owners)} owners, at most {MAX_OWNERS}")
    elif any(len(name) > OWNER_NAME_LENGTH for name in owners):
        problems.append(f"an owner's name is longer than {OWNER_NAME_LENGTH} characters")
    for column in ("address_line1", "city"):
        if not v[column]:
            problems.append(f"{column} is blank")
    country = v["country"].upper()
    if country not in _country_codes():
        problems.append(f"country {v['country']!r} is not an ISO 3166 two-letter code")
    state = v["state"].upper()
    if state and state not in _state_codes():
        problems.append(f"state {v['state']!r} is not a USPS state code")
    elif country == "US" and not state:
        problems.append("state is blank for a US address")
    elif country != "US" and state:
        problems.append("state is given for an address outside the US")
    postal_code = v["postal_code"]
    if postal_code and not ZIP_CODE.fullmatch(postal_code):
        problems.append(f"postal_code {postal_code!r} is not a ZIP code (12345 or 12345-6789)")
    elif country == "US" and not postal_code:
        problems.append("postal_code is blank for a US address")
    email = v["email"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"email {email!r} is not an e-mail address")
    phone = ""
    if v["phone"]:
        phone = _phone(v["phone"]) or ""
        if not phone:
            problems.append(f"phone {v['phone']!r} is not a valid telephone number")
    principal = Decimal(0)
    raw = v["principal"]
    if not AMOUNT_AS_WRITTEN.fullmatch(raw) or raw.startswith("$"):
        problems.append(
            f"principal {raw!r} is not an amount in whole dollars (e.g. 125000, 125,000 or "
            "125,000.00)"
        )
    else:
        principal = Decimal(raw.replace(",", ""))
        if principal % increment:
            problems.append(
                f"principal {dollars(principal)} is not a whole multiple of {dollars(increment)}"
            )
    if "cusip" in v and v["cusip"].replace(" ", "").upper() != cusip:
        problems.append(f"cusip {v['cusip']!r} is not the Old Notes' CUSIP {cusip}")
    if problems:
        return Refusal(line, account_number, "; ".join(problems) + ".")
    return FeedRow(
        line=line,
        participant=participant,
        account_number=account_number,
        owners=owners,
        address_line1=v["address_line1"],
        address_line2=v["address_line2"],
        city=v["city"],
        state=state,
        postal_code=postal_code,
        country=country,
        email=email,
        phone=phone,
        principal=principal,
    )
