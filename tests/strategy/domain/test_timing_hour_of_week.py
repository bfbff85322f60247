"""Reach rates by channel and local hour of week: the shrinkage chain falls back and converges."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.strategy.domain.timing import (
    DEFAULT_P,
    HOURS_OF_WEEK,
    Shrinkage,
    counts_frame,
    hour_of_week,
    posterior_mean,
    reach_model,
)

MONDAY, TUESDAY = 0, 1
K = Shrinkage()


def test_with_no_history_at_all_every_hour_of_the_week_is_the_flat_default() -> None:
    model = reach_model(counts_frame([]))

    assert model.p_week(1, "a", "call") == (DEFAULT_P,) * 168
    assert model.p_week(None, None, "sms") == (DEFAULT_P,) * 168


def test_each_level_shrinks_toward_the_one_above_it_and_an_empty_cell_falls_back() -> None:
    # Segment "a" was called on Monday at 9 only: 4 attempts, 2 reached, by debtor 1.
    monday_9 = hour_of_week(MONDAY, 9)
    model = reach_model(counts_frame([(1, "a", "call", monday_9, 4, 2)]))

    channel = posterior_mean(2, 4, K.channel, DEFAULT_P)
    hour_9 = posterior_mean(2, 4, K.hour, channel)
    week_monday_9 = posterior_mean(2, 4, K.week, hour_9)
    week_tuesday_9 = posterior_mean(0, 0, K.week, hour_9)  # nobody tried Tuesday 9: hour of day
    segment_hour_monday = posterior_mean(2, 4, K.segment_hour, week_monday_9)
    segment_monday_9 = posterior_mean(2, 4, K.segment_week, segment_hour_monday)
    segment_hour_tuesday = posterior_mean(2, 4, K.segment_hour, week_tuesday_9)
    segment_tuesday_9 = posterior_mean(0, 0, K.segment_week, segment_hour_tuesday)

    segment = model.p_day(None, "a", "call", MONDAY)
    assert segment[9] == pytest.approx(segment_monday_9)
    assert model.p_day(None, "a", "call", TUESDAY)[9] == pytest.approx(segment_tuesday_9)
    assert segment[3] == pytest.approx(posterior_mean(0, 0, K.hour, channel))  # only the channel
    # The debtor's own Monday-9 attempts count at hour 9 on every weekday.
    debtor_tuesday_9 = posterior_mean(2, 4, K.debtor, segment_tuesday_9)
    assert model.p_day(1, "a", "call", TUESDAY)[9] == pytest.approx(debtor_tuesday_9)
    # Another debtor of the segment: the segment's rate; no segment: the global hour of week.
    assert model.p_day(2, "a", "call", MONDAY)[9] == pytest.approx(segment_monday_9)
    assert model.p_day(2, None, "call", MONDAY)[9] == pytest.approx(week_monday_9)
    assert model.p_day(2, "never-tried", "call", MONDAY)[9] == pytest.approx(week_monday_9)
    # Another channel knows nothing of the calls.
    assert model.p_day(1, "a", "sms", MONDAY)[9] == pytest.approx(DEFAULT_P)


def test_a_cell_with_lots_of_data_converges_to_its_own_rate() -> None:
    # The segment's Friday 18h is reached 30% of 100,000 times; the rest of the week 5%.
    friday_18 = hour_of_week(4, 18)
    rows = [(1, "a", "call", friday_18, 100_000, 30_000)]
    rows += [(2, "a", "call", week, 1_000, 50) for week in HOURS_OF_WEEK if week != friday_18]
    model = reach_model(counts_frame(rows))

    week = model.p_week(None, "a", "call")
    assert week[friday_18] == pytest.approx(0.30, abs=0.001)
    assert week[hour_of_week(4, 17)] == pytest.approx(0.05, abs=0.005)
    # Thin data is pulled toward the levels above: 1 of 1 reached is not a rate of 100%.
    rows = [(2, "b", "call", week, 1_000, 50) for week in HOURS_OF_WEEK]
    thin = reach_model(counts_frame([*rows, (1, "a", "call", friday_18, 1, 1)]))
    assert thin.p_week(None, "a", "call")[friday_18] < 0.15


def test_the_week_is_168_cells_monday_midnight_first_and_equals_the_days() -> None:
    rows = [(1, "a", "call", hour_of_week(6, 23), 10, 9), (1, "a", "call", 0, 10, 1)]
    model = reach_model(counts_frame(rows))

    week = model.p_week(1, "a", "call")
    assert len(week) == 168
    assert week[167] > week[0]
    for day in range(7):
        by_hour = model.p_day(1, "a", "call", day)
        assert [by_hour[h] for h in range(24)] == list(week[day * 24 : day * 24 + 24])


def test_shrinkage_round_trips_and_a_bad_value_is_the_default() -> None:
    fitted = Shrinkage(3.0, 4.0, 5.0, 6.0, 7.0, 8.0)

    assert Shrinkage.from_dict(fitted.as_dict()) == fitted
    assert Shrinkage.from_dict(
        {"hour": -1, "week": "x", "debtor": True, "channel": 2}
    ) == Shrinkage(channel=2.0)


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[int, str | None, str, int, int, int]]:
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=25))):
        attempts = draw(st.integers(min_value=1, max_value=50))
        rows.append(
            (
                draw(st.integers(min_value=1, max_value=4)),
                draw(st.sampled_from(["a", "b", None])),
                draw(st.sampled_from(["call", "sms"])),
                draw(st.integers(min_value=0, max_value=167)),
                attempts,
                draw(st.integers(min_value=0, max_value=attempts)),
            )
        )
    return rows


shrinkages = st.builds(
    Shrinkage,
    *[st.floats(min_value=0.5, max_value=500) for _ in range(6)],
)
PROPERTIES = settings(derandomize=True, deadline=None, max_examples=60)


@PROPERTIES
@given(history=histories(), shrinkage=shrinkages, debtor=st.integers(1, 5))
def test_every_rate_lies_strictly_between_0_and_1(history, shrinkage, debtor) -> None:
    model = reach_model(counts_frame(history), shrinkage)

    for segment in ("a", "b", None):
        assert all(0 < p < 1 for p in model.p_week(debtor, segment, "call"))


@PROPERTIES
@given(history=histories(), shrinkage=shrinkages, data=st.data())
def test_one_more_reached_attempt_never_lowers_any_rate_of_its_debtor(
    history, shrinkage, data
) -> None:
    """A miss becomes a hit in one cell: every level's count rises, so no rate may fall."""
    history = [*history, (9, "a", "call", 10, 3, 1)]
    index = data.draw(st.sampled_from([i for i, row in enumerate(history) if row[5] < row[4]]))
    debtor, segment, channel, _week, attempts, reached = history[index]
    more = list(history)
    more[index] = (*history[index][:5], reached + 1)

    before = reach_model(counts_frame(history), shrinkage).p_week(debtor, segment, channel)
    after = reach_model(counts_frame(more), shrinkage).p_week(debtor, segment, channel)

    assert all(b <= a + 1e-12 for b, a in zip(before, after, strict=True))
    assert attempts > reached


def test_the_counts_may_come_in_any_integer_types() -> None:
    frame = pl.DataFrame(
        {
            "debtor_id": [1],
            "segment": ["a"],
            "channel": ["call"],
            "hour_of_week": [5],
            "attempts": [2],
            "reached": [1],
        }
    )

    assert reach_model(frame).p_day(1, "a", "call", MONDAY)[5] > DEFAULT_P
