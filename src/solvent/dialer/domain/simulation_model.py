"""What the dialer simulation simulates: a scenario, and the random streams every policy shares.

Common random numbers: each call's fate (who or what answers, when, what detection says, how long
the conversation and the wrap-up last) is drawn in advance *per call index*, from a generator
seeded by (scenario seed, block of call indices). The n-th number any policy dials therefore
behaves the same under every policy, and the agents log in, take breaks and log out at the same
times, so differences between policies are differences of pacing, not of luck.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

BLOCK_SIZE = 4096
SCHEDULE_STREAM = 1_000_003


class CallKind(IntEnum):
    LIVE = 0
    MACHINE = 1
    NO_ANSWER = 2
    BUSY = 3


@dataclass(frozen=True)
class Scenario:
    """One campaign-day: floor size, list quality, conversation length and the telephony."""

    agents: int
    answer_probability: float
    mean_talk_seconds: float
    answering_machines: bool
    day_seconds: float = 8 * 3600.0
    seed: int = 1
    ring_timeout_seconds: float = 20.0
    # Of the calls no person answers, the share a machine answers (when machines are on).
    machine_share_of_unanswered: float = 0.4
    # Of the rest, the share that is busy or fails at once (the others ring out).
    busy_share_of_rest: float = 0.15
    detection_accuracy: float = 0.85  # machines recognised as machines
    detection_false_positive_rate: float = 0.01  # people taken for machines (and so dropped)
    detection_delay_seconds: tuple[float, float] = (2.0, 4.0)
    talk_log_sigma: float = 0.7
    mean_wrap_up_seconds: float = 30.0
    wrap_log_sigma: float = 0.5
    right_party_share: float = 0.6
    machine_at_agent_seconds: float = 12.0  # an agent recognising a machine detection missed
    limited_content_message_seconds: float = 25.0
    abandon_message_seconds: float = 8.0
    leave_limited_content_message: bool = False
    preview_seconds: float = 10.0
    max_lines: int = 0  # 0: derived from the floor size and the answer probability

    @property
    def name(self) -> str:
        machines = "amd" if self.answering_machines else "nomach"
        return (
            f"a{self.agents}-p{round(self.answer_probability * 100)}"
            f"-t{round(self.mean_talk_seconds / 60)}-{machines}"
        )

    @property
    def line_cap(self) -> int:
        if self.max_lines > 0:
            return self.max_lines
        # Enough trunks for the agents' own calls plus a ringing backlog that lets a good pacer
        # keep them busy at this answer rate; a campaign sets its own cap in real life.
        return math.ceil(self.agents * (1.0 + 2.5 / self.answer_probability))

    @property
    def uses_detection(self) -> bool:
        return self.answering_machines


@dataclass(frozen=True)
class CallFate:
    """Everything about the n-th dialled number that the pacer does not know in advance."""

    kind: CallKind
    ring_seconds: float  # until answered, busy signal, or ring-out at the timeout
    detection_delay_seconds: float
    detected_as_machine: bool
    talk_seconds: float
    wrap_up_seconds: float
    right_party: bool


class CallStreams:
    """Per-call-index fates, generated block by block from the scenario seed (see module doc)."""

    def __init__(self, scenario: Scenario) -> None:
        self._scenario = scenario
        self._blocks: dict[int, dict[str, npt.NDArray[np.float64]]] = {}

    def fate(self, index: int) -> CallFate:
        block, offset = divmod(index, BLOCK_SIZE)
        arrays = self._blocks.get(block)
        if arrays is None:
            arrays = self._draw_block(block)
            self._blocks[block] = arrays
        return CallFate(
            kind=CallKind(int(arrays["kind"][offset])),
            ring_seconds=float(arrays["ring"][offset]),
            detection_delay_seconds=float(arrays["delay"][offset]),
            detected_as_machine=bool(arrays["detected"][offset]),
            talk_seconds=float(arrays["talk"][offset]),
            wrap_up_seconds=float(arrays["wrap"][offset]),
            right_party=bool(arrays["rpc"][offset]),
        )

    def _draw_block(self, block: int) -> dict[str, npt.NDArray[np.float64]]:
        s = self._scenario
        rng = np.random.default_rng([s.seed, block])
        n = BLOCK_SIZE
        uniform = rng.random(n)
        live = s.answer_probability
        machine = (1.0 - live) * s.machine_share_of_unanswered if s.answering_machines else 0.0
        busy = (1.0 - live - machine) * s.busy_share_of_rest
        kind = np.full(n, float(CallKind.NO_ANSWER))
        kind[uniform < live + machine + busy] = float(CallKind.BUSY)
        kind[uniform < live + machine] = float(CallKind.MACHINE)
        kind[uniform < live] = float(CallKind.LIVE)
        timeout = s.ring_timeout_seconds
        # People pick up after a few rings (mean about 8 s); machines after a set number of rings.
        live_ring = np.minimum(1.5 + rng.gamma(2.0, 3.2, n), timeout - 0.5)
        machine_ring = np.minimum(3.0 + rng.gamma(3.0, 2.5, n), timeout - 0.5)
        busy_ring = rng.uniform(1.0, 4.0, n)
        ring = np.where(
            kind == CallKind.LIVE,
            live_ring,
            np.where(
                kind == CallKind.MACHINE,
                machine_ring,
                np.where(kind == CallKind.BUSY, busy_ring, timeout),
            ),
        )
        low, high = s.detection_delay_seconds
        delay = rng.uniform(low, high, n)
        detect_draw = rng.random(n)
        detected = np.where(
            kind == CallKind.MACHINE,
            detect_draw < s.detection_accuracy,
            detect_draw < s.detection_false_positive_rate,
        )
        talk_mu = math.log(s.mean_talk_seconds) - s.talk_log_sigma**2 / 2.0
        talk = rng.lognormal(talk_mu, s.talk_log_sigma, n)
        wrap_mu = math.log(s.mean_wrap_up_seconds) - s.wrap_log_sigma**2 / 2.0
        wrap = rng.lognormal(wrap_mu, s.wrap_log_sigma, n)
        rpc = rng.random(n) < s.right_party_share
        return {
            "kind": kind,
            "ring": ring,
            "delay": delay,
            "detected": detected.astype(np.float64),
            "talk": talk,
            "wrap": wrap,
            "rpc": rpc.astype(np.float64),
        }


@dataclass(frozen=True)
class AgentShift:
    """When one agent logs in, takes a break, and logs out (seconds from the start of the day)."""

    login: float
    break_start: float
    break_end: float
    logout: float

    @property
    def logged_in_seconds(self) -> float:
        return (self.logout - self.login) - (self.break_end - self.break_start)


def agent_shifts(scenario: Scenario) -> tuple[AgentShift, ...]:
    """Staggered logins and logouts and one break each, the same for every policy."""
    rng = np.random.default_rng([scenario.seed, SCHEDULE_STREAM])
    day = scenario.day_seconds
    shifts = []
    for _ in range(scenario.agents):
        login = float(rng.uniform(0.0, 0.03 * day))
        logout = float(day - rng.uniform(0.0, 0.03 * day))
        break_length = 0.03 * day  # about 15 minutes in an 8-hour day
        break_start = float(rng.uniform(0.3 * day, 0.65 * day))
        shifts.append(AgentShift(login, break_start, break_start + break_length, logout))
    return tuple(shifts)
