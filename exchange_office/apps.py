from django.apps import AppConfig


class ExchangeOfficeConfig(AppConfig):
    name = "exchange_office"
    verbose_name = "Exchange Office"
