"""What `pacing.pace` reads and returns: a campaign's settings, the floor's state, the decision.

Frozen values only, built by the dialer process (and the simulation) once a second and handed to
`pace`; every field added for a real day (issue 14) has a default, so a caller that does not know
about it keeps the earlier behaviour. `pacing` re-exports all of them: import from there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from solvent.core.domain.errors import ValidationError

MINIMUM_RING_TIMEOUT_SECONDS = 15.0
"""Ofcom and the US TSR expect at least 15 seconds (about four rings) before a dialer gives up."""

ABANDON_GRACE_SECONDS = 2.0
"""An answered call that no agent takes within this many seconds is an abandoned call."""

SHORT_CALL_SECONDS = 45.0
"""Calls shorter than this (machines reaching an agent, quick hang-ups) have their own wrap-up."""

# Calibration (both directions): the marginal chances are scaled by realised / predicted abandons,
# shrunk towards 1 by a few pseudo-abandons and kept within [CALIBRATION_MIN, CALIBRATION_MAX].
CALIBRATION_PSEUDO_ABANDONS = 4.0
CALIBRATION_MIN = 0.5
CALIBRATION_MAX = 2.0


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
