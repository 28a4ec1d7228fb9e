"""Operations see the new rows (document snapshots, worker heartbeats) and may record that an
e-mail of unknown outcome was sent (`tenders.mark_outboxmessage_sent`), on every install.
See 0004_operations_role for the group and why permissions are created here."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OPERATIONS_GROUP = "Operations"
GRANTED = ["view_documentsnapshot", "view_workerheartbeat", "mark_outboxmessage_sent"]


def _create_permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def grant(apps, schema_editor):
    _create_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    operations, _ = Group.objects.get_or_create(name=OPERATIONS_GROUP)
    operations.permissions.add(
        *Permission.objects.filter(content_type__app_label="tenders", codename__in=GRANTED)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=OPERATIONS_GROUP):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="tenders", codename__in=GRANTED)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tenders", "0006_document_snapshots_worker_heartbeats"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
