"""A call recording played from the account's contact history (``/recordings/<id>/``).

Thin: ``dialer.services.recordings.recording_open`` decides who may listen (the account must be
one the person sees: else 404, as any record of another client; then a listening role or the agent
who took the call: else 403) and audits the play. The audio is streamed with its content type; a
``Range`` request (the player seeking) is answered with the part asked for (206), so a long call
can be skipped through without sending it whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.dialer.services.recordings import recording_open

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _chunks(audio: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    try:
        audio.seek(start)
        left = length
        while left > 0:
            data = audio.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        audio.close()


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) of a single ``bytes=`` range within ``size``; None for none or a bad one."""
    match = _RANGE.fullmatch(header.strip())
    if match is None or size == 0:
        return None
    first_text, last_text = match.groups()
    if first_text:
        first = int(first_text)
        last = min(int(last_text), size - 1) if last_text else size - 1
    elif last_text:  # the last N bytes
        first = max(size - int(last_text), 0)
        last = size - 1
    else:
        return None
    if first > last or first >= size:
        return None
    return first, last


@login_required
@require_GET
def recording_play(request: HttpRequest, recording_id: int) -> StreamingHttpResponse:
    try:
        playback = recording_open(user=request.user, recording_id=recording_id)
    except NotFoundError as error:
        raise Http404(error.message) from error
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from error
    size = playback.size
    wanted = _byte_range(request.headers.get("Range", ""), size)
    first, last = wanted if wanted is not None else (0, size - 1)
    response = StreamingHttpResponse(
        _chunks(playback.audio, first, last - first + 1),
        content_type=playback.recording.content_type or "audio/wav",
        status=206 if wanted is not None else 200,
    )
    response["Content-Length"] = str(max(last - first + 1, 0))
    response["Accept-Ranges"] = "bytes"
    if wanted is not None:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Disposition"] = f'inline; filename="recording-{recording_id}.wav"'
    response["Cache-Control"] = "private, no-store"
    return response
