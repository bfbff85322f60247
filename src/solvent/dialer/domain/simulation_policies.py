"""The policies the dialer benchmark compares, all on the same floor and the same random streams.

- `SolventPacing`: Solvent's own modes, through `pacing.pace` exactly as production calls it;
- `FixedDialLevel`: a constant dial level in VICIdial's sense (lines per active agent, see below);
  `best_fixed_level_in_hindsight` grid-searches it per scenario knowing the outcome;
- `VicidialAdaptive`: the ADAPT_HARD_LIMIT method of VICIdial's AST_VDadapt.pl, re-implemented.

Dial level, as VICIdial counts it: every second the dialer wants `level x (ready + in-call
agents)` calls up (rounded half up), and starts that many minus the calls it already has up
(ringing, waiting for an agent, or talking). Level 1.0 is one call per agent; agents in wrap-up
do not count.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass

from solvent.dialer.domain.pacing import AbandonCalibration, DialMode, PacingSettings, pace
from solvent.dialer.domain.simulation import FloorView, SimulationResult, simulate_day
from solvent.dialer.domain.simulation_model import CallStreams, Scenario


class SolventPacing:
    """A Solvent dialer mode, asked once a second through the production pacing function."""

    def __init__(self, settings: PacingSettings) -> None:
        self.settings = settings
        self.name = f"solvent_{settings.mode.value}"
        self.agent_initiated = settings.mode is DialMode.PREVIEW
        self.modes_used: Counter[str] = Counter()
        self.predicted_abandons = 0.0

    def lines_to_start(self, floor: FloorView) -> int:
        # As the dialer process does: the abandons the model expected of the lines it started
        # today, against the abandons seen today, calibrate the next decision.
        calibration = AbandonCalibration(self.predicted_abandons, floor.abandoned)
        state = floor.floor_state(
            include_observations=self.settings.mode is DialMode.PREDICTIVE, calibration=calibration
        )
        decision = pace(self.settings, state)
        self.modes_used[decision.mode_used.value] += 1
        self.predicted_abandons += decision.expected_new_abandons
        return decision.lines_to_start


def _dial_level_lines(level: float, floor: FloorView) -> int:
    active = floor.ready_agents + floor.talking_agents
    calls_up = floor.ringing_calls + floor.waiting_calls + floor.talking_agents
    # Half up, as VICIdial's sprintf("%.0f") does for these positive values (not banker's rounding).
    return max(0, math.floor(level * active + 0.5) - calls_up)


class FixedDialLevel:
    """A constant dial level; 1.0 is the progressive 1:1 baseline."""

    agent_initiated = False

    def __init__(self, level: float) -> None:
        self.level = level
        self.name = f"fixed_{level:.3f}"

    def lines_to_start(self, floor: FloorView) -> int:
        return _dial_level_lines(self.level, floor)


class VicidialAdaptive:
    """VICIdial's adaptive predictive dial level (ADAPT_HARD_LIMIT, intensity 0), re-implemented.

    Every second it samples ready agents, calls waiting for an agent and logged-in agents; every
    15 seconds it sets `level *= 1 + (avg ready - avg waiting) / avg agents` over the last 15
    samples, clamped to [1, maximum level]; and whenever more than 50 calls have been placed today
    and drops exceed the limit as a share of answered calls, the level is forced to 1.0.
    """

    agent_initiated = False
    name = "vicidial_adaptive"
    SAMPLES = 15

    def __init__(
        self,
        maximum_level: float,
        dropped_percentage_limit: float = 0.03,
        initial_level: float = 1.0,
    ) -> None:
        self.level = initial_level
        self.maximum_level = maximum_level
        self.limit = dropped_percentage_limit
        self.samples: deque[tuple[int, int, int]] = deque(maxlen=self.SAMPLES)
        self.ticks = 0

    def lines_to_start(self, floor: FloorView) -> int:
        self.samples.append((floor.ready_agents, floor.waiting_calls, floor.logged_in_agents))
        self.ticks += 1
        if self.ticks % self.SAMPLES == 0:
            self._adapt(floor)
        return _dial_level_lines(self.level, floor)

    def _adapt(self, floor: FloorView) -> None:
        count = len(self.samples)
        ready = sum(sample[0] for sample in self.samples) / count
        waiting = sum(sample[1] for sample in self.samples) / count
        agents = sum(sample[2] for sample in self.samples) / count
        differential = ready - waiting
        if differential != 0 and agents != 0:
            self.level *= 1.0 + differential / agents
        self.level = min(max(self.level, 1.0), self.maximum_level)
        answered = floor.answered_live
        if floor.dials > 50 and answered and floor.abandoned / answered > self.limit:
            self.level = 1.0


@dataclass(frozen=True)
class FixedLevelSearch:
    """The hindsight grid search: every level tried, and the best one within the limit."""

    best_level: float
    best: SimulationResult
    tried: tuple[tuple[float, SimulationResult], ...]


def best_fixed_level_in_hindsight(
    scenario: Scenario,
    streams: CallStreams,
    *,
    abandon_limit: float = 0.03,
    coarse_step: float = 0.2,
    refinements: int = 3,
    maximum_level: float = 6.0,
) -> FixedLevelSearch:
    """Grid-search the fixed dial level with knowledge of the scenario's outcome.

    A coarse grid from 1.0 upwards stops after two levels in a row exceed the abandon limit
    (abandons grow with the level); the gap between the best feasible level and the next
    coarse point is then halved `refinements` times. The best is the highest occupancy among all
    levels tried whose day ended within the limit.
    """
    tried: dict[float, SimulationResult] = {}

    def run(level: float) -> SimulationResult:
        level = round(level, 4)
        if level not in tried:
            tried[level] = simulate_day(scenario, FixedDialLevel(level), streams)
        return tried[level]

    level, over = 1.0, 0
    while level <= maximum_level and over < 2:
        over = over + 1 if run(level).abandon_rate > abandon_limit else 0
        level += coarse_step
    step = coarse_step
    for _ in range(refinements):
        feasible = _feasible(tried.items(), abandon_limit)
        best_level = max(feasible, key=lambda item: item[1].occupancy)[0]
        step /= 2.0
        run(best_level + step)
        if best_level - step >= 1.0:
            run(best_level - step)
    feasible = _feasible(tried.items(), abandon_limit)
    best_level, best = max(feasible, key=lambda item: item[1].occupancy)
    return FixedLevelSearch(best_level, best, tuple(sorted(tried.items())))


def _feasible(
    items: Iterable[tuple[float, SimulationResult]], limit: float
) -> list[tuple[float, SimulationResult]]:
    items = list(items)
    within = [item for item in items if item[1].abandon_rate <= limit]
    # Level 1.0 keeps one call per agent; if detection false positives alone break the limit,
    # the least-abandoning level is the honest fallback.
    return within or [min(items, key=lambda item: item[1].abandon_rate)]
