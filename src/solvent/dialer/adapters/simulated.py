"""Simulated telephony: debtors who answer, ring out, are busy or reach voicemail, by a scenario.

The demo, the tests and the crash test dial through this adapter instead of a phone network. Each
number's fate (who or what answers, after how many seconds, what answering-machine detection says
and how long it listens, how long the debtor talks to an agent) is drawn from a generator seeded by
(the scenario's seed, the call's reference), so a call behaves the same whichever process dials it
and in whatever order: a dialer restarted after a crash meets the same debtors. The distributions
are the dialer simulation's (`domain/simulation_model.py`): people answer after 1.5 s + Gamma(2,
3.2 s), machines after 3 s + Gamma(3, 2.5 s), busy signals come in 1-4 s, the rest ring out at the
timeout; detection takes 2-4 s, recognises 85 % of machines and takes 1 % of people for machines.

Time runs ``speed`` times faster than the wall clock (``speed`` simulated seconds per real second):
event times (``CallEvent.at``) are wall-clock times, so a ten-second ring at speed 10 is reported
one real second after the dial. The dialer scales its own durations by the same speed.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from solvent.core import clock
from solvent.dialer.ports import AnsweredBy, CallEvent, CallEventKind, TelephonyError


@dataclass(frozen=True)
class SimulatedScenario:
    """The debtors' behaviour: who answers, how fast, and how long they talk.

    The four shares are of all dials; what is left rings out at the ring timeout. Not-in-service
    numbers fail at once (the network's 404).
    """

    person_answers: float = 0.35
    machine_answers: float = 0.25
    busy: float = 0.08
    not_in_service: float = 0.02
    detection_accuracy: float = 0.85  # machines recognised as machines
    detection_false_positive_rate: float = 0.01  # people taken for machines
    detection_delay_seconds: tuple[float, float] = (2.0, 4.0)
    mean_talk_seconds: float = 180.0  # lognormal, sigma(log) below
    talk_log_sigma: float = 0.7
    person_patience_seconds: float = 12.0  # a person left waiting hangs up after this
    machine_greeting_seconds: float = 12.0  # an undetected machine, then silence and hang-up
    abandon_message_seconds: float = 8.0
    voicemail_seconds: float = 25.0
    refuse_share: float = 0.0  # originate refused outright (TelephonyError): the network down

    def __post_init__(self) -> None:
        total = self.person_answers + self.machine_answers + self.busy + self.not_in_service
        if total > 1.0 + 1e-9 or min(self.person_answers, self.machine_answers, self.busy) < 0:
            raise ValueError(f"the scenario's shares must be >= 0 and add up to at most 1: {self}")


@dataclass
class _Line:
    """One call the adapter holds: its fate and where it stands."""

    call_ref: str
    person: bool  # a person answers (False: a machine, or nobody)
    answers: bool
    talk_seconds: float
    answered: bool = False
    connected: bool = False
    ended: bool = False
    generation: int = 0  # events of an older generation were cancelled by a later action
    recorded: bool = False  # the simulation keeps no audio: ENDED carries no recording


@dataclass(order=True)
class _Scheduled:
    due: float  # simulated seconds since the adapter started
    order: int
    call_ref: str = field(compare=False)
    generation: int = field(compare=False)
    kind: CallEventKind = field(compare=False)
    answered_by: AnsweredBy | None = field(compare=False, default=None)
    detection_ms: int | None = field(compare=False, default=None)
    detail: str = field(compare=False, default="")


class SimulatedTelephony:
    """`ports.Telephony` over a simulated population of debtors (see the module docstring)."""

    def __init__(
        self,
        scenario: SimulatedScenario | None = None,
        *,
        seed: int,
        speed: float = 1.0,
        now: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (math.isfinite(speed) and speed > 0):
            raise ValueError(
                f"speed must be a positive number of simulated seconds a second: {speed}"
            )
        self.scenario = scenario or SimulatedScenario()
        self.seed = seed
        self.speed = speed
        self._monotonic = monotonic
        self._origin = monotonic()
        self._wall_origin = (now or clock.now)()
        self._lines: dict[str, _Line] = {}
        self._queue: list[_Scheduled] = []
        self._order = itertools.count()
        self._lock = threading.Lock()
        self.originated = 0
        self.connects = 0
        self.plays: list[tuple[str, str]] = []  # (call_ref, audio), for tests and the figures

    # -- time -------------------------------------------------------------------------------

    def simulated_seconds(self) -> float:
        """Simulated seconds since the adapter started."""
        return (self._monotonic() - self._origin) * self.speed

    def _wall(self, simulated: float) -> datetime:
        return self._wall_origin + timedelta(seconds=simulated / self.speed)

    # -- the port ---------------------------------------------------------------------------

    def originate(
        self,
        *,
        call_ref: str,
        number: str,
        caller_id: str,
        ring_timeout_seconds: int,
        detect_machines: bool,
    ) -> None:
        s = self.scenario
        rng = random.Random(f"{self.seed}:{call_ref}")  # noqa: S311 - a simulation, not a secret
        draw = rng.random()
        if s.refuse_share and rng.random() < s.refuse_share:
            raise TelephonyError(f"simulated network refused {call_ref}")
        with self._lock:
            if call_ref in self._lines:
                raise TelephonyError(f"{call_ref} was already dialled")
            now = self.simulated_seconds()
            timeout = float(ring_timeout_seconds)
            talk_mu = math.log(s.mean_talk_seconds) - s.talk_log_sigma**2 / 2.0
            talk = rng.lognormvariate(talk_mu, s.talk_log_sigma)
            low, high = s.detection_delay_seconds
            delay = rng.uniform(low, high) if detect_machines else 0.0
            detected_draw = rng.random()
            person = draw < s.person_answers
            machine = not person and draw < s.person_answers + s.machine_answers
            busy = not (person or machine) and draw < s.person_answers + s.machine_answers + s.busy
            failed = not (person or machine or busy) and draw < (
                s.person_answers + s.machine_answers + s.busy + s.not_in_service
            )
            line = _Line(call_ref, person=person, answers=person or machine, talk_seconds=talk)
            self._lines[call_ref] = line
            self.originated += 1
            if failed:
                self._at(now + 0.3, line, CallEventKind.FAILED, detail="404 not in service")
                self._at(now + 0.3, line, CallEventKind.ENDED)
                return
            if busy:
                ring = rng.uniform(1.0, 4.0)
                self._at(now + min(0.5, ring / 2), line, CallEventKind.RINGING)
                self._at(now + ring, line, CallEventKind.BUSY)
                self._at(now + ring, line, CallEventKind.ENDED)
                return
            if not line.answers:
                self._at(now + min(1.0, timeout / 4), line, CallEventKind.RINGING)
                self._at(now + timeout, line, CallEventKind.NO_ANSWER)
                self._at(now + timeout, line, CallEventKind.ENDED)
                return
            if person:
                ring = min(1.5 + rng.gammavariate(2.0, 3.2), timeout - 0.5)
                taken_for_machine = detected_draw < s.detection_false_positive_rate
                verdict = AnsweredBy.MACHINE if taken_for_machine else AnsweredBy.PERSON
            else:
                ring = min(3.0 + rng.gammavariate(3.0, 2.5), timeout - 0.5)
                recognised = detected_draw < s.detection_accuracy
                verdict = AnsweredBy.MACHINE if recognised else AnsweredBy.PERSON
            if not detect_machines:
                verdict = AnsweredBy.UNKNOWN
            self._at(now + min(1.0, ring / 2), line, CallEventKind.RINGING)
            answered = now + ring + delay
            self._at(
                answered,
                line,
                CallEventKind.ANSWERED,
                answered_by=verdict,
                detection_ms=round(delay * 1000) if detect_machines else None,
            )
            # Nobody comes: a person hangs up after a while; a machine records silence and stops.
            wait = s.person_patience_seconds if person else s.machine_greeting_seconds + 8.0
            self._at(answered + wait, line, CallEventKind.HANGUP)
            self._at(answered + wait, line, CallEventKind.ENDED)

    def events(self, timeout: float = 0.0) -> list[CallEvent]:
        deadline = self._monotonic() + max(0.0, timeout)
        while True:
            with self._lock:
                due = self._take_due()
                next_due = self._queue[0].due if self._queue else math.inf
            if due or self._monotonic() >= deadline:
                return due
            wake = self._origin + next_due / self.speed
            time.sleep(max(0.0, min(deadline, wake) - self._monotonic()) + 0.0005)

    def connect(self, *, call_ref: str, agent_endpoint: str, record: bool) -> None:
        with self._lock:
            line = self._live(call_ref)
            line.connected = True
            line.recorded = record
            line.generation += 1
            self.connects += 1
            now = self.simulated_seconds()
            # The debtor talks, then hangs up (the agent's own hang-up comes through `hangup`).
            length = line.talk_seconds if line.person else self.scenario.machine_greeting_seconds
            self._at(now + length, line, CallEventKind.HANGUP)
            self._at(now + length, line, CallEventKind.ENDED)

    def play(self, *, call_ref: str, audio: str) -> None:
        with self._lock:
            line = self._live(call_ref)
            line.generation += 1
            self.plays.append((call_ref, audio))
            s = self.scenario
            length = s.voicemail_seconds if audio == "voicemail" else s.abandon_message_seconds
            now = self.simulated_seconds()
            self._at(now + length, line, CallEventKind.PLAYED, detail=audio)
            self._at(now + length, line, CallEventKind.ENDED)

    def hangup(self, *, call_ref: str) -> None:
        with self._lock:
            line = self._lines.get(call_ref)
            if line is None or line.ended:
                return
            line.generation += 1
            self._at(self.simulated_seconds(), line, CallEventKind.ENDED)

    def close(self) -> None:
        with self._lock:
            for line in self._lines.values():
                line.ended = True
                line.generation += 1
            self._queue.clear()

    # -- inside -----------------------------------------------------------------------------

    def live_calls(self) -> int:
        with self._lock:
            return sum(1 for line in self._lines.values() if not line.ended)

    def _live(self, call_ref: str) -> _Line:
        line = self._lines.get(call_ref)
        if line is None or line.ended:
            raise TelephonyError(f"{call_ref} is not up")
        return line

    def _at(
        self,
        due: float,
        line: _Line,
        kind: CallEventKind,
        *,
        answered_by: AnsweredBy | None = None,
        detection_ms: int | None = None,
        detail: str = "",
    ) -> None:
        heapq.heappush(
            self._queue,
            _Scheduled(
                due=due,
                order=next(self._order),
                call_ref=line.call_ref,
                generation=line.generation,
                kind=kind,
                answered_by=answered_by,
                detection_ms=detection_ms,
                detail=detail,
            ),
        )

    def _take_due(self) -> list[CallEvent]:
        now = self.simulated_seconds()
        out: list[CallEvent] = []
        while self._queue and self._queue[0].due <= now:
            item = heapq.heappop(self._queue)
            line = self._lines[item.call_ref]
            if line.ended or item.generation != line.generation:
                continue  # cancelled by a later connect, play or hang-up
            if item.kind is CallEventKind.ANSWERED:
                line.answered = True
            if item.kind is CallEventKind.ENDED:
                line.ended = True
            out.append(
                CallEvent(
                    call_ref=item.call_ref,
                    kind=item.kind,
                    at=self._wall(item.due),
                    answered_by=item.answered_by,
                    detection_ms=item.detection_ms,
                    detail=item.detail,
                )
            )
        return out
