"""What a chunk of recorded events must be before it is stored, and the limits on a recording.

The recorder (desk/static/desk/screen_recorder.js) posts ``{"sequence": n, "events": [...]}``
every few seconds. A chunk is refused whole (nothing of it is stored) when it is not a list of
rrweb events (objects with an integer ``type`` and ``timestamp``), when it is larger than a chunk
may be or would take the recording past its size, or when its timestamps are outside the
recording's lifetime (the recorder shifts them onto the server's clock; a chunk from another day
is not this recording's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

from solvent.core.domain.errors import ValidationError

# rrweb's event types are 0..6 (DomContentLoaded .. Plugin); a later rrweb may add some.
_EVENT_TYPE_MAX = 20
SEQUENCE_MAX = 1_000_000


class ChunkRefusedError(ValidationError):
    """A chunk that is not stored; ``code`` says why (the view maps ``too_large`` to 413)."""

    code = "chunk_refused"


@dataclass(frozen=True)
class ChunkLimits:
    chunk_bytes: int  # one chunk's request body
    recording_bytes: int  # all the chunks of one recording
    events_per_chunk: int
    clock_slack_ms: int = 120_000  # how far a timestamp may lie outside the recording's lifetime


@dataclass(frozen=True)
class ChunkSummary:
    """What the recording row keeps about a chunk."""

    sequence: int
    first_event_ms: int
    last_event_ms: int
    event_count: int
    size_bytes: int


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def chunk_check(
    *,
    sequence: Any,
    events: Any,
    size_bytes: int,
    recorded_bytes: int,
    started_ms: int,
    now_ms: int,
    limits: ChunkLimits,
) -> ChunkSummary:
    """The chunk's summary, or ChunkRefusedError saying what is wrong with it."""
    if not _is_int(sequence) or not 0 <= sequence <= SEQUENCE_MAX:
        raise ChunkRefusedError(
            f"sequence must be a whole number from 0 to {SEQUENCE_MAX}", code="bad_sequence"
        )
    if size_bytes > limits.chunk_bytes:
        raise ChunkRefusedError(
            f"a chunk may be {limits.chunk_bytes} bytes, this one is {size_bytes}",
            code="too_large",
        )
    if recorded_bytes + size_bytes > limits.recording_bytes:
        raise ChunkRefusedError(
            f"the recording is full ({limits.recording_bytes} bytes at most)", code="too_large"
        )
    if not isinstance(events, list) or not events:
        raise ChunkRefusedError("events must be a non-empty list", code="bad_events")
    if len(events) > limits.events_per_chunk:
        raise ChunkRefusedError(
            f"a chunk may hold {limits.events_per_chunk} events, this one {len(events)}",
            code="too_large",
        )
    earliest = started_ms - limits.clock_slack_ms
    latest = now_ms + limits.clock_slack_ms
    stamps: list[int] = []
    for position, event in enumerate(events):
        if not isinstance(event, dict):
            raise ChunkRefusedError(f"event {position} is not an object", code="bad_events")
        kind, stamp = event.get("type"), event.get("timestamp")
        if not _is_int(kind) or not 0 <= kind <= _EVENT_TYPE_MAX:
            raise ChunkRefusedError(f"event {position} has no rrweb type", code="bad_events")
        if not _is_int(stamp):
            raise ChunkRefusedError(f"event {position} has no timestamp", code="bad_events")
        if not earliest <= stamp <= latest:
            raise ChunkRefusedError(
                f"event {position} is timed outside this recording", code="bad_timestamp"
            )
        stamps.append(stamp)
    return ChunkSummary(
        sequence=sequence,
        first_event_ms=min(stamps),
        last_event_ms=max(stamps),
        event_count=len(events),
        size_bytes=size_bytes,
    )
