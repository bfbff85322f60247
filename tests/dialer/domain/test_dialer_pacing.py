"""Pacing decisions at their edges: each test builds one floor and asks for one decision."""

from __future__ import annotations

import pytest

from solvent.core.domain.errors import ValidationError
from solvent.dialer.domain.pacing import (
    AbandonWindow,
    AgentActivity,
    AgentSnapshot,
    CallObservations,
    DialMode,
    FloorState,
    PacingReason,
    PacingSettings,
    PacingSettingsError,
    abandon_budget,
    abandon_threshold,
    pace,
    progressive_lines,
)

READY = AgentActivity.READY
TALKING = AgentActivity.TALKING
WRAP_UP = AgentActivity.WRAP_UP
PAUSED = AgentActivity.PAUSED


def observations(
    *, dials: int = 400, live_share: float = 0.25, machines: bool = False
) -> CallObservations:
    """A warm campaign: live answers after 4-12 s, the rest ringing out at 20 s."""
    offers = [0] * 25
    resolutions = [0] * 25
    live = 0 if machines else round(dials * live_share)
    for index in range(live):
        second = 4 + index % 9
        offers[second] += 1
        resolutions[second] += 1
    # Machines are detected (no agent needed) at about 10 s; unanswered calls end at 20 s.
    other_second = 10 if machines else 20
    resolutions[other_second] += dials - live
    return CallObservations(
        dials=dials,
        offer_seconds_histogram=tuple(offers),
        resolution_seconds_histogram=tuple(resolutions),
        talk_seconds=tuple(60.0 + 10.0 * (index % 30) for index in range(200)),
        wrap_up_seconds=tuple(20.0 + index % 15 for index in range(200)),
    )


def floor(
    agents: list[tuple[AgentActivity, float]],
    *,
    ringing: int = 0,
    answered: int = 2000,
    abandoned: int = 0,
    observed: CallObservations | None = None,
    lines_in_use: int | None = None,
) -> FloorState:
    window = AbandonWindow(answered_live=answered, abandoned=abandoned)
    talking = sum(1 for activity, _ in agents if activity is TALKING)
    return FloorState(
        agents=tuple(AgentSnapshot(activity, seconds) for activity, seconds in agents),
        ringing_call_seconds=tuple(float(index % 15) for index in range(ringing)),
        lines_in_use=ringing + talking if lines_in_use is None else lines_in_use,
        observations=observations() if observed is None else observed,
        abandons_30_days=window,
        abandons_24_hours=window,
    )


PREDICTIVE = PacingSettings(mode=DialMode.PREDICTIVE, max_lines=200)


def test_settings_reject_a_ring_timeout_under_15_seconds() -> None:
    with pytest.raises(PacingSettingsError) as raised:
        PacingSettings(ring_timeout_seconds=14.9)
    assert isinstance(raised.value, ValidationError)
    assert raised.value.code == "dialer_pacing_settings_invalid"
    assert "15" in raised.value.message


def test_settings_accept_exactly_15_seconds_of_ringing() -> None:
    assert PacingSettings(ring_timeout_seconds=15.0).ring_timeout_seconds == 15.0


@pytest.mark.parametrize("rate", [0.0, -0.01, 0.031, 1.0])
def test_settings_reject_an_abandon_target_outside_the_limit(rate: float) -> None:
    with pytest.raises(PacingSettingsError):
        PacingSettings(target_abandon_rate=rate)


def test_settings_reject_a_campaign_without_lines() -> None:
    with pytest.raises(PacingSettingsError):
        PacingSettings(max_lines=0)


def test_preview_never_starts_lines_itself() -> None:
    decision = pace(PacingSettings(mode=DialMode.PREVIEW), floor([(READY, 30.0)] * 10))
    assert decision.lines_to_start == 0
    assert decision.mode_used is DialMode.PREVIEW
    assert decision.reason is PacingReason.PREVIEW_AGENT_DIALS


def test_progressive_starts_one_line_per_free_agent_not_yet_covered() -> None:
    settings = PacingSettings(mode=DialMode.PROGRESSIVE)
    decision = pace(settings, floor([(READY, 1.0)] * 5 + [(TALKING, 30.0)] * 5, ringing=2))
    assert decision.lines_to_start == 3
    assert decision.mode_used is DialMode.PROGRESSIVE


def test_no_agents_logged_in_means_no_lines() -> None:
    decision = pace(PREDICTIVE, floor([(PAUSED, 100.0)] * 4))
    assert decision.lines_to_start == 0
    assert decision.reason is PacingReason.NO_AGENTS


def test_agents_who_asked_for_a_pause_are_not_dialled_for() -> None:
    agents = (AgentSnapshot(READY, 5.0, pause_requested=True),)
    decision = pace(PREDICTIVE, FloorState(agents=agents, observations=observations()))
    assert decision.lines_to_start == 0
    assert decision.reason is PacingReason.NO_AGENTS


def test_no_free_agents_and_none_finishing_soon_means_no_lines() -> None:
    # Everyone has just started a conversation that typically lasts minutes.
    decision = pace(PREDICTIVE, floor([(TALKING, 0.0)] * 10))
    assert decision.lines_to_start == 0
    assert decision.mode_used is DialMode.PREDICTIVE


