"""A small simulated day per policy: the books balance and the limits hold."""

from __future__ import annotations

import pytest

from solvent.dialer.domain.clairvoyant import clairvoyant_day
from solvent.dialer.domain.pacing import DialMode, PacingSettings
from solvent.dialer.domain.simulation import SimulationResult, simulate_day
from solvent.dialer.domain.simulation_model import CallKind, CallStreams, Scenario
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
    assert kinds == set(CallKind)


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
