"""Entries written before the chain was keyed: accepted, then sealed by the first keyed append."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

import pytest

from solvent.audit.models import AuditChainHead, AuditEntry
from solvent.audit.services import GENESIS, audit_chain_check, audit_record

pytestmark = pytest.mark.django_db

Tamper = Callable[[], AbstractContextManager[None]]
MOMENT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _legacy_hash(previous_hash: str, entry: AuditEntry) -> str:
    payload = {
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
    }
    body = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256((previous_hash + body).encode()).hexdigest()


def _legacy_chain(count: int) -> list[AuditEntry]:
    """What migration 0001's code wrote: plain SHA-256, a head with the last hash only."""
    previous = GENESIS
    entries = []
    for number in range(count):
        entry = AuditEntry(
            at=MOMENT,
            action="legacy",
            object_type="t",
            object_id=str(number),
            data={"n": number},
            previous_hash=previous,
            key_version=0,
        )
        entry.entry_hash = _legacy_hash(previous, entry)
        entry.save()
        entries.append(entry)
        previous = entry.entry_hash
    AuditChainHead.objects.create(pk=1, last_hash=previous)
    return entries


def test_a_legacy_chain_verifies_and_says_its_head_is_not_sealed_yet() -> None:
    _legacy_chain(3)
    result = audit_chain_check()
    assert result.intact, result.problems
    assert result.legacy_entries == 3
    assert any("not sealed yet" in note for note in result.notes)


def test_the_first_keyed_append_seals_the_legacy_entries_before_it(tamper: Tamper) -> None:
    legacy = _legacy_chain(3)
    keyed = audit_record(action="after.upgrade", object_type="t")
    assert keyed.previous_hash == legacy[-1].entry_hash
    assert audit_chain_check().intact
    # Editing an old entry and recomputing every old hash (no key needed for those) breaks the seal.
    with tamper():
        AuditEntry.objects.filter(pk=legacy[1].pk).update(data={"n": 99})
        previous = legacy[0].entry_hash
        for entry in AuditEntry.objects.filter(pk__in=[legacy[1].pk, legacy[2].pk]).order_by("id"):
            entry_hash = _legacy_hash(previous, entry)
            AuditEntry.objects.filter(pk=entry.pk).update(
                previous_hash=previous, entry_hash=entry_hash
            )
            previous = entry_hash
    result = audit_chain_check()
    assert [problem.entry_id for problem in result.problems] == [keyed.pk]


def test_an_unkeyed_entry_slipped_in_after_keyed_ones_is_reported() -> None:
    keyed = audit_record(action="keyed", object_type="t")
    forged = AuditEntry(
        at=MOMENT,
        action="forged",
        object_type="t",
        previous_hash=keyed.entry_hash,
        key_version=0,
    )
    forged.entry_hash = _legacy_hash(keyed.entry_hash, forged)
    forged.save()
    result = audit_chain_check()
    assert forged.pk in [problem.entry_id for problem in result.problems]
