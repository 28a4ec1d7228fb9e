from django.apps import AppConfig


class TendersConfig(AppConfig):
    name = "tenders"
    verbose_name = "Broker firms, accounts and instructions"

    def ready(self) -> None:
        from tenders.documents import checks  # noqa: F401  (registers the start-up checks)
