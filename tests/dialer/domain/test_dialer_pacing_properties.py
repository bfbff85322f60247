"""Invariants of `pace` over arbitrary floors (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.dialer.domain.pacing import (
    AbandonWindow,
    AgentActivity,
    AgentSnapshot,
    CallObservations,
    DialMode,
    FloorState,
    PacingSettings,
    pace,
    progressive_lines,
)

seconds = st.floats(min_value=0.0, max_value=3000.0, allow_nan=False)
agents = st.lists(
    st.builds(AgentSnapshot, st.sampled_from(AgentActivity), seconds, st.booleans()),
    max_size=60,
)
histogram = st.lists(st.integers(min_value=0, max_value=200), max_size=40)
durations = st.lists(st.floats(min_value=0.5, max_value=2000.0), max_size=80)


@st.composite
def observations(draw: st.DrawFn) -> CallObservations:
    resolutions = draw(histogram)
    offers = [draw(st.integers(min_value=0, max_value=count)) for count in resolutions]
    return CallObservations(
        dials=sum(resolutions) + draw(st.integers(min_value=0, max_value=50)),
        offer_seconds_histogram=tuple(offers),
        resolution_seconds_histogram=tuple(resolutions),
        talk_seconds=tuple(draw(durations)),
        wrap_up_seconds=tuple(draw(durations)),
    )


@st.composite
def windows(draw: st.DrawFn) -> AbandonWindow:
    answered = draw(st.integers(min_value=0, max_value=20_000))
    return AbandonWindow(answered, draw(st.integers(min_value=0, max_value=answered // 10 + 5)))


@st.composite
def floors(draw: st.DrawFn) -> FloorState:
    ringing = draw(st.lists(st.floats(min_value=0.0, max_value=40.0), max_size=80))
    return FloorState(
        agents=tuple(draw(agents)),
        ringing_call_seconds=tuple(ringing),
        calls_waiting_for_agent=draw(st.integers(min_value=0, max_value=5)),
        lines_in_use=len(ringing) + draw(st.integers(min_value=0, max_value=100)),
        observations=draw(observations()),
        abandons_30_days=draw(windows()),
        abandons_24_hours=draw(windows()),
    )


pacing_settings = st.builds(
    PacingSettings,
    mode=st.sampled_from(DialMode),
    target_abandon_rate=st.floats(min_value=0.001, max_value=0.03),
    ring_timeout_seconds=st.floats(min_value=15.0, max_value=60.0),
    max_lines=st.integers(min_value=1, max_value=400),
)


def budget_exhausted(settings: PacingSettings, floor: FloorState) -> bool:
    windows = [floor.abandons_30_days, floor.abandons_24_hours]
    return any(w.abandoned >= settings.target_abandon_rate * w.answered_live for w in windows)


@settings(max_examples=150, deadline=None)
@given(pacing_settings, floors())
def test_lines_are_never_negative_nor_above_the_free_lines(
    settings: PacingSettings, floor: FloorState
) -> None:
    decision = pace(settings, floor)
    assert decision.lines_to_start >= 0
    assert decision.lines_to_start <= max(0, settings.max_lines - floor.lines_in_use)


@settings(max_examples=150, deadline=None)
@given(pacing_settings, floors())
def test_never_more_than_progressive_when_the_budget_is_exhausted(
    settings: PacingSettings, floor: FloorState
) -> None:
    if budget_exhausted(settings, floor):
        decision = pace(settings, floor)
        assert decision.lines_to_start <= progressive_lines(settings, floor)
        if decision.lines_to_start > 0:
            assert decision.mode_used is DialMode.PROGRESSIVE


@settings(max_examples=100, deadline=None)
@given(pacing_settings, floors())
def test_expectations_are_finite_probabilities(settings: PacingSettings, floor: FloorState) -> None:
    decision = pace(settings, floor)
    assert math.isfinite(decision.expected_abandons) and decision.expected_abandons >= 0.0
    assert 0.0 <= decision.expected_abandon_rate <= 1.0
    assert 0.0 <= decision.abandon_threshold <= 1.0


@settings(max_examples=50, deadline=None)
@given(floors())
def test_preview_mode_never_dials_on_its_own(floor: FloorState) -> None:
    assert pace(PacingSettings(mode=DialMode.PREVIEW), floor).lines_to_start == 0


@settings(max_examples=100, deadline=None)
@given(floors())
def test_predictive_never_gives_a_free_agent_less_than_progressive(floor: FloorState) -> None:
    predictive = PacingSettings(mode=DialMode.PREDICTIVE, max_lines=400)
    progressive = PacingSettings(mode=DialMode.PROGRESSIVE, max_lines=400)
    assert pace(predictive, floor).lines_to_start >= pace(progressive, floor).lines_to_start
