"""The look-ahead model behind predictive pacing: expected abandons for a candidate line count.

Over the next few seconds (the ring timeout plus the detection delay the campaign observes) two
counting processes race, one second at a time:

- demand: calls that will need an agent. Calls waiting now, calls ringing now (each weighted by
  the chance it is answered by a person in that second given that it has rung so long already,
  from the observed histograms), and the `k` lines we might start now;
- supply: agents that will be free to take them. Agents ready now, and agents talking or in
  wrap-up who will finish in time, each weighted by the empirical chance their talk and wrap-up
  end within that many seconds *given how long they have already run*; a call may wait the
  2-second grace for an agent.

Both are sums of independent Bernoulli variables, approximated as normal. The expected overflow
E[(demand - supply)+] is computed for every second of the horizon and the largest is taken as the
expected number of abandons. It is a deliberately simple (Erlang-style, Samuelson-style) estimate:
the budget governor in `pacing` corrects its bias with the abandons actually observed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

MINIMUM_VARIANCE = 0.05  # keeps the normal approximation smooth when nothing is uncertain


class ObservedCalls(Protocol):
    """The observations the model reads (`pacing.CallObservations` satisfies it)."""

    @property
    def dials(self) -> float: ...
    @property
    def offer_seconds_histogram(self) -> tuple[float, ...]: ...
    @property
    def resolution_seconds_histogram(self) -> tuple[float, ...]: ...
    @property
    def talk_seconds(self) -> tuple[float, ...]: ...
    @property
    def wrap_up_seconds(self) -> tuple[float, ...]: ...
    @property
    def answered(self) -> float: ...
    @property
    def short_call_wrap_up_seconds(self) -> tuple[float, ...]: ...


@dataclass(frozen=True)
class AbandonForecast:
    """Demand and supply over the horizon, cumulative by second ahead; prices extra lines."""

    demand_mean: FloatArray
    demand_variance: FloatArray
    supply_mean: FloatArray
    supply_variance: FloatArray
    new_call_offer: FloatArray  # cumulative chance a new line needs an agent by each second

    @cached_property
    def _offer_density(self) -> FloatArray:
        density: FloatArray = np.diff(self.new_call_offer, prepend=0.0)
        return density

    @property
    def offer_probability(self) -> float:
        return float(self.new_call_offer[-1])

    def expected_offers(self, lines: int) -> float:
        return float(self.demand_mean[-1] + lines * self.new_call_offer[-1])

    def marginal_abandon_chances(self, most_lines: int) -> FloatArray:
        """For k = 1..most_lines: the chance the k-th new line, if answered, finds no agent.

        A call answered at second t is abandoned when the calls needing an agent by t, other
        than itself, already take every agent free by t plus the grace (normal approximation
        with continuity correction). Evaluated for all k at once, one row per k.
        """
        total = self.offer_probability
        if most_lines < 1 or total <= 0.0:
            return np.zeros(max(most_lines, 0))
        offer = self.new_call_offer
        others = np.arange(most_lines, dtype=np.float64)[:, None]
        mean = self.demand_mean - self.supply_mean + others * offer
        variance = self.demand_variance + self.supply_variance + others * offer * (1.0 - offer)
        shortage = normal_cdf((mean + 0.5) / np.sqrt(variance + MINIMUM_VARIANCE))
        result: FloatArray = shortage @ self._offer_density / total
        return result

    def marginal_abandon_chance(self, lines: int) -> float:
        """The chance that the `lines`-th new line, if a person answers it, finds no agent."""
        if lines < 1:
            return 0.0
        return float(self.marginal_abandon_chances(lines)[-1])

    def expected_abandons(self, lines: int) -> float:
        """Expected abandons among the calls in flight plus `lines` new ones."""
        lines = max(lines, 0)
        offer = self.new_call_offer
        mean = self.demand_mean + lines * offer - self.supply_mean
        variance = self.demand_variance + lines * offer * (1.0 - offer) + self.supply_variance
        shortage = normal_cdf((mean - 0.5) / np.sqrt(variance + MINIMUM_VARIANCE))
        density = np.diff(self.demand_mean + lines * offer, prepend=0.0)
        return float(density @ shortage)

    def most_lines_within(self, threshold: float, headroom: float, capacity: int) -> int:
        """The most lines (at most `capacity`) whose marginal call stays under `threshold` and
        whose calls in flight are expected to abandon no more than `headroom` in total.

        Each extra line raises the demand every later line competes with, so the marginal chance
        is non-decreasing in k: the answer is the count of leading candidates under the threshold.
        Candidates are priced in batches that grow fourfold, as the answer is usually small.
        """
        if capacity <= 0:
            return 0
        if self.offer_probability <= 0.0:
            lines = capacity
        else:
            batch = min(capacity, 16)
            while True:
                chances = self.marginal_abandon_chances(batch)
                over = np.nonzero(chances > threshold)[0]
                if len(over) or batch >= capacity:
                    lines = int(over[0]) if len(over) else batch
                    break
                batch = min(capacity, batch * 4)
        while lines > 0 and self.expected_abandons(lines) > headroom:
            lines = max(0, lines // 2 if lines > 8 else lines - 1)
        return lines


def normal_cdf(z: FloatArray) -> FloatArray:
    """Standard normal CDF (Abramowitz and Stegun 7.1.26, error below 1.5e-7); no SciPy needed."""
    x = np.abs(z) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = 1.0 - poly * np.exp(-x * x)
    result: FloatArray = 0.5 * (1.0 + np.sign(z) * erf)
    return result


def forecast_for_floor(
    *,
    agents: Sequence[tuple[str, float]],
    ringing_call_seconds: Sequence[float],
    calls_waiting: int,
    observations: ObservedCalls,
    grace_seconds: float,
    horizon_seconds: float,
    analysing_call_seconds: Sequence[float] = (),
    short_call_seconds: float = 0.0,
) -> AbandonForecast:
    """Build the forecast for agents given as (activity, seconds in it) pairs of takers of calls.

    Calls being analysed by answering-machine detection are answered calls: each needs an agent
    at once with the observed share of answered calls that were offered to an agent.
    """
    offers = np.asarray(observations.offer_seconds_histogram, dtype=np.float64)
    resolutions = np.asarray(observations.resolution_seconds_histogram, dtype=np.float64)
    # The horizon ends when the last observed call was resolved: nothing dialled now matters later.
    observed = np.nonzero(resolutions)[0]
    last = int(observed[-1]) + 1 if len(observed) else 0
    length = max(last, math.ceil(horizon_seconds) + 1)
    offers, resolutions = offers[:length], resolutions[:length]
    offers = np.pad(offers, (0, length - len(offers)))
    resolutions = np.pad(resolutions, (0, length - len(resolutions)))
    horizon = length
    seconds = np.arange(horizon, dtype=np.float64)

    total_offers = float(offers.sum())
    dials = max(observations.dials, 1)
    if total_offers > 0:
        new_offer = np.cumsum(offers) / dials
    else:
        # No person answered yet: a half-call prior spread like the resolutions keeps the chance
        # small but not zero, so the line cap, not a division by zero, bounds the dialling.
        shape = resolutions / max(float(resolutions.sum()), 1.0)
        new_offer = np.cumsum(shape) * 0.5 / (dials + 1)

    demand_mean = np.full(horizon, float(calls_waiting))
    demand_variance = np.zeros(horizon)
    if ringing_call_seconds:
        ring_mean, ring_variance = _ringing_demand(ringing_call_seconds, offers, resolutions)
        demand_mean += ring_mean
        demand_variance += ring_variance
    if analysing_call_seconds:
        answered = float(observations.answered)
        share = min(1.0, total_offers / answered) if answered > 0 else 1.0
        count = len(analysing_call_seconds)
        demand_mean += count * share
        demand_variance += count * share * (1.0 - share)

    supply_mean, supply_variance = _agent_supply(
        agents,
        observations.talk_seconds,
        observations.wrap_up_seconds,
        seconds + grace_seconds,
        short_wrap_seconds=observations.short_call_wrap_up_seconds,
        short_call_seconds=short_call_seconds,
    )
    return AbandonForecast(
        demand_mean=demand_mean,
        demand_variance=demand_variance,
        supply_mean=supply_mean,
        supply_variance=supply_variance,
        new_call_offer=new_offer,
    )


def _ringing_demand(
    ringing_call_seconds: Sequence[float], offers: FloatArray, resolutions: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Cumulative mean and variance of offers from calls already ringing, by second ahead."""
    length = len(offers)
    elapsed = np.minimum(np.asarray(ringing_call_seconds, dtype=np.float64), length - 1)
    counts = np.bincount(elapsed.astype(np.int64), minlength=length).astype(np.float64)
    rung = np.nonzero(counts)[0]
    cumulative_offers = np.concatenate(([0.0], np.cumsum(offers)))
    # Calls still unresolved after s seconds: the denominator of the conditional chance.
    survivors = np.cumsum(resolutions[::-1])[::-1]
    ahead = np.arange(length)
    end = np.minimum(rung[:, None] + ahead[None, :] + 1, length)
    numerator = cumulative_offers[end] - cumulative_offers[rung][:, None]
    denominator = np.maximum(survivors[rung], 1.0)[:, None]
    chance = np.clip(numerator / denominator, 0.0, 1.0)
    weights = counts[rung]
    mean: FloatArray = weights @ chance
    variance: FloatArray = weights @ (chance * (1.0 - chance))
    return mean, variance


