"""The tabulation now reads the books (what consummation exchanged, and what it took out of the
positions): the journal entries and their legs bump its data version too, as 0040's triggers
do for the agent's tables, so a cached tabulation never shows the figures from before a
posting or a reversal. On PostgreSQL the bump is once per transaction however many legs it
writes (0001_squashed_0032's function)."""

from django.db import migrations

VERSION = "tabulation"
TABLES = ["tenders_journalentry", "tenders_leg"]
WRITES = ["INSERT", "UPDATE", "DELETE"]


def _create_triggers(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        # tenders_bump_data_version() is 0001_squashed_0032's: once per transaction.
        for table in TABLES:
            run(
                f"CREATE CONSTRAINT TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                f"EXECUTE FUNCTION tenders_bump_data_version('{VERSION}')"
            )
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            for write in WRITES:
                run(
                    f"CREATE TRIGGER {table}_data_version_{write.lower()} AFTER {write} ON {table} "
                    f"BEGIN UPDATE tenders_dataversion SET value = value + 1 "
                    f"WHERE name = '{VERSION}'; END"
                )
    else:
        raise NotImplementedError(f"no data version triggers for {schema_editor.connection.vendor}")


def _drop_triggers(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            run(f"DROP TRIGGER IF EXISTS {table}_data_version ON {table}")
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            for write in WRITES:
                run(f"DROP TRIGGER IF EXISTS {table}_data_version_{write.lower()}")


class Migration(migrations.Migration):
    dependencies = [("tenders", "0047_statement_documents")]

    operations = [migrations.RunPython(_create_triggers, _drop_triggers)]
