"""Encryption at rest for taxpayer IDs, with keys kept apart from SECRET_KEY.

Written here rather than taken from a package: django-cryptography fails on Django 5, and the
other packaged fields hand back the ciphertext when the key is wrong. This field raises instead,
and takes a list of keys (MultiFernet) so they can be rotated.
"""

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class DecryptionFailed(Exception):
    """No configured key opens a stored value: the keys are wrong or missing."""


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "TIN_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes)."
        ) from None


def _fernet() -> MultiFernet:
    keys = tuple(settings.TIN_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured("TIN_ENCRYPTION_KEYS is empty.")
    return _multi_fernet(keys)


def encrypt(text: str) -> str:
    """A Fernet token for `text`, made with the first (newest) key."""
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionFailed(
            "A stored taxpayer ID cannot be decrypted with TIN_ENCRYPTION_KEYS: "
            "the keys are wrong, or the key it was made with has been dropped."
        ) from None


def rotate(token: str) -> str:
    """Re-encrypt a token with the newest key (it may have been made with an older one)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionFailed("A stored taxpayer ID cannot be rotated: no key opens it.") from None


def keyed_hash(text: str) -> str:
    """HMAC-SHA256 of `text` with TIN_HASH_KEY: equal inputs match, and without the key the
    hash cannot be brute-forced over the small space of nine-digit numbers."""
    return hmac.new(settings.TIN_HASH_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token. Values are compared only in Python: the token differs
    on every save, so use a keyed-hash column for lookups."""

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        # `exact` would compare against a fresh token and never match: refuse it loudly.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)
