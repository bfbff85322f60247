"""Dialer pacing: how many lines to start now, in which mode, and why.

A dialer calls `pace(settings, floor)` about once a second (today the simulation in
`simulation.py` does; the dialer process is issue 14's) with the live state of one
campaign (agents, calls ringing, recent outcomes, abandons in the measurement windows) and starts
the lines the decision asks for. Nothing here persists, reads a clock or does I/O: every input is
an argument, so a decision can be replayed from its inputs and tested in microseconds.

Modes:

- preview: the agent sees the account first and clicks to dial, so pacing starts no lines itself;
- progressive: one line per free agent, each ringing call reserved for an agent, so no call that a
  person answers waits for an agent (only an answering-machine false positive can be an abandon);
- predictive: more lines than free agents, paced by the look-ahead model in `pacing_model`, under
  an abandon budget; it falls back to progressive when the budget is at risk or the campaign has
  not yet observed enough calls to predict anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from solvent.core.domain.errors import ValidationError
from solvent.dialer.domain.pacing_model import forecast_for_floor

MINIMUM_RING_TIMEOUT_SECONDS = 15.0
"""Ofcom and the US TSR expect at least 15 seconds (about four rings) before a dialer gives up."""

ABANDON_GRACE_SECONDS = 2.0
"""An answered call that no agent takes within this many seconds is an abandoned call."""

MINIMUM_DIALS_TO_PREDICT = 40
MINIMUM_OFFERS_TO_PREDICT = 8
MINIMUM_TALKS_TO_PREDICT = 8
SHORT_CALL_SECONDS = 45.0
"""Calls shorter than this (machines reaching an agent, quick hang-ups) have their own wrap-up."""

# The abandon budget governor. The dialer plans to PLANNING_SHARE of the target, keeping the rest
# as a margin for the variance of small floors. `utilisation` is abandons / (planned rate x
# answered live) in the tighter window. Up to UTILISATION_LOW the marginal line may carry a
# THRESHOLD_MAX chance of abandonment if answered; from there the allowance shrinks linearly to
# THRESHOLD_MIN at UTILISATION_HIGH. At or past UTILISATION_HIGH, or when the calls in flight could
# leave fewer than RESERVE_CALLS abandons of headroom, pacing is progressive. The realised rate
# settles where the allowance produces exactly the abandons the budget accrues: below the limit.
PLANNING_SHARE = 0.9
UTILISATION_LOW = 0.5
UTILISATION_HIGH = 1.0
THRESHOLD_MAX = 0.06
THRESHOLD_MIN = 0.0
RESERVE_CALLS = 0.5

# Calibration (both directions): the marginal chances are scaled by realised / predicted abandons,
# shrunk towards 1 by a few pseudo-abandons and kept within [CALIBRATION_MIN, CALIBRATION_MAX].
CALIBRATION_PSEUDO_ABANDONS = 4.0
CALIBRATION_MIN = 0.5
CALIBRATION_MAX = 2.0
# Planning the budget across the day: a campaign with history may spend ahead a share of what the
# answers still expected today will earn (never the budget of answers that might not come).
PLANNED_SHARE_OF_EXPECTED = 0.25
# A new campaign's expected answers: its agents' time left today at this occupancy.
STRUCTURAL_OCCUPANCY = 0.6
# The campaign's history weighs as much as this many dials of today's (see `pacing_estimates`).
PRIOR_DIALS = 300.0


class PacingSettingsError(ValidationError):
    code = "dialer_pacing_settings_invalid"


class DialMode(StrEnum):
    PREVIEW = "preview"
    PROGRESSIVE = "progressive"
    PREDICTIVE = "predictive"


class MachineHandling(StrEnum):
    DETECT_AND_DROP = "detect_and_drop"
    LEAVE_MESSAGE = "leave_message"
    CONNECT = "connect"  # no detection: machines reach agents, who hang up on them

    @property
    def detects(self) -> bool:
        return self is not MachineHandling.CONNECT


class AgentActivity(StrEnum):
    READY = "ready"
    TALKING = "talking"
    WRAP_UP = "wrap_up"
    PREVIEWING = "previewing"
    PAUSED = "paused"


_TAKING_CALLS = frozenset((AgentActivity.READY, AgentActivity.TALKING, AgentActivity.WRAP_UP))


class PacingReason(StrEnum):
    PREVIEW_AGENT_DIALS = "preview_agent_dials"
    PROGRESSIVE_MODE = "progressive_mode"
    NO_AGENTS = "no_agents"
    COLD_START = "cold_start"
    BUDGET_AT_RISK = "abandon_budget_at_risk"
    PREDICTIVE = "predictive"
    LINE_CAP = "max_lines_reached"


@dataclass(frozen=True)
class PacingSettings:
    """A campaign's dialer controls; invalid combinations are refused when built."""

    mode: DialMode = DialMode.PREDICTIVE
    target_abandon_rate: float = 0.03
    ring_timeout_seconds: float = 20.0
    machine_handling: MachineHandling = MachineHandling.DETECT_AND_DROP
    abandon_message: bool = True
    max_lines: int = 100
    enforce_24_hour_window: bool = True

    def __post_init__(self) -> None:
        if not 0.0 < self.target_abandon_rate <= 0.03:
            raise PacingSettingsError(
                f"target_abandon_rate must be above 0 and at most 0.03, "
                f"got {self.target_abandon_rate}"
            )
        if not math.isfinite(self.ring_timeout_seconds) or (
            self.ring_timeout_seconds < MINIMUM_RING_TIMEOUT_SECONDS
        ):
            raise PacingSettingsError(
                f"ring_timeout_seconds must be at least {MINIMUM_RING_TIMEOUT_SECONDS:g} "
                f"(about four rings), got {self.ring_timeout_seconds}"
            )
        if self.max_lines < 1:
            raise PacingSettingsError(f"max_lines must be at least 1, got {self.max_lines}")