def _agent_supply(
    agents: Sequence[tuple[str, float]],
    talk_seconds: Sequence[float],
    wrap_seconds: Sequence[float],
    by_seconds: FloatArray,
    *,
    short_wrap_seconds: Sequence[float] = (),
    short_call_seconds: float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """Cumulative mean and variance of agents free to take a call by each second ahead.

    With wrap-ups observed after short calls, a talking agent's call is two types: one that ends
    before `short_call_seconds` (a machine, a quick hang-up) is followed by a short wrap-up, a
    conversation by a typical one, so agents freed by a short call count in the look-ahead.
    """
    mean = np.zeros(len(by_seconds))
    variance = np.zeros(len(by_seconds))
    talk = np.asarray(talk_seconds, dtype=np.float64)
    wrap = np.asarray(wrap_seconds, dtype=np.float64)
    typical_wrap = float(np.median(wrap)) if len(wrap) else 0.0
    ready = sum(1 for activity, _ in agents if activity == "ready")
    mean += ready
    talking = np.asarray([s for activity, s in agents if activity == "talking"], dtype=np.float64)
    wrapping = np.asarray([s for activity, s in agents if activity == "wrap_up"], dtype=np.float64)
    if len(talking):
        # A talking agent is free once the talk ends and a typical wrap-up has passed. The talks
        # still running are evidence too (censored durations): without them the first minutes of
        # a campaign, having seen only the short calls end, would expect every agent back soon.
        curve = SurvivalCurve.estimate(talk, talking)
        if len(short_wrap_seconds) and short_call_seconds > 0:
            chance = curve.conditional_free_chance(
                talking,
                by_seconds,
                short_wrap=float(np.median(np.asarray(short_wrap_seconds, dtype=np.float64))),
                long_wrap=typical_wrap,
                short_call_seconds=short_call_seconds,
            )
        else:
            chance = curve.conditional_end_chance(talking, by_seconds - typical_wrap)
        mean += chance.sum(axis=0)
        variance += (chance * (1.0 - chance)).sum(axis=0)
    if len(wrapping):
        curve = SurvivalCurve.estimate(wrap, wrapping)
        chance = curve.conditional_end_chance(wrapping, by_seconds)
        mean += chance.sum(axis=0)
        variance += (chance * (1.0 - chance)).sum(axis=0)
    return mean, variance


@dataclass(frozen=True)
class SurvivalCurve:
    """A Kaplan-Meier estimate of P(duration > t) from ended and still-running durations."""

    times: FloatArray
    survival: FloatArray
    mean_ended: float

    @classmethod
    def estimate(cls, ended: FloatArray, running: FloatArray) -> SurvivalCurve:
        times = np.concatenate((ended, running))
        finished = np.concatenate((np.ones(len(ended)), np.zeros(len(running))))
        # Ends come first in the arrays and the sort is stable, so at equal times an end counts
        # before a censoring, as Kaplan and Meier prescribe.
        order = np.argsort(times, kind="stable")
        times, finished = times[order], finished[order]
        at_risk = len(times) - np.arange(len(times), dtype=np.float64)
        survival: FloatArray = np.cumprod(1.0 - finished / at_risk, dtype=np.float64)
        mean_ended = float(ended.mean()) if len(ended) else 1.0
        return cls(times=times, survival=survival, mean_ended=max(mean_ended, 1.0))

    def at(self, seconds: FloatArray) -> FloatArray:
        index = np.searchsorted(self.times, seconds, side="right") - 1
        result: FloatArray = np.where(index >= 0, self.survival[np.maximum(index, 0)], 1.0)
        return result

    def conditional_free_chance(
        self,
        elapsed: FloatArray,
        by_seconds: FloatArray,
        *,
        short_wrap: float,
        long_wrap: float,
        short_call_seconds: float,
    ) -> FloatArray:
        """P(talk and its wrap-up over by `elapsed + by` | talk > elapsed), agents in rows: a
        talk ending before `short_call_seconds` is followed by `short_wrap`, others `long_wrap`."""
        if not len(self.times):
            return np.zeros((len(elapsed), len(by_seconds)))
        start = elapsed[:, None]
        by = by_seconds[None, :]
        survival_now = self.at(elapsed)[:, None]

        def between(low: FloatArray, high: FloatArray) -> FloatArray:
            low, high = np.broadcast_arrays(low, high)
            upper = np.maximum(high, low)
            shape = upper.shape
            mass = self.at(low.ravel()).reshape(shape) - self.at(upper.ravel()).reshape(shape)
            result: FloatArray = np.where(high > low, mass, 0.0)
            return result

        short_end = np.minimum(start + by - short_wrap, short_call_seconds)
        short = between(start + 0.0 * by, short_end)
        long_start = np.maximum(start, short_call_seconds) + 0.0 * by
        long = between(long_start, start + by - long_wrap)
        with np.errstate(divide="ignore", invalid="ignore"):
            estimated = (short + long) / survival_now
        alive = survival_now[:, 0] > 0.0
        if not alive.all():
            tail = 1.0 - np.exp(-np.maximum(by - long_wrap, 0.0) / self.mean_ended)
            estimated = np.where(alive[:, None], estimated, tail)
        result: FloatArray = np.clip(np.nan_to_num(estimated), 0.0, 1.0)
        return result

    def conditional_end_chance(self, elapsed: FloatArray, ahead: FloatArray) -> FloatArray:
        """P(duration <= elapsed + ahead | duration > elapsed), agents in rows, seconds ahead in
        columns; past the last observed end, an exponential tail so a long call still ends."""
        if not len(self.times):
            return np.zeros((len(elapsed), len(ahead)))
        ahead_clipped = np.maximum(ahead, 0.0)
        until = elapsed[:, None] + ahead_clipped[None, :]
        survival_now = self.at(elapsed)
        survival_then = self.at(until.ravel()).reshape(until.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            estimated = 1.0 - survival_then / survival_now[:, None]
        alive = survival_now > 0.0
        if alive.all():
            chance = estimated
        else:
            tail = 1.0 - np.exp(-ahead_clipped[None, :] / self.mean_ended)
            chance = np.where(alive[:, None], estimated, tail)
        chance = np.where(ahead[None, :] > 0.0, chance, 0.0)
        result: FloatArray = np.clip(chance, 0.0, 1.0)
        return result
