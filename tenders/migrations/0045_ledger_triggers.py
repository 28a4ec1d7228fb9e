"""What the database itself enforces about the books (docs/ledger.md), beside the service's checks.

PostgreSQL:
- each entry's legs sum to zero for each asset, checked once per entry when its transaction
  commits (a deferred constraint trigger on the entry: once per entry, not once per leg, so a
  large entry is not added up again for each of its legs);
- legs are written with their entry, in its transaction: the entry records the transaction that
  wrote it (`txid`), and a leg for an entry of another transaction is refused, so no leg can be
  added later to an entry already checked;
- entries and legs are never updated or deleted (a correction is a reversing entry).
  TRUNCATE, which Django's test flush uses on PostgreSQL, fires no row trigger.
SQLite has neither deferred constraints nor a transaction id: the service (the only writer)
checks the sums before it writes, and a trigger refuses updates. There is no delete trigger on
SQLite: Django's flush between transactional tests is a DELETE there, and would be refused.
"""

from django.db import migrations

IMMUTABLE = "ledger rows never change: post a reversing entry"
TABLES = ["tenders_journalentry", "tenders_leg"]

POSTGRESQL = [
    # The top-level transaction's id: the same inside Django's savepoints.
    """
    CREATE FUNCTION tenders_ledger_entry_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.txid := pg_current_xact_id()::text::bigint;
        RETURN NEW;
    END
    $$;
    """,
    """
    CREATE TRIGGER tenders_journalentry_stamp BEFORE INSERT ON tenders_journalentry
    FOR EACH ROW EXECUTE FUNCTION tenders_ledger_entry_stamp();
    """,
    """
    CREATE FUNCTION tenders_ledger_leg_with_entry() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT txid FROM tenders_journalentry WHERE id = NEW.entry_id)
                IS DISTINCT FROM pg_current_xact_id()::text::bigint THEN
            RAISE EXCEPTION 'legs are written with their entry, in its transaction (entry %)',
                NEW.entry_id USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END
    $$;
    """,
    """
    CREATE TRIGGER tenders_leg_with_entry BEFORE INSERT ON tenders_leg
    FOR EACH ROW EXECUTE FUNCTION tenders_ledger_leg_with_entry();
    """,
    # ERRCODE 23514 (check_violation): an IntegrityError in Django.
    """
    CREATE FUNCTION tenders_ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        bad record;
    BEGIN
        SELECT asset.code, SUM(leg.quantity) AS total INTO bad
          FROM tenders_leg leg JOIN tenders_asset asset ON asset.id = leg.asset_id
         WHERE leg.entry_id = NEW.id
         GROUP BY asset.code HAVING SUM(leg.quantity) <> 0
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'journal entry % (%) does not balance: % sums to % units',
                NEW.id, NEW.occasion, bad.code, bad.total USING ERRCODE = '23514';
        END IF;
        RETURN NULL;
    END
    $$;
    """,
    """
    CREATE CONSTRAINT TRIGGER tenders_journalentry_balanced AFTER INSERT ON tenders_journalentry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tenders_ledger_entry_balanced();
    """,
    f"""
    CREATE FUNCTION tenders_ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{IMMUTABLE}' USING ERRCODE = '23514';
    END
    $$;
    """,
    *(
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION tenders_ledger_immutable();"
        for table in TABLES
    ),
]

POSTGRESQL_DROP = [
    *(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}" for table in TABLES),
    "DROP TRIGGER IF EXISTS tenders_journalentry_balanced ON tenders_journalentry",
    "DROP TRIGGER IF EXISTS tenders_leg_with_entry ON tenders_leg",
    "DROP TRIGGER IF EXISTS tenders_journalentry_stamp ON tenders_journalentry",
    "DROP FUNCTION IF EXISTS tenders_ledger_immutable()",
    "DROP FUNCTION IF EXISTS tenders_ledger_entry_balanced()",
    "DROP FUNCTION IF EXISTS tenders_ledger_leg_with_entry()",
    "DROP FUNCTION IF EXISTS tenders_ledger_entry_stamp()",
]

SQLITE = [
    f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
    for table in TABLES
]

SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {table}_immutable" for table in TABLES]


def _create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = POSTGRESQL
    elif vendor == "sqlite":
        statements = SQLITE
    else:
        raise NotImplementedError(f"no ledger triggers for {vendor}")
    for statement in statements:
        # No parameters: the driver leaves PL/pgSQL's own % placeholders alone.
        schema_editor.execute(statement, params=None)


def _drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tenders", "0044_ledger"),
    ]

    operations = [
        migrations.RunPython(_create_triggers, _drop_triggers),
    ]