class AgentSnapshot(NamedTuple):
    """One logged-in agent: what they are doing and for how long they have been doing it.

    A named tuple rather than a dataclass: the dialer builds one per agent every second.
    """

    activity: AgentActivity
    seconds_in_activity: float = 0.0
    pause_requested: bool = False

    @property
    def takes_calls(self) -> bool:
        """Whether this agent will take a dialer call when their current work ends."""
        return not self.pause_requested and self.activity in _TAKING_CALLS


@dataclass(frozen=True)
class CallObservations:
    """What the campaign has observed of its recent calls.

    `offer_seconds_histogram[s]` counts calls that needed an agent (a person answered, or a
    machine slipped past detection) `s` whole seconds after the dial, detection delay included;
    `resolution_seconds_histogram[s]` counts every finished call by the second at which it either
    needed an agent or ended without needing one (ring-out, busy, machine detected).

    Counts may be fractional: `pacing_estimates.RecentCalls` weighs recent calls more (so a list
    switched mid-day is seen within minutes), and the campaign's history is blended in as a prior.
    `answered` counts calls answered by a person or a machine (what answering-machine detection
    listened to); `offers_to_machines` the offers agents found to be machines (detection off).
    `short_call_wrap_up_seconds` are the wrap-ups after calls shorter than `SHORT_CALL_SECONDS`
    (machines, quick hang-ups), which are much shorter than after a conversation.
    """

    dials: float = 0
    offer_seconds_histogram: tuple[float, ...] = ()
    resolution_seconds_histogram: tuple[float, ...] = ()
    talk_seconds: tuple[float, ...] = ()
    wrap_up_seconds: tuple[float, ...] = ()
    answered: float = 0
    offers_to_machines: float = 0
    short_call_wrap_up_seconds: tuple[float, ...] = ()

    @property
    def offers(self) -> float:
        return sum(self.offer_seconds_histogram)


@dataclass(frozen=True)
class AbandonWindow:
    """Abandoned and answered-live calls of one rolling measurement window."""

    answered_live: int = 0
    abandoned: int = 0


@dataclass(frozen=True)
class UnseenAbandons:
    """Abandons the dialer cannot count: people its answering-machine detection took for machines.

    `rate` is the estimated share of people answering who are taken for machines and dropped
    (measured on the detector, e.g. by `bench/amd_bench.py`); `margin` is the uncertainty of that
    estimate. The budget counts `rate + margin` of every person answering as already abandoned.
    """

    rate: float = 0.0
    margin: float = 0.0

    @property
    def budgeted_rate(self) -> float:
        return min(max(self.rate + self.margin, 0.0), 1.0)


