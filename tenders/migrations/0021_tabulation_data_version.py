"""The tabulation's data version, kept by database triggers (see `tenders.operations.models`).

PostgreSQL: a deferred constraint trigger per table runs at commit, once per row written, and
bumps the version once per transaction (a transaction-local setting remembers it did). Taken
at commit, the version row's lock is the last lock a writer takes, so it cannot join a
deadlock, and a long import holds it only for the moment of its commit.
SQLite: a trigger per table and kind of write bumps it for each row (SQLite has neither
deferred nor statement triggers; its writers take turns anyway).
"""

from django.db import migrations, models

VERSION = "tabulation"
# Every table the tabulation reads. A new one belongs here (and in the test that lists them).
TABLES = [
    "notes_issuer",
    "notes_security",
    "notes_ratestep",
    "notes_exchangeoffer",
    "notes_feeinstallment",
    "notes_offercondition",
    "notes_excludedjurisdiction",
    "notes_offerevent",
    "notes_agentreport",
    "tenders_brokerfirm",
    "tenders_clientaccount",
    "tenders_accountowner",
    "tenders_position",
    "tenders_instruction",
    "tenders_instructiontransition",
]
WRITES = ["INSERT", "UPDATE", "DELETE"]

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION tenders_bump_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('tenders.data_version_bumped', true) IS DISTINCT FROM 'on' THEN
        UPDATE tenders_dataversion SET value = value + 1 WHERE name = TG_ARGV[0];
        PERFORM set_config('tenders.data_version_bumped', 'on', true);
    END IF;
    RETURN NULL;
END
$$;
"""


def _create_triggers(apps, schema_editor):
    apps.get_model("tenders", "DataVersion").objects.create(name=VERSION, value=0)
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(POSTGRESQL_FUNCTION)
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
        run("DROP FUNCTION IF EXISTS tenders_bump_data_version()")
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            for write in WRITES:
                run(f"DROP TRIGGER IF EXISTS {table}_data_version_{write.lower()}")


class Migration(migrations.Migration):
    dependencies = [
        ("tenders", "0020_operations_see_letters_and_reminders"),
        ("notes", "0005_offer_agent_event_id"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "data version"},
        ),
        migrations.RunPython(_create_triggers, _drop_triggers),
    ]
