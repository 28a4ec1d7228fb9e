"""Taxpayer IDs are encrypted at rest with their own keys, and a wrong key raises."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test import override_settings

from exchange_office.encryption import DecryptionFailed, decrypt, encrypt, keyed_hash, rotate
from tenders.accounts.services import account_set_tin
from tenders.models import ClientAccount

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def stored_value(account: ClientAccount) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tin FROM tenders_clientaccount WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def account_with_tin(db, account_factory, ops_user) -> ClientAccount:
    account = account_factory()
    return account_set_tin(account=account, tin_type="SSN", tin="123-45-6789", by=ops_user)


@pytest.mark.django_db
def test_tin_is_not_stored_in_clear(account_with_tin: ClientAccount) -> None:
    raw = stored_value(account_with_tin)
    assert "6789" not in raw
    assert "123456789" not in raw.replace("-", "")


@pytest.mark.django_db
def test_tin_reads_back_decrypted(account_with_tin: ClientAccount) -> None:
    assert ClientAccount.objects.get(pk=account_with_tin.pk).tin == "123-45-6789"


@pytest.mark.django_db
def test_last_four_digits_are_kept_for_masking(account_with_tin: ClientAccount) -> None:
    assert account_with_tin.tin_last4 == "6789"
    assert account_with_tin.masked_tin == "***-**-6789"


@pytest.mark.django_db
def test_wrong_key_raises_instead_of_returning_ciphertext(account_with_tin: ClientAccount) -> None:
    with override_settings(TIN_ENCRYPTION_KEYS=[NEW_KEY]), pytest.raises(DecryptionFailed):
        ClientAccount.objects.get(pk=account_with_tin.pk)


@pytest.mark.django_db
def test_keyed_hash_finds_the_account_without_decrypting(account_with_tin: ClientAccount) -> None:
    found = ClientAccount.objects.get(tin_hash=keyed_hash("123-45-6789"))
    assert found == account_with_tin


def test_keyed_hash_depends_on_the_hash_key() -> None:
    first = keyed_hash("123-45-6789")
    with override_settings(TIN_HASH_KEY="another key"):
        assert keyed_hash("123-45-6789") != first


def test_encryption_is_not_deterministic() -> None:
    assert encrypt("123-45-6789") != encrypt("123-45-6789")


def test_old_key_still_opens_values_after_a_new_key_is_added() -> None:
    with override_settings(TIN_ENCRYPTION_KEYS=[OLD_KEY]):
        token = encrypt("123-45-6789")
    with override_settings(TIN_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert decrypt(token) == "123-45-6789"


def test_rotation_re_encrypts_with_the_newest_key() -> None:
    with override_settings(TIN_ENCRYPTION_KEYS=[OLD_KEY]):
        token = encrypt("123-45-6789")
    with override_settings(TIN_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        rotated = rotate(token)
    with override_settings(TIN_ENCRYPTION_KEYS=[NEW_KEY]):
        assert decrypt(rotated) == "123-45-6789"
        with pytest.raises(DecryptionFailed):
            decrypt(token)


@pytest.mark.django_db
def test_encrypted_field_cannot_be_searched_by_value(account_with_tin: ClientAccount) -> None:
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        ClientAccount.objects.filter(tin="123-45-6789").exists()


@pytest.mark.django_db
def test_the_audit_trail_keeps_no_tin_to_re_encrypt(account_factory, ops_user) -> None:
    account = account_set_tin(
        account=account_factory(), tin_type="EIN", tin="12-3456789", by=ops_user
    )
    history_fields = {f.name for f in ClientAccount.history.model._meta.fields}
    assert {"tin", "tin_hash"}.isdisjoint(history_fields)
    assert {"tin_type", "tin_last4"} <= history_fields
    assert ClientAccount.history.filter(id=account.pk).latest().tin_last4 == "6789"


@pytest.mark.django_db
def test_rotate_command_re_encrypts_every_stored_tin(account_factory, ops_user) -> None:
    from io import StringIO

    from django.core.management import call_command

    with override_settings(TIN_ENCRYPTION_KEYS=[OLD_KEY]):
        account = account_set_tin(
            account=account_factory(), tin_type="EIN", tin="12-3456789", by=ops_user
        )
    out = StringIO()
    with override_settings(TIN_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_tin_keys", stdout=out)
    with override_settings(TIN_ENCRYPTION_KEYS=[NEW_KEY]):
        assert ClientAccount.objects.get(pk=account.pk).tin == "12-3456789"
    assert "Re-encrypted" in out.getvalue()
