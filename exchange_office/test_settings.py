"""Settings for the test suite: the real settings with fast, hermetic services."""

import os

# A fixed, non-secret key: the suite must not depend on a developer's environment.
os.environ.setdefault("SECRET_KEY", "test-only-not-secret-" + "x" * 40)

from exchange_office.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SECURE_SSL_REDIRECT = False
# Tests pin the clock themselves where time matters; none inherits a developer's pin.
EXCHANGE_OFFICE_NOW = None
# Serve static files from the finders: the suite does not run collectstatic.
WHITENOISE_AUTOREFRESH = True
