"""Recency-weighted call observations for the pacer: what a dialer keeps of its recent calls.

A whole-day average lags: after a list with half the answer rate replaces the morning's, the
pacer would believe in the morning's answers for hours. `RecentCalls` weighs each finished call
by `2 ** (-age / half_life)`, so the histograms `pace` reads follow a change within about one
half-life (15 minutes by default), while the campaign's history (`FloorState.prior`, the same
observations taken at this hour on earlier days) keeps a small or quiet floor steady.

The dialer process (and the simulation) calls `call_resolved` when a call needed an agent or
ended without one, `talk_ended` and `wrap_up_ended` as agents finish, and `observations(now)`
once a second. Pure: times are seconds on any monotonic clock, given by the caller; a restart
may rebuild it from the last hour of calls.
"""

from __future__ import annotations

import math
from collections import deque

from solvent.dialer.domain.pacing import SHORT_CALL_SECONDS, CallObservations

DEFAULT_HALF_LIFE_SECONDS = 900.0
HISTOGRAM_SECONDS = 64
RECENT_DURATIONS = 400
_REBASE_EXPONENT = 200.0  # weights grow as exp(t / tau); rebase before floats lose precision


class RecentCalls:
    """Exponentially decayed histograms of recent calls and the last few hundred durations."""

    def __init__(
        self,
        half_life_seconds: float = DEFAULT_HALF_LIFE_SECONDS,
        *,
        histogram_seconds: int = HISTOGRAM_SECONDS,
        recent_durations: int = RECENT_DURATIONS,
    ) -> None:
        if half_life_seconds <= 0:
            raise ValueError("half_life_seconds must be positive")
        self._tau = half_life_seconds / math.log(2.0)
        self._origin = 0.0
        self._started = False
        self._offers = [0.0] * histogram_seconds
        self._resolutions = [0.0] * histogram_seconds
        self._answered = 0.0
        self._offers_to_machines = 0.0
        self._talks: deque[float] = deque(maxlen=recent_durations)
        self._wraps: deque[float] = deque(maxlen=recent_durations)
        self._short_wraps: deque[float] = deque(maxlen=recent_durations)

    def _weight(self, at: float) -> float:
        if not self._started:
            self._origin, self._started = at, True
        exponent = (at - self._origin) / self._tau
        if exponent > _REBASE_EXPONENT:
            self._rebase(at)
            exponent = 0.0
        return math.exp(exponent)

    def _rebase(self, at: float) -> None:
        scale = math.exp(-(at - self._origin) / self._tau)
        self._offers = [count * scale for count in self._offers]
        self._resolutions = [count * scale for count in self._resolutions]
        self._answered *= scale
        self._offers_to_machines *= scale
        self._origin = at

    def call_resolved(
        self,
        *,
        at: float,
        seconds_after_dial: float,
        offered: bool,
        answered: bool,
        machine_offered: bool = False,
    ) -> None:
        """A call needed an agent (`offered`) or ended without one, `seconds_after_dial` after
        its dial; `answered` when a person or a machine picked up (detection listened to it)."""
        weight = self._weight(at)
        second = min(max(int(seconds_after_dial), 0), len(self._resolutions) - 1)
        self._resolutions[second] += weight
        if offered:
            self._offers[second] += weight
            if machine_offered:
                self._offers_to_machines += weight
        if answered:
            self._answered += weight

    def talk_ended(self, seconds: float) -> None:
        self._talks.append(seconds)

    def wrap_up_ended(self, seconds: float, *, after_talk_seconds: float) -> None:
        self._wraps.append(seconds)
        if after_talk_seconds < SHORT_CALL_SECONDS:
            self._short_wraps.append(seconds)

    def observations(self, now: float) -> CallObservations:
        if not self._started:
            return CallObservations(
                talk_seconds=tuple(self._talks),
                wrap_up_seconds=tuple(self._wraps),
                short_call_wrap_up_seconds=tuple(self._short_wraps),
            )
        scale = math.exp(-(now - self._origin) / self._tau)
        resolutions = tuple(count * scale for count in self._resolutions)
        return CallObservations(
            dials=sum(resolutions),
            offer_seconds_histogram=tuple(count * scale for count in self._offers),
            resolution_seconds_histogram=resolutions,
            talk_seconds=tuple(self._talks),
            wrap_up_seconds=tuple(self._wraps),
            answered=self._answered * scale,
            offers_to_machines=self._offers_to_machines * scale,
            short_call_wrap_up_seconds=tuple(self._short_wraps),
        )
