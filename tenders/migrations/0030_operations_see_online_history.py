"""Operations may view the history of the clients' links and online submissions, like every other
model of the app.
See 0004_operations_role for the group and why permissions are created here."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OPERATIONS_GROUP = "Operations"
GRANTED = [
    ("tenders", "view_historicalclientlink"),
    ("tenders", "view_historicalclientsubmission"),
]


def _create_permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in GRANTED
    ]


def grant(apps, schema_editor):
    _create_permissions(apps)
    Group = apps.get_model("auth", "Group")
    operations, _ = Group.objects.get_or_create(name=OPERATIONS_GROUP)
    operations.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=OPERATIONS_GROUP):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tenders", "0029_online_audit_trail"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
