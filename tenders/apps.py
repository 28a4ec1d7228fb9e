from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TendersConfig(AppConfig):
    name = "tenders"
    verbose_name = "Broker firms, accounts and instructions"

    def ready(self) -> None:
        from tenders.accounts.roles import roles_sync_after_migrate
        from tenders.documents import checks  # noqa: F401  (registers the start-up checks)

        # After this app's migrations (and auth's permissions for its models): the groups.
        post_migrate.connect(roles_sync_after_migrate, sender=self)
