"""Run by tests/test_migrations.py in a process of its own: migrate the database in the
environment (DATABASE_URL, or the SQLite file under EXCHANGE_OFFICE_VAR_DIR), with the apps'
migrations taken from the packages named on the command line (`tenders=history_tenders`), then
print what the migrations made: every table's columns and constraints (as the database
describes them; names aside, since an index named by a hash may be named differently), the
triggers, the data version's rows and each group's permissions.

    python tests/migration_schema.py [--without-role-sync] [APP=PACKAGE ...]

`--without-role-sync` leaves the groups as the migrations made them (the roles' post_migrate
sync, which every `migrate` of this code runs, is not run).
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _checks(cursor: Any, vendor: str, table: str) -> list[str]:
    """What each check constraint checks (its condition, not its name)."""
    if vendor == "postgresql":
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'c'",
            [table],
        )
        return sorted(row[0] for row in cursor.fetchall())
    cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
    sql = cursor.fetchone()[0]
    checks, start = [], sql.find("CHECK (")
    while start != -1:
        depth, end = 0, start + len("CHECK ")
        for end in range(start + len("CHECK "), len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            if depth == 0:
                break
        checks.append(sql[start : end + 1])
        start = sql.find("CHECK (", end)
    return sorted(checks)


def _schema() -> dict[str, Any]:
    from django.contrib.auth.models import Group
    from django.db import connection

    out: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for table in sorted(
            t.name for t in connection.introspection.get_table_list(cursor) if t.type == "t"
        ):
            columns = sorted(
                [
                    c.name,
                    str(c.type_code),
                    c.internal_size,
                    c.precision,
                    c.scale,
                    c.null_ok,
                    str(c.default),
                ]
                for c in connection.introspection.get_table_description(cursor, table)
            )
            constraints = sorted(
                json.dumps(constraint, sort_keys=True, default=str)
                for constraint in connection.introspection.get_constraints(cursor, table).values()
            )
            out[table] = {
                "columns": columns,
                "constraints": constraints,
                "checks": _checks(cursor, connection.vendor, table),
            }
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

    sync_roles = "--without-role-sync" not in arguments
    modules = [argument for argument in arguments if not argument.startswith("--")]
    settings.MIGRATION_MODULES = dict(argument.split("=", 1) for argument in modules)
    django.setup()
    from django.core.management import call_command
    from django.db.models.signals import post_migrate

    if not sync_roles:
        from django.apps import apps

        from tenders.accounts.roles import roles_sync_after_migrate

        assert post_migrate.disconnect(
            roles_sync_after_migrate, sender=apps.get_app_config("tenders")
        ), "the roles' sync is connected (tenders.apps)"

    call_command("migrate", verbosity=0)
    print(json.dumps(_schema(), sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
