"""Recordings: the local store's opaque references, registering a call's audio, who may listen, the
retention purge and its command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from solvent.audit.models import AuditEntry
from solvent.contact.models import Interaction
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.dialer.adapters.recordings import (
    LocalRecordingStore,
    RecordingRefError,
    recording_store,
    recordings_root,
)
from solvent.dialer.models import Call, Recording
from solvent.dialer.services.recordings import (
    recording_open,
    recording_register,
    recordings_purge,
)
from tests.desk.dialer_supervision_world import Floor, call_create, floor_build

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def store_dir(tmp_path: Path, settings) -> Path:
    settings.SOLVENT_RECORDINGS_DIR = str(tmp_path / "recordings")
    return tmp_path / "recordings"


# --- the store --------------------------------------------------------------------------------


def test_a_recording_is_written_whole_and_read_back(tmp_path: Path) -> None:
    store = LocalRecordingStore(tmp_path)
    ref = store.new_ref("call-42")
    assert ref.startswith("20260609-call-42-") and len(ref) == len("20260609-call-42-") + 32
    assert store.write(ref, WAV) == len(WAV)
    with store.open(ref) as audio:
        assert audio.read() == WAV
    assert store.path(ref) == tmp_path / "20260609" / f"{ref}.wav"
    assert not list((tmp_path / "20260609").glob(".*partial"))
    store.delete(ref)
    with pytest.raises(FileNotFoundError):
        store.open(ref)
    store.delete(ref)  # twice is not an error


def test_two_recordings_of_one_call_get_different_references(tmp_path: Path) -> None:
    store = LocalRecordingStore(tmp_path)
    assert store.new_ref("call-1") != store.new_ref("call-1")
    assert store.new_ref("../../etc/passwd").startswith("20260609-etc-passwd-")


@pytest.mark.parametrize(
    "ref",
    [
        "../secret",
        "20260609-call-1-" + "0" * 31,
        "20260609/../../x-" + "0" * 32,
        "/etc/passwd",
        "20260609-call-1-" + "0" * 32 + "/x",
        "",
    ],
)
def test_a_reference_the_store_did_not_make_names_no_file(tmp_path: Path, ref: str) -> None:
    store = LocalRecordingStore(tmp_path)
    with pytest.raises(RecordingRefError):
        store.open(ref)
    with pytest.raises(RecordingRefError):
        store.write(ref, WAV)
    with pytest.raises(RecordingRefError):
        store.delete(ref)


def test_the_store_lives_in_the_var_directory_unless_configured(settings, tmp_path) -> None:
    settings.SOLVENT_RECORDINGS_DIR = ""
    settings.VAR_DIR = tmp_path
    assert recordings_root() == tmp_path / "recordings"
    settings.SOLVENT_RECORDINGS_DIR = str(tmp_path / "elsewhere")
    assert recordings_root() == tmp_path / "elsewhere"
    assert isinstance(recording_store(), LocalRecordingStore)


# --- registering ------------------------------------------------------------------------------


@pytest.fixture
def floor(db) -> Floor:
    return floor_build(NOW)


def _recorded_call(floor: Floor, store_dir: Path, *, with_interaction: bool = True) -> Call:
    call = call_create(
        floor.acme_campaign,
        floor.account,
        started_at=NOW - timedelta(minutes=5),
        agent=floor.ann,
        outcome="connected",
        answered_by_person=True,
        with_interaction=with_interaction,
    )
    return call


def test_registering_puts_the_reference_on_the_call_and_its_interaction(floor, store_dir) -> None:
    call = _recorded_call(floor, store_dir)
    store = recording_store()
    ref = store.new_ref(f"call-{call.pk}")
    store.write(ref, WAV)
    recording = recording_register(call_id=call.pk, ref=ref, seconds=61.5, size_bytes=len(WAV))
    assert recording.delete_after == NOW + timedelta(days=730)
    assert recording.call_id == call.pk and recording.seconds == 61.5
    call.refresh_from_db()
    assert call.recording_ref == ref
    assert Interaction.objects.get(pk=call.interaction_id).recording_ref == ref
    entry = AuditEntry.objects.get(action="recording.registered")
    assert entry.object_id == str(recording.pk) and entry.data["call_id"] == call.pk
    # Registered again (a retried event): the same row, no second entry.
    again = recording_register(call_id=call.pk, ref=ref, seconds=61.5, size_bytes=len(WAV))
    assert again.pk == recording.pk
    assert AuditEntry.objects.filter(action="recording.registered").count() == 1


def test_the_size_is_read_from_the_store_when_not_given(floor, store_dir) -> None:
    call = _recorded_call(floor, store_dir)
    store = recording_store()
    ref = store.new_ref(f"call-{call.pk}")
    store.write(ref, WAV)
    recording = recording_register(call_id=call.pk, ref=ref, seconds=1.0, size_bytes=0)
    assert recording.size_bytes == len(WAV)


def test_a_call_not_yet_closed_keeps_the_reference_for_its_interaction(floor, store_dir) -> None:
    call = _recorded_call(floor, store_dir, with_interaction=False)
    recording_register(call_id=call.pk, ref="20260609-call-1-" + "a" * 32, seconds=3, size_bytes=9)
    call.refresh_from_db()
    assert call.recording_ref == "20260609-call-1-" + "a" * 32 and call.interaction_id is None


def test_retention_is_configurable_and_zero_keeps_for_ever(floor, store_dir, settings) -> None:
    call = _recorded_call(floor, store_dir)
    settings.SOLVENT_RECORDING_RETENTION_DAYS = 90
    kept_90 = recording_register(
        call_id=call.pk, ref="20260609-a-" + "1" * 32, seconds=1, size_bytes=1
    )
    assert kept_90.delete_after == NOW + timedelta(days=90)
    settings.SOLVENT_RECORDING_RETENTION_DAYS = 0
    kept = recording_register(
        call_id=call.pk, ref="20260609-a-" + "2" * 32, seconds=1, size_bytes=1
    )
    assert kept.delete_after is None


# --- listening --------------------------------------------------------------------------------


def _stored(floor: Floor, store_dir: Path) -> Recording:
    call = _recorded_call(floor, store_dir)
    store = recording_store()
    ref = store.new_ref(f"call-{call.pk}")
    store.write(ref, WAV)
    return recording_register(call_id=call.pk, ref=ref, seconds=2.0, size_bytes=len(WAV))


@pytest.mark.parametrize("who", ["sue", "ann", "cleo", "ada"])
def test_who_may_listen_hears_it_and_the_play_is_audited(floor, store_dir, who) -> None:
    recording = _stored(floor, store_dir)
    user = getattr(floor, who)
    playback = recording_open(user=user, recording_id=recording.pk)
    with playback.audio as audio:
        assert audio.read() == WAV
    assert playback.size == len(WAV)
    entry = AuditEntry.objects.get(action="recording.played")
    assert entry.actor_id == user.pk and entry.data["call_id"] == recording.call_id


@pytest.mark.parametrize(
    ("who", "error"),
    [("abe", PermissionDeniedError), ("cora", PermissionDeniedError), ("gil", NotFoundError)],
)
def test_others_are_refused_and_nothing_is_audited(floor, store_dir, who, error) -> None:
    recording = _stored(floor, store_dir)
    with pytest.raises(error):
        recording_open(user=getattr(floor, who), recording_id=recording.pk)
    assert not AuditEntry.objects.filter(action="recording.played").exists()


def test_a_missing_or_deleted_recording_is_not_found(floor, store_dir) -> None:
    recording = _stored(floor, store_dir)
    with pytest.raises(NotFoundError):
        recording_open(user=floor.sue, recording_id=recording.pk + 1000)
    recording_store().delete(recording.ref)
    with pytest.raises(NotFoundError):
        recording_open(user=floor.sue, recording_id=recording.pk)


# --- the purge --------------------------------------------------------------------------------


def test_the_purge_deletes_what_is_past_retention_only(floor, store_dir) -> None:
    old = _stored(floor, store_dir)
    young = _stored(floor, store_dir)
    Recording.objects.filter(pk=old.pk).update(delete_after=NOW - timedelta(days=1))
    assert recordings_purge(now=NOW, dry_run=True) == 1
    assert recording_store().open(old.ref).close() is None  # the dry run deleted nothing
    assert recordings_purge(now=NOW) == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert old.deleted_at == NOW and young.deleted_at is None
    with pytest.raises(FileNotFoundError):
        recording_store().open(old.ref)
    recording_store().open(young.ref).close()
    entry = AuditEntry.objects.get(action="recording.purged")
    assert entry.data == {"recording_ids": [old.pk], "count": 1}
    assert recordings_purge(now=NOW) == 0  # once
    with pytest.raises(NotFoundError):
        recording_open(user=floor.sue, recording_id=old.pk)


def test_the_purge_command_says_what_it_did(floor, store_dir) -> None:
    old = _stored(floor, store_dir)
    Recording.objects.filter(pk=old.pk).update(delete_after=NOW - timedelta(days=1))
    out = StringIO()
    call_command("recordings", "purge", "--dry-run", stdout=out)
    assert "1 recording would be deleted" in out.getvalue()
    out = StringIO()
    call_command("recordings", "purge", stdout=out)
    assert "1 recording deleted" in out.getvalue()
    assert Recording.objects.get(pk=old.pk).deleted_at == NOW
