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

from solvent.dialer.domain.pacing_inputs import (
    ABANDON_GRACE_SECONDS,
    CALIBRATION_MAX,
    CALIBRATION_MIN,
    CALIBRATION_PSEUDO_ABANDONS,
    MINIMUM_RING_TIMEOUT_SECONDS,
    SHORT_CALL_SECONDS,
    AbandonCalibration,
    AbandonWindow,
    AgentActivity,
    AgentSnapshot,
    CallObservations,
    DialMode,
    FloorState,
    MachineHandling,
    PacingDecision,
    PacingReason,
    PacingSettings,
    PacingSettingsError,
    UnseenAbandons,
)

# The inputs and the decision live in `pacing_inputs`; callers import everything from here.
__all__ = [
    "ABANDON_GRACE_SECONDS",
    "CALIBRATION_MAX",
    "CALIBRATION_MIN",
    "CALIBRATION_PSEUDO_ABANDONS",
    "MINIMUM_RING_TIMEOUT_SECONDS",
    "PLANNING_SHARE",
    "PRIOR_DIALS",
    "SHORT_CALL_SECONDS",
    "AbandonBudget",
    "AbandonCalibration",
    "AbandonWindow",
    "AgentActivity",
    "AgentSnapshot",
    "CallObservations",
    "DialMode",
    "FloorState",
    "MachineHandling",
    "PacingDecision",
    "PacingReason",
    "PacingSettings",
    "PacingSettingsError",
    "UnseenAbandons",
    "abandon_budget",
    "abandon_threshold",
    "blend_observations",
    "expected_answers_today",
    "pace",
    "progressive_lines",
]
from solvent.dialer.domain.pacing_model import forecast_for_floor

MINIMUM_DIALS_TO_PREDICT = 40
MINIMUM_OFFERS_TO_PREDICT = 8
MINIMUM_TALKS_TO_PREDICT = 8

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

# Planning the budget across the day: a campaign with history may spend ahead a share of what the
# answers still expected today will earn (never the budget of answers that might not come).
PLANNED_SHARE_OF_EXPECTED = 0.25
# A new campaign's expected answers: its agents' time left today at this occupancy.
STRUCTURAL_OCCUPANCY = 0.6
# The campaign's history weighs as much as this many dials of today's (see `pacing_estimates`).
PRIOR_DIALS = 300.0


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
