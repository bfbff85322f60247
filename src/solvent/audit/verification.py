"""Verifying the audit chain and its head, across key rotations.

Every entry is checked with the key its id names, taken from the keys this process holds (the
current one, SOLVENT_AUDIT_KEY_NEXT, SOLVENT_AUDIT_KEYS_RETIRED). A key not supplied is reported as
such, entry by entry, so a verification run without a retired key fails and says which. The chain
is under one key at a time: an entry under another key is reported unless a rotation entry, sealed
with the key before and carrying a proof made with the key after, moved the chain to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from solvent.audit.chain import (
    GENESIS,
    KEYED_VERSION,
    LEGACY_VERSION,
    ROTATION_ACTION,
    digests_match,
    entry_hash,
    head_seal,
    rotation_proof,
)
from solvent.audit.keys import RETIRED_KEYS_VARIABLE, AuditKey, audit_key, audit_keyring
from solvent.audit.models import AuditChainHead, AuditEntry

Keyring = dict[str, AuditKey]


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
    # Entries per key id, and the rotations found (from key id, to key id), in chain order.
    keys: dict[str, int] = field(default_factory=dict)
    rotations: list[tuple[str, str]] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def _not_supplied(key_id: str) -> str:
    return (
        f"sealed with key {key_id}, which is not supplied: set {RETIRED_KEYS_VARIABLE} to the "
        "retired key(s) to verify the entries written before a rotation"
    )


@dataclass
class _Walk:
    """What the walk knows so far: the chain's key, and whether key ids have started."""

    keyring: Keyring
    result: AuditVerification
    chain_key: str | None = None
    key_ids_seen: bool = False

    def entry(self, entry: AuditEntry, previous: str) -> None:
        if entry.key_version == LEGACY_VERSION:
            if entry.entry_hash != entry_hash(previous, entry, None):
                self.problem(entry, "its content does not match its hash (edited)")
        elif entry.key_version == KEYED_VERSION:
            self.keyed(entry, previous)
        else:
            self.named(entry, previous)

    def problem(self, entry: AuditEntry, reason: str) -> None:
        self.result.problems.append(AuditProblem(entry.id, reason))

    def keyed(self, entry: AuditEntry, previous: str) -> None:
        """Sealed before key ids: with whichever key was in force, so any supplied key may fit."""
        if self.key_ids_seen:
            self.problem(entry, "written without a key id after entries with one")
        for key_id, key in self.keyring.items():
            if digests_match(entry.entry_hash, entry_hash(previous, entry, key)):
                self.chain_key = self.chain_key or key_id
                self.count(key_id)
                return
        self.problem(
            entry,
            "its content does not match its hash under any key supplied (edited, or sealed with "
            f"a retired key missing from {RETIRED_KEYS_VARIABLE})",
        )

    def named(self, entry: AuditEntry, previous: str) -> None:
        self.key_ids_seen = True
        key_id = entry.key_id or ""
        key = self.keyring.get(key_id)
        if key is None:
            self.problem(entry, _not_supplied(key_id))
        elif not digests_match(entry.entry_hash, entry_hash(previous, entry, key)):
            self.problem(entry, "its content does not match its hash (edited)")
            return
        else:
            self.count(key_id)
            if self.chain_key is not None and key_id != self.chain_key:
                self.problem(
                    entry,
                    f"sealed with key {key_id} while the chain is under key {self.chain_key}, "
                    "and no rotation moved it",
                )
        if entry.action == ROTATION_ACTION:
            self.rotation(entry, key_id, verified=key is not None)
        elif self.chain_key is None:
            self.chain_key = key_id

    def rotation(self, entry: AuditEntry, key_id: str, *, verified: bool) -> None:
        data: Any = entry.data if isinstance(entry.data, dict) else {}
        to_key_id = str(data.get("to_key_id", ""))
        self.result.rotations.append((key_id, to_key_id))
        self.chain_key = to_key_id
        if not verified:
            return  # already reported: its key is not supplied
        to_key = self.keyring.get(to_key_id)
        if data.get("from_key_id") != key_id:
            self.problem(entry, "a rotation not sealed with the key it rotates from")
        elif to_key is None:
            self.problem(entry, f"rotates to key {to_key_id}, which is not supplied")
        elif not digests_match(
            str(data.get("proof", "")),
            rotation_proof(entry.previous_hash, key_id, to_key_id, to_key),
        ):
            self.problem(entry, f"its proof does not match key {to_key_id} (a forged rotation)")

    def count(self, key_id: str) -> None:
        self.result.keys[key_id] = self.result.keys.get(key_id, 0) + 1


def _chain_check(result: AuditVerification, keyring: Keyring, up_to: int | None) -> str | None:
    """Walk the entries in order; returns the key the chain ends under (None before key ids)."""
    walk = _Walk(keyring, result)
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
                walk.problem(entry, "unkeyed entry after keyed ones: written without the key")
        legacy_tail = entry.key_version == LEGACY_VERSION
        if entry.previous_hash != previous:
            walk.problem(
                entry, "does not follow the entry before it (an entry was removed or moved)"
            )
        else:
            walk.entry(entry, previous)
        previous = entry.entry_hash
        result.last_entry_id = entry.id
        result.last_hash = entry.entry_hash
    if legacy_tail:
        result.notes.append("the newest entries predate the audit key: the next append seals them")
    return walk.chain_key if walk.key_ids_seen else None


def _seal_valid(head: AuditChainHead, keyring: Keyring) -> bool | None:
    """Whether the head's seal matches; None when the key that sealed it is not supplied."""
    if head.key_id is None:  # sealed before key ids, with whichever key was in force
        return any(
            digests_match(head.seal, head_seal(head.last_entry_id, head.last_hash, key, None))
            for key in keyring.values()
        )
    key = keyring.get(head.key_id)
    if key is None:
        return None
    return digests_match(head.seal, head_seal(head.last_entry_id, head.last_hash, key, head.key_id))


def _head_sealed(result: AuditVerification, head: AuditChainHead | None, keyring: Keyring) -> bool:
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
    valid = _seal_valid(head, keyring)
    if valid is None:
        result.problems.append(AuditProblem(None, _not_supplied(str(head.key_id))))
        return False
    if not valid:
        result.problems.append(AuditProblem(None, "its seal does not match (the head was moved)"))
        return False
    return True


def audit_chain_check() -> AuditVerification:
    """Walk the whole chain and compare its end with the sealed head; every problem found is listed.

    Takes no lock: appends go on while an auditor verifies a large log."""
    keyring = audit_keyring()
    result = AuditVerification(key_derived=audit_key().derived)
    head = AuditChainHead.objects.filter(pk=1).first()
    sealed = _head_sealed(result, head, keyring)
    if not sealed:
        _chain_check(result, keyring, up_to=None)
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
    chain_key = _chain_check(result, keyring, up_to=head.last_entry_id)
    if head.last_entry_id != result.last_entry_id or head.last_hash != result.last_hash:
        result.problems.append(
            AuditProblem(
                head.last_entry_id,
                f"the head names entry {head.last_entry_id} as the last one but the chain ends at "
                f"{result.last_entry_id}: the newest entries were deleted (truncated)",
            )
        )
    elif chain_key is not None and head.key_id != chain_key:
        result.problems.append(
            AuditProblem(
                None, f"sealed with key {head.key_id} while the chain is under key {chain_key}"
            )
        )
    _beyond_head_check(result, head.last_entry_id, keyring)
    return result


def _beyond_head_check(
    result: AuditVerification, head_entry_id: int | None, keyring: Keyring
) -> None:
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
        and _seal_valid(fresh, keyring)
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
