import pytest
from cryptography.fernet import Fernet

from sotong.core import crypto


def test_encrypt_round_trip_and_tokens_differ_each_time():
    first, second = crypto.encrypt("010-1234-5678"), crypto.encrypt("010-1234-5678")

    assert first != second
    assert "1234" not in first
    assert crypto.decrypt(first) == crypto.decrypt(second) == "010-1234-5678"


def test_blind_index_is_stable_keyed_and_not_the_value():
    index = crypto.blind_index("01012345678")

    assert index == crypto.blind_index("01012345678")
    assert index != crypto.blind_index("01012345679")
    assert "0101234" not in index


def test_rotated_keys_still_decrypt_old_tokens(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    token = crypto.encrypt("hong@example.com")

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]

    assert crypto.decrypt(token) == "hong@example.com"


def test_a_token_under_an_unknown_key_is_refused(settings):
    token = crypto.encrypt("secret")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(ValueError, match="cannot be read"):
        crypto.decrypt(token)


def test_field_stores_ciphertext_and_reads_plaintext():
    field = crypto.EncryptedTextField()

    stored = field.get_prep_value("010-9876-5432")

    assert stored != "010-9876-5432"
    assert field.from_db_value(stored, None, None) == "010-9876-5432"
    assert field.get_prep_value("") == ""
