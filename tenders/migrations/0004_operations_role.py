"""The Operations role on every install, not only in the demo: a group whose members view
everything on the issuer's and the broker's side and run the offer's actions, but delete
nothing and never change documents or audit rows; and a separate group for revealing full
taxpayer IDs. `manage.py grant_operations USERNAME [--reveal-tin]` puts a user in them.

The lists are written out here, frozen as of this migration: a later model or action that
operations need comes with its own migration (tests/tenders/test_roles.py checks that every
model of both apps is visible to the group).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OPERATIONS_GROUP = "Operations"
TIN_REVEAL_GROUP = "Taxpayer ID reveal"

# Terms, reference data and accounts: operations keep them up to date.
EDITED = {
    "notes": [
        "issuer",
        "security",
        "ratestep",
        "exchangeoffer",
        "feeinstallment",
        "offercondition",
        "excludedjurisdiction",
    ],
    "tenders": ["brokerfirm", "representative", "clientaccount", "accountowner", "position"],
}
# The offer's actions: act after a firm's cutoff and submit to the agent (instructions), issue
# a new revision of a document, queue an e-mail again, resume a bulk run.
ACTIONS = [
    ("tenders", "change_instruction"),
    ("tenders", "override_cutoff"),
    ("tenders", "add_document"),
    ("tenders", "add_outboxmessage"),
    ("tenders", "change_bulkrun"),
    # To pick the user of a firm membership (the admin's autocomplete asks for it).
    ("auth", "view_user"),
]


def _create_permissions(apps):
    """Django creates permissions after all migrations (post_migrate): on a fresh database
    they do not exist yet, and the groups would be empty."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_roles(apps, schema_editor):
    _create_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    wanted = Permission.objects.filter(
        content_type__app_label__in=["notes", "tenders"], codename__startswith="view_"
    )
    names = [(app, f"{verb}_{model}") for app, models in EDITED.items() for model in models
             for verb in ("add", "change")]  # fmt: skip
    operations, _ = Group.objects.get_or_create(name=OPERATIONS_GROUP)
    operations.permissions.add(*wanted)
    for app_label, codename in [*names, *ACTIONS]:
        operations.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )

    reveal, _ = Group.objects.get_or_create(name=TIN_REVEAL_GROUP)
    reveal.permissions.add(
        Permission.objects.get(content_type__app_label="tenders", codename="reveal_tin")
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[OPERATIONS_GROUP, TIN_REVEAL_GROUP]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("notes", "0002_offer_history"),
        ("tenders", "0003_documents_outbox_bulk_runs"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
