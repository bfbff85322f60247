"""Appending to the audit chain, and verifying the chain and its head.

Each entry's hash is an HMAC (the audit key, see keys.py) of the previous hash and the entry's content;
the head row holds the last entry's id and hash under a seal made with the same key. Verification walks
the whole chain and compares its end with the head, so an edited, deleted or truncated log is found
even by someone who recomputed the hashes without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from solvent.audit.keys import AuditKey, audit_key
from solvent.audit.models import AuditChainHead, AuditEntry
from solvent.core import clock

GENESIS = "0" * 64
LEGACY_VERSION = 0
KEYED_VERSION = 1


def _body(previous_hash: str, payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return (previous_hash + body).encode()


def _entry_hash(previous_hash: str, payload: dict[str, Any], key: AuditKey, version: int) -> str:
    if version == LEGACY_VERSION:
        # Entries written before the key existed; trusted only as far as a keyed entry follows them.
        return hashlib.sha256(_body(previous_hash, payload)).hexdigest()
    return hmac.new(key.secret, _body(previous_hash, payload), hashlib.sha256).hexdigest()


def _head_seal(last_entry_id: int | None, last_hash: str, key: AuditKey) -> str:
    message = f"head\n{last_entry_id}\n{last_hash}".encode()
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()


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
    """Append one entry. Runs inside the caller's transaction so the entry and the change land together.

    Three statements, as before the chain was keyed: lock the head, insert, move the head."""
    key = audit_key()  # before any write: without a key nothing is appended (fail closed)
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
            key_version=KEYED_VERSION,
        )
        entry.entry_hash = _entry_hash(head.last_hash, _payload(entry), key, KEYED_VERSION)
        entry.save()
        head.last_hash = entry.entry_hash
        head.last_entry_id = entry.pk
        head.seal = _head_seal(entry.pk, entry.entry_hash, key)
        head.save(update_fields=["last_hash", "last_entry_id", "seal"])
    return entry


@dataclass(frozen=True)
class AuditProblem:
    """One reason the log cannot be trusted: which entry (None for the head itself) and why."""

    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"entry {self.entry_id}" if self.entry_id is not None else "head"
        return f"{where}: {self.reason}"


@dataclass
class AuditVerification:
    entries: int = 0
    legacy_entries: int = 0
    last_entry_id: int | None = None
    last_hash: str = GENESIS
    key_derived: bool = False
    problems: list[AuditProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def _chain_check(result: AuditVerification, key: AuditKey, up_to: int | None) -> None:
    previous = GENESIS
    legacy_tail = False
    entries = AuditEntry.objects.order_by("id")
    if up_to is not None:
        # Entries appended after the head was read are the next verification's business.
        entries = entries.filter(id__lte=up_to)
    for entry in entries.iterator(chunk_size=2000):
        result.entries += 1
        if entry.key_version == LEGACY_VERSION:
            result.legacy_entries += 1
            if result.entries > result.legacy_entries:
                result.problems.append(
                    AuditProblem(
                        entry.id, "unkeyed entry after keyed ones: written without the key"
                    )
                )
        legacy_tail = entry.key_version == LEGACY_VERSION
        if entry.previous_hash != previous:
            result.problems.append(
                AuditProblem(
                    entry.id, "does not follow the entry before it (an entry was removed or moved)"
                )
            )
        elif entry.entry_hash != _entry_hash(previous, _payload(entry), key, entry.key_version):
            result.problems.append(
                AuditProblem(entry.id, "its content does not match its hash (edited)")
            )
        previous = entry.entry_hash
        result.last_entry_id = entry.id
        result.last_hash = entry.entry_hash
    if legacy_tail:
        result.notes.append("the newest entries predate the audit key: the next append seals them")


def _head_sealed(result: AuditVerification, head: AuditChainHead | None, key: AuditKey) -> bool:
    """Whether the head can be trusted to say where the chain ends; notes or problems otherwise."""
    if head is None:
        if AuditEntry.objects.exists():
            result.problems.append(AuditProblem(None, "missing while entries exist"))
        return False
    if not head.seal:
        result.notes.append(
            "the head is not sealed yet (written before the key): the next append seals it"
        )
        return False
    if not hmac.compare_digest(head.seal, _head_seal(head.last_entry_id, head.last_hash, key)):
        result.problems.append(AuditProblem(None, "its seal does not match (the head was moved)"))
        return False
    return True


def audit_chain_check() -> AuditVerification:
    """Walk the whole chain and compare its end with the sealed head; every problem found is listed.

    Takes no lock: appends go on while an auditor verifies a large log."""
    key = audit_key()
    result = AuditVerification(key_derived=key.derived)
    head = AuditChainHead.objects.filter(pk=1).first()
    sealed = _head_sealed(result, head, key)
    if not sealed:
        _chain_check(result, key, up_to=None)
        if head is not None and not head.seal:
            # Only a chain written before the key may have an unsealed head: every keyed append
            # seals it, so a blank seal over keyed entries was blanked to hide a truncation.
            if result.entries > result.legacy_entries:
                result.problems.append(
                    AuditProblem(None, "unsealed, yet keyed entries exist (its seal was removed)")
                )
            elif head.last_hash != result.last_hash:
                result.problems.append(
                    AuditProblem(None, "unsealed head does not name the last entry")
                )
        return result
    assert head is not None  # sealed implies a head
    _chain_check(result, key, up_to=head.last_entry_id)
    if head.last_entry_id != result.last_entry_id or head.last_hash != result.last_hash:
        result.problems.append(
            AuditProblem(
                head.last_entry_id,
                f"the head names entry {head.last_entry_id} as the last one but the chain ends at "
                f"{result.last_entry_id}: the newest entries were deleted (truncated)",
            )
        )
    _beyond_head_check(result, head.last_entry_id, key)
    return result


def _beyond_head_check(result: AuditVerification, head_entry_id: int | None, key: AuditKey) -> None:
    """Rows after the head are either appends that committed during the walk, or were inserted
    around `audit_record`. An append moves the head in its own commit, so a fresh head covers it."""
    beyond = AuditEntry.objects.filter(id__gt=head_entry_id or 0).order_by("id").first()
    if beyond is None:
        return
    fresh = AuditChainHead.objects.filter(pk=1).first()
    if (
        fresh is not None
        and fresh.last_entry_id is not None
        and fresh.last_entry_id >= beyond.id
        and hmac.compare_digest(fresh.seal, _head_seal(fresh.last_entry_id, fresh.last_hash, key))
    ):
        result.notes.append("entries appended during the verification are left to the next one")
        return
    result.problems.append(
        AuditProblem(beyond.id, "written after the head, not through the chain (inserted)")
    )


def audit_chain_verify() -> int | None:
    """The id of the first entry that does not verify (0 when only the head fails), or None."""
    result = audit_chain_check()
    if result.intact:
        return None
    return result.problems[0].entry_id or 0