@dataclass(frozen=True)
class AbandonCalibration:
    """The model's own record: the abandons it expected of the lines it started in the window
    (the sum of `PacingDecision.expected_new_abandons`), and the abandons the dialer saw."""

    predicted: float = 0.0
    realised: float = 0.0

    @property
    def factor(self) -> float:
        """Realised over predicted, shrunk towards 1 while there is little evidence, bounded."""
        ratio = (self.realised + CALIBRATION_PSEUDO_ABANDONS) / (
            self.predicted + CALIBRATION_PSEUDO_ABANDONS
        )
        return min(max(ratio, CALIBRATION_MIN), CALIBRATION_MAX)


@dataclass(frozen=True)
class FloorState:
    """The live state of one campaign at the moment of the decision.

    The fields after `abandons_24_hours` are the real day's inputs (issue 14), all optional:
    `prior` observations from the campaign's history (at this hour of the day), blended in with
    the weight of `PRIOR_DIALS` dials; `analysing_call_seconds`, the calls answered and still
    being listened to by answering-machine detection (seconds since the answer; not in
    `ringing_call_seconds`); `unseen_abandons`, the detection's false positives; `calibration`,
    the model's predicted against realised abandons; `expected_answers_remaining`, the people the
    campaign's history expects to answer in the rest of the day (to plan the budget across it),
    or, for a campaign without history, `seconds_left_today` of its calling hours.
    """

    agents: tuple[AgentSnapshot, ...]
    ringing_call_seconds: tuple[float, ...] = ()
    calls_waiting_for_agent: int = 0
    lines_in_use: int = 0
    observations: CallObservations = CallObservations()
    abandons_30_days: AbandonWindow = AbandonWindow()
    abandons_24_hours: AbandonWindow = AbandonWindow()
    prior: CallObservations = CallObservations()
    analysing_call_seconds: tuple[float, ...] = ()
    unseen_abandons: UnseenAbandons = UnseenAbandons()
    calibration: AbandonCalibration = AbandonCalibration()
    expected_answers_remaining: float = 0.0
    seconds_left_today: float = 0.0


@dataclass(frozen=True)
class PacingDecision:
    """How many lines to start now, in which mode, why, and what the model expects of them."""

    lines_to_start: int
    mode_used: DialMode
    reason: PacingReason
    expected_abandons: float = 0.0
    expected_live_answers: float = 0.0
    expected_abandon_rate: float = 0.0
    abandon_threshold: float = 0.0
    detail: str = ""
    expected_new_abandons: float = 0.0  # of the lines started now: add up for `calibration`


@dataclass(frozen=True)
class AbandonBudget:
    """The tighter of the two windows: abandons still allowed (to the planned rate), and the
    share of that allowance already used."""

    headroom: float
    utilisation: float


def abandon_budget(
    settings: PacingSettings, floor: FloorState, *, expected_answers: float | None = None
) -> AbandonBudget:
    """The budget of the tighter window, counting the abandons detection makes unseen.

    Dropped people are not in the window's answered count either, so it is grossed up by the
    estimated rate; they take the rate plus its margin off the allowance, and what is left is the
    pacer's own (`utilisation` measures that part, so the unseen do not throttle the pacer before
    it has abandoned anyone). A campaign expecting more answers today (`expected_answers`, else
    `floor.expected_answers_remaining`) may spend a share of what those answers will earn.
    """
    # The 30-day window is planned at PLANNING_SHARE of the target. The 24-hour window is the
    # UK's rule (planned the same way); elsewhere it is still held at the target itself, so a
    # campaign cannot spend weeks of unspent budget in one day (lawful over 30 days, but a day
    # far above 3% is what a supervisor, an auditor or Ofcom's 24 hours would see).
    uk_share = PLANNING_SHARE if settings.enforce_24_hour_window else 1.0
    windows = [(floor.abandons_30_days, PLANNING_SHARE), (floor.abandons_24_hours, uk_share)]
    unseen = floor.unseen_abandons if settings.machine_handling.detects else UnseenAbandons()
    rate = min(max(unseen.rate, 0.0), 0.5)
    own_share = max(settings.target_abandon_rate - unseen.budgeted_rate, 0.0)
    if expected_answers is None:
        expected_answers = floor.expected_answers_remaining
    ahead = PLANNED_SHARE_OF_EXPECTED * max(expected_answers, 0.0)
    headroom = math.inf
    utilisation = 0.0
    for window, share in windows:
        own_rate = share * own_share
        answered = window.answered_live / (1.0 - rate)
        allowed = own_rate * (answered + ahead)
        headroom = min(headroom, allowed - window.abandoned)
        if allowed > 0:
            utilisation = max(utilisation, window.abandoned / allowed)
        elif window.abandoned > 0 or own_share <= 0:
            utilisation = math.inf
    return AbandonBudget(headroom=headroom, utilisation=utilisation)


