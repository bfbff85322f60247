"""Rotating the audit key: the chain verifies across a rotation with both keys, fails clearly
without the old one, and an edit made before the rotation is still found, even by someone holding
the old key."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from solvent.audit.chain import entry_hash
from solvent.audit.keys import AuditKey, AuditKeyMissingError
from solvent.audit.models import AuditChainHead, AuditEntry
from solvent.audit.services import (
    AuditRotationError,
    audit_chain_check,
    audit_key_rotate,
    audit_record,
)

pytestmark = pytest.mark.django_db

Tamper = Callable[[], AbstractContextManager[None]]
OLD = "old-audit-key-" + "o" * 32
NEW = "new-audit-key-" + "n" * 32
OLD_ID = AuditKey(OLD.encode(), derived=False).id
NEW_ID = AuditKey(NEW.encode(), derived=False).id


def _append(count: int, tag: str) -> list[AuditEntry]:
    return [
        audit_record(action=f"{tag}.{n}", object_type="t", data={"n": n}, system="test")
        for n in range(count)
    ]


@pytest.fixture
def rotated(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[AuditEntry]]:
    """Three entries under the old key, the rotation, two in the window (the new key still in
    SOLVENT_AUDIT_KEY_NEXT), then the keys swapped as the command says and two more."""
    monkeypatch.setenv("SOLVENT_AUDIT_KEY", OLD)
    monkeypatch.delenv("SOLVENT_AUDIT_KEY_NEXT", raising=False)
    monkeypatch.delenv("SOLVENT_AUDIT_KEYS_RETIRED", raising=False)
    before = _append(3, "before")
    monkeypatch.setenv("SOLVENT_AUDIT_KEY_NEXT", NEW)
    rotation = audit_key_rotate()
    window = _append(2, "window")
    monkeypatch.setenv("SOLVENT_AUDIT_KEY", NEW)
    monkeypatch.delenv("SOLVENT_AUDIT_KEY_NEXT")
    monkeypatch.setenv("SOLVENT_AUDIT_KEYS_RETIRED", OLD)
    after = _append(2, "after")
    return {"before": before, "rotation": [rotation], "window": window, "after": after}


def test_each_entry_names_its_key_and_the_rotation_links_the_two(
    rotated: dict[str, list[AuditEntry]],
) -> None:
    (rotation,) = rotated["rotation"]
    assert {e.key_id for e in rotated["before"]} == {OLD_ID}
    assert rotation.key_id == OLD_ID  # sealed with the old key
    assert (rotation.data["from_key_id"], rotation.data["to_key_id"]) == (OLD_ID, NEW_ID)
    assert rotation.data["entries_verified"] == 3
    assert rotation.system  # no person: the command says so
    assert {e.key_id for e in rotated["window"] + rotated["after"]} == {NEW_ID}
    assert AuditChainHead.objects.get(pk=1).key_id == NEW_ID


def test_the_chain_verifies_across_a_rotation_with_both_keys(
    rotated: dict[str, list[AuditEntry]],
) -> None:
    result = audit_chain_check()
    assert result.intact, result.problems
    assert result.keys == {OLD_ID: 4, NEW_ID: 4}
    assert result.rotations == [(OLD_ID, NEW_ID)]


def test_without_the_retired_key_verification_fails_and_names_the_missing_key(
    rotated: dict[str, list[AuditEntry]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOLVENT_AUDIT_KEYS_RETIRED")
    result = audit_chain_check()
    sealed_with_old = [e.pk for e in rotated["before"] + rotated["rotation"]]
    assert [problem.entry_id for problem in result.problems] == sealed_with_old
    assert all(
        f"key {OLD_ID}, which is not supplied: set SOLVENT_AUDIT_KEYS_RETIRED" in problem.reason
        for problem in result.problems
    ), result.problems


def test_an_edit_before_the_rotation_is_still_found(
    rotated: dict[str, list[AuditEntry]], tamper: Tamper
) -> None:
    edited = rotated["before"][1]
    with tamper():
        AuditEntry.objects.filter(pk=edited.pk).update(data={"n": 99})
    result = audit_chain_check()
    assert [(p.entry_id, p.reason) for p in result.problems] == [
        (edited.pk, "its content does not match its hash (edited)")
    ]


def test_an_edit_before_the_rotation_resealed_with_the_stolen_old_key_is_found(
    rotated: dict[str, list[AuditEntry]], tamper: Tamper
) -> None:
    """Whoever holds the retired key re-seals every entry up to the rotation: the first entry under
    the new key covers the old chain's end, and so does the rotation's proof."""
    old_key = AuditKey(OLD.encode(), derived=False)
    previous = "0" * 64
    with tamper():
        for entry in rotated["before"] + rotated["rotation"]:
            if entry.action == "before.0":
                entry.data = {"n": -1}
            entry.previous_hash = previous
            entry.entry_hash = entry_hash(previous, entry, old_key)
            AuditEntry.objects.filter(pk=entry.pk).update(
                data=entry.data, previous_hash=previous, entry_hash=entry.entry_hash
            )
            previous = entry.entry_hash
    result = audit_chain_check()
    (rotation,) = rotated["rotation"]
    first_new = rotated["window"][0]
    assert [p.entry_id for p in result.problems] == [rotation.pk, first_new.pk]
    assert "forged rotation" in result.problems[0].reason
    assert "removed or moved" in result.problems[1].reason


def test_an_entry_under_the_old_key_after_the_rotation_is_found(
    rotated: dict[str, list[AuditEntry]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process (or a thief) still on the old key cannot extend the chain: the head names the new
    key, so the append is refused; and an entry forged past that is reported by verification."""
    monkeypatch.setenv("SOLVENT_AUDIT_KEY", OLD)
    monkeypatch.setenv("SOLVENT_AUDIT_KEYS_RETIRED", NEW)
    with pytest.raises(AuditKeyMissingError, match=f"sealed with key {NEW_ID} since its last"):
        audit_record(action="late", object_type="t", system="test")


