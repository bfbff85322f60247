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
    INVALID = 4  # not in service: the network refuses it at once


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
    false_positive_margin: float = 0.005  # what the pacer adds to that rate for its uncertainty
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
    # The stresses of a real day (issue 14); every default leaves the original grid unchanged.
    label: str = ""  # names a stress scenario (appended to the name)
    machine_detection: bool = True  # False: machines reach agents (the campaign's "connect")
    # Multipliers of the answer probability for equal parts of the day (answer rates by hour).
    answer_by_period: tuple[float, ...] = ()
    list_switch_at: float = 0.0  # share of the day when the list changes (0: never)
    list_switch_answer_factor: float = 0.5  # the new list's answer rate against the old one's
    invalid_share: float = 0.0  # numbers not in service, refused within a second or so
    quick_hangup_share: float = 0.0  # conversations ended within seconds ("not now", hang-ups)
    quick_hangup_seconds: float = 15.0
    quick_hangup_wrap_up_seconds: float = 8.0
    mass_pause_at: float = 0.0  # share of the day when agents pause at once, unannounced (0: never)
    mass_pause_share: float = 1.0 / 3.0
    mass_pause_length: float = 0.04  # share of the day the paused agents stay away
    late_early_share: float = (
        0.0  # this share logs in at a quarter of the day; as many leave at 3/4
    )
    history_days: int = 0  # days of campaign history before this one (0: a new campaign)
    history_abandon_rate: float = 0.02  # abandon rate of those days (counted in the windows)
    enforce_24_hour_window: bool = False  # the UK rule: the pacer keeps the 24-hour window too

    @property
    def name(self) -> str:
        machines = "nomach"
        if self.answering_machines:
            machines = "amd" if self.machine_detection else "mach2agent"
        name = (
            f"a{self.agents}-p{round(self.answer_probability * 100)}"
            f"-t{round(self.mean_talk_seconds / 60)}-{machines}"
        )
        return f"{name}-{self.label}" if self.label else name

    def answer_probability_at(self, seconds: float) -> float:
        """A person's chance of answering a number dialled at this second of the day."""
        probability = self.answer_probability
        if self.answer_by_period:
            parts = len(self.answer_by_period)
            part = min(max(int(seconds / self.day_seconds * parts), 0), parts - 1)
            probability *= self.answer_by_period[part]
        if self.list_switch_at and seconds >= self.list_switch_at * self.day_seconds:
            probability *= self.list_switch_answer_factor
        return min(max(probability, 0.0), 0.95)

    @property
    def line_cap(self) -> int:
        if self.max_lines > 0:
            return self.max_lines
        # Enough trunks for the agents' own calls plus a ringing backlog that lets a good pacer
        # keep them busy at this answer rate; a campaign sets its own cap in real life.
        return math.ceil(self.agents * (1.0 + 2.5 / self.answer_probability))

    @property
    def uses_detection(self) -> bool:
        return self.answering_machines and self.machine_detection


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

    def fate(self, index: int, at: float = 0.0) -> CallFate:
        """The `index`-th number's fate when dialled at second `at` of the day.

        Who answers depends on the answer rate at that moment (by hour, after a list switch):
        the same uniform draw is compared with that moment's shares, so the n-th number is the
        same person under every policy and only the rate of the day changes its fate.
        """
        block, offset = divmod(index, BLOCK_SIZE)
        arrays = self._blocks.get(block)
        if arrays is None:
            arrays = self._draw_block(block)
            self._blocks[block] = arrays
        kind = self._kind(float(arrays["uniform"][offset]), at)
        ring = {
            CallKind.LIVE: arrays["live_ring"],
            CallKind.MACHINE: arrays["machine_ring"],
            CallKind.BUSY: arrays["busy_ring"],
            CallKind.INVALID: arrays["invalid_ring"],
        }.get(kind)
        detect = float(arrays["detect"][offset])
        s = self._scenario
        detected = (
            detect < s.detection_accuracy
            if kind is CallKind.MACHINE
            else kind is CallKind.LIVE and detect < s.detection_false_positive_rate
        )
        return CallFate(
            kind=kind,
            ring_seconds=float(ring[offset]) if ring is not None else s.ring_timeout_seconds,
            detection_delay_seconds=float(arrays["delay"][offset]),
            detected_as_machine=detected,
            talk_seconds=float(arrays["talk"][offset]),
            wrap_up_seconds=float(arrays["wrap"][offset]),
            right_party=bool(arrays["rpc"][offset]),
        )

    def _kind(self, uniform: float, at: float) -> CallKind:
        s = self._scenario
        if uniform >= 1.0 - s.invalid_share:
            return CallKind.INVALID
        reachable = 1.0 - s.invalid_share
        live = s.answer_probability_at(at) * reachable
        machine = (
            (reachable - live) * s.machine_share_of_unanswered if s.answering_machines else 0.0
        )
        busy = (reachable - live - machine) * s.busy_share_of_rest
        if uniform < live:
            return CallKind.LIVE
        if uniform < live + machine:
            return CallKind.MACHINE
        if uniform < live + machine + busy:
            return CallKind.BUSY
        return CallKind.NO_ANSWER

    def _draw_block(self, block: int) -> dict[str, npt.NDArray[np.float64]]:
        # The order of the draws is fixed (earlier scenarios keep their numbers): new stresses
        # draw after the original ones.
        s = self._scenario
        rng = np.random.default_rng([s.seed, block])
        n = BLOCK_SIZE
        uniform = rng.random(n)
        timeout = s.ring_timeout_seconds
        # People pick up after a few rings (mean about 8 s); machines after a set number of rings.
        live_ring = np.minimum(1.5 + rng.gamma(2.0, 3.2, n), timeout - 0.5)
        machine_ring = np.minimum(3.0 + rng.gamma(3.0, 2.5, n), timeout - 0.5)
        busy_ring = rng.uniform(1.0, 4.0, n)
        low, high = s.detection_delay_seconds
        delay = rng.uniform(low, high, n)
        detect_draw = rng.random(n)
        talk_mu = math.log(s.mean_talk_seconds) - s.talk_log_sigma**2 / 2.0
        talk = rng.lognormal(talk_mu, s.talk_log_sigma, n)
        wrap_mu = math.log(s.mean_wrap_up_seconds) - s.wrap_log_sigma**2 / 2.0
        wrap = rng.lognormal(wrap_mu, s.wrap_log_sigma, n)
        rpc = rng.random(n) < s.right_party_share
        invalid_ring = rng.uniform(0.3, 1.5, n)
        quick = rng.random(n) < s.quick_hangup_share
        quick_talk = rng.lognormal(math.log(s.quick_hangup_seconds) - 0.125, 0.5, n)
        quick_wrap = rng.lognormal(math.log(s.quick_hangup_wrap_up_seconds) - 0.125, 0.5, n)
        return {
            "uniform": uniform,
            "live_ring": live_ring,
            "machine_ring": machine_ring,
            "busy_ring": busy_ring,
            "invalid_ring": invalid_ring,
            "delay": delay,
            "detect": detect_draw,
            "talk": np.where(quick, quick_talk, talk),
            "wrap": np.where(quick, quick_wrap, wrap),
            "rpc": (rpc & ~quick).astype(np.float64),
        }


