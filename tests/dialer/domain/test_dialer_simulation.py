"""A small simulated day per policy: the books balance and the limits hold."""

from __future__ import annotations

import pytest

from solvent.dialer.domain.clairvoyant import clairvoyant_day
from solvent.dialer.domain.pacing import DialMode, MachineHandling, PacingSettings
from solvent.dialer.domain.simulation import SimulationResult, simulate_day
from solvent.dialer.domain.simulation_model import (
    CallKind,
    CallStreams,
    Scenario,
    agent_shifts,
)
from solvent.dialer.domain.simulation_policies import (
    FixedDialLevel,
    SolventPacing,
    VicidialAdaptive,
)

SCENARIO = Scenario(
    agents=12,
    answer_probability=0.25,
    mean_talk_seconds=180.0,
    answering_machines=True,
    day_seconds=5400.0,
    seed=11,
)


def solvent(mode: DialMode) -> SolventPacing:
    return SolventPacing(PacingSettings(mode=mode, max_lines=SCENARIO.line_cap))


@pytest.fixture(scope="module")
def results() -> dict[str, SimulationResult]:
    streams = CallStreams(SCENARIO)
    runs = {
        policy.name: simulate_day(SCENARIO, policy, streams)
        for policy in (
            solvent(DialMode.PREVIEW),
            solvent(DialMode.PROGRESSIVE),
            solvent(DialMode.PREDICTIVE),
            FixedDialLevel(1.3),
            VicidialAdaptive(maximum_level=3.0),
        )
    }
    runs["clairvoyant"] = clairvoyant_day(SCENARIO, streams)
    return runs


def test_every_dialled_call_is_accounted_for(results: dict[str, SimulationResult]) -> None:
    for result in results.values():
        assert result.dials > 0
        assert result.dials == (
            result.answered_live
            + result.machines
            + result.no_answer
            + result.busy
            + result.invalid
            + result.in_progress_at_close
        ), result.policy
        assert result.abandoned <= result.answered_live
        assert result.connected_to_agent <= result.answered_live + result.machines
        assert result.right_party_contacts <= result.connected_to_agent


def test_idle_time_is_never_negative(results: dict[str, SimulationResult]) -> None:
    for result in results.values():
        assert result.idle_seconds >= -1e-6, result.policy
        assert result.idle_seconds_between_calls >= 0.0
        assert 0.0 < result.occupancy <= 1.0


@pytest.mark.parametrize("mode", ["solvent_preview", "solvent_progressive", "solvent_predictive"])
def test_no_solvent_mode_abandons_above_the_limit(
    results: dict[str, SimulationResult], mode: str
) -> None:
    assert results[mode].abandon_rate <= 0.03


def test_preview_never_abandons(results: dict[str, SimulationResult]) -> None:
    assert results["solvent_preview"].abandoned == 0


def test_predictive_keeps_agents_busier_than_progressive(
    results: dict[str, SimulationResult],
) -> None:
    assert results["solvent_predictive"].occupancy > results["solvent_progressive"].occupancy


def test_the_clairvoyant_bound_abandons_nobody_and_bounds_every_policy(
    results: dict[str, SimulationResult],
) -> None:
    bound = results["clairvoyant"]
    assert bound.abandoned == 0
    for name, result in results.items():
        if name != "clairvoyant" and result.abandon_rate <= 0.03:
            assert result.occupancy <= bound.occupancy, name


def test_common_random_numbers_make_a_day_repeatable() -> None:
    first = simulate_day(SCENARIO, solvent(DialMode.PROGRESSIVE), CallStreams(SCENARIO))
    again = simulate_day(SCENARIO, solvent(DialMode.PROGRESSIVE), CallStreams(SCENARIO))
    assert first == again


def test_each_call_index_has_the_same_fate_for_every_policy() -> None:
    one, other = CallStreams(SCENARIO), CallStreams(SCENARIO)
    assert [other.fate(index) for index in (5000, 3, 4096)] == [
        one.fate(index) for index in (5000, 3, 4096)
    ]
    kinds = {one.fate(index).kind for index in range(2000)}
    assert kinds == set(CallKind) - {CallKind.INVALID}  # this scenario has no invalid numbers


