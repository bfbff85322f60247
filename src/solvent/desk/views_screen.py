"""The desk's screen recordings (issue 16, ADR 0043): the recorder's endpoints and the replay.

The recorder (``desk/screen_recorder.js``) starts a recording of the page
(``screen_recording_start``) and posts its rrweb events in chunks (``screen_chunk``): JSON in,
JSON out, CSRF-protected like every post (the header comes from the page's ``hx-headers``).
The replay page (``screen_replay``) and the QA page's partial show the rrweb player; the player
asks ``screen_events`` for the events, which is where a view is audited.

Thin: each view parses, calls one service or selector and answers; who may do what is the
services' and selectors' to decide (a record of another client: 404 before the role's 403).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from solvent.desk.roles import desk_page
from solvent.screen_recording.selectors import screen_recording_access, screen_replay_get
from solvent.screen_recording.services import (
    screen_chunk_append,
    screen_limits,
    screen_recording_start,
    screen_recording_watch,
)

PAGE = "desk/screen/page.html"
START_MAX_BYTES = 4_096


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def _refused(error: Exception) -> JsonResponse:
    """The JSON endpoints answer their refusals as JSON (the recorder reads the code)."""
    if isinstance(error, NotFoundError):
        return _error(404, error.code, error.message)
    if isinstance(error, PermissionDeniedError):
        return _error(403, error.code, error.message)
    if isinstance(error, ValidationError):
        status = 413 if error.code == "too_large" else 400
        return _error(status, error.code, error.message)
    raise error


def _body(request: HttpRequest, limit: int) -> tuple[Any, int] | JsonResponse:
    """The request's JSON and its size; 413 before reading a body said to be too large."""
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        return _error(413, "too_large", f"a request may be {limit} bytes, this one is {declared}")
    raw = request.body
    if len(raw) > limit:
        return _error(413, "too_large", f"a request may be {limit} bytes, this one is {len(raw)}")
    try:
        return json.loads(raw), len(raw)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "bad_json", "the body must be JSON")


@desk_page
@require_POST
def screen_start(request: HttpRequest) -> JsonResponse:
    """Start recording this page: ``{"account_id": n or null, "page": "/path"}``."""
    parsed = _body(request, START_MAX_BYTES)
    if isinstance(parsed, JsonResponse):
        return parsed
    body, _size = parsed
    if not isinstance(body, dict):
        return _error(400, "bad_json", "the body must be a JSON object")
    account_id = body.get("account_id")
    if account_id is not None and (
        not isinstance(account_id, int) or isinstance(account_id, bool) or account_id <= 0
    ):
        return _error(400, "bad_account", "account_id must be a positive whole number or null")
    page = body.get("page", "")
    if not isinstance(page, str):
        return _error(400, "bad_page", "page must be a string")
    try:
        recording = screen_recording_start(user=request.user, account_id=account_id, page=page)
    except (NotFoundError, PermissionDeniedError) as error:
        return _refused(error)
    return JsonResponse(
        {
            "recording_id": recording.pk,
            "chunk_url": reverse("desk:screen_chunk", args=[recording.pk]),
            "server_now_ms": int(clock.now().timestamp() * 1000),
            "chunk_max_bytes": screen_limits().chunk_bytes,
        },
        status=201,
    )


@desk_page
@require_POST
def screen_chunk(request: HttpRequest, recording_id: int) -> JsonResponse:
    """One chunk of events: ``{"sequence": n, "events": [...]}``; 201 stored, 200 a resend."""
    parsed = _body(request, screen_limits().chunk_bytes)
    if isinstance(parsed, JsonResponse):
        return parsed
    body, size = parsed
    if not isinstance(body, dict):
        return _error(400, "bad_json", "the body must be a JSON object")
    try:
        stored = screen_chunk_append(
            user=request.user,
            recording_id=recording_id,
            sequence=body.get("sequence"),
            events=body.get("events"),
            size_bytes=size,
        )
    except (NotFoundError, PermissionDeniedError, ValidationError) as error:
        return _refused(error)
    return JsonResponse(
        {"sequence": stored.chunk.sequence, "stored": stored.created},
        status=201 if stored.created else 200,
    )


@desk_page
@require_GET
def screen_replay(request: HttpRequest, recording_id: int) -> HttpResponse:
    """The replay page: the player, the call's audio and its moments."""
    recording = screen_recording_access(user=request.user, recording_id=recording_id)
    replay = screen_replay_get(user=request.user, recording=recording)
    return render(
        request,
        PAGE,
        {
            "replay": replay,
            "screen_recordings": [recording],
            "call": replay.call,
        },
    )


@desk_page
@require_GET
def screen_events(request: HttpRequest, recording_id: int) -> JsonResponse:
    """The recording's events and its timeline, for the player; every answer is audited."""
    watched = screen_recording_watch(user=request.user, recording_id=recording_id)
    replay = screen_replay_get(user=request.user, recording=watched.recording)
    alignment = replay.alignment
    response = JsonResponse(
        {
            "recording_id": watched.recording.pk,
            "events": watched.events,
            "audio_offset_ms": alignment.audio_offset_ms,
            "duration_ms": alignment.duration_ms,
            "marks": [{"label": mark.label, "at_ms": mark.at_ms} for mark in alignment.marks],
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response
