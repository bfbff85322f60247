"""How an entry and the head are hashed and sealed: shared by appending and verifying.

Versions (`AuditEntry.key_version`): 0 plain SHA-256 (before the key), 1 HMAC with the audit key,
2 HMAC with the key named by the entry's `key_id`, the id and the `system` reason covered too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from solvent.audit.keys import AuditKey
from solvent.audit.models import AuditEntry

GENESIS = "0" * 64
LEGACY_VERSION = 0
KEYED_VERSION = 1
KEY_ID_VERSION = 2
ROTATION_ACTION = "audit.key_rotated"


def _body(previous_hash: str, payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return (previous_hash + body).encode()


def entry_payload(entry: AuditEntry) -> dict[str, Any]:
    payload = {
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
    }
    if entry.key_version >= KEY_ID_VERSION:
        payload["key_id"] = entry.key_id or ""
        payload["system"] = entry.system or ""
    return payload


def entry_hash(previous_hash: str, entry: AuditEntry, key: AuditKey | None) -> str:
    body = _body(previous_hash, entry_payload(entry))
    if entry.key_version == LEGACY_VERSION or key is None:
        # Entries written before the key existed; trusted only as far as a keyed entry follows them.
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key.secret, body, hashlib.sha256).hexdigest()


def head_seal(last_entry_id: int | None, last_hash: str, key: AuditKey, key_id: str | None) -> str:
    message = f"head\n{last_entry_id}\n{last_hash}"
    if key_id is not None:  # heads sealed since key ids (0003) name their key in the seal too
        message += f"\n{key_id}"
    return hmac.new(key.secret, message.encode(), hashlib.sha256).hexdigest()


def rotation_proof(previous_hash: str, from_key_id: str, to_key_id: str, to_key: AuditKey) -> str:
    """Made with the new key over the chain's end at the rotation: whoever sealed the rotation entry
    (with the old key) held the new one too, and the entries before it cannot be re-sealed later
    with the old key alone without breaking this proof."""
    message = f"rotation\n{previous_hash}\n{from_key_id}\n{to_key_id}".encode()
    return hmac.new(to_key.secret, message, hashlib.sha256).hexdigest()


def digests_match(first: str, second: str) -> bool:
    return hmac.compare_digest(first.encode(), second.encode())
