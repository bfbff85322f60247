"""The real day's estimators: recent calls, the history prior, calibration, unseen abandons,
calls under detection, machines reaching agents and short calls (issue 14)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.dialer.domain.pacing import (
    CALIBRATION_MAX,
    CALIBRATION_MIN,
    PRIOR_DIALS,
    AbandonCalibration,
    AbandonWindow,
    AgentActivity,
    AgentSnapshot,
    CallObservations,
    DialMode,
    FloorState,
    MachineHandling,
    PacingReason,
    PacingSettings,
    UnseenAbandons,
    abandon_budget,
    blend_observations,
    expected_answers_today,
    pace,
    progressive_lines,
)
from solvent.dialer.domain.pacing_estimates import RecentCalls
from solvent.dialer.domain.pacing_model import SurvivalCurve

READY = AgentActivity.READY
TALKING = AgentActivity.TALKING
PREDICTIVE = PacingSettings(mode=DialMode.PREDICTIVE, max_lines=200)


def warm(*, dials: int = 400, live_share: float = 0.25) -> CallObservations:
    offers = [0.0] * 25
    resolutions = [0.0] * 25
    live = round(dials * live_share)
    for index in range(live):
        offers[4 + index % 9] += 1
        resolutions[4 + index % 9] += 1
    resolutions[20] += dials - live
    return CallObservations(
        dials=dials,
        offer_seconds_histogram=tuple(offers),
        resolution_seconds_histogram=tuple(resolutions),
        talk_seconds=tuple(60.0 + 10.0 * (index % 30) for index in range(200)),
        wrap_up_seconds=tuple(20.0 + index % 15 for index in range(200)),
        answered=live * 1.5,
    )


def floor_of(
    agents: list[tuple[AgentActivity, float]],
    *,
    answered: int = 2000,
    abandoned: int = 0,
    observed: CallObservations | None = None,
    **fields: object,
) -> FloorState:
    window = AbandonWindow(answered, abandoned)
    talking = sum(1 for activity, _ in agents if activity is TALKING)
    return FloorState(
        agents=tuple(AgentSnapshot(activity, seconds) for activity, seconds in agents),
        lines_in_use=talking,
        observations=warm() if observed is None else observed,
        abandons_30_days=window,
        abandons_24_hours=window,
        **fields,  # type: ignore[arg-type]
    )


FLOOR = [(READY, 5.0)] * 6 + [(TALKING, 100.0)] * 14


# -- recent calls ------------------------------------------------------------------------------


def offer_rate(observations: CallObservations) -> float:
    return observations.offers / observations.dials


def test_recent_calls_follow_a_list_switched_to_half_the_answer_rate_within_an_hour() -> None:
    recent = RecentCalls(half_life_seconds=900.0)
    second = 0.0
    for index in range(4000):  # four hours at one call a second... then half the answers
        second += 3.6
        recent.call_resolved(
            at=second, seconds_after_dial=8, offered=index % 4 == 0, answered=index % 4 == 0
        )
    assert offer_rate(recent.observations(second)) == pytest.approx(0.25, abs=0.01)
    switched = second
    for index in range(1000):
        second += 3.6
        recent.call_resolved(
            at=second, seconds_after_dial=8, offered=index % 8 == 0, answered=index % 8 == 0
        )
        if second - switched >= 3600:
            break
    # A whole-day average would still say about 0.2; four half-lives later it is near 0.125.
    assert offer_rate(recent.observations(second)) == pytest.approx(0.125, abs=0.012)


def test_a_call_one_half_life_old_weighs_half() -> None:
    recent = RecentCalls(half_life_seconds=600.0)
    recent.call_resolved(at=0.0, seconds_after_dial=3, offered=True, answered=True)
    assert recent.observations(600.0).dials == pytest.approx(0.5)
    assert recent.observations(1200.0).offer_seconds_histogram[3] == pytest.approx(0.25)


def test_recent_calls_keep_their_weights_across_a_rebase() -> None:
    recent = RecentCalls(half_life_seconds=60.0)
    recent.call_resolved(at=0.0, seconds_after_dial=1, offered=False, answered=False)
    recent.call_resolved(at=20_000.0, seconds_after_dial=1, offered=True, answered=True)
    observed = recent.observations(20_000.0)
    assert observed.dials == pytest.approx(1.0)
    assert observed.offers == pytest.approx(1.0)
    assert observed.answered == pytest.approx(1.0)


def test_wrap_ups_after_short_calls_are_kept_apart() -> None:
    recent = RecentCalls()
    recent.talk_ended(12.0)
    recent.wrap_up_ended(4.0, after_talk_seconds=12.0)
    recent.talk_ended(300.0)
    recent.wrap_up_ended(40.0, after_talk_seconds=300.0)
    observed = recent.observations(0.0)
    assert observed.wrap_up_seconds == (4.0, 40.0)
    assert observed.short_call_wrap_up_seconds == (4.0,)


# -- the history prior -------------------------------------------------------------------------


def test_the_prior_weighs_at_most_prior_dials_and_today_stays_whole() -> None:
    today = warm(dials=100)
    history = warm(dials=12_000, live_share=0.1)
    blended = blend_observations(today, history, PRIOR_DIALS)
    assert blended.dials == pytest.approx(100 + PRIOR_DIALS)
    assert blended.offers == pytest.approx(today.offers + history.offers * PRIOR_DIALS / 12_000)
    assert blend_observations(today, CallObservations(), PRIOR_DIALS) is today


def test_a_campaign_with_history_paces_from_its_first_minute() -> None:
    cold = floor_of(FLOOR, observed=CallObservations())
    assert pace(PREDICTIVE, cold).reason is PacingReason.COLD_START
    with_history = floor_of(FLOOR, observed=CallObservations(), prior=warm(dials=5000))
    decision = pace(PREDICTIVE, with_history)
    assert decision.mode_used is DialMode.PREDICTIVE
    assert decision.lines_to_start > 6


def test_expected_answers_today_let_a_fresh_window_spend_ahead() -> None:
    fresh = floor_of(FLOOR, answered=10)
    assert pace(PREDICTIVE, fresh).reason is PacingReason.BUDGET_AT_RISK
    planned = floor_of(FLOOR, answered=10, expected_answers_remaining=600.0)
    assert abandon_budget(PREDICTIVE, planned).headroom == pytest.approx(
        0.9 * 0.03 * 10 + 0.25 * 0.9 * 0.03 * 600
    )
    assert pace(PREDICTIVE, planned).mode_used is DialMode.PREDICTIVE


# -- calibration -------------------------------------------------------------------------------


@given(st.floats(0.0, 1e4), st.floats(0.0, 1e4))
def test_calibration_is_bounded_and_points_the_right_way(predicted: float, realised: float) -> None:
    factor = AbandonCalibration(predicted, realised).factor
    assert CALIBRATION_MIN <= factor <= CALIBRATION_MAX
    if realised > predicted:
        assert factor >= 1.0
    if realised < predicted:
        assert factor <= 1.0


def test_no_evidence_means_no_calibration() -> None:
    assert AbandonCalibration().factor == 1.0


def test_a_model_that_overpredicted_abandons_dials_more_and_one_that_underpredicted_less() -> None:
    plain = pace(PREDICTIVE, floor_of(FLOOR)).lines_to_start
    over = floor_of(FLOOR, calibration=AbandonCalibration(predicted=40.0, realised=5.0))
    under = floor_of(FLOOR, calibration=AbandonCalibration(predicted=5.0, realised=40.0))
    assert pace(PREDICTIVE, over).lines_to_start > plain > pace(PREDICTIVE, under).lines_to_start


# -- unseen abandons ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.0, 0.03),
    st.floats(0.0, 0.02),
    st.floats(0.0, 0.02),
    st.integers(0, 20_000),
    st.integers(0, 300),
)
def test_a_larger_margin_on_unseen_abandons_never_leaves_more_headroom(
    rate: float, margin: float, more: float, answered: int, abandoned: int
) -> None:
    def headroom(extra: float) -> float:
        state = floor_of(
            FLOOR,
            answered=answered,
            abandoned=min(abandoned, answered),
            unseen_abandons=UnseenAbandons(rate, margin + extra),
        )
        return abandon_budget(PREDICTIVE, state).headroom

    assert headroom(more) <= headroom(0.0) + 1e-9


def test_unseen_abandons_are_budgeted_only_when_detection_runs() -> None:
    state = floor_of(FLOOR, answered=1000, unseen_abandons=UnseenAbandons(0.015, 0.005))
    detecting = abandon_budget(PREDICTIVE, state)
    assert detecting.headroom == pytest.approx(0.9 * (0.03 - 0.02) * 1000 / 0.985)
    connect = PacingSettings(max_lines=200, machine_handling=MachineHandling.CONNECT)
    assert abandon_budget(connect, state).headroom == pytest.approx(0.9 * 0.03 * 1000)


# -- calls under detection, machines at agents, short calls -----------------------------------


def test_calls_under_detection_are_answered_calls_with_an_agent_reserved() -> None:
    plain = floor_of(FLOOR)
    analysing = floor_of(FLOOR, analysing_call_seconds=(0.5, 1.0, 2.0))
    progressive = PacingSettings(mode=DialMode.PROGRESSIVE)
    assert progressive_lines(progressive, analysing) == progressive_lines(progressive, plain) - 3
    assert pace(PREDICTIVE, analysing).lines_to_start < pace(PREDICTIVE, plain).lines_to_start


def test_with_detection_off_only_people_count_as_abandons() -> None:
    observed = CallObservations(**{**warm().__dict__, "offers_to_machines": warm().offers / 2})
    state = floor_of(FLOOR, observed=observed)
    detect = pace(PREDICTIVE, state)
    connect = pace(PacingSettings(max_lines=200, machine_handling=MachineHandling.CONNECT), state)
    assert connect.expected_live_answers == pytest.approx(detect.expected_live_answers / 2, 0.2)
    assert connect.lines_to_start >= detect.lines_to_start


def test_short_calls_with_short_wrap_ups_free_agents_within_the_look_ahead() -> None:
    talks = tuple([12.0] * 100 + [240.0] * 100)
    observed = CallObservations(
        **{
            **warm().__dict__,
            "talk_seconds": talks,
            "wrap_up_seconds": tuple([5.0] * 100 + [60.0] * 100),
        }
    )
    typed = CallObservations(**{**observed.__dict__, "short_call_wrap_up_seconds": (5.0,) * 100})
    agents = [(TALKING, 11.0)] * 10  # half of them end in 1 s, then a 5-second wrap-up
    untyped_lines = pace(PREDICTIVE, floor_of(agents, observed=observed)).lines_to_start
    typed_lines = pace(PREDICTIVE, floor_of(agents, observed=typed)).lines_to_start
    assert typed_lines > untyped_lines


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(1.0, 900.0), min_size=1, max_size=60),
    st.lists(st.floats(0.0, 900.0), min_size=1, max_size=10),
    st.floats(0.0, 60.0),
)
def test_one_wrap_up_for_both_call_types_is_the_untyped_model(
    ended: list[float], running: list[float], wrap: float
) -> None:
    curve = SurvivalCurve.estimate(np.asarray(ended), np.asarray(running))
    elapsed = np.asarray(running)
    by = np.arange(0.0, 30.0)
    typed = curve.conditional_free_chance(
        elapsed, by, short_wrap=wrap, long_wrap=wrap, short_call_seconds=45.0
    )
    untyped = curve.conditional_end_chance(elapsed, by - wrap)
    alive = curve.at(elapsed) > 0
    np.testing.assert_allclose(typed[alive], untyped[alive], atol=1e-9)


def test_a_new_campaign_plans_from_the_hours_left_and_its_agents() -> None:
    state = floor_of(FLOOR, answered=10, seconds_left_today=4 * 3600.0)
    observed = state.observations
    expected = expected_answers_today(state, observed, 1.0)
    handle = (
        sum(observed.talk_seconds) / len(observed.talk_seconds)
        + sorted(observed.wrap_up_seconds)[len(observed.wrap_up_seconds) // 2]
    )
    assert expected == pytest.approx(20 * 4 * 3600.0 * 0.6 / handle)
    assert pace(PREDICTIVE, state).mode_used is DialMode.PREDICTIVE
    # The history's figure, when there is one, comes first.
    known = floor_of(FLOOR, seconds_left_today=3600.0, expected_answers_remaining=5.0)
    assert expected_answers_today(known, observed, 1.0) == 5.0


def test_unseen_abandons_shrink_the_budget_but_not_the_pacers_allowance() -> None:
    state = floor_of(FLOOR, answered=1000, unseen_abandons=UnseenAbandons(0.01, 0.005))
    budget = abandon_budget(PREDICTIVE, state)
    assert budget.utilisation == 0.0  # nothing of the pacer's own abandoned yet
    assert pace(PREDICTIVE, state).abandon_threshold == pytest.approx(0.06)
