"""Starting a recording, storing its chunks (masked, once, within limits), watching and purging."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from solvent.audit.models import AuditEntry
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.screen_recording.domain.chunks import ChunkRefusedError
from solvent.screen_recording.models import ScreenChunk, ScreenRecording
from solvent.screen_recording.selectors import screen_recordings_for_call
from solvent.screen_recording.services import (
    screen_chunk_append,
    screen_recording_start,
    screen_recording_watch,
    screen_recordings_purge,
)
from tests.screen_recording.world import (
    DEBTOR_EMAIL,
    DEBTOR_PHONE,
    NOW,
    NOW_MS,
    ScreenWorld,
    events,
    screen_world_build,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def world() -> ScreenWorld:
    return screen_world_build()


def _start(world: ScreenWorld, user=None) -> ScreenRecording:
    return screen_recording_start(
        user=user or world.floor.ann, account_id=world.floor.account.pk, page="/accounts/1/"
    )


def _append(recording: ScreenRecording, user, sequence: int, batch, size: int = 500):
    return screen_chunk_append(
        user=user, recording_id=recording.pk, sequence=sequence, events=batch, size_bytes=size
    )


def test_a_recording_is_tied_to_the_agents_live_call_and_kept_like_call_audio(world) -> None:
    recording = _start(world)
    assert recording.call_id == world.call.pk and recording.account_id == world.floor.account.pk
    assert recording.delete_after == NOW + timedelta(days=730)
    entry = AuditEntry.objects.get(action="screen_recording.started")
    assert entry.actor_id == world.floor.ann.pk and entry.object_id == str(recording.pk)
    # abe has no call on the account: his recording is tied to none.
    assert _start(world, world.floor.abe).call_id is None


def test_the_retention_follows_the_recordings_setting(world, settings) -> None:
    settings.SOLVENT_RECORDING_RETENTION_DAYS = 0
    assert _start(world).delete_after is None


@pytest.mark.parametrize(
    ("who", "error"),
    [("gil", NotFoundError), ("cora", PermissionDeniedError), ("cleo", PermissionDeniedError)],
)
def test_only_the_desks_that_take_calls_are_recorded(world, who, error) -> None:
    with pytest.raises(error):
        _start(world, getattr(world.floor, who))
    assert not ScreenRecording.objects.exists()


def test_a_chunk_is_stored_masked_and_counted_once(world) -> None:
    recording = _start(world)
    text = f"Pat owes; call {DEBTOR_PHONE} or write to {DEBTOR_EMAIL}, 77 Quiet Lane 43215"
    first = _append(recording, world.floor.ann, 0, events(text))
    assert first.created and first.strings_masked == 1
    stored = json.dumps(first.chunk.events)
    for secret in ("Pat ", DEBTOR_PHONE, DEBTOR_EMAIL, "Quiet Lane", "43215"):
        assert secret not in stored
    assert "owes; call" in stored
    again = _append(recording, world.floor.ann, 0, events("something else"))
    assert not again.created and again.chunk.pk == first.chunk.pk
    recording.refresh_from_db()
    assert recording.event_count == 2 and ScreenChunk.objects.count() == 1
    assert (recording.first_event_ms, recording.last_event_ms) == (NOW_MS, NOW_MS + 1)
    second = _append(recording, world.floor.ann, 1, events("later", NOW_MS + 5000))
    assert second.created
    recording.refresh_from_db()
    assert recording.event_count == 4 and recording.last_event_ms == NOW_MS + 5001
    assert recording.ended_at == NOW and recording.size_bytes >= 1000


def test_the_call_dialled_after_the_page_opened_is_tied_by_the_next_chunk(world) -> None:
    world.call.agent = None
    world.call.save()
    recording = _start(world)
    assert recording.call_id is None
    world.call.agent = world.floor.ann
    world.call.save()
    _append(recording, world.floor.ann, 0, events("x"))
    recording.refresh_from_db()
    assert recording.call_id == world.call.pk


@pytest.mark.parametrize(("who", "error"), [("abe", PermissionDeniedError), ("gil", NotFoundError)])
def test_only_the_agent_recorded_writes_their_recording(world, who, error) -> None:
    recording = _start(world)
    with pytest.raises(error):
        _append(recording, getattr(world.floor, who), 0, events("x"))
    assert not ScreenChunk.objects.exists()


def test_the_limits_refuse_a_chunk_whole(world, settings) -> None:
    settings.SOLVENT_SCREEN_CHUNK_MAX_BYTES = 1000
    settings.SOLVENT_SCREEN_RECORDING_MAX_BYTES = 1500
    recording = _start(world)
    with pytest.raises(ChunkRefusedError) as refused:
        _append(recording, world.floor.ann, 0, events("x"), size=1001)
    assert refused.value.code == "too_large"
    _append(recording, world.floor.ann, 0, events("x"), size=900)
    with pytest.raises(ChunkRefusedError) as full:
        _append(recording, world.floor.ann, 1, events("y"), size=900)
    assert full.value.code == "too_large" and ScreenChunk.objects.count() == 1
    with pytest.raises(ChunkRefusedError):
        _append(recording, world.floor.ann, 2, events("z", NOW_MS - 3_600_000), size=10)


def test_a_call_lists_its_recordings_to_who_may_review_them(world) -> None:
    recording = _start(world)
    call = world.call.pk
    for who in ("sue", "cleo", "ada", "ann"):
        assert screen_recordings_for_call(user=getattr(world.floor, who), call_id=call) == [
            recording
        ], who
    for who in ("abe", "cora", "gil"):
        assert screen_recordings_for_call(user=getattr(world.floor, who), call_id=call) == [], who
    assert screen_recordings_for_call(user=world.floor.sue, call_id=call + 999) == []


def test_watching_returns_the_events_in_order_and_is_audited(world) -> None:
    recording = _start(world)
    _append(recording, world.floor.ann, 1, events("second", NOW_MS + 10))
    _append(recording, world.floor.ann, 0, events("first"))
    watched = screen_recording_watch(user=world.floor.sue, recording_id=recording.pk)
    texts = [
        e["data"]["node"]["childNodes"][0]["textContent"] for e in watched.events if e["type"] == 2
    ]
    assert texts == ["first", "second"]
    entry = AuditEntry.objects.get(action="screen_recording.viewed")
    assert entry.actor_id == world.floor.sue.pk and entry.data["events"] == 4


@pytest.mark.parametrize(
    ("who", "error"),
    [("abe", PermissionDeniedError), ("cora", PermissionDeniedError), ("gil", NotFoundError)],
)
def test_watching_is_refused_to_others_and_not_audited(world, who, error) -> None:
    recording = _start(world)
    with pytest.raises(error):
        screen_recording_watch(user=getattr(world.floor, who), recording_id=recording.pk)
    with pytest.raises(NotFoundError):
        screen_recording_watch(user=world.floor.sue, recording_id=recording.pk + 99)
    assert not AuditEntry.objects.filter(action="screen_recording.viewed").exists()


def test_a_dialer_page_recording_is_seen_by_its_agent_and_the_agency_wide_roles(world) -> None:
    recording = screen_recording_start(user=world.floor.ann, account_id=None, page="/dialer/")
    for who in ("ann", "cleo", "ada"):
        screen_recording_watch(user=getattr(world.floor, who), recording_id=recording.pk)
    for who in ("sue", "abe", "gil"):
        with pytest.raises(NotFoundError):
            screen_recording_watch(user=getattr(world.floor, who), recording_id=recording.pk)


def test_the_purge_deletes_what_is_past_retention_and_audits_it(world) -> None:
    old = _start(world)
    _append(old, world.floor.ann, 0, events("x"))
    kept = _start(world)
    ScreenRecording.objects.filter(pk=old.pk).update(delete_after=NOW - timedelta(days=1))
    assert screen_recordings_purge(now=NOW, dry_run=True) == 1
    assert screen_recordings_purge(now=NOW) == 1
    assert list(ScreenRecording.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not ScreenChunk.objects.exists()
    entry = AuditEntry.objects.get(action="screen_recording.purged")
    assert entry.data["recording_ids"] == [old.pk]
    assert screen_recordings_purge(now=NOW) == 0


def test_the_purge_command_counts_then_deletes(world) -> None:
    from io import StringIO

    from django.core.management import call_command

    old = _start(world)
    ScreenRecording.objects.filter(pk=old.pk).update(delete_after=NOW - timedelta(days=1))
    out = StringIO()
    call_command("screen_recordings", "purge", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "1 screen recording would be deleted (past retention)."
    assert ScreenRecording.objects.filter(pk=old.pk).exists()
    call_command("screen_recordings", "purge", stdout=out)
    assert "1 screen recording deleted" in out.getvalue()
    assert not ScreenRecording.objects.filter(pk=old.pk).exists()
