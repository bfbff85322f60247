"""The screen recording's desk endpoints: the recorder's JSON (CSRF, refusals, resends), the
replay page and its partial, the events (audited), and the recorder on the agent's pages only."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client as HttpClient

from solvent.audit.models import AuditEntry
from solvent.dialer.adapters.recordings import recording_store
from solvent.dialer.services.recordings import recording_register
from solvent.screen_recording.models import ScreenChunk, ScreenRecording
from solvent.screen_recording.selectors import screen_recordings_for_call
from tests.screen_recording.world import (
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
def world(tmp_path, settings) -> ScreenWorld:
    settings.SOLVENT_RECORDINGS_DIR = str(tmp_path / "recordings")
    return screen_world_build()


def _as(user: User, *, csrf: bool = False) -> HttpClient:
    http = HttpClient(enforce_csrf_checks=csrf)
    http.force_login(user)
    return http


def _post(http: HttpClient, url: str, body: object, **headers: str):
    return http.post(url, json.dumps(body), content_type="application/json", headers=headers)


def _started(world: ScreenWorld, http: HttpClient | None = None) -> dict:
    http = http or _as(world.floor.ann)
    response = _post(
        http, "/screen/recordings/start/", {"account_id": world.floor.account.pk, "page": "/x/"}
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_the_recorder_starts_and_sends_chunks_once(world) -> None:
    http = _as(world.floor.ann)
    started = _started(world, http)
    assert started["server_now_ms"] == NOW_MS and started["chunk_max_bytes"] == 1_000_000
    url = started["chunk_url"]
    assert url == f"/screen/recordings/{started['recording_id']}/chunks/"
    body = {"sequence": 0, "events": events(f"call {DEBTOR_PHONE}")}
    assert _post(http, url, body).status_code == 201
    again = _post(http, url, body)
    assert again.status_code == 200 and again.json() == {"sequence": 0, "stored": False}
    assert DEBTOR_PHONE not in json.dumps(ScreenChunk.objects.get().events)
    assert ScreenRecording.objects.get().call_id == world.call.pk


def test_posts_without_the_csrf_token_are_refused(world) -> None:
    http = _as(world.floor.ann, csrf=True)
    http.get(f"/accounts/{world.floor.account.pk}/")  # sets the CSRF cookie
    token = http.cookies["csrftoken"].value
    response = _post(http, "/screen/recordings/start/", {"account_id": world.floor.account.pk})
    assert response.status_code == 403 and not ScreenRecording.objects.exists()
    ok = _post(
        http, "/screen/recordings/start/", {"account_id": world.floor.account.pk}, X_CSRFToken=token
    )
    assert ok.status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("not json", 400, "bad_json"),
        ([1, 2], 400, "bad_json"),
        ({"sequence": "0", "events": events("x")}, 400, "bad_sequence"),
        ({"sequence": 0, "events": []}, 400, "bad_events"),
        ({"sequence": 0, "events": [{"type": 2}]}, 400, "bad_events"),
        ({"sequence": 0, "events": events("x", NOW_MS - 86_400_000)}, 400, "bad_timestamp"),
        ({"sequence": 0, "events": events("x" * 2_000)}, 413, "too_large"),
    ],
)
def test_the_chunk_endpoint_refuses_what_it_cannot_store(
    world, settings, body, status, code
) -> None:
    settings.SOLVENT_SCREEN_CHUNK_MAX_BYTES = 1_500
    http = _as(world.floor.ann)
    url = _started(world, http)["chunk_url"]
    raw = body if isinstance(body, str) else json.dumps(body)
    response = http.post(url, raw, content_type="application/json")
    assert response.status_code == status and response.json()["code"] == code
    assert not ScreenChunk.objects.exists()
    assert http.get(url).status_code == 405


def test_a_body_said_to_be_too_large_is_refused_unread(world, settings) -> None:
    settings.SOLVENT_SCREEN_CHUNK_MAX_BYTES = 100
    http = _as(world.floor.ann)
    url = _started(world, http)["chunk_url"]
    response = http.post(url, "{}", content_type="application/json", CONTENT_LENGTH="5000000")
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("who", "status"), [("abe", 403), ("sue", 403), ("gil", 404), ("cora", 403)]
)
def test_only_the_recorded_agent_posts_to_their_recording(world, who, status) -> None:
    url = _started(world)["chunk_url"]
    response = _post(_as(getattr(world.floor, who)), url, {"sequence": 0, "events": events("x")})
    assert response.status_code == status and not ScreenChunk.objects.exists()


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("cora", {"account_id": None}, 403),
        ("cleo", {"account_id": None}, 403),
        ("gil", {"account": 1}, 201),  # no account named: the dialer page
        ("ann", {"account_id": "1"}, 400),
        ("ann", {"account_id": 1, "page": 5}, 400),
    ],
)
def test_the_start_endpoint_refusals(world, who, body, status) -> None:
    response = _post(_as(getattr(world.floor, who)), "/screen/recordings/start/", body)
    assert response.status_code == status, response.content
    other = _post(
        _as(world.floor.ann),
        "/screen/recordings/start/",
        {"account_id": world.floor.globex_account.pk},
    )
    assert other.status_code == 404
    assert HttpClient().post("/screen/recordings/start/").status_code == 302


def _recording_with_events(world: ScreenWorld) -> int:
    http = _as(world.floor.ann)
    started = _started(world, http)
    _post(http, started["chunk_url"], {"sequence": 0, "events": events("hello")})
    return int(started["recording_id"])


def test_the_replay_page_shows_the_player_the_audio_and_the_call(world) -> None:
    recording_id = _recording_with_events(world)
    store = recording_store()
    ref = store.new_ref(f"call-{world.call.pk}")
    store.write(ref, b"RIFF")
    audio = recording_register(call_id=world.call.pk, ref=ref, seconds=3, size_bytes=4)
    response = _as(world.floor.sue).get(f"/screen/recordings/{recording_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-events-url="/screen/recordings/{recording_id}/events/"' in html
    assert f'src="/recordings/{audio.pk}/"' in html and "data-call-audio" in html
    assert "rrweb-player.min.js" in html and "screen_replay.js" in html
    assert f"#{world.call.pk}" in html
    # Opening the page shows no event: the events request is the audited view.
    assert not AuditEntry.objects.filter(action="screen_recording.viewed").exists()


def test_the_events_answer_the_player_with_the_calls_moments_and_are_audited(world) -> None:
    recording_id = _recording_with_events(world)
    response = _as(world.floor.cleo).get(f"/screen/recordings/{recording_id}/events/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert len(data["events"]) == 2 and data["duration_ms"] == 1
    call = world.call
    at = {
        label: int(moment.timestamp() * 1000) - NOW_MS
        for label, moment in [
            ("Dialled", call.started_at),
            ("Answered", call.answered_at),
            ("Connected to the agent", call.connected_at),
        ]
    }
    assert data["marks"] == [{"label": label, "at_ms": ms} for label, ms in at.items()]
    assert data["audio_offset_ms"] == at["Connected to the agent"] == -111_000
    assert AuditEntry.objects.get(action="screen_recording.viewed").actor_id == world.floor.cleo.pk


@pytest.mark.parametrize(
    ("who", "status"),
    [("sue", 200), ("ann", 200), ("ada", 200), ("abe", 403), ("cora", 403), ("gil", 404)],
)
def test_who_may_watch(world, who, status) -> None:
    recording_id = _recording_with_events(world)
    http = _as(getattr(world.floor, who))
    assert http.get(f"/screen/recordings/{recording_id}/").status_code == status
    assert http.get(f"/screen/recordings/{recording_id}/events/").status_code == status
    assert http.get(f"/screen/recordings/{recording_id + 99}/").status_code == 404


def test_the_partial_lists_a_calls_recordings_or_says_there_are_none(world) -> None:
    recording_id = _recording_with_events(world)
    recording = ScreenRecording.objects.get(pk=recording_id)
    html = render_to_string(
        "desk/screen/partials/replay.html", {"screen_recordings": [recording], "call": world.call}
    )
    assert html.count("data-screen-replay") == 1 and "ann" in html
    empty = render_to_string(
        "desk/screen/partials/replay.html", {"screen_recordings": [], "call": None}
    )
    assert 'data-testid="screen-replay-none"' in empty


def test_the_recorder_is_loaded_on_the_agents_pages_only(world) -> None:
    account = f"/accounts/{world.floor.account.pk}/"
    ann = _as(world.floor.ann).get(account).content.decode()
    assert 'name="solvent-screen-recording"' in ann
    assert f'data-account-id="{world.floor.account.pk}"' in ann and "rrweb.min.js" in ann
    assert (
        'name="solvent-screen-recording"' in _as(world.floor.ann).get("/dialer/").content.decode()
    )
    assert 'name="solvent-screen-recording"' not in _as(world.floor.ann).get("/").content.decode()
    assert (
        'name="solvent-screen-recording"' not in _as(world.floor.cleo).get(account).content.decode()
    )


class _TextsUnmarked(HTMLParser):
    """The texts of a page that are in no element marked data-pii (rrweb masks a marked
    element's text and its descendants')."""

    VOID = frozenset({"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.unmarked: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(any(name == "data-pii" for name, _ in attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() and not any(self.stack):
            self.unmarked.append(data)


def test_the_account_screen_marks_personal_data_for_the_recorders_mask(world) -> None:
    """Each text that shows a name, a phone, an e-mail or an address is in an element marked
    data-pii (attribute values such as a hidden input's are the server's masking's to catch)."""
    html = _as(world.floor.ann).get(f"/accounts/{world.floor.account.pk}/").content.decode()
    parser = _TextsUnmarked()
    parser.feed(html)
    unmarked = " ".join(parser.unmarked)
    for shown in (DEBTOR_PHONE, "pat.secret@example.com", "77 Quiet Lane", "Pat Doe"):
        assert shown in html, shown
        assert shown not in unmarked, shown


def test_the_qa_review_page_shows_the_calls_screen_beside_its_audio(world) -> None:
    recording_id = _recording_with_events(world)
    store = recording_store()
    ref = store.new_ref(f"call-{world.call.pk}")
    store.write(ref, b"RIFF")
    recording_register(call_id=world.call.pk, ref=ref, seconds=3, size_bytes=4)
    html = _as(world.floor.sue).get(f"/quality/calls/{world.call.pk}/").content.decode()
    assert f'data-events-url="/screen/recordings/{recording_id}/events/"' in html
    assert "<audio" in html and "screen_replay.js" in html
    # An agent who did not take the call is not a reviewer: no replay of another's screen.
    assert screen_recordings_for_call(user=world.floor.abe, call_id=world.call.pk) == []
