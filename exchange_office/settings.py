"""Settings for Exchange Office.

This is the one module that reads the environment (documented in `.env.example`).
Everything else asks `django.conf.settings`.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from exchange_office.clock import parse_pinned_instant

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local `.env` is a convenience for development (`make run` writes the demo's, so that the
# README's shell commands act on the demo it serves); real deployments set the environment. The
# environment wins over the file. ENV_FILE names another file, or none when empty (the tests and
# benchmarks set it so that no developer's `.env` reaches them).
ENV_FILE = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE:
    environ.Env.read_env(ENV_FILE, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Local state (SQLite file, generated secret key, e-mail files) lives here.
VAR_DIR = Path(env.str("EXCHANGE_OFFICE_VAR_DIR", default=str(BASE_DIR / "var")))


def _local_key(name: str, make: Callable[[], str]) -> str:
    """A key generated once for a local (DEBUG) run and kept under var/."""
    key_file = VAR_DIR / name
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(make())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _secret_key() -> str:
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off: set it in the environment."
        )
    # Local runs get a key generated once and kept under var/, so sessions survive restarts.
    from django.core.management.utils import get_random_secret_key

    return _local_key("secret_key", get_random_secret_key)


SECRET_KEY = _secret_key()


def _tin_keys() -> tuple[list[str], str]:
    """Keys for taxpayer IDs, separate from SECRET_KEY: Fernet keys (newest first, for
    rotation) encrypt them at rest; an HMAC key makes the lookup hash."""
    encryption_keys = env.list("TIN_ENCRYPTION_KEYS", default=[])
    hash_key = env.str("TIN_HASH_KEY", default="")
    if encryption_keys and hash_key:
        return encryption_keys, hash_key
    if not DEBUG:
        raise ImproperlyConfigured(
            "TIN_ENCRYPTION_KEYS and TIN_HASH_KEY are required when DEBUG is off: see .env.example."
        )
    from cryptography.fernet import Fernet

    def new_fernet_key() -> str:
        return Fernet.generate_key().decode()

    return (
        encryption_keys or [_local_key("tin_encryption_key", new_fernet_key)],
        hash_key or _local_key("tin_hash_key", lambda: secrets.token_urlsafe(48)),
    )


TIN_ENCRYPTION_KEYS, TIN_HASH_KEY = _tin_keys()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "exchange_office.apps.OfficeAdminConfig",  # django.contrib.admin with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "phonenumber_field",
    "simple_history",
    "import_export",  # the positions feed's import pages (tenders.positions)
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "exchange_office",
    "notes",
    "tenders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "exchange_office.middleware.RejectNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "exchange_office.middleware.NoStoreMiddleware",
    # Last, as django-axes asks: turns a lockout into the login page with its message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "exchange_office.urls"
WSGI_APPLICATION = "exchange_office.wsgi.application"
ASGI_APPLICATION = "exchange_office.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "exchange_office.context_processors.business_clock",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'exchange_office.sqlite3'}")
}
# Each process keeps its database connection between requests (checked before reuse): opening
# one costs PostgreSQL a new backend process, which under load took more time than the page.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for the lock instead of failing at once: each transaction takes
    # the write lock when it begins (IMMEDIATE). Begun as a reader (DEFERRED, the default), a
    # transaction that then writes while another process writes (the worker beside the web
    # server) fails at once with "database is locked", whatever the timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache: each process's local memory by default; CACHE_URL=redis://127.0.0.1:6379/0 shares
# one Redis between processes and machines (Django's own Redis backend, with redis-py).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes refuses a login when this user failed too often from this address (first
# backend); the login forms say so (exchange_office.logins).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Beside it, one address is locked for every username after this many failures in the cool-off
# (password spraying: one password tried on many usernames); exchange_office.logins.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=25)
AXES_HANDLER = "exchange_office.logins.OfficeAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "exchange_office.logins.lockout_response"
# The client's address, as everything that reads it asks (exchange_office.client_address).
AXES_CLIENT_IP_CALLABLE = "exchange_office.client_address.client_address"
# Records of logins (axes' access logs and attempts) are deleted by the sweep after this long.
LOGIN_RECORDS_RETENTION_DAYS = env.int("LOGIN_RECORDS_RETENTION_DAYS", default=90)
AXES_VERBOSE = False  # no start-up banner in every manage.py command's output
# Not in the admin, which deletes nothing: `manage.py axes_reset_username USER` lifts a lockout.
AXES_ENABLE_ADMIN = False
# A session ends after SESSION_COOKIE_AGE seconds (8 hours: a working day) and when the
# browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
# Sessions are read from the cache and written through to the database: no session query on
# most requests, and nobody is logged out when a process restarts or another process (another
# gunicorn worker, with the per-process local-memory cache) serves the next request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
# The admin writes dates as the rest of the office does (exchange_office/formatting.py).
FORMAT_MODULE_PATH = ["exchange_office.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

PHONENUMBER_DEFAULT_REGION = "US"

# The audit trail is evidence: its pages show what happened and never put a past version back
# (states change only through services, which check the rules and record the change).
SIMPLE_HISTORY_REVERT_DISABLED = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: EMAIL_URL selects the backend (smtp+tls://user:pass@host:587, consolemail://, ...).
_email_config = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email_config)
if _email_config["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    # The same console output, with attachments summarised rather than dumped in base64.
    EMAIL_BACKEND = "exchange_office.mail.ConsoleEmailBackend"
# The console backend prints one line per e-mail; the whole message when this is on.
EMAIL_CONSOLE_BODIES = env.bool("EMAIL_CONSOLE_BODIES", default=False)
# An SMTP call gives up after EMAIL_TIMEOUT seconds, well inside OUTBOX_SEND_LEASE_SECONDS.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=60)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Exchange Office <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Background work (rendering PDFs, e-mailing them) on Django's tasks API: the database backend
# and its worker, `manage.py office_worker`; tests use the immediate backend.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# How long a worker holds an item of a bulk run before another may take it over.
BULK_RUN_LEASE_SECONDS = env.int("BULK_RUN_LEASE_SECONDS", default=120)
# Parallel drains a bulk run starts (use as many as there are workers).
BULK_RUN_DRAINS = env.int("BULK_RUN_DRAINS", default=2)
# Workers (`manage.py office_worker`): a heartbeat every WORKER_HEARTBEAT_SECONDS; a worker
# silent for WORKER_GONE_AFTER_SECONDS (or, on the same host, whose process is gone) has
# stopped, and what it held is taken back. It sweeps at start-up and every
# WORKER_SWEEP_SECONDS: lost documents and e-mails missing for SWEEP_GRACE_SECONDS are redone.
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=10)
WORKER_GONE_AFTER_SECONDS = env.float("WORKER_GONE_AFTER_SECONDS", default=30)
WORKER_SWEEP_SECONDS = env.float("WORKER_SWEEP_SECONDS", default=60)
SWEEP_GRACE_SECONDS = env.float("SWEEP_GRACE_SECONDS", default=60)
# An e-mail still "sending" this long after its attempt started has an unknown outcome.
OUTBOX_SEND_LEASE_SECONDS = env.int("OUTBOX_SEND_LEASE_SECONDS", default=300)
# How long a client's signed download link stays valid.
DOCUMENT_LINK_MAX_AGE_DAYS = env.int("DOCUMENT_LINK_MAX_AGE_DAYS", default=30)
# The positions feed (Admin > Positions > Import, `manage.py import_positions`): a file larger
# than this many bytes is refused before it is read, and one of more account lines as soon as
# the next line is read. 10 MB holds some 70,000 lines; the whole issue is at most 27,412
# holdings of $1,000.
POSITIONS_IMPORT_MAX_BYTES = env.int("POSITIONS_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
POSITIONS_IMPORT_MAX_ROWS = env.int("POSITIONS_IMPORT_MAX_ROWS", default=200_000)
# The address clients' links point to (e-mails are read outside the office).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")

# The business clock (exchange_office.clock): an aware instant pins "now" for every deadline.
EXCHANGE_OFFICE_NOW = parse_pinned_instant(env.str("EXCHANGE_OFFICE_NOW", default=""))

# Production hardening; every value can be overridden from the environment.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# The proxies in front of the site, each appending the address it was connected from to
# X-Forwarded-For: the client's address is read from there (exchange_office.client_address).
# 0: the connection's address, and X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if BEHIND_TLS_PROXY else 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(
        f"TRUSTED_PROXY_COUNT is {TRUSTED_PROXY_COUNT}: give the number of proxies in front of "
        f"the site, 0 or more."
    )
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Four eyes (issue 14): the offer's decisions one operator proposes and another approves
# (any of extend, amend_terms, terminate, consummate; all four unless set), and whether a full
# taxpayer ID is shown only once a second person approved the request.
FOUR_EYES_OFFER_ACTIONS = env.list(
    "FOUR_EYES_OFFER_ACTIONS", default=["extend", "amend_terms", "terminate", "consummate"]
)
TIN_REVEAL_NEEDS_APPROVAL = env.bool("TIN_REVEAL_NEEDS_APPROVAL", default=False)

# Content-Security-Policy (django-csp), enforced: scripts, styles, images and fonts come from
# our own static files only; no inline script or style="" anywhere (templates/, static/).
# `data:` images are Bootstrap's own icons (select arrows, check marks), written in its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs seven steps of every PDF at INFO, fontTools its subsetting: the
        # office logs one line per document itself (tenders.documents.services).
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
