"""Field encryption for personal data at rest, and keyed hashes for matching without decrypting.

Values are written with AES-256-GCM under a key derived (HKDF-SHA256) from the first key of
`SOLVENT_FIELD_KEY`: a token is ``a1:`` + urlsafe base64 of a 4-byte key id, a random 12-byte
nonce and the ciphertext with its tag. The cipher object is built once per key and reused, so a
value costs a few microseconds where Fernet (AES-CBC + HMAC, a new cipher per value) cost ~40;
an import encrypts two values a row (ADR 0004, revisions for issue 15).

Values written before are Fernet tokens (they start with ``gAAAA``, never with ``a1:``) and still
read. Rotation is unchanged: put the new key first (``NEW,OLD``); values are written with the new
key and every configured key reads, whichever of the two formats a value is in. `reencrypt`
rewrites one value with the current key (and format).

A random 96-bit nonce per value is safe for 2^32 values under one key (NIST SP 800-38D): rotate
the key well before a few billion values have been written with it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GCM_PREFIX = "a1:"
_KEY_ID_BYTES = 4
_NONCE_BYTES = 12
_HKDF_INFO = b"solvent-field-encryption:aes-256-gcm:v1"


def _configured() -> list[str]:
    configured = [k.strip() for k in settings.SOLVENT_FIELD_KEY.split(",") if k.strip()]
    if not configured:
        # Never derive one: a key derived from anything in the source is a published key (ADR 0017).
        raise ImproperlyConfigured(
            "SOLVENT_FIELD_KEY is not set: personal data cannot be encrypted or read without it"
        )
    return configured


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    # The first key encrypts; all keys decrypt, so keys can be rotated.
    return MultiFernet([Fernet(k.encode()) for k in _configured()])


@lru_cache(maxsize=1)
def _gcm_keys() -> tuple[tuple[bytes, AESGCM], ...]:
    """(key id, cipher) per configured key, the encrypting one first."""
    keys = []
    for configured in _configured():
        material = base64.urlsafe_b64decode(configured.encode())
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
            material
        )
        key_id = hashlib.sha256(derived).digest()[:_KEY_ID_BYTES]
        keys.append((key_id, AESGCM(derived)))
    return tuple(keys)


def keys_reload() -> None:
    """Forget the derived keys (after SOLVENT_FIELD_KEY changed, e.g. in a test)."""
    _fernet.cache_clear()
    _gcm_keys.cache_clear()


def encrypt(plaintext: str) -> str:
    key_id, cipher = _gcm_keys()[0]
    nonce = os.urandom(_NONCE_BYTES)
    sealed = cipher.encrypt(nonce, plaintext.encode(), None)
    return GCM_PREFIX + base64.urlsafe_b64encode(key_id + nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token.startswith(GCM_PREFIX):
        return _fernet().decrypt(token.encode()).decode()  # written before AES-GCM
    try:
        raw = base64.urlsafe_b64decode(token[len(GCM_PREFIX) :].encode())
    except ValueError:
        raise InvalidToken from None
    key_id = raw[:_KEY_ID_BYTES]
    nonce = raw[_KEY_ID_BYTES : _KEY_ID_BYTES + _NONCE_BYTES]
    sealed = raw[_KEY_ID_BYTES + _NONCE_BYTES :]
    for candidate_id, cipher in _gcm_keys():
        if hmac.compare_digest(candidate_id, key_id):
            try:
                return cipher.decrypt(nonce, sealed, None).decode()
            except InvalidTag:
                break
    raise InvalidToken  # the same error Fernet raises for a value no configured key reads


def reencrypt(token: str) -> str:
    """The value again, encrypted with the current first key in the current format."""
    return encrypt(decrypt(token))


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
