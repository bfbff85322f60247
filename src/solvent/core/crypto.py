"""Field encryption for personal data at rest, and keyed hashes for matching without decrypting."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    configured = [k.strip() for k in settings.SOLVENT_FIELD_KEY.split(",") if k.strip()]
    if not configured:
        # Demo and tests only: derived from SECRET_KEY. `check --deploy` flags a missing key.
        digest = hashlib.sha256(("solvent-field-key:" + settings.SECRET_KEY).encode()).digest()
        configured = [base64.urlsafe_b64encode(digest).decode()]
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