def expected_answers_today(
    floor: FloorState, observations: CallObservations, person_share: float
) -> float:
    """People expected to answer in the rest of the day: the campaign's history's figure, or
    (a new campaign) what the agents logged in can take in `seconds_left_today` at a modest
    occupancy, from the observed talk and wrap-up times."""
    if floor.expected_answers_remaining > 0 or floor.seconds_left_today <= 0:
        return floor.expected_answers_remaining
    if not observations.talk_seconds:
        return 0.0
    wraps = sorted(observations.wrap_up_seconds)
    handle = sum(observations.talk_seconds) / len(observations.talk_seconds)
    handle += wraps[len(wraps) // 2] if wraps else 0.0
    takers = sum(1 for agent in floor.agents if agent.takes_calls)
    return (
        takers * floor.seconds_left_today * STRUCTURAL_OCCUPANCY / max(handle, 1.0) * person_share
    )


def blend_observations(
    current: CallObservations, prior: CallObservations, prior_dials: float
) -> CallObservations:
    """Today's observations with the campaign's history added as a prior worth `prior_dials`.

    The history's histograms are scaled to that many dials, so it steadies the first hour (or a
    small floor) and fades as today's calls accrue; durations are pooled, the history's capped.
    """
    if prior.dials <= 0:
        return current
    weight = min(1.0, prior_dials / prior.dials)

    def add(today: tuple[float, ...], history: tuple[float, ...]) -> tuple[float, ...]:
        length = max(len(today), len(history))
        return tuple(
            (today[i] if i < len(today) else 0.0)
            + weight * (history[i] if i < len(history) else 0.0)
            for i in range(length)
        )

    keep = round(weight * len(prior.talk_seconds)) or min(len(prior.talk_seconds), 1)
    keep_wrap = round(weight * len(prior.wrap_up_seconds)) or min(len(prior.wrap_up_seconds), 1)
    keep_short = round(weight * len(prior.short_call_wrap_up_seconds))
    return CallObservations(
        dials=current.dials + weight * prior.dials,
        offer_seconds_histogram=add(current.offer_seconds_histogram, prior.offer_seconds_histogram),
        resolution_seconds_histogram=add(
            current.resolution_seconds_histogram, prior.resolution_seconds_histogram
        ),
        talk_seconds=current.talk_seconds + prior.talk_seconds[:keep],
        wrap_up_seconds=current.wrap_up_seconds + prior.wrap_up_seconds[:keep_wrap],
        answered=current.answered + weight * prior.answered,
        offers_to_machines=current.offers_to_machines + weight * prior.offers_to_machines,
        short_call_wrap_up_seconds=current.short_call_wrap_up_seconds
        + prior.short_call_wrap_up_seconds[:keep_short],
    )


def abandon_threshold(utilisation: float) -> float:
    """The largest abandon chance the marginal call may carry, given the budget used so far."""
    if utilisation <= UTILISATION_LOW:
        return THRESHOLD_MAX
    if utilisation >= UTILISATION_HIGH:
        return THRESHOLD_MIN
    share = (UTILISATION_HIGH - utilisation) / (UTILISATION_HIGH - UTILISATION_LOW)
    return THRESHOLD_MIN + share * (THRESHOLD_MAX - THRESHOLD_MIN)


def progressive_lines(settings: PacingSettings, floor: FloorState) -> int:
    """One line per free agent: every ringing, analysed or waiting call has its agent reserved."""
    free = sum(
        1
        for agent in floor.agents
        if agent.activity is AgentActivity.READY and not agent.pause_requested
    )
    wanted = (
        free
        - len(floor.ringing_call_seconds)
        - len(floor.analysing_call_seconds)
        - floor.calls_waiting_for_agent
    )
    return max(0, min(wanted, settings.max_lines - floor.lines_in_use))


def pace(settings: PacingSettings, floor: FloorState) -> PacingDecision:
    """Decide how many lines to start now for one campaign."""
    if settings.mode is DialMode.PREVIEW:
        return PacingDecision(0, DialMode.PREVIEW, PacingReason.PREVIEW_AGENT_DIALS)
    if not any(agent.takes_calls for agent in floor.agents):
        return PacingDecision(0, settings.mode, PacingReason.NO_AGENTS)
    if settings.mode is DialMode.PROGRESSIVE:
        return _progressive(settings, floor, PacingReason.PROGRESSIVE_MODE, "")
    observations = blend_observations(floor.observations, floor.prior, PRIOR_DIALS)
    if (
        observations.dials < MINIMUM_DIALS_TO_PREDICT
        or observations.offers < MINIMUM_OFFERS_TO_PREDICT
        or len(observations.talk_seconds) < MINIMUM_TALKS_TO_PREDICT
        or len(observations.resolution_seconds_histogram) == 0
    ):
        return _progressive(
            settings, floor, PacingReason.COLD_START, "not enough observed calls to predict"
        )
    # Only people answering can be abandoned: with detection off, agents also take machines.
    person_share = 1.0
    if not settings.machine_handling.detects and observations.offers > 0:
        person_share = max(0.0, 1.0 - observations.offers_to_machines / observations.offers)
    budget = abandon_budget(
        settings,
        floor,
        expected_answers=expected_answers_today(floor, observations, person_share),
    )
    if budget.utilisation >= UTILISATION_HIGH or budget.headroom < RESERVE_CALLS:
        return _progressive(
            settings,
            floor,
            PacingReason.BUDGET_AT_RISK,
            f"headroom {budget.headroom:.1f} abandons, {budget.utilisation:.0%} of budget used",
        )
    forecast = forecast_for_floor(
        agents=[(a.activity, a.seconds_in_activity) for a in floor.agents if a.takes_calls],
        ringing_call_seconds=floor.ringing_call_seconds,
        calls_waiting=floor.calls_waiting_for_agent,
        observations=observations,
        grace_seconds=ABANDON_GRACE_SECONDS,
        horizon_seconds=settings.ring_timeout_seconds,
        analysing_call_seconds=floor.analysing_call_seconds,
        short_call_seconds=SHORT_CALL_SECONDS,
    )
    calibration = floor.calibration.factor
    in_flight = forecast.expected_abandons(0) * person_share * calibration
    if budget.headroom - in_flight < RESERVE_CALLS:
        return _progressive(
            settings,
            floor,
            PacingReason.BUDGET_AT_RISK,
            f"calls in flight may use {in_flight:.1f} of {budget.headroom:.1f} abandons left",
        )
    threshold = abandon_threshold(budget.utilisation)
    capacity = max(0, settings.max_lines - floor.lines_in_use)
    # Calibrated: a model that has predicted more abandons than happened may take more risk per
    # line, one that predicted fewer less (the threshold is on the model's uncalibrated chance).
    lines = forecast.most_lines_within(
        threshold / calibration,
        (budget.headroom - RESERVE_CALLS) / (person_share * calibration or 1.0),
        capacity,
    )
    # Predictive never does worse for agents than progressive: a free agent always gets a line.
    lines = max(lines, progressive_lines(settings, floor))
    reason = PacingReason.LINE_CAP if lines >= capacity else PacingReason.PREDICTIVE
    expected_abandons = forecast.expected_abandons(lines) * person_share
    expected_new = max(0.0, expected_abandons - forecast.expected_abandons(0) * person_share)
    expected_live = forecast.expected_offers(lines) * person_share
    return PacingDecision(
        lines_to_start=lines,
        mode_used=DialMode.PREDICTIVE,
        reason=reason,
        expected_abandons=expected_abandons,
        expected_live_answers=expected_live,
        expected_abandon_rate=expected_abandons / expected_live if expected_live > 0 else 0.0,
        abandon_threshold=threshold,
        detail=(
            f"budget {budget.utilisation:.0%} used, marginal abandon allowed {threshold:.1%},"
            f" calibration x{calibration:.2f}"
        ),
        expected_new_abandons=expected_new,
    )


def _progressive(
    settings: PacingSettings, floor: FloorState, reason: PacingReason, detail: str
) -> PacingDecision:
    return PacingDecision(
        lines_to_start=progressive_lines(settings, floor),
        mode_used=DialMode.PROGRESSIVE,
        reason=reason,
        detail=detail,
    )