def test_a_rotation_is_refused_without_a_next_key_or_on_a_tampered_chain(
    monkeypatch: pytest.MonkeyPatch, tamper: Tamper
) -> None:
    monkeypatch.setenv("SOLVENT_AUDIT_KEY", OLD)
    monkeypatch.delenv("SOLVENT_AUDIT_KEY_NEXT", raising=False)
    entries = _append(2, "before")
    with pytest.raises(AuditKeyMissingError, match="SOLVENT_AUDIT_KEY_NEXT is not set"):
        audit_key_rotate()
    monkeypatch.setenv("SOLVENT_AUDIT_KEY_NEXT", OLD)
    with pytest.raises(AuditRotationError, match="is the current key"):
        audit_key_rotate()
    monkeypatch.setenv("SOLVENT_AUDIT_KEY_NEXT", NEW)
    with tamper():
        AuditEntry.objects.filter(pk=entries[0].pk).update(data={"n": 7})
    with pytest.raises(AuditRotationError, match="does not verify"):
        audit_key_rotate()
    assert not AuditEntry.objects.filter(action="audit.key_rotated").exists()


def test_the_command_rotates_and_says_what_to_set_next(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLVENT_AUDIT_KEY", OLD)
    monkeypatch.setenv("SOLVENT_AUDIT_KEY_NEXT", NEW)
    monkeypatch.delenv("SOLVENT_AUDIT_KEYS_RETIRED", raising=False)
    _append(1, "before")
    out = io.StringIO()
    call_command("audit", "rotate-key", stdout=out)
    assert f"moves the chain to key {NEW_ID}" in out.getvalue()
    assert "SOLVENT_AUDIT_KEYS_RETIRED=<the old key>" in out.getvalue()
    with pytest.raises(CommandError, match="already rotated"):
        monkeypatch.setenv("SOLVENT_AUDIT_KEY_NEXT", "third-audit-key-" + "t" * 32)
        call_command("audit", "rotate-key", stdout=io.StringIO())
    verify = io.StringIO()
    monkeypatch.setenv("SOLVENT_AUDIT_KEY", NEW)
    monkeypatch.delenv("SOLVENT_AUDIT_KEY_NEXT")
    monkeypatch.setenv("SOLVENT_AUDIT_KEYS_RETIRED", OLD)
    call_command("audit", "verify", stdout=verify, stderr=io.StringIO())
    assert "1 rotation(s)" in verify.getvalue()
