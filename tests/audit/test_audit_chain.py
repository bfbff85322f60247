"""The audit chain: keyed, checked to its sealed head, and every kind of tampering names its entry."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

import pytest
import time_machine

from solvent.audit.models import AuditChainHead, AuditEntry
from solvent.audit.services import audit_chain_check, audit_chain_verify, audit_record

pytestmark = pytest.mark.django_db

Tamper = Callable[[], AbstractContextManager[None]]
MOMENT = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)


def _entries(count: int) -> list[AuditEntry]:
    with time_machine.travel(MOMENT, tick=False):
        return [
            audit_record(
                action="placement.imported", object_type="placement", object_id=i, data={"rows": i}
            )
            for i in range(count)
        ]


def _plain_hash(previous_hash: str, entry: AuditEntry) -> str:
    """What an attacker without the key computes: the chain's hash as it was before it was keyed."""
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


def _rechain_from(entry_id: int, tamper: Tamper) -> None:
    """Recompute every hash from ``entry_id`` on, and the head, as an attacker without the key can."""
    with tamper():
        entries = list(AuditEntry.objects.filter(id__gte=entry_id).order_by("id"))
        previous = AuditEntry.objects.filter(id__lt=entry_id).order_by("-id")[0].entry_hash
        for entry in entries:
            entry_hash = _plain_hash(previous, entry)
            AuditEntry.objects.filter(pk=entry.pk).update(
                previous_hash=previous, entry_hash=entry_hash
            )
            previous = entry_hash
        AuditChainHead.objects.filter(pk=1).update(last_hash=previous)


def test_an_untouched_chain_verifies_and_its_head_names_the_last_entry() -> None:
    entries = _entries(5)
    result = audit_chain_check()
    assert result.intact, result.problems
    assert result.entries == 5
    assert entries[1].previous_hash == entries[0].entry_hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_entry_id, head.last_hash) == (entries[-1].pk, entries[-1].entry_hash)
    assert audit_chain_verify() is None


def test_an_empty_log_is_intact() -> None:
    assert audit_chain_check().intact


def test_an_edited_entry_is_reported_by_its_id(tamper: Tamper) -> None:
    entries = _entries(5)
    with tamper():
        AuditEntry.objects.filter(pk=entries[2].pk).update(data={"rows": 999})
    result = audit_chain_check()
    assert [problem.entry_id for problem in result.problems] == [entries[2].pk]
    assert "edited" in result.problems[0].reason
    assert audit_chain_verify() == entries[2].pk


def test_an_edit_with_every_hash_after_it_recomputed_without_the_key_is_still_found(
    tamper: Tamper,
) -> None:
    entries = _entries(5)
    with tamper():
        AuditEntry.objects.filter(pk=entries[2].pk).update(data={"rows": 999})
    _rechain_from(entries[2].pk, tamper)
    result = audit_chain_check()
    # The head's seal fails (its hash moved) and every recomputed entry fails its HMAC.
    assert [problem.entry_id for problem in result.problems] == [
        None,
        entries[2].pk,
        entries[3].pk,
        entries[4].pk,
    ]


def test_deleting_the_last_entries_is_reported_as_a_truncation(tamper: Tamper) -> None:
    entries = _entries(5)
    with tamper():
        AuditEntry.objects.filter(pk__in=[entries[3].pk, entries[4].pk]).delete()
    result = audit_chain_check()
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.entry_id == entries[4].pk
    assert "truncated" in problem.reason
    assert f"ends at {entries[2].pk}" in problem.reason


def test_moving_the_head_back_after_a_truncation_is_found_without_the_key(tamper: Tamper) -> None:
    entries = _entries(4)
    with tamper():
        AuditEntry.objects.filter(pk=entries[3].pk).delete()
        AuditChainHead.objects.filter(pk=1).update(
            last_entry_id=entries[2].pk, last_hash=entries[2].entry_hash
        )
    result = audit_chain_check()
    assert [(problem.entry_id, "moved" in problem.reason) for problem in result.problems] == [
        (None, True)
    ]
    assert audit_chain_verify() == 0


def test_deleting_the_head_is_found(tamper: Tamper) -> None:
    _entries(2)
    with tamper():
        AuditChainHead.objects.all().delete()
    result = audit_chain_check()
    assert [str(problem) for problem in result.problems] == ["head: missing while entries exist"]


def test_a_deleted_middle_entry_is_reported_at_the_entry_after_the_gap(tamper: Tamper) -> None:
    entries = _entries(3)
    with tamper():
        AuditEntry.objects.filter(pk=entries[1].pk).delete()
    result = audit_chain_check()
    assert [problem.entry_id for problem in result.problems] == [entries[2].pk]
    assert "removed" in result.problems[0].reason


def test_a_chain_sealed_with_another_key_does_not_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLVENT_AUDIT_KEY", "k" * 32)
    entries = _entries(2)
    monkeypatch.setenv("SOLVENT_AUDIT_KEY", "z" * 32)
    result = audit_chain_check()
    assert [problem.entry_id for problem in result.problems] == [
        None,
        entries[0].pk,
        entries[1].pk,
    ]


def test_blanking_the_heads_seal_to_hide_a_truncation_is_found(tamper: Tamper) -> None:
    entries = _entries(3)
    with tamper():
        AuditEntry.objects.filter(pk=entries[2].pk).delete()
    # The head may be updated (appends do): no trigger stops this, the keyed entries must.
    AuditChainHead.objects.filter(pk=1).update(
        seal="", last_entry_id=entries[1].pk, last_hash=entries[1].entry_hash
    )
    result = audit_chain_check()
    assert [str(problem) for problem in result.problems] == [
        "head: unsealed, yet keyed entries exist (its seal was removed)"
    ]
