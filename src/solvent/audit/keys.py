"""The key that makes the audit chain unforgeable: HMAC-SHA256 with SOLVENT_AUDIT_KEY.

A plain hash chain only proves that nobody edited a row *without recomputing the hashes after it*;
anyone with write access can recompute them. Keyed with a secret that is not in the database, an edit
cannot be re-sealed. Where the key comes from (ADR 0015):

- SOLVENT_AUDIT_KEY, at least 32 characters: always used when set.
- Without it, only where the settings run on development keys (settings.SOLVENT_KEY_SOURCE is "demo":
  `solvent demo` or SOLVENT_DEBUG=1, keys generated once in the var dir; or "tests"): derived from
  that SECRET_KEY, and `solvent audit verify` says so.
- Anywhere else (production: keys from the environment) without it: refused, on every append and
  every verify, with a message saying what to set.

Rotation (ADR 0015, `solvent audit rotate-key`): SOLVENT_AUDIT_KEY_NEXT holds the key the chain moves
to; after the rotation it becomes SOLVENT_AUDIT_KEY and the old one joins SOLVENT_AUDIT_KEYS_RETIRED
(comma-separated), which verification needs to check the entries sealed before. Each key is named in
the chain by its id: the first 8 hex digits of HMAC(key, "solvent-audit-key-id"), which says which key
sealed an entry without revealing it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from django.conf import settings

from solvent.core.domain.errors import DomainError

KEY_VARIABLE = "SOLVENT_AUDIT_KEY"
NEXT_KEY_VARIABLE = "SOLVENT_AUDIT_KEY_NEXT"
RETIRED_KEYS_VARIABLE = "SOLVENT_AUDIT_KEYS_RETIRED"
MINIMUM_KEY_LENGTH = 32
KEY_ID_MESSAGE = b"solvent-audit-key-id"


class AuditKeyMissingError(DomainError):
    code = "audit_key_missing"


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    # True when derived from SECRET_KEY: fine for a demo, no proof against whoever holds SECRET_KEY.
    derived: bool

    @property
    def id(self) -> str:
        """The key's name in the chain: 8 hex digits of an HMAC, so the key itself stays secret."""
        return hmac.new(self.secret, KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:8]


# Key sources of the settings (ADR 0017) on which a derived audit key is acceptable.
DEVELOPMENT_KEY_SOURCES = frozenset({"demo", "tests"})


def _development() -> bool:
    # Unknown means production: a settings module without the marker gets no derived key.
    return getattr(settings, "SOLVENT_KEY_SOURCE", "environment") in DEVELOPMENT_KEY_SOURCES


def audit_key_problem() -> str | None:
    """Why no usable key can be had, or None. Shared by the resolver and the system check."""
    return _problem(os.environ.get(KEY_VARIABLE, ""))


def _problem(configured: str) -> str | None:
    if configured and len(configured) < MINIMUM_KEY_LENGTH:
        return f"{KEY_VARIABLE} is shorter than {MINIMUM_KEY_LENGTH} characters"
    if not configured and not _development():
        return (
            f"{KEY_VARIABLE} is not set: the audit chain cannot be sealed. Set it to a random "
            f"secret of at least {MINIMUM_KEY_LENGTH} characters (e.g. `openssl rand -hex 32`), "
            "kept outside the database"
        )
    return None


def audit_key() -> AuditKey:
    """The key in force now; read on each call so a rotation or a test's environment is seen."""
    configured = os.environ.get(KEY_VARIABLE, "")
    problem = _problem(configured)
    if problem:
        raise AuditKeyMissingError(problem)
    if configured:
        return AuditKey(secret=configured.encode(), derived=False)
    return AuditKey(secret=development_audit_key(settings.SECRET_KEY).encode(), derived=True)


def development_audit_key(secret_key: str) -> str:
    """The audit key of development keys, derived from their SECRET_KEY. `solvent demo` gives the
    same text to its web server and worker as SOLVENT_AUDIT_KEY, so a command run with
    SOLVENT_DEBUG=1 on the demo's var dir seals the demo's chain with the demo's key."""
    return hashlib.sha256(("solvent-demo-audit-key:" + secret_key).encode()).hexdigest()


def _configured_key(variable: str, text: str) -> AuditKey:
    if len(text) < MINIMUM_KEY_LENGTH:
        raise AuditKeyMissingError(
            f"{variable} holds a key shorter than {MINIMUM_KEY_LENGTH} characters"
        )
    return AuditKey(secret=text.encode(), derived=False)


def audit_key_next() -> AuditKey | None:
    """The key a rotation moves the chain to (SOLVENT_AUDIT_KEY_NEXT), or None when none is set."""
    configured = os.environ.get(NEXT_KEY_VARIABLE, "").strip()
    return _configured_key(NEXT_KEY_VARIABLE, configured) if configured else None


def audit_keyring() -> dict[str, AuditKey]:
    """Every key this process holds, by id: the current one, the next one, the retired ones.

    Appends use the current or the next key (whichever the chain's head names); verification
    checks each entry with the key its id names, so retired keys are only ever read."""
    current = audit_key()
    keys = [current]
    upcoming = audit_key_next()
    if upcoming is not None:
        keys.append(upcoming)
    retired = os.environ.get(RETIRED_KEYS_VARIABLE, "")
    keys.extend(
        _configured_key(RETIRED_KEYS_VARIABLE, text.strip())
        for text in retired.split(",")
        if text.strip()
    )
    return {key.id: key for key in keys}