def test_agents_about_to_finish_wrap_up_are_dialled_for_ahead_of_time() -> None:
    # No one is free yet, but wrap-ups typically last 20-34 s and these have run 33 s.
    decision = pace(PREDICTIVE, floor([(WRAP_UP, 33.0)] * 10))
    assert decision.lines_to_start > 0
    assert decision.mode_used is DialMode.PREDICTIVE


def test_predictive_dials_more_lines_than_free_agents_when_few_answer() -> None:
    decision = pace(PREDICTIVE, floor([(READY, 5.0)] * 10 + [(TALKING, 100.0)] * 10))
    assert decision.reason is PacingReason.PREDICTIVE
    assert decision.lines_to_start > 10
    assert 0.0 <= decision.expected_abandon_rate <= 1.0
    assert decision.expected_live_answers > 0.0


def test_cold_start_without_observations_is_progressive() -> None:
    empty = floor([(READY, 0.0)] * 8, observed=CallObservations())
    decision = pace(PREDICTIVE, empty)
    assert decision.reason is PacingReason.COLD_START
    assert decision.mode_used is DialMode.PROGRESSIVE
    assert decision.lines_to_start == 8


def test_exhausted_abandon_budget_falls_back_to_progressive() -> None:
    # 3% of 1000 answered is 30 abandons: all spent.
    agents = [(READY, 5.0)] * 6 + [(TALKING, 100.0)] * 10
    decision = pace(PREDICTIVE, floor(agents, ringing=2, answered=1000, abandoned=30))
    assert decision.reason is PacingReason.BUDGET_AT_RISK
    assert decision.mode_used is DialMode.PROGRESSIVE
    assert decision.lines_to_start == progressive_lines(PREDICTIVE, floor(agents, ringing=2)) == 4


def test_the_24_hour_window_alone_can_exhaust_the_budget() -> None:
    agents = (AgentSnapshot(READY, 5.0),) * 6
    state = FloorState(
        agents=agents,
        observations=observations(),
        abandons_30_days=AbandonWindow(answered_live=10_000, abandoned=10),
        abandons_24_hours=AbandonWindow(answered_live=300, abandoned=8),
    )
    assert pace(PREDICTIVE, state).reason is PacingReason.BUDGET_AT_RISK
    us_only = PacingSettings(max_lines=200, enforce_24_hour_window=False)
    assert pace(us_only, state).reason is PacingReason.PREDICTIVE


def test_without_the_uk_rule_a_day_still_cannot_spend_weeks_of_savings() -> None:
    # 30 days far under budget, but the last 24 hours already at the 3% limit.
    agents = (AgentSnapshot(READY, 5.0),) * 6
    state = FloorState(
        agents=agents,
        observations=observations(),
        abandons_30_days=AbandonWindow(answered_live=10_000, abandoned=100),
        abandons_24_hours=AbandonWindow(answered_live=300, abandoned=9),
    )
    us_only = PacingSettings(max_lines=200, enforce_24_hour_window=False)
    assert pace(us_only, state).reason is PacingReason.BUDGET_AT_RISK


def test_a_new_campaign_with_no_answers_yet_has_no_budget_to_spend() -> None:
    decision = pace(PREDICTIVE, floor([(READY, 5.0)] * 6, answered=0))
    assert decision.reason is PacingReason.BUDGET_AT_RISK
    assert decision.lines_to_start == 6


def test_budget_allowance_shrinks_to_nothing_as_it_is_used() -> None:
    assert abandon_threshold(0.0) == abandon_threshold(0.5) > abandon_threshold(0.8)
    assert abandon_threshold(0.8) > abandon_threshold(1.0) == 0.0
    budget = abandon_budget(PREDICTIVE, floor([(READY, 1.0)], answered=1000, abandoned=9))
    assert budget.utilisation == pytest.approx(9 / (0.9 * 0.03 * 1000))
    assert budget.headroom == pytest.approx(0.9 * 0.03 * 1000 - 9)


def test_lines_never_exceed_the_campaign_maximum() -> None:
    settings = PacingSettings(max_lines=12)
    state = floor([(READY, 5.0)] * 30, ringing=4, lines_in_use=4)
    decision = pace(settings, state)
    assert decision.lines_to_start == 8
    assert decision.reason is PacingReason.LINE_CAP


def test_a_campaign_at_its_maximum_starts_nothing() -> None:
    settings = PacingSettings(max_lines=10)
    decision = pace(settings, floor([(READY, 5.0)] * 30, ringing=10, lines_in_use=10))
    assert decision.lines_to_start == 0


def test_all_calls_reaching_machines_are_bounded_by_the_line_cap() -> None:
    machines_only = observations(machines=True)
    state = floor([(READY, 5.0)] * 5, observed=machines_only, lines_in_use=0)
    # Nobody has answered yet, so the model cannot predict: progressive, one line per agent.
    decision = pace(PacingSettings(max_lines=40), state)
    assert decision.reason is PacingReason.COLD_START
    assert decision.lines_to_start == 5


def test_warm_campaign_where_machines_answer_everything_dials_up_to_the_cap() -> None:
    # Plenty of offers once, then a long run of machines: people are now rare, so the marginal
    # line carries almost no abandon risk and only the line cap holds the dialler back.
    warm = observations(dials=400, live_share=0.05)
    state = floor([(READY, 5.0)] * 5, observed=warm, lines_in_use=0)
    decision = pace(PacingSettings(max_lines=40), state)
    assert decision.lines_to_start <= 40
    assert decision.lines_to_start > 5
