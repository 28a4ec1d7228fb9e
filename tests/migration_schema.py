"""Run by tests/test_migrations.py in a process of its own: migrate the database in the
environment (DATABASE_URL, or the SQLite file under EXCHANGE_OFFICE_VAR_DIR), with the apps'
migrations taken from the packages named on the command line (`tenders=history_tenders`), then
print what the migrations made: every table's columns and constraints (as the database
describes them; names aside, since an index named by a hash may be named differently), the
triggers, the data version's rows and each group's permissions.

    python tests/migration_schema.py [APP=PACKAGE ...]
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _schema() -> dict[str, Any]:
    from django.contrib.auth.models import Group
    from django.db import connection

    out: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for table in sorted(
            t.name for t in connection.introspection.get_table_list(cursor) if t.type == "t"
        ):
            columns = sorted(
                [c.name, str(c.type_code), c.null_ok, str(c.default)]
                for c in connection.introspection.get_table_description(cursor, table)
            )
            constraints = sorted(
                json.dumps(constraint, sort_keys=True, default=str)
                for constraint in connection.introspection.get_constraints(cursor, table).values()
            )
            out[table] = {"columns": columns, "constraints": constraints}
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE NOT tgisinternal"
            )
        out["triggers"] = sorted(list(row) for row in cursor.fetchall())
        cursor.execute("SELECT name, value FROM tenders_dataversion ORDER BY name")
        out["data versions"] = [list(row) for row in cursor.fetchall()]
    out["groups"] = {
        group.name: sorted(
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        )
        for group in Group.objects.all()
    }
    return out


def main(arguments: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange_office.settings")
    import django
    from django.conf import settings

    settings.MIGRATION_MODULES = dict(argument.split("=", 1) for argument in arguments)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(json.dumps(_schema(), sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