@dataclass(frozen=True)
class AgentShift:
    """When one agent logs in, takes a break, and logs out (seconds from the start of the day)."""

    login: float
    break_start: float
    break_end: float
    logout: float
    # An unannounced pause (a third of the floor pressing pause at once), if the scenario has one.
    pause_start: float = math.inf
    pause_end: float = math.inf

    @property
    def logged_in_seconds(self) -> float:
        return (self.logout - self.login) - (self.break_end - self.break_start)

    def away_at(self, seconds: float) -> tuple[float, float] | None:
        """The break or pause going on at this second, as (start, end), or None."""
        for start, end in ((self.break_start, self.break_end), (self.pause_start, self.pause_end)):
            if start <= seconds < end:
                return start, end
        return None


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
    # The stresses draw from their own stream, so the shifts above stay as they were.
    stress = np.random.default_rng([scenario.seed, SCHEDULE_STREAM + 1])
    late_early = round(scenario.agents * scenario.late_early_share)
    paused = round(scenario.agents * scenario.mass_pause_share) if scenario.mass_pause_at else 0
    for number, shift in enumerate(shifts):
        login, logout = shift.login, shift.logout
        if number < late_early:
            login = float(day * 0.25 + stress.uniform(0.0, 0.02 * day))
        elif number < 2 * late_early:
            logout = float(day * 0.75 - stress.uniform(0.0, 0.02 * day))
        pause_start = pause_end = math.inf
        if number % 3 == 0 and number // 3 < paused:
            pause_start = scenario.mass_pause_at * day + float(stress.uniform(0.0, 30.0))
            pause_end = pause_start + scenario.mass_pause_length * day
        break_start, break_end = shift.break_start, shift.break_end
        if not login < break_start < logout:
            break_start = break_end = min(max(break_start, login), logout)
        shifts[number] = AgentShift(login, break_start, break_end, logout, pause_start, pause_end)
    return tuple(shifts)
