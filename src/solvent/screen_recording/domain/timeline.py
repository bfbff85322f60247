"""Where a call's moments fall in a screen replay, and where the call's audio starts in it.

A replay's time is milliseconds since the recording's first event (rrweb's player counts so); the
call's moments are the dialer's timestamps; the call's audio starts when the agent was connected
(else when it was answered, else when it was dialled: the recording store's audio is the
connected conversation). Both clocks are the server's: the recorder shifts rrweb's timestamps onto
it before sending. So a moment ``T`` is at ``T - first_event_ms`` in the replay, and the audio's
second ``s`` is at ``audio_offset_ms + 1000 * s``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TimelineMark:
    label: str
    at_ms: int  # in the replay's time; negative: before the recording began


@dataclass(frozen=True)
class Alignment:
    audio_offset_ms: int | None  # where the audio's start is in the replay (None: no call)
    marks: tuple[TimelineMark, ...]
    duration_ms: int


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def timeline_align(
    *,
    first_event_ms: int | None,
    last_event_ms: int | None,
    call_moments: list[tuple[str, datetime | None]],
    audio_start: datetime | None,
) -> Alignment:
    """The replay's marks for the call's moments (in order, the unknown ones left out) and the
    audio's offset. A recording without events has nothing to align: no marks."""
    if first_event_ms is None:
        return Alignment(audio_offset_ms=None, marks=(), duration_ms=0)
    duration = max((last_event_ms or first_event_ms) - first_event_ms, 0)
    marks = tuple(
        sorted(
            (
                TimelineMark(label=label, at_ms=_epoch_ms(moment) - first_event_ms)
                for label, moment in call_moments
                if moment is not None
            ),
            key=lambda mark: mark.at_ms,
        )
    )
    offset = _epoch_ms(audio_start) - first_event_ms if audio_start is not None else None
    return Alignment(audio_offset_ms=offset, marks=marks, duration_ms=duration)


def replay_position_ms(*, audio_offset_ms: int, audio_seconds: float, duration_ms: int) -> int:
    """The replay's moment for a second of the call's audio, kept inside the replay."""
    position = audio_offset_ms + round(audio_seconds * 1000)
    return min(max(position, 0), duration_ms)
