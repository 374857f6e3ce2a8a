"""Personal data at rest: Fernet encryption with key rotation, and a keyed blind index for exact lookup.

    contact = EncryptedTextField(blank=True)          # stored as a Fernet token
    contact_index = models.CharField(max_length=64)   # blind_index(normalised value), for exact search

Keys come from SOTONG_FIELD_ENCRYPTION_KEY (comma-separated; the first encrypts, all decrypt). The blind
index uses a key derived from the first key with HKDF, so it never equals the encryption key; rotating the
first key means re-indexing (a later `reindex` command), which is why the index key is derived from a
separate info label and can be pinned.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from sotong.core.masking import phone_digits


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("SOTONG_FIELD_ENCRYPTION_KEY must be urlsafe base64 32-byte keys") from exc


@lru_cache(maxsize=4)
def _index_key(first_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"sotong blind index v1").derive(
        first_key.encode()
    )


def _keys() -> tuple[str, ...]:
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


def encrypt(value: str) -> str:
    return _fernet(_keys()).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("encrypted value cannot be read with the configured keys") from exc


def blind_index(value: str) -> str:
    """HMAC-SHA256 of the (already normalised) value: equal values give equal indexes, nothing else leaks."""
    return hmac.new(_index_key(_keys()[0]), value.encode(), hashlib.sha256).hexdigest()


def normalize_contact_phone(phone: str) -> str:
    """A phone number as stored and indexed: digits only, +82 folded to 0 (010-1234-5678 → 01012345678)."""
    digits = phone_digits(phone)
    if digits.startswith("82") and len(digits) in {11, 12}:
        digits = "0" + digits[2:].lstrip("0")
    return digits


def phone_index_for(phone: str) -> str:
    """The blind index of a phone number (cases, verifications and the people registry use this one)."""
    digits = normalize_contact_phone(phone)
    return blind_index(digits) if digits else ""


def email_index_for(email: str) -> str:
    """The blind index of an e-mail address (trimmed, lower-cased)."""
    value = (email or "").strip().lower()
    return blind_index(value) if value else ""


class EncryptedTextField(models.TextField):
    """A text field stored encrypted. Not searchable: pair it with a blind-index column for exact lookup."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
