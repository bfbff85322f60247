"""The recording player: in the contact history's row, streamed to who may listen, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.audit.models import AuditEntry
from solvent.dialer.adapters.recordings import recording_store
from solvent.dialer.models import Recording
from solvent.dialer.services.recordings import recording_register
from tests.desk.dialer_supervision_world import Floor, call_create, floor_build

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)
WAV = b"RIFF" + bytes(range(256)) * 4


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def floor(tmp_path: Path, settings) -> Floor:
    settings.SOLVENT_RECORDINGS_DIR = str(tmp_path / "recordings")
    return floor_build(NOW)


@pytest.fixture
def recording(floor: Floor) -> Recording:
    call = call_create(
        floor.acme_campaign,
        floor.account,
        started_at=NOW - timedelta(minutes=5),
        agent=floor.ann,
        outcome="connected",
        answered_by_person=True,
        with_interaction=True,
    )
    store = recording_store()
    ref = store.new_ref(f"call-{call.pk}")
    store.write(ref, WAV)
    return recording_register(call_id=call.pk, ref=ref, seconds=42.0, size_bytes=len(WAV))


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_timeline_row_has_a_player_that_survives_the_poll(floor, recording) -> None:
    html = _as(floor.sue).get(f"/accounts/{floor.account.pk}/").content.decode()
    assert f'<audio id="recording-{recording.pk}" hx-preserve controls' in html
    assert f'src="/recordings/{recording.pk}/"' in html
    polled = _as(floor.sue).get(f"/accounts/{floor.account.pk}/timeline/").content.decode()
    assert f'id="recording-{recording.pk}"' in polled


def test_an_agent_who_did_not_take_the_call_sees_it_was_recorded_only(floor, recording) -> None:
    html = _as(floor.abe).get(f"/accounts/{floor.account.pk}/").content.decode()
    assert 'data-testid="recording-kept"' in html and "<audio" not in html
    assert "<audio" in _as(floor.ann).get(f"/accounts/{floor.account.pk}/").content.decode()


@pytest.mark.parametrize("who", ["sue", "ann", "cleo", "ada"])
def test_who_may_listen_gets_the_audio(floor, recording, who) -> None:
    response = _as(getattr(floor, who)).get(f"/recordings/{recording.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Content-Length"] == str(len(WAV)) and response["Accept-Ranges"] == "bytes"
    assert _body(response) == WAV
    entry = AuditEntry.objects.get(action="recording.played")
    assert entry.actor_id == getattr(floor, who).pk


def test_a_range_is_answered_with_its_part(floor, recording) -> None:
    http = _as(floor.sue)
    response = http.get(f"/recordings/{recording.pk}/", HTTP_RANGE="bytes=4-19")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 4-19/{len(WAV)}"
    assert _body(response) == WAV[4:20]
    tail = http.get(f"/recordings/{recording.pk}/", HTTP_RANGE="bytes=-10")
    assert tail.status_code == 206 and _body(tail) == WAV[-10:]
    whole = http.get(f"/recordings/{recording.pk}/", HTTP_RANGE="bytes=99999-")
    assert whole.status_code == 200 and _body(whole) == WAV


@pytest.mark.parametrize(("who", "status"), [("abe", 403), ("cora", 403), ("gil", 404)])
def test_others_are_refused_and_nothing_is_played(floor, recording, who, status) -> None:
    response = _as(getattr(floor, who)).get(f"/recordings/{recording.pk}/")
    assert response.status_code == status
    assert not AuditEntry.objects.filter(action="recording.played").exists()


def test_anonymous_people_are_sent_to_log_in_and_unknown_ids_are_not_found(
    floor, recording
) -> None:
    response = HttpClient().get(f"/recordings/{recording.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert _as(floor.sue).get(f"/recordings/{recording.pk + 99}/").status_code == 404
    assert _as(floor.sue).post(f"/recordings/{recording.pk}/").status_code == 405


def test_a_purged_recording_says_so_in_the_timeline(floor, recording) -> None:
    Recording.objects.filter(pk=recording.pk).update(deleted_at=NOW)
    html = _as(floor.sue).get(f"/accounts/{floor.account.pk}/").content.decode()
    assert 'data-testid="recording-deleted"' in html and "<audio" not in html
    assert _as(floor.sue).get(f"/recordings/{recording.pk}/").status_code == 404
