from decimal import Decimal

import pytest

from solvent.core.crypto import decrypt, encrypt, keyed_hash, mask
from solvent.core.domain.money import Money


def test_encryption_round_trip_and_ciphertext_hides_value() -> None:
    token = encrypt("123-45-6789")
    assert "123" not in token
    assert decrypt(token) == "123-45-6789"


def test_keyed_hash_is_stable_and_distinct() -> None:
    assert keyed_hash("a") == keyed_hash("a")
    assert keyed_hash("a") != keyed_hash("b")


def test_mask_shows_only_the_tail() -> None:
    assert mask("123456789") == "•••••6789"
    assert mask("") == ""


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot combine"):
        Money(Decimal("1"), "USD") + Money(Decimal("1"), "CAD")
    assert str(Money(Decimal("1234.5"), "USD")) == "1,234.50 USD"


# -- AES-GCM values, Fernet values written before, key rotation ----------------------------------


@pytest.fixture
def field_keys(settings):
    """Two fresh keys; the crypto module's derived keys follow the setting."""
    from cryptography.fernet import Fernet

    from solvent.core.crypto import keys_reload

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SOLVENT_FIELD_KEY = old
    keys_reload()
    yield old, new
    keys_reload()


def test_values_are_written_with_aes_gcm_under_a_version_prefix_and_never_repeat(
    field_keys,
) -> None:
    from solvent.core.crypto import GCM_PREFIX

    first, second = encrypt("1980-05-17"), encrypt("1980-05-17")
    assert first.startswith(GCM_PREFIX) and second.startswith(GCM_PREFIX)
    assert first != second  # a fresh nonce per value
    assert decrypt(first) == decrypt(second) == "1980-05-17"
    assert decrypt(encrypt("")) == "" and decrypt(encrypt("Zoë ☃")) == "Zoë ☃"


def test_a_fernet_value_written_before_still_reads(field_keys) -> None:
    from cryptography.fernet import Fernet

    old, _ = field_keys
    legacy = Fernet(old.encode()).encrypt(b"123456789").decode()
    assert legacy.startswith("gAAAA")
    assert decrypt(legacy) == "123456789"


def test_a_tampered_value_is_refused(field_keys) -> None:
    import base64

    from cryptography.fernet import InvalidToken

    from solvent.core.crypto import GCM_PREFIX

    token = encrypt("123456789")
    # Flip one bit of the sealed bytes (not a base64 character: the last one before the padding
    # carries bits the decoder ignores, so changing it may change nothing).
    raw = bytearray(base64.urlsafe_b64decode(token[len(GCM_PREFIX) :]))
    raw[-1] ^= 0x01
    flipped = GCM_PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(InvalidToken):
        decrypt(flipped)


def test_rotation_new_key_first_reads_both_formats_and_reencrypts_with_the_new_key(
    settings, field_keys
) -> None:
    from cryptography.fernet import Fernet, InvalidToken

    from solvent.core.crypto import GCM_PREFIX, keys_reload, reencrypt

    old, new = field_keys
    gcm_old = encrypt("123-45-6789")
    fernet_old = Fernet(old.encode()).encrypt(b"1980-05-17").decode()
    settings.SOLVENT_FIELD_KEY = f"{new},{old}"
    keys_reload()
    assert decrypt(gcm_old) == "123-45-6789" and decrypt(fernet_old) == "1980-05-17"
    moved = reencrypt(gcm_old)
    moved_legacy = reencrypt(fernet_old)
    assert moved.startswith(GCM_PREFIX) and moved_legacy.startswith(GCM_PREFIX)
    settings.SOLVENT_FIELD_KEY = new  # the old key retired: only re-encrypted values read
    keys_reload()
    assert decrypt(moved) == "123-45-6789" and decrypt(moved_legacy) == "1980-05-17"
    with pytest.raises(InvalidToken):
        decrypt(gcm_old)
    with pytest.raises(InvalidToken):
        decrypt(fernet_old)


@pytest.mark.django_db
def test_the_model_field_stores_aes_gcm_and_reads_old_fernet_rows(field_keys) -> None:
    from cryptography.fernet import Fernet
    from django.db import connection

    from solvent.core.crypto import GCM_PREFIX
    from solvent.portfolio.models import Debtor

    old, _ = field_keys
    debtor = Debtor.objects.create(
        first_name="Maria", last_name="Lopez", date_of_birth="1980-05-17", national_id="123456789"
    )
    table = Debtor._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT date_of_birth FROM {table} WHERE id = %s", [debtor.pk])  # noqa: S608
        (stored,) = cursor.fetchone()
        assert stored.startswith(GCM_PREFIX) and "1980" not in stored
        legacy = Fernet(old.encode()).encrypt(b"1975-01-02").decode()
        cursor.execute(
            f"UPDATE {table} SET date_of_birth = %s WHERE id = %s",  # noqa: S608
            [legacy, debtor.pk],
        )
    debtor.refresh_from_db()
    assert debtor.date_of_birth == "1975-01-02" and debtor.national_id == "123456789"
