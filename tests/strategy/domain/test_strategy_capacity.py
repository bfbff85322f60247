"""The staffed capacity of a day by hour (DST-safe), and the allocation of calls to it."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.strategy.domain.capacity import (
    CallCandidate,
    Capacity,
    allocate,
    capacity_total,
    hourly_slots,
)

PROPERTIES = settings(derandomize=True, deadline=None, max_examples=60)
NEW_YORK = "America/New_York"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_a_shift_has_one_slot_per_staffed_hour_keyed_by_its_utc_start():
    slots = hourly_slots(Capacity(3, 9, 17, 12, NEW_YORK), date(2026, 1, 12))

    assert list(slots) == [utc(2026, 1, 12, hour) for hour in range(14, 22)]
    assert set(slots.values()) == {36}
    assert capacity_total(Capacity(3, 9, 17, 12, NEW_YORK), date(2026, 1, 12)) == 3 * 8 * 12


@pytest.mark.parametrize(
    ("day", "hours"), [(date(2026, 3, 8), 23), (date(2026, 11, 1), 25), (date(2026, 7, 1), 24)]
)
def test_a_round_the_clock_shift_has_23_or_25_hours_on_dst_days(day, hours):
    cap = Capacity(2, 0, 24, 10, NEW_YORK)

    slots = hourly_slots(cap, day)

    assert len(slots) == hours
    assert capacity_total(cap, day) == 2 * hours * 10
    assert all(
        later - earlier == timedelta(hours=1) for earlier, later in itertools.pairwise(slots)
    )


def test_the_skipped_hour_is_not_staffed_and_the_repeated_hour_is_staffed_twice():
    spring = hourly_slots(Capacity(1, 1, 4, 1, NEW_YORK), date(2026, 3, 8))
    autumn = hourly_slots(Capacity(1, 1, 2, 1, NEW_YORK), date(2026, 11, 1))

    assert list(spring) == [utc(2026, 3, 8, 6), utc(2026, 3, 8, 7)]  # 1:00 EST, 3:00 EDT
    assert list(autumn) == [utc(2026, 11, 1, 5), utc(2026, 11, 1, 6)]  # 1:00 EDT, 1:00 EST


@pytest.mark.parametrize(
    "bad", [(-1, 9, 17, 10, NEW_YORK), (1, 18, 9, 10, NEW_YORK), (1, 9, 25, 10, NEW_YORK)]
)
def test_an_impossible_shift_is_refused(bad):
    with pytest.raises(ValueError):
        Capacity(*bad)


SLOTS = {utc(2026, 1, 12, 14): 1, utc(2026, 1, 12, 15): 2}
ALL_DAY = ((utc(2026, 1, 12, 0), utc(2026, 1, 13, 0)),)


def test_the_highest_priority_gets_its_preferred_moment_and_ties_go_by_key():
    wanted = (utc(2026, 1, 12, 14, 30),)
    candidates = [
        CallCandidate(3, 5.0, ALL_DAY, wanted),
        CallCandidate(2, 9.0, ALL_DAY, wanted),
        CallCandidate(1, 5.0, ALL_DAY, wanted),
    ]

    planned = allocate(candidates, dict(SLOTS))

    assert planned == {
        2: utc(2026, 1, 12, 14, 30),
        1: utc(2026, 1, 12, 15),
        3: utc(2026, 1, 12, 15),
    }


def test_a_full_hour_falls_back_to_the_next_preference_then_to_the_earliest_free_slot():
    candidates = [
        CallCandidate("a", 3.0, ALL_DAY, (utc(2026, 1, 12, 14, 10),)),
        CallCandidate("b", 2.0, ALL_DAY, (utc(2026, 1, 12, 14, 20), utc(2026, 1, 12, 15, 40))),
        CallCandidate("c", 1.0, ALL_DAY, (utc(2026, 1, 12, 14, 50),)),
        CallCandidate("d", 0.5, ALL_DAY, ()),
    ]

    planned = allocate(candidates, dict(SLOTS))

    assert planned == {
        "a": utc(2026, 1, 12, 14, 10),
        "b": utc(2026, 1, 12, 15, 40),
        "c": utc(2026, 1, 12, 15),
        "d": None,  # three calls fill the floor's three
    }


def test_a_preferred_moment_outside_the_windows_or_the_shift_is_not_used():
    window = ((utc(2026, 1, 12, 15, 15), utc(2026, 1, 12, 15, 45)),)
    candidates = [CallCandidate(1, 1.0, window, (utc(2026, 1, 12, 14, 30), utc(2026, 1, 12, 18)))]

    assert allocate(candidates, dict(SLOTS)) == {1: utc(2026, 1, 12, 15, 15)}


def test_a_candidate_whose_windows_miss_the_shift_gets_nothing():
    window = ((utc(2026, 1, 12, 17), utc(2026, 1, 12, 18)),)

    assert allocate([CallCandidate(1, 1.0, window, ())], dict(SLOTS)) == {1: None}


@st.composite
def floors(draw: st.DrawFn) -> tuple[dict[datetime, int], list[CallCandidate]]:
    base = utc(2026, 1, 12, 12)
    hours = draw(
        st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=8, unique=True)
    )
    slots = {base + timedelta(hours=h): draw(st.integers(min_value=0, max_value=4)) for h in hours}
    minutes = st.integers(min_value=-60, max_value=12 * 60)
    candidates = []
    for key in range(draw(st.integers(min_value=0, max_value=25))):
        windows = []
        for _ in range(draw(st.integers(min_value=1, max_value=2))):
            start = base + timedelta(minutes=draw(minutes))
            windows.append(
                (start, start + timedelta(minutes=draw(st.integers(min_value=1, max_value=300))))
            )
        preferred = tuple(
            base + timedelta(minutes=draw(minutes)) for _ in range(draw(st.integers(0, 3)))
        )
        priority = draw(st.sampled_from([0.0, 1.0, 2.5, 10.0]))
        candidates.append(CallCandidate(key, priority, tuple(windows), preferred))
    return slots, candidates


@PROPERTIES
@given(floor=floors())
def test_allocate_never_exceeds_a_slot_never_plans_outside_windows_and_leaves_out_only_the_unplaceable(
    floor,
):
    slots, candidates = floor

    planned = allocate(candidates, slots)

    assert set(planned) == {c.key for c in candidates}
    used: Counter[datetime] = Counter()
    for candidate in candidates:
        moment = planned[candidate.key]
        if moment is None:
            continue
        assert any(start <= moment < end for start, end in candidate.windows)
        slot = moment.replace(minute=0, second=0, microsecond=0)
        assert slot in slots
        used[slot] += 1
    assert all(used[slot] <= capacity for slot, capacity in slots.items())
    # A candidate left out had no free slot it could use.
    free = {slot for slot, capacity in slots.items() if used[slot] < capacity}
    for candidate in candidates:
        if planned[candidate.key] is None:
            for slot in free:
                assert not any(
                    max(slot, start) < min(slot + timedelta(hours=1), end)
                    for start, end in candidate.windows
                )
