from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from exchange_office.encryption import DecryptionFailed, EncryptedTextField


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value (accounts, instructions, their audit trail) with the "
        "first key of TIN_ENCRYPTION_KEYS. Put the new key first, run this, then drop the old."
    )

    def handle(self, *args: object, **options: object) -> None:
        rewritten = 0
        try:
            with transaction.atomic():
                for model in apps.get_models():
                    fields = [f for f in model._meta.fields if isinstance(f, EncryptedTextField)]
                    for field in fields:
                        rows = model._base_manager.values_list("pk", field.name)
                        for pk, value in rows.iterator():
                            if not value:
                                continue
                            # update() re-encrypts with the newest key and leaves no audit row.
                            model._base_manager.filter(pk=pk).update(**{field.name: value})
                            rewritten += 1
        except DecryptionFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Re-encrypted {rewritten} value(s) with the newest key.")
