from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ExchangeOfficeConfig(AppConfig):
    default = True  # the app's own config; the module also holds the admin's
    name = "exchange_office"
    verbose_name = "Exchange Office"


class OfficeAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the office's admin site as `admin.site`."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "exchange_office.admin_site.OfficeAdminSite"
