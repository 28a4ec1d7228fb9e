"""The agent's replies bump the data version too: Admin > Instructions shows each instruction's
standing with the agent, and its rows are kept under the data version
(tenders/templatetags/admin_rows.py), so an imported status advice must make them stale.
A reply is only ever inserted; the triggers are the same as 0021's."""

from django.db import migrations

VERSION = "tabulation"
TABLE = "tenders_agentreply"


def _create(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(
            f"CREATE CONSTRAINT TRIGGER {TABLE}_data_version AFTER INSERT OR UPDATE OR DELETE "
            f"ON {TABLE} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            f"EXECUTE FUNCTION tenders_bump_data_version('{VERSION}')"
        )
    elif schema_editor.connection.vendor == "sqlite":
        for write in ["INSERT", "UPDATE", "DELETE"]:
            run(
                f"CREATE TRIGGER {TABLE}_data_version_{write.lower()} AFTER {write} ON {TABLE} "
                f"BEGIN UPDATE tenders_dataversion SET value = value + 1 "
                f"WHERE name = '{VERSION}'; END"
            )
    else:
        raise NotImplementedError(f"no data version triggers for {schema_editor.connection.vendor}")


def _drop(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(f"DROP TRIGGER IF EXISTS {TABLE}_data_version ON {TABLE}")
    elif schema_editor.connection.vendor == "sqlite":
        for write in ["insert", "update", "delete"]:
            run(f"DROP TRIGGER IF EXISTS {TABLE}_data_version_{write}")


class Migration(migrations.Migration):
    dependencies = [("tenders", "0036_agent_channel_and_replies")]

    operations = [migrations.RunPython(_create, _drop)]
