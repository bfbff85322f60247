"""A discrete-event simulation of one campaign-day on a dialer floor (SimPy).

The engine owns the telephony and the agents; a policy only answers, once a simulated second,
how many lines to start (exactly the question `pacing.pace` answers in production). Calls follow
their pre-drawn fates (`simulation_model.CallStreams`): they ring, are answered by a person or a
machine or ring out, pass answering-machine detection, wait up to the 2-second grace for an
agent and are abandoned if none comes, are talked and wrapped up. Everything is counted so the
books balance: every dialled call is answered live, reached a machine, rang out or was busy, or
was still in progress at close.

Pure in the domain sense: no Django, no I/O, no wall clock; the simulated clock is SimPy's.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import simpy

from solvent.dialer.domain.pacing import (
    AbandonCalibration,
    AbandonWindow,
    AgentActivity,
    AgentSnapshot,
    CallObservations,
    FloorState,
    UnseenAbandons,
)
from solvent.dialer.domain.pacing_estimates import RecentCalls
from solvent.dialer.domain.simulation_history import CampaignHistory, campaign_history
from solvent.dialer.domain.simulation_model import (
    AgentShift,
    CallFate,
    CallKind,
    CallStreams,
    Scenario,
    agent_shifts,
)

ABANDON_GRACE_SECONDS = 2.0
TICK_SECONDS = 1.0
DRAIN_SECONDS = 1800.0  # after the day ends, let calls in progress finish before closing the books
HISTOGRAM_SECONDS = 64
MACHINE_WRAP_UP_SECONDS = 5.0
FIRST_PERIOD_PARTS = 8  # the first eighth of the day: its first hour at full scale


class FloorView(Protocol):
    """What a policy may read of the floor each second."""

    @property
    def now(self) -> float: ...
    @property
    def ready_agents(self) -> int: ...
    @property
    def talking_agents(self) -> int: ...
    @property
    def logged_in_agents(self) -> int: ...
    @property
    def ringing_calls(self) -> int: ...
    @property
    def waiting_calls(self) -> int: ...
    @property
    def lines_in_use(self) -> int: ...
    @property
    def dials(self) -> int: ...
    @property
    def answered_live(self) -> int: ...
    @property
    def abandoned(self) -> int:
        """Abandons the dialer can see (detection's false positives are not among them)."""
        ...

    def floor_state(
        self, *, include_observations: bool = True, calibration: AbandonCalibration | None = None
    ) -> FloorState: ...


class DialPolicy(Protocol):
    """A pacing policy under test; `agent_initiated` policies (preview) let agents dial."""

    @property
    def name(self) -> str: ...
    @property
    def agent_initiated(self) -> bool: ...
    def lines_to_start(self, floor: FloorView) -> int: ...


@dataclass
class SimulationResult:
    """The books of one policy on one scenario-day."""

    policy: str
    scenario: str
    dials: int = 0
    answered_live: int = 0
    abandoned: int = 0
    machines: int = 0
    no_answer: int = 0
    busy: int = 0
    invalid: int = 0
    in_progress_at_close: int = 0
    unseen_abandons: int = 0  # people taken for machines and dropped (in `abandoned` too)
    connected_to_agent: int = 0
    right_party_contacts: int = 0
    talk_seconds: float = 0.0
    wrap_up_seconds: float = 0.0
    logged_in_seconds: float = 0.0
    # The first part of the day (its first hour at full scale): occupancy and abandons there.
    first_period_seconds: float = 0.0
    first_busy_seconds: float = 0.0
    first_logged_in_seconds: float = 0.0
    first_answered_live: int = 0
    first_abandoned: int = 0
    # The windows as the law counts them, with the campaign's history (0 without history).
    worst_24_hour_rate: float = 0.0
    rate_30_days: float = 0.0
    detail: dict[str, float] = field(default_factory=dict)

    @property
    def first_period_occupancy(self) -> float:
        if self.first_logged_in_seconds <= 0:
            return 0.0
        return self.first_busy_seconds / self.first_logged_in_seconds

    @property
    def first_period_abandon_rate(self) -> float:
        return self.first_abandoned / self.first_answered_live if self.first_answered_live else 0.0

    @property
    def occupancy(self) -> float:
        if self.logged_in_seconds <= 0:
            return 0.0
        return (self.talk_seconds + self.wrap_up_seconds) / self.logged_in_seconds

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.answered_live if self.answered_live else 0.0

    @property
    def rpc_per_agent_hour(self) -> float:
        hours = self.logged_in_seconds / 3600.0
        return self.right_party_contacts / hours if hours > 0 else 0.0

    @property
    def idle_seconds(self) -> float:
        return self.logged_in_seconds - self.talk_seconds - self.wrap_up_seconds

    @property
    def idle_seconds_between_calls(self) -> float:
        if self.connected_to_agent == 0:
            return self.idle_seconds
        return self.idle_seconds / self.connected_to_agent

    def metrics(self) -> dict[str, float]:
        return {
            "occupancy": round(self.occupancy, 4),
            "abandon_rate": round(self.abandon_rate, 4),
            "rpc_per_agent_hour": round(self.rpc_per_agent_hour, 3),
            "idle_seconds_between_calls": round(self.idle_seconds_between_calls, 1),
            "first_hour_occupancy": round(self.first_period_occupancy, 4),
            "first_hour_abandon_rate": round(self.first_period_abandon_rate, 4),
            "worst_24_hour_rate": round(self.worst_24_hour_rate, 4),
            "rate_30_days": round(self.rate_30_days, 4),
            "dials": self.dials,
            "answered_live": self.answered_live,
            "abandoned": self.abandoned,
            "unseen_abandons": self.unseen_abandons,
        }


@dataclass
class _Agent:
    shift: AgentShift
    activity: AgentActivity = AgentActivity.PAUSED
    since: float = 0.0
    pause_requested: bool = False
    off_shift: bool = False
    logged_in_since: float = 0.0


@dataclass
class _Call:
    index: int
    fate: CallFate
    dialled_at: float
    agent: _Agent | None = None  # preview: the agent who dialled it
    picked_up_at: float = 0.0  # answered, detection listening (detection on)


class _Floor:
    def __init__(self, scenario: Scenario, policy: DialPolicy, streams: CallStreams) -> None:
        self.scenario = scenario
        self.policy = policy
        self.streams = streams
        self.env = simpy.Environment()
        self.agents = [_Agent(shift) for shift in agent_shifts(scenario)]
        self.ready: deque[_Agent] = deque()
        self.ringing: dict[int, _Call] = {}
        self.waiting: deque[_Call] = deque()
        self.result = SimulationResult(policy=policy.name, scenario=scenario.name)
        self.result.first_period_seconds = scenario.day_seconds / FIRST_PERIOD_PARTS
        self.lines = 0
        self.talking = 0
        self.logged_in = 0
        self.next_index = 0
        self.analysing: dict[int, _Call] = {}
        self.recent = RecentCalls(histogram_seconds=HISTOGRAM_SECONDS)
        self.uses_detection = scenario.uses_detection and not policy.agent_initiated
        self.history: CampaignHistory = campaign_history(scenario)
        self.first_period = scenario.day_seconds / FIRST_PERIOD_PARTS
        self.answered_by_minute: list[int] = []
        self.abandoned_by_minute: list[int] = []

    # -- FloorView ---------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return float(self.env.now)

    @property
    def ready_agents(self) -> int:
        return sum(1 for agent in self.ready if not agent.pause_requested)

    @property
    def talking_agents(self) -> int:
        return self.talking

    @property
    def logged_in_agents(self) -> int:
        return self.logged_in

    @property
    def ringing_calls(self) -> int:
        """Calls dialled and not yet offered: ringing, or answered while detection listens."""
        return len(self.ringing) + len(self.analysing)

    @property
    def waiting_calls(self) -> int:
        return len(self.waiting)

    @property
    def lines_in_use(self) -> int:
        return self.lines

    @property
    def dials(self) -> int:
        return self.result.dials

    @property
    def answered_live(self) -> int:
        return self.result.answered_live

    @property
    def abandoned(self) -> int:
        return self.result.abandoned - self.result.unseen_abandons

    @property
    def seen_answered_live(self) -> int:
        return self.result.answered_live - self.result.unseen_abandons

    def floor_state(
        self, *, include_observations: bool = True, calibration: AbandonCalibration | None = None
    ) -> FloorState:
        """The state `pace` reads, as the dialer process would build it: the abandons it can
        see, the history's windows and prior for this hour. Preview and progressive pacing never
        read the observations, so a caller pacing in those modes may skip copying them."""
        now = self.now
        agents = tuple(
            AgentSnapshot(agent.activity, now - agent.since, agent.pause_requested)
            for agent in self.agents
            if agent.activity is not AgentActivity.PAUSED
        )
        seen_answered, seen_abandoned = self.seen_answered_live, self.abandoned
        history = self.history
        day_share = min(max(now / self.scenario.day_seconds, 0.0), 1.0)
        yesterday = 1.0 - day_share  # the part of yesterday still inside the 24-hour window
        scenario = self.scenario
        return FloorState(
            agents=agents,
            ringing_call_seconds=tuple(now - call.dialled_at for call in self.ringing.values()),
            calls_waiting_for_agent=len(self.waiting),
            lines_in_use=self.lines,
            observations=self.recent.observations(now)
            if include_observations
            else CallObservations(),
            abandons_30_days=AbandonWindow(
                round(history.seen_answered_30_days) + seen_answered,
                round(history.seen_abandoned_30_days) + seen_abandoned,
            ),
            abandons_24_hours=AbandonWindow(
                round(history.seen_answered_per_day * yesterday) + seen_answered,
                round(history.seen_abandoned_per_day * yesterday) + seen_abandoned,
            ),
            prior=history.prior_at(now) if include_observations else CallObservations(),
            analysing_call_seconds=tuple(
                now - call.picked_up_at for call in self.analysing.values()
            ),
            unseen_abandons=UnseenAbandons(
                scenario.detection_false_positive_rate, scenario.false_positive_margin
            )
            if self.uses_detection
            else UnseenAbandons(),
            calibration=calibration or AbandonCalibration(),
            expected_answers_remaining=history.answered_per_day * yesterday,
            seconds_left_today=max(scenario.day_seconds - now, 0.0),
        )

    # -- the day ---------------------------------------------------------------------------
    def run(self) -> SimulationResult:
        for agent in self.agents:
            shift = agent.shift
            self._at(shift.login, self._log_in, agent)
            if shift.break_end > shift.break_start:
                self._at(shift.break_start, self._request_pause, agent, False)
                self._at(shift.break_end, self._log_in, agent)
            if shift.pause_start < shift.logout:
                self._at(shift.pause_start, self._pause_at_once, agent)
                self._at(shift.pause_end, self._log_in, agent)
            self._at(shift.logout, self._request_pause, agent, True)
        self.env.process(self._pacer())
        self.env.run(until=self.scenario.day_seconds + DRAIN_SECONDS)
        now = self.now
        for agent in self.agents:
            if agent.activity is not AgentActivity.PAUSED:
                self._count_logged_in(agent, now)
        # Answered calls are booked when answered, so only calls not yet answered are open.
        self.result.in_progress_at_close = len(self.ringing) + len(self.analysing)
        self._close_windows()
        return self.result

    def _close_windows(self) -> None:
        """The 24-hour windows ending at each minute of the day (yesterday's tail, with the
        history's rate, and today so far) and the 30-day window at the close."""
        result, history = self.result, self.history
        if history.answered_per_day <= 0:
            return
        minutes = max(1, math.ceil(self.scenario.day_seconds / 60.0))
        answered = abandoned = 0
        worst = 0.0
        for minute in range(minutes):
            if minute < len(self.answered_by_minute):
                answered += self.answered_by_minute[minute]
            if minute < len(self.abandoned_by_minute):
                abandoned += self.abandoned_by_minute[minute]
            tail = 1.0 - (minute + 1) / minutes
            window_answered = history.answered_per_day * tail + answered
            window_abandoned = history.abandoned_per_day * tail + abandoned
            if window_answered > 0:
                worst = max(worst, window_abandoned / window_answered)
        result.worst_24_hour_rate = worst
        total_answered = history.answered_30_days + result.answered_live
        total_abandoned = history.abandoned_30_days + result.abandoned
        result.rate_30_days = total_abandoned / total_answered if total_answered else 0.0

    def _pacer(self) -> Any:
        day_end = self.scenario.day_seconds
        cap = self.scenario.line_cap
        while self.now <= day_end or self.logged_in > 0:
            self._release_paused_ready_agents()
            if self.logged_in > 0 and not self.policy.agent_initiated:
                wanted = self.policy.lines_to_start(self)
                for _ in range(max(0, min(wanted, cap - self.lines))):
                    self._dial(None)
            yield self.env.timeout(TICK_SECONDS)

    def _at(self, delay: float, action: Callable[..., None], *args: Any) -> None:
        event = self.env.timeout(max(0.0, delay))
        event.callbacks.append(lambda _event: action(*args))

    def _minute(self, counts: list[int]) -> None:
        minute = int(self.now // 60.0)
        while len(counts) <= minute:
            counts.append(0)
        counts[minute] += 1

    def _busy(self, start: float, seconds: float) -> None:
        """Book agent work from `start`; its part in the first period is booked there too."""
        self.result.first_busy_seconds += _overlap(start, start + seconds, self.first_period)

    def _count_logged_in(self, agent: _Agent, until: float) -> None:
        self.result.logged_in_seconds += until - agent.logged_in_since
        self.result.first_logged_in_seconds += _overlap(
            agent.logged_in_since, until, self.first_period
        )

    # -- agents ------------------------------------------------------------------------------
    def _log_in(self, agent: _Agent) -> None:
        if agent.off_shift:
            return
        agent.pause_requested = False
        if agent.activity is AgentActivity.PAUSED:
            agent.logged_in_since = self.now
            self.logged_in += 1
            self._agent_free(agent)

    def _request_pause(self, agent: _Agent, logout: bool) -> None:
        agent.pause_requested = True
        agent.off_shift = agent.off_shift or logout
        self._release_paused_ready_agents()

    def _pause_at_once(self, agent: _Agent) -> None:
        """An unannounced pause: a ready agent leaves now, whatever was dialled for them."""
        if agent.off_shift:
            return
        if agent in self.ready:
            self.ready.remove(agent)
            self._pause(agent)
        elif agent.activity is not AgentActivity.PAUSED:
            agent.pause_requested = True

    def _release_paused_ready_agents(self) -> None:
        """Let ready agents who asked for a pause go, unless calls already dialled need them.

        A dialer that pulled an agent out from under a call it dialled for them would abandon
        the call, so a ready agent's pause waits until the calls in flight are covered by the
        other ready agents (or the agent takes one more call first).
        """
        waiting_for_pause = [agent for agent in self.ready if agent.pause_requested]
        for agent in waiting_for_pause:
            in_flight = len(self.ringing) + len(self.analysing) + len(self.waiting)
            if in_flight >= len(self.ready):
                return
            self.ready.remove(agent)
            self._pause(agent)

    def _pause(self, agent: _Agent) -> None:
        agent.activity = AgentActivity.PAUSED
        self._count_logged_in(agent, self.now)
        self.logged_in -= 1

    def _agent_free(self, agent: _Agent) -> None:
        if agent.pause_requested:
            self._pause(agent)
            return
        agent.since = self.now
        if self.policy.agent_initiated:
            agent.activity = AgentActivity.PREVIEWING
            self._at(self.scenario.preview_seconds, self._dial, agent)
            return
        if self.waiting:
            self._connect(agent, self.waiting.popleft())
            return
        agent.activity = AgentActivity.READY
        self.ready.append(agent)

    # -- calls -------------------------------------------------------------------------------
    def _dial(self, agent: _Agent | None) -> None:
        if agent is not None and agent.pause_requested:
            self._pause(agent)
            return
        call = _Call(self.next_index, self.streams.fate(self.next_index, self.now), self.now, agent)
        self.next_index += 1
        self.result.dials += 1
        self.lines += 1
        self.ringing[call.index] = call
        fate = call.fate
        if fate.kind in (CallKind.NO_ANSWER, CallKind.BUSY, CallKind.INVALID):
            self._at(fate.ring_seconds, self._unanswered, call)
        elif self.uses_detection:
            self._at(fate.ring_seconds, self._picked_up, call)
        else:
            self._at(fate.ring_seconds, self._answered, call)

    def _picked_up(self, call: _Call) -> None:
        """Answered; detection listens before anyone knows whether a person is there."""
        del self.ringing[call.index]
        call.picked_up_at = self.now
        self.analysing[call.index] = call
        self._at(call.fate.detection_delay_seconds, self._answered, call)

    def _seconds_since_dial(self, call: _Call) -> float:
        return self.now - call.dialled_at

    def _unanswered(self, call: _Call) -> None:
        del self.ringing[call.index]
        self.lines -= 1
        if call.fate.kind is CallKind.BUSY:
            self.result.busy += 1
        elif call.fate.kind is CallKind.INVALID:
            self.result.invalid += 1
        else:
            self.result.no_answer += 1
        self.recent.call_resolved(
            at=self.now,
            seconds_after_dial=self._seconds_since_dial(call),
            offered=False,
            answered=False,
        )
        if call.agent is not None:
            self._agent_free(call.agent)

    def _answered(self, call: _Call) -> None:
        if self.analysing.pop(call.index, None) is None:
            del self.ringing[call.index]
        live = call.fate.kind is CallKind.LIVE
        if live:
            self.result.answered_live += 1
            self._minute(self.answered_by_minute)
            if self.now < self.first_period:
                self.result.first_answered_live += 1
        else:
            self.result.machines += 1
        if call.agent is not None:
            self._connect(call.agent, call)
            return
        dropped = self.uses_detection and call.fate.detected_as_machine
        self.recent.call_resolved(
            at=self.now,
            seconds_after_dial=self._seconds_since_dial(call),
            offered=not dropped,
            answered=True,
            machine_offered=not live,
        )
        if dropped:
            if live:  # a person taken for a machine and dropped: an abandoned call in law
                self.result.unseen_abandons += 1
                self._abandon(call)
            else:
                hold = (
                    self.scenario.limited_content_message_seconds
                    if self.scenario.leave_limited_content_message
                    else 0.0
                )
                self._at(hold, self._release_line)
            return
        if self.ready:
            self._connect(self.ready.popleft(), call)
            return
        self.waiting.append(call)
        self._at(ABANDON_GRACE_SECONDS, self._grace_over, call)

    def _grace_over(self, call: _Call) -> None:
        if call in self.waiting:
            self.waiting.remove(call)
            if call.fate.kind is CallKind.LIVE:
                self._abandon(call)
            else:
                self._release_line()

    def _abandon(self, call: _Call) -> None:
        self.result.abandoned += 1
        self._minute(self.abandoned_by_minute)
        if self.now < self.first_period:
            self.result.first_abandoned += 1
        self._at(self.scenario.abandon_message_seconds, self._release_line)

    def _release_line(self) -> None:
        self.lines -= 1

    def _connect(self, agent: _Agent, call: _Call) -> None:
        live = call.fate.kind is CallKind.LIVE
        agent.activity = AgentActivity.TALKING
        agent.since = self.now
        self.talking += 1
        self.result.connected_to_agent += 1
        if live and call.fate.right_party:
            self.result.right_party_contacts += 1
        talk = call.fate.talk_seconds if live else self.scenario.machine_at_agent_seconds
        wrap = call.fate.wrap_up_seconds if live else MACHINE_WRAP_UP_SECONDS
        self._at(talk, self._hang_up, agent, talk, wrap)

    def _hang_up(self, agent: _Agent, talk: float, wrap: float) -> None:
        self.lines -= 1
        self.talking -= 1
        self.result.talk_seconds += talk
        self._busy(self.now - talk, talk)
        self.recent.talk_ended(talk)
        agent.activity = AgentActivity.WRAP_UP
        agent.since = self.now
        self._at(wrap, self._wrap_done, agent, talk, wrap)

    def _wrap_done(self, agent: _Agent, talk: float, wrap: float) -> None:
        self.result.wrap_up_seconds += wrap
        self._busy(self.now - wrap, wrap)
        self.recent.wrap_up_ended(wrap, after_talk_seconds=talk)
        self._agent_free(agent)


def _overlap(start: float, end: float, until: float) -> float:
    """Seconds of [start, end) before `until`."""
    return max(0.0, min(end, until) - start)


def simulate_day(
    scenario: Scenario, policy: DialPolicy, streams: CallStreams | None = None
) -> SimulationResult:
    """Run one policy through one scenario-day on the scenario's common random streams."""
    return _Floor(scenario, policy, streams or CallStreams(scenario)).run()
