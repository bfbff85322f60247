"""The best moment in the lawful windows (the rates by hour of week: test_timing_hour_of_week.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.strategy.domain.timing import best_moment

PROPERTIES = settings(derandomize=True, deadline=None, max_examples=80)
NEW_YORK = "America/New_York"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_the_best_moment_is_the_start_of_the_best_hour_or_the_window_start_inside_it():
    # 13:20-16:00 UTC is 8:20-11:00 in New York in January (UTC-5).
    window = [(utc(2026, 1, 12, 13, 20), utc(2026, 1, 12, 16))]

    assert best_moment(window, NEW_YORK, {8: 0.9, 9: 0.5}) == utc(2026, 1, 12, 13, 20)
    assert best_moment(window, NEW_YORK, {9: 0.5, 10: 0.6}) == utc(2026, 1, 12, 15)
    assert best_moment(window, NEW_YORK, {}) == utc(2026, 1, 12, 13, 20)  # all tie: earliest


def test_taken_slots_are_skipped_and_none_is_returned_when_all_are():
    window = [(utc(2026, 1, 12, 14), utc(2026, 1, 12, 16))]

    assert best_moment(window, NEW_YORK, {9: 0.9, 10: 0.1}, lambda s: s.hour == 14) == utc(
        2026, 1, 12, 15
    )
    assert best_moment(window, NEW_YORK, {9: 0.9}, lambda s: True) is None
    assert best_moment([], NEW_YORK, {9: 0.9}) is None


def test_on_the_spring_forward_day_the_skipped_hour_is_never_chosen():
    # 8 March 2026: 2:00 EST becomes 3:00 EDT. 06:00-09:00 UTC is 1:00 EST, 3:00 EDT, 4:00 EDT.
    window = [(utc(2026, 3, 8, 6), utc(2026, 3, 8, 9))]

    assert best_moment(window, NEW_YORK, {2: 0.9, 3: 0.5, 1: 0.2}) == utc(2026, 3, 8, 7)


def test_on_the_fall_back_day_the_repeated_hour_is_two_slots():
    # 1 November 2026: 1:00 EDT (05:00 UTC) is followed by 1:00 EST (06:00 UTC).
    window = [(utc(2026, 11, 1, 4), utc(2026, 11, 1, 8))]

    assert best_moment(window, NEW_YORK, {1: 0.5}) == utc(2026, 11, 1, 5)
    second = best_moment(window, NEW_YORK, {1: 0.5}, lambda slot: slot == utc(2026, 11, 1, 5))
    assert second == utc(2026, 11, 1, 6)


def test_a_half_hour_zone_cuts_the_window_at_its_own_clock_hours():
    # Kolkata is UTC+5:30: 03:00-05:00 UTC is 8:30-10:30 local.
    window = [(utc(2026, 1, 12, 3), utc(2026, 1, 12, 5))]

    assert best_moment(window, "Asia/Kolkata", {9: 1.0}) == utc(2026, 1, 12, 3, 30)
    assert best_moment(window, "Asia/Kolkata", {10: 1.0}) == utc(2026, 1, 12, 4, 30)


def test_naive_windows_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        best_moment([(datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 10))], NEW_YORK, {})


@st.composite
def windows(draw: st.DrawFn) -> list[tuple[datetime, datetime]]:
    # Around both 2026 US transitions, to minute resolution.
    base = draw(st.sampled_from([utc(2026, 3, 7, 20), utc(2026, 10, 31, 20), utc(2026, 6, 1)]))
    result = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        start = base + timedelta(minutes=draw(st.integers(min_value=0, max_value=24 * 60)))
        result.append(
            (start, start + timedelta(minutes=draw(st.integers(min_value=1, max_value=600))))
        )
    return result


@PROPERTIES
@given(
    found_in=windows(),
    zone=st.sampled_from([NEW_YORK, "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe"]),
    p=st.dictionaries(st.integers(min_value=0, max_value=23), st.floats(min_value=0, max_value=1)),
    taken_hours=st.sets(st.integers(min_value=0, max_value=23), max_size=6),
)
def test_the_best_moment_always_lies_inside_a_window_and_outside_taken_slots(
    found_in, zone, p, taken_hours
):
    moment = best_moment(found_in, zone, p, lambda slot: slot.hour in taken_hours)

    if moment is None:
        assert taken_hours
        return
    assert any(start <= moment < end for start, end in found_in)
    assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
    if zone in (NEW_YORK, "Europe/London"):  # whole-hour offsets: the clock hour is the UTC hour
        assert moment.hour not in taken_hours


def reference_best_moment(found_in, zone, p, taken):
    """Minute by minute: each minute's clock hour, from its own local time (windows are whole minutes)."""
    tz = ZoneInfo(zone)
    best = None
    for start, end in found_in:
        minute = start
        previous_slot = None
        while minute < end:
            local = minute.astimezone(tz)
            slot = minute - timedelta(minutes=local.minute)
            if slot != previous_slot:  # the first minute of this clock hour inside the window
                previous_slot = slot
                if not taken(slot):
                    score = p.get(local.hour, 0.0)
                    if best is None or score > best[0] or (score == best[0] and minute < best[1]):
                        best = (score, minute)
            minute += timedelta(minutes=1)
    return None if best is None else best[1]


@settings(derandomize=True, deadline=None, max_examples=60)
@given(
    found_in=windows(),
    zone=st.sampled_from([NEW_YORK, "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe"]),
    p=st.dictionaries(
        st.integers(min_value=0, max_value=23), st.sampled_from([0.1, 0.2, 0.5, 0.9])
    ),
    taken_hours=st.sets(st.integers(min_value=0, max_value=23), max_size=6),
)
def test_best_moment_equals_a_minute_by_minute_reference_across_dst_days(
    found_in, zone, p, taken_hours
):
    def taken(slot: datetime) -> bool:
        return slot.hour in taken_hours

    assert best_moment(found_in, zone, p, taken) == reference_best_moment(found_in, zone, p, taken)
