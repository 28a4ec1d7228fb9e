"""Bulk inserts and updates, and their audit-trail rows, for the positions import.

Django's `bulk_create` and simple-history's `bulk_create_with_history` prepare every value
through the field and the SQL compiler, about 6 µs a value; a created feed line writes about
57 values (the account, its owner and position, and an audit-trail row for each), so they
reach some 1,650 lines a second, a third of the aim (bench/README.md). Here the values are
already in their stored form (text, whole numbers, Decimal, None), so each statement is sent
once with all its rows (`executemany`). Whatever is the same on every row (the defaults of
the columns the feed does not set, the audit trail's user, clocks and reason) is prepared once
through the model's own fields, so the rows are those Django would write. The audit-trail rows
are the ones simple-history writes (its `tracked_fields`, `history_type` "+" for a creation
and "~" for a change), with the business time the office adds (`exchange_office.audit`).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import AutoField, BigAutoField, Field, Model, SmallAutoField

BATCH = 5000  # rows per executemany

_AUTO = (AutoField, BigAutoField, SmallAutoField)


def _column(field: Any) -> str:
    """A concrete field's column, quoted."""
    return connection.ops.quote_name(str(field.column))


def _columns(model: type[Model], with_pk: bool = False) -> list[Field]:
    return [f for f in model._meta.concrete_fields if with_pk or not isinstance(f, _AUTO)]


def allocate_ids(model: type[Model], rows: list[dict[str, Any]]) -> bool:
    """On PostgreSQL, give each row its primary key from the table's sequence (so nothing is
    looked up after the insert) and say so; elsewhere say that the ids are to be looked up."""
    if connection.vendor != "postgresql" or not rows:
        return False
    pk = str(model._meta.pk.column) if model._meta.pk else "id"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(model._meta.db_table), pk, len(rows)],
        )
        for row, (value,) in zip(rows, cursor.fetchall(), strict=True):
            row["id"] = value
    return True


def _sql_insert(model: type[Model], fields: Sequence[Field]) -> str:
    quote = connection.ops.quote_name
    names = ", ".join(_column(f) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"


def _executemany(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _copy(model: type[Model], fields: Sequence[Field], rows: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL's COPY: one stream for all the rows (executemany sends them one by one)."""
    quote = connection.ops.quote_name
    names = ", ".join(_column(f) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, inside Django's transaction
        # Django's errors, as for a query (a unique index refuses a row: IntegrityError).
        table = quote(model._meta.db_table)
        with (
            connection.wrap_database_errors,
            raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)


def insert(model: type[Model], rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows given as {attname: stored value}, every row with the same keys; a column
    not given takes its default, prepared once by its field."""
    fields, values = _stored(model, list(rows))
    if not values:
        return
    if connection.vendor == "postgresql":
        _copy(model, fields, values)
    else:
        _executemany(_sql_insert(model, fields), values)


def insert_new(model: type[Model], rows: Iterable[dict[str, Any]]) -> None:
    """`insert`, in the order given, leaving out each row whose unique key the table holds
    already (ON CONFLICT DO NOTHING: a row another transaction is writing is waited for,
    then left out). On PostgreSQL the rows are copied to a temporary table first (COPY: one
    stream, nothing quoted by psycopg), then inserted from it in one statement."""
    fields, values = _stored(model, list(rows))
    if not values:
        return
    if connection.vendor != "postgresql":
        _executemany(_sql_insert(model, fields) + " ON CONFLICT DO NOTHING", values)
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    staging = quote(f"staging_{model._meta.db_table}")
    names = ", ".join(_column(f) for f in fields)
    with connection.cursor() as cursor:
        # Dropped here, or with the transaction if anything fails before.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
            f"SELECT 0::bigint AS row_number, {names} FROM {table} WITH NO DATA"
        )
        copying = f"COPY {staging} (row_number, {names}) FROM STDIN"
        with connection.wrap_database_errors, cursor.cursor.copy(copying) as copy:
            for number, row in enumerate(values):
                copy.write_row((number, *row))
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} "
            "ORDER BY row_number ON CONFLICT DO NOTHING"
        )
        cursor.execute(f"DROP TABLE {staging}")


def _stored(
    model: type[Model], rows: list[dict[str, Any]]
) -> tuple[list[Field], list[tuple[Any, ...]]]:
    """The columns to write and each row's values for them: those given, then the defaults
    of the others (prepared once by their fields)."""
    if not rows:
        return [], []
    pk = model._meta.pk.attname if model._meta.pk else "id"
    fields = _columns(model, with_pk=pk in rows[0])
    given = [f for f in fields if f.attname in rows[0]]
    defaulted = [f for f in fields if f.attname not in rows[0]]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in defaulted)
    pick = itemgetter(*(f.attname for f in given))
    if len(given) == 1:
        values = [(pick(row), *defaults) for row in rows]
    else:
        values = [(*pick(row), *defaults) for row in rows]
    return [*given, *defaulted], values


def update(model: type[Model], attnames: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """UPDATE each row by primary key: `rows` are (value for each of `attnames`..., pk)."""
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in attnames]
    sets = ", ".join(f"{_column(f)} = %s" for f in fields)
    pk = _column(model._meta.pk)
    table = quote(model._meta.db_table)
    rows = list(rows)
    if connection.vendor != "postgresql":
        _executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", rows)
        return
    # PostgreSQL: one statement per batch, the new values joined in as a VALUES list.
    names = [quote(f"v{i}") for i in range(len(fields))]
    sets = ", ".join(
        f"{_column(f)} = v.{name}::{f.db_type(connection)}"
        for f, name in zip(fields, names, strict=True)
    )
    columns = ", ".join([*names, quote("pk")])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            marks = ", ".join(["(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"] * len(batch))
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {marks}) AS v({columns}) "
                f"WHERE {table}.{pk} = v.{quote('pk')}::bigint",
                [value for row in batch for value in row],
            )


@dataclass(frozen=True, slots=True)
class Stamp:
    """Who wrote the audit-trail rows, when by both clocks, and why."""

    user: User | None
    wall_at: datetime
    business_at: datetime
    reason: str


def history(
    model: type[Model], rows: Iterable[dict[str, Any]], *, changed: bool, stamp: Stamp
) -> None:
    """An audit-trail row for each row of `model` as it now stands ({attname: stored value},
    the primary key included): what simple-history writes on a save."""
    historical = model.history.model  # type: ignore[attr-defined]  # added by simple-history
    tracked = [f.attname for f in historical.tracked_fields]
    by_name = {f.attname: f for f in historical._meta.concrete_fields}
    own = {f.attname: f for f in model._meta.concrete_fields}
    defaults = {
        name: own[name].get_db_prep_save(own[name].get_default(), connection) for name in tracked
    }
    constants = {
        "history_date": stamp.wall_at,
        "history_business_at": stamp.business_at,
        "history_change_reason": stamp.reason[:100],
        "history_type": "~" if changed else "+",
        "history_user_id": stamp.user.pk if stamp.user is not None else None,
    }
    prepared = {
        name: by_name[name].get_db_prep_save(value, connection) for name, value in constants.items()
    }
    insert(
        historical,
        [{**{name: row.get(name, defaults[name]) for name in tracked}, **prepared} for row in rows],
    )
