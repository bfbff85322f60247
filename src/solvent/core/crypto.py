"""Field encryption for personal data at rest, and keyed hashes for matching without decrypting."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    configured = [k.strip() for k in settings.SOLVENT_FIELD_KEY.split(",") if k.strip()]
    if not configured:
        # Never derive one: a key derived from anything in the source is a published key (ADR 0017).
        raise ImproperlyConfigured(
            "SOLVENT_FIELD_KEY is not set: personal data cannot be encrypted or read without it"
        )
    # The first key encrypts; all keys decrypt, so keys can be rotated.
    return MultiFernet([Fernet(k.encode()) for k in configured])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    return hashlib.sha256(("solvent-match-key:" + settings.SECRET_KEY).encode()).digest()


def keyed_hash(value: str) -> str:
    """A stable HMAC of a normalised value: lets us find a debtor by national id without decrypting."""
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def mask(value: str, visible: int = 4) -> str:
    if not value:
        return ""
    shown = value[-visible:] if len(value) > visible else ""
    return "•" * max(len(value) - len(shown), 3) + shown
