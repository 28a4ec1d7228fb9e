"""WSGI entry point, e.g. `gunicorn exchange_office.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange_office.settings")

application = get_wsgi_application()
