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
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from django.conf import settings

from solvent.core.domain.errors import DomainError

KEY_VARIABLE = "SOLVENT_AUDIT_KEY"
MINIMUM_KEY_LENGTH = 32


class AuditKeyMissingError(DomainError):
    code = "audit_key_missing"


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    # True when derived from SECRET_KEY: fine for a demo, no proof against whoever holds SECRET_KEY.
    derived: bool


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
    digest = hashlib.sha256(("solvent-audit-key:" + settings.SECRET_KEY).encode()).digest()
    return AuditKey(secret=digest, derived=True)
