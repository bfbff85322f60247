"""Appending to and verifying the audit chain."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction

from solvent.audit.models import AuditChainHead, AuditEntry
from solvent.core import clock

GENESIS = "0" * 64


def _entry_hash(previous_hash: str, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256((previous_hash + body).encode()).hexdigest()


def _payload(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
    }


def audit_record(
    *,
    action: str,
    object_type: str,
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
    actor_id: int | None = None,
) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction so the entry and the change land together."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS}
        )
        entry = AuditEntry(
            at=clock.now(),
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            data=json.loads(json.dumps(data or {}, default=str)),
            previous_hash=head.last_hash,
        )
        entry.entry_hash = _entry_hash(head.last_hash, _payload(entry))
        entry.save()
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_hash"])
    return entry


def audit_chain_verify() -> int | None:
    """Return the id of the first entry whose hash does not follow from its predecessor, or None."""
    previous = GENESIS
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.previous_hash != previous or entry.entry_hash != _entry_hash(
            previous, _payload(entry)
        ):
            return entry.id
        previous = entry.entry_hash
    return None
