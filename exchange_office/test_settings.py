"""Settings for the test suite: the real settings with fast, hermetic services."""

import os

# No developer's `.env` (`make run` writes the demo's) reaches the suite, nor the commands and
# servers it starts: they inherit this.
os.environ["ENV_FILE"] = ""
# A fixed, non-secret key: the suite must not depend on a developer's environment.
os.environ.setdefault("SECRET_KEY", "test-only-not-secret-" + "x" * 40)
# Fixed test keys (a real Fernet key must be 32 url-safe base64-encoded bytes).
os.environ.setdefault("TIN_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWtleS1ub3Qtc2VjcmV0LTAwMDAwMDA=")
os.environ.setdefault("TIN_HASH_KEY", "test-only-hash-key-not-secret")

from exchange_office.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SECURE_SSL_REDIRECT = False
# Tests pin the clock themselves where time matters; none inherits a developer's pin.
EXCHANGE_OFFICE_NOW = None
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Serve static files from the finders: the suite does not run collectstatic.
WHITENOISE_AUTOREFRESH = True
# django-axes stays on; only calls made outside a request (`client.login()`) skip it.
AUTHENTICATION_BACKENDS = [
    "tests.auth_backends.AxesBackendOutsideRequests",
    "django.contrib.auth.backends.ModelBackend",
]
# Threads in the race tests open connections of their own: none outlives its test, or the
# test database could not be dropped (production keeps them: CONN_MAX_AGE in settings.py).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The offer's decisions run in one step here: most tests are about each decision's own rules
# and call its service directly. tests/tenders/test_four_eyes.py turns the second person on
# (and checks that production asks for it on all four decisions by default); the browser
# tests run the demo server on the production settings.
FOUR_EYES_OFFER_ACTIONS = []
