"""A chunk's checks and a replay's timeline (pure: no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.screen_recording.domain.chunks import ChunkLimits, ChunkRefusedError, chunk_check
from solvent.screen_recording.domain.timeline import replay_position_ms, timeline_align

START_MS = 1_780_000_000_000
LIMITS = ChunkLimits(chunk_bytes=1000, recording_bytes=5000, events_per_chunk=3)


def _check(**changes: object):
    arguments: dict[str, object] = {
        "sequence": 0,
        "events": [{"type": 4, "timestamp": START_MS + 5}, {"type": 2, "timestamp": START_MS + 1}],
        "size_bytes": 100,
        "recorded_bytes": 0,
        "started_ms": START_MS,
        "now_ms": START_MS + 10_000,
        "limits": LIMITS,
    }
    arguments.update(changes)
    return chunk_check(**arguments)  # type: ignore[arg-type]


def test_a_good_chunk_is_summed_up() -> None:
    summary = _check()
    assert (summary.first_event_ms, summary.last_event_ms) == (START_MS + 1, START_MS + 5)
    assert (summary.event_count, summary.size_bytes, summary.sequence) == (2, 100, 0)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"sequence": -1}, "bad_sequence"),
        ({"sequence": "1"}, "bad_sequence"),
        ({"sequence": True}, "bad_sequence"),
        ({"sequence": None}, "bad_sequence"),
        ({"size_bytes": 1001}, "too_large"),
        ({"recorded_bytes": 4901}, "too_large"),
        ({"events": [{"type": 3, "timestamp": START_MS}] * 4}, "too_large"),
        ({"events": []}, "bad_events"),
        ({"events": {"type": 3}}, "bad_events"),
        ({"events": ["x"]}, "bad_events"),
        ({"events": [{"timestamp": START_MS}]}, "bad_events"),
        ({"events": [{"type": 99, "timestamp": START_MS}]}, "bad_events"),
        ({"events": [{"type": 3, "timestamp": "soon"}]}, "bad_events"),
        ({"events": [{"type": 3, "timestamp": START_MS - 121_000}]}, "bad_timestamp"),
        ({"events": [{"type": 3, "timestamp": START_MS + 10_000 + 121_000}]}, "bad_timestamp"),
    ],
)
def test_a_chunk_is_refused_whole_saying_why(changes, code) -> None:
    with pytest.raises(ChunkRefusedError) as refused:
        _check(**changes)
    assert refused.value.code == code


@settings(max_examples=100, deadline=None)
@given(stamps=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=3))
def test_the_summary_spans_exactly_the_chunk(stamps) -> None:
    summary = _check(events=[{"type": 3, "timestamp": START_MS + s} for s in stamps])
    assert summary.first_event_ms == START_MS + min(stamps)
    assert summary.last_event_ms == START_MS + max(stamps)


def test_the_call_moments_fall_where_they_happened_in_the_replay() -> None:
    start = datetime.fromtimestamp(START_MS / 1000, tz=UTC)
    alignment = timeline_align(
        first_event_ms=START_MS,
        last_event_ms=START_MS + 90_000,
        call_moments=[
            ("Connected", start + timedelta(seconds=12)),
            ("Dialled", start - timedelta(seconds=3)),
            ("Ended", None),
        ],
        audio_start=start + timedelta(seconds=12),
    )
    assert [(m.label, m.at_ms) for m in alignment.marks] == [
        ("Dialled", -3000),
        ("Connected", 12000),
    ]
    assert alignment.audio_offset_ms == 12_000 and alignment.duration_ms == 90_000
    assert (
        replay_position_ms(audio_offset_ms=12_000, audio_seconds=1.5, duration_ms=90_000) == 13_500
    )
    assert (
        replay_position_ms(audio_offset_ms=12_000, audio_seconds=999, duration_ms=90_000) == 90_000
    )
    assert replay_position_ms(audio_offset_ms=-5_000, audio_seconds=1, duration_ms=90_000) == 0


def test_a_recording_without_events_or_call_has_nothing_to_align() -> None:
    empty = timeline_align(
        first_event_ms=None, last_event_ms=None, call_moments=[], audio_start=None
    )
    assert empty.marks == () and empty.audio_offset_ms is None and empty.duration_ms == 0
    no_call = timeline_align(
        first_event_ms=START_MS, last_event_ms=START_MS, call_moments=[], audio_start=None
    )
    assert no_call.audio_offset_ms is None and no_call.duration_ms == 0