def test_without_machines_no_call_reaches_one() -> None:
    scenario = Scenario(
        agents=5,
        answer_probability=0.5,
        mean_talk_seconds=180.0,
        answering_machines=False,
        day_seconds=1800.0,
    )
    result = simulate_day(scenario, solvent(DialMode.PROGRESSIVE))
    assert result.machines == 0
    assert result.abandoned == 0  # no detection, so no person is taken for a machine


# -- the real day's stresses (issue 14) ----------------------------------------------------------


def stressed(label: str, **changes: object) -> Scenario:
    base: dict[str, object] = {
        "agents": 12,
        "answer_probability": 0.25,
        "mean_talk_seconds": 120.0,
        "answering_machines": True,
        "day_seconds": 2400.0,
        "seed": 21,
        "history_days": 29,
        "label": label,
    }
    base.update(changes)
    return Scenario(**base)  # type: ignore[arg-type]


STRESSES = [
    stressed("switch", list_switch_at=0.4),
    stressed("pause", mass_pause_at=0.35, mass_pause_length=0.1),
    stressed("lateearly", late_early_share=1 / 3),
    stressed("mixes", quick_hangup_share=0.35, invalid_share=0.2),
    stressed("", machine_detection=False),
    stressed("uk24h", enforce_24_hour_window=True, answer_by_period=(0.7, 1.0, 1.3, 1.0)),
]


@pytest.mark.parametrize("scenario", STRESSES, ids=lambda scenario: scenario.name)
def test_predictive_keeps_the_cap_and_the_books_under_each_stress(scenario: Scenario) -> None:
    handling = (
        MachineHandling.DETECT_AND_DROP if scenario.uses_detection else MachineHandling.CONNECT
    )
    settings = PacingSettings(
        max_lines=scenario.line_cap,
        machine_handling=handling,
        enforce_24_hour_window=scenario.enforce_24_hour_window,
    )
    policy = SolventPacing(settings)
    result = simulate_day(scenario, policy, CallStreams(scenario))
    assert result.abandon_rate <= 0.03, (scenario.seed, result.metrics())
    assert result.worst_24_hour_rate <= 0.03
    assert result.rate_30_days <= 0.03
    assert policy.modes_used["predictive"] > 0
    assert result.dials == (
        result.answered_live
        + result.machines
        + result.no_answer
        + result.busy
        + result.invalid
        + result.in_progress_at_close
    )
    assert result.unseen_abandons <= result.abandoned


def test_after_a_list_switch_the_same_numbers_answer_at_half_the_rate() -> None:
    scenario = stressed("switch", list_switch_at=0.5)
    streams = CallStreams(scenario)
    before = sum(streams.fate(i, 0.0).kind is CallKind.LIVE for i in range(4000))
    after = sum(streams.fate(i, 2000.0).kind is CallKind.LIVE for i in range(4000))
    assert after == pytest.approx(before / 2, rel=0.1)
    # Every person who answers the new list would have answered the old one too.
    assert all(
        streams.fate(i, 0.0).kind is CallKind.LIVE
        for i in range(4000)
        if streams.fate(i, 2000.0).kind is CallKind.LIVE
    )


def test_late_and_early_agents_and_the_unannounced_pause_are_in_the_shifts() -> None:
    scenario = stressed("", late_early_share=1 / 3, mass_pause_at=0.5, agents=12)
    shifts = agent_shifts(scenario)
    late = [shift for shift in shifts if shift.login >= 0.25 * scenario.day_seconds]
    early = [shift for shift in shifts if shift.logout <= 0.75 * scenario.day_seconds]
    paused = [shift for shift in shifts if shift.pause_start < shift.logout]
    assert len(late) == len(early) == 4
    assert len(paused) == 4
    assert all(shift.away_at(shift.pause_start + 1.0) is not None for shift in paused)


def test_a_campaign_with_history_is_predictive_from_its_first_minutes() -> None:
    new = stressed("new", history_days=0)
    old = stressed("hist")
    settings = PacingSettings(max_lines=new.line_cap)
    cold, warm = SolventPacing(settings), SolventPacing(settings)
    cold_day = simulate_day(new, cold, CallStreams(new))
    warm_day = simulate_day(old, warm, CallStreams(old))
    assert warm_day.first_period_occupancy > cold_day.first_period_occupancy
