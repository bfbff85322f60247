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

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import simpy

from solvent.dialer.domain.pacing import (
    AbandonWindow,
    AgentActivity,
    AgentSnapshot,
    CallObservations,
    FloorState,
)
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
RECENT_DURATIONS = 400
MACHINE_WRAP_UP_SECONDS = 5.0


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
    def abandoned(self) -> int: ...
    def floor_state(self, *, include_observations: bool = True) -> FloorState: ...


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
    in_progress_at_close: int = 0
    connected_to_agent: int = 0
    right_party_contacts: int = 0
    talk_seconds: float = 0.0
    wrap_up_seconds: float = 0.0
    logged_in_seconds: float = 0.0
    detail: dict[str, float] = field(default_factory=dict)

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
            "dials": self.dials,
            "answered_live": self.answered_live,
            "abandoned": self.abandoned,
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
        self.lines = 0
        self.talking = 0
        self.logged_in = 0
        self.next_index = 0
        self.offer_histogram = [0] * HISTOGRAM_SECONDS
        self.resolution_histogram = [0] * HISTOGRAM_SECONDS
        self.recent_talk: deque[float] = deque(maxlen=RECENT_DURATIONS)
        self.recent_wrap: deque[float] = deque(maxlen=RECENT_DURATIONS)
        self.uses_detection = scenario.uses_detection and not policy.agent_initiated

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
        return len(self.ringing)

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
        return self.result.abandoned

    def floor_state(self, *, include_observations: bool = True) -> FloorState:
        """The state `pace` reads; preview and progressive pacing never read the observations,
        so a caller pacing in those modes may skip copying them."""
        now = self.now
        agents = tuple(
            AgentSnapshot(agent.activity, now - agent.since, agent.pause_requested)
            for agent in self.agents
            if agent.activity is not AgentActivity.PAUSED
        )
        window = AbandonWindow(self.result.answered_live, self.result.abandoned)
        return FloorState(
            agents=agents,
            ringing_call_seconds=tuple(now - call.dialled_at for call in self.ringing.values()),
            calls_waiting_for_agent=len(self.waiting),
            lines_in_use=self.lines,
            observations=CallObservations(
                dials=self.result.dials - len(self.ringing),
                offer_seconds_histogram=tuple(self.offer_histogram),
                resolution_seconds_histogram=tuple(self.resolution_histogram),
                talk_seconds=tuple(self.recent_talk),
                wrap_up_seconds=tuple(self.recent_wrap),
            )
            if include_observations
            else CallObservations(),
            abandons_30_days=window,
            abandons_24_hours=window,
        )

    # -- the day -----------------------------------------------------------------------------
    def run(self) -> SimulationResult:
        for agent in self.agents:
            shift = agent.shift
            self._at(shift.login, self._log_in, agent)
            self._at(shift.break_start, self._request_pause, agent, False)
            self._at(shift.break_end, self._log_in, agent)
            self._at(shift.logout, self._request_pause, agent, True)
        self.env.process(self._pacer())
        self.env.run(until=self.scenario.day_seconds + DRAIN_SECONDS)
        now = self.now
        for agent in self.agents:
            if agent.activity is not AgentActivity.PAUSED:
                self.result.logged_in_seconds += now - agent.logged_in_since
        # Answered calls are booked when answered, so only calls still ringing are open.
        self.result.in_progress_at_close = len(self.ringing)
        return self.result

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

    def _release_paused_ready_agents(self) -> None:
        """Let ready agents who asked for a pause go, unless calls already dialled need them.

        A dialer that pulled an agent out from under a call it dialled for them would abandon
        the call, so a ready agent's pause waits until the calls in flight are covered by the
        other ready agents (or the agent takes one more call first).
        """
        waiting_for_pause = [agent for agent in self.ready if agent.pause_requested]
        for agent in waiting_for_pause:
            if len(self.ringing) + len(self.waiting) >= len(self.ready):
                return
            self.ready.remove(agent)
            self._pause(agent)

    def _pause(self, agent: _Agent) -> None:
        agent.activity = AgentActivity.PAUSED
        self.result.logged_in_seconds += self.now - agent.logged_in_since
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
        call = _Call(self.next_index, self.streams.fate(self.next_index), self.now, agent)
        self.next_index += 1
        self.result.dials += 1
        self.lines += 1
        self.ringing[call.index] = call
        fate = call.fate
        if fate.kind in (CallKind.NO_ANSWER, CallKind.BUSY):
            self._at(fate.ring_seconds, self._unanswered, call)
        elif self.uses_detection:
            self._at(fate.ring_seconds + fate.detection_delay_seconds, self._answered, call)
        else:
            self._at(fate.ring_seconds, self._answered, call)

    def _seconds_since_dial(self, call: _Call) -> int:
        return min(int(self.now - call.dialled_at), HISTOGRAM_SECONDS - 1)

    def _unanswered(self, call: _Call) -> None:
        del self.ringing[call.index]
        self.lines -= 1
        if call.fate.kind is CallKind.BUSY:
            self.result.busy += 1
        else:
            self.result.no_answer += 1
        self.resolution_histogram[self._seconds_since_dial(call)] += 1
        if call.agent is not None:
            self._agent_free(call.agent)

    def _answered(self, call: _Call) -> None:
        del self.ringing[call.index]
        live = call.fate.kind is CallKind.LIVE
        if live:
            self.result.answered_live += 1
        else:
            self.result.machines += 1
        second = self._seconds_since_dial(call)
        self.resolution_histogram[second] += 1
        if call.agent is not None:
            self._connect(call.agent, call)
            return
        if self.uses_detection and call.fate.detected_as_machine:
            if live:  # a person taken for a machine and dropped: an abandoned call in law
                self._abandon(call)
            else:
                hold = (
                    self.scenario.limited_content_message_seconds
                    if self.scenario.leave_limited_content_message
                    else 0.0
                )
                self._at(hold, self._release_line)
            return
        self.offer_histogram[second] += 1
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
        self.recent_talk.append(talk)
        agent.activity = AgentActivity.WRAP_UP
        agent.since = self.now
        self._at(wrap, self._wrap_done, agent, wrap)

    def _wrap_done(self, agent: _Agent, wrap: float) -> None:
        self.result.wrap_up_seconds += wrap
        self.recent_wrap.append(wrap)
        self._agent_free(agent)


def simulate_day(
    scenario: Scenario, policy: DialPolicy, streams: CallStreams | None = None
) -> SimulationResult:
    """Run one policy through one scenario-day on the scenario's common random streams."""
    return _Floor(scenario, policy, streams or CallStreams(scenario)).run()
