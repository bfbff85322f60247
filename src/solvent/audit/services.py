"""Appending to the audit chain, rotating its key, and (re-exported) verifying it.

Each entry's hash is an HMAC (the audit key, see keys.py) of the previous hash and the entry's content,
and names the key by its id; the head row holds the last entry's id and hash under a seal made with
the key appends use now. A rotation is itself an entry, sealed with the old key, naming the new one
with a proof made with it; from then on the head names the new key and every append uses it.
Verification (verification.py) walks the whole chain and compares its end with the head.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction

from solvent.audit.chain import (
    GENESIS,
    KEY_ID_VERSION,
    ROTATION_ACTION,
    entry_hash,
    head_seal,
    rotation_proof,
)
from solvent.audit.keys import (
    KEY_VARIABLE,
    NEXT_KEY_VARIABLE,
    AuditKey,
    AuditKeyMissingError,
    audit_key,
    audit_key_next,
)
from solvent.audit.models import AuditChainHead, AuditEntry
from solvent.audit.verification import (
    AuditProblem,
    AuditVerification,
    audit_chain_check,
    audit_chain_verify,
)
from solvent.core import clock
from solvent.core.domain.errors import DomainError

__all__ = [
    "GENESIS",
    "AuditProblem",
    "AuditRotationError",
    "AuditVerification",
    "audit_chain_check",
    "audit_chain_verify",
    "audit_key_rotate",
    "audit_record",
    "audit_system",
]

ROTATION_REASON = "audit key rotation (solvent audit rotate-key)"


class AuditRotationError(DomainError):
    code = "audit_rotation_refused"


_system_reason: ContextVar[str] = ContextVar("audit_system_reason", default="")


@contextmanager
def audit_system(reason: str) -> Iterator[None]:
    """Within it (or the function it decorates), entries appended without a person name this
    system actor: what acted and why ("SMS provider webhook", "solvent demo"). Entry points (a
    webhook, a worker, a command) declare it once instead of every service taking a reason."""
    token = _system_reason.set(reason)
    try:
        yield
    finally:
        _system_reason.reset(token)


def _head_locked() -> AuditChainHead:
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS}
    )
    return head


def _append_key(head: AuditChainHead, current: AuditKey, upcoming: AuditKey | None) -> AuditKey:
    """The key the head names (the chain's key since its last rotation), if this process holds it."""
    if head.key_id is None or head.key_id == current.id:
        return current
    if upcoming is not None and head.key_id == upcoming.id:
        return upcoming
    raise AuditKeyMissingError(
        f"the audit chain is sealed with key {head.key_id} since its last rotation, and this "
        f"process does not hold it ({KEY_VARIABLE} is key {current.id}): set {KEY_VARIABLE} to "
        f"the key the chain was rotated to (`solvent audit rotate-key`, ADR 0015)"
    )


def _append(
    head: AuditChainHead,
    key: AuditKey,
    *,
    head_key: AuditKey,
    action: str,
    object_type: str,
    object_id: str | int,
    data: dict[str, Any] | None,
    actor_id: int | None,
    system: str,
) -> AuditEntry:
    entry = AuditEntry(
        at=clock.now(),
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=json.loads(json.dumps(data or {}, default=str)),
        previous_hash=head.last_hash,
        key_version=KEY_ID_VERSION,
        key_id=key.id,
        system=(system[:200] or None) if actor_id is None else None,
    )
    entry.entry_hash = entry_hash(head.last_hash, entry, key)
    entry.save()
    head.last_hash = entry.entry_hash
    head.last_entry_id = entry.pk
    head.key_id = head_key.id
    head.seal = head_seal(entry.pk, entry.entry_hash, head_key, head_key.id)
    head.save(update_fields=["last_hash", "last_entry_id", "key_id", "seal"])
    return entry


def audit_record(
    *,
    action: str,
    object_type: str,
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
    actor_id: int | None = None,
    system: str = "",
) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction so the entry and the change land together.

    `actor_id` is the person who acted; when no person did, `system` says what did and why (a
    webhook, a worker, a command), else the enclosing `audit_system`. Three statements: lock the
    head, insert, move the head."""
    system = system or _system_reason.get()
    current = audit_key()  # before any write: without a key nothing is appended (fail closed)
    upcoming = audit_key_next()
    with transaction.atomic():
        head = _head_locked()
        key = _append_key(head, current, upcoming)
        return _append(
            head,
            key,
            head_key=key,
            action=action,
            object_type=object_type,
            object_id=object_id,
            data=data,
            actor_id=actor_id,
            system=system,
        )


def _rotation_head_check(head: AuditChainHead | None, current: AuditKey) -> None:
    if head is not None and head.key_id not in (None, current.id):
        raise AuditRotationError(
            f"the chain is under key {head.key_id}, not the current key {current.id}: already "
            "rotated? Set the keys as the last rotation said"
        )


def audit_key_rotate(*, actor_id: int | None = None) -> AuditEntry:
    """Move the chain from SOLVENT_AUDIT_KEY to SOLVENT_AUDIT_KEY_NEXT, after verifying it whole.

    The rotation entry is sealed with the old key and carries a proof made with the new one; the
    head then names the new key, so every later append (by any process holding it, as the current
    or the next key) uses it. Refused on a chain that does not verify: a rotation vouches for it."""
    current = audit_key()
    upcoming = audit_key_next()
    if upcoming is None:
        raise AuditKeyMissingError(
            f"{NEXT_KEY_VARIABLE} is not set: set it to the new key (at least 32 characters, e.g. "
            "`openssl rand -hex 32`) in every process, then rotate"
        )
    if upcoming.id == current.id:
        raise AuditRotationError(f"{NEXT_KEY_VARIABLE} is the current key ({current.id})")
    _rotation_head_check(AuditChainHead.objects.filter(pk=1).first(), current)  # before the walk
    verification = audit_chain_check()
    if not verification.intact:
        raise AuditRotationError(
            f"the audit chain does not verify ({len(verification.problems)} problem(s)): a "
            "rotation would vouch for it. Run `solvent audit verify` and deal with them first"
        )
    with transaction.atomic():
        head = _head_locked()
        _rotation_head_check(head, current)
        proof = rotation_proof(head.last_hash, current.id, upcoming.id, upcoming)
        return _append(
            head,
            current,
            head_key=upcoming,
            action=ROTATION_ACTION,
            object_type="audit.key",
            object_id=upcoming.id,
            data={
                "from_key_id": current.id,
                "to_key_id": upcoming.id,
                "proof": proof,
                "entries_verified": verification.entries,
            },
            actor_id=actor_id,
            system=ROTATION_REASON,
        )
