"""A simulated campaign's history: the days before the simulated one, as a dialer would know them.

A live campaign does not start a day empty: its 30-day (and 24-hour) abandon windows hold the
previous days' calls, and its past calls give a prior for this hour of the day. A scenario with
`history_days` gets both: earlier days of the same campaign (the same hourly answer profile, the
morning's list) drawn from their own random stream, at the scenario's `history_abandon_rate`,
spread evenly over each day. Without history everything is zero and the day starts cold, as the
original benchmark did.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from solvent.dialer.domain.pacing import SHORT_CALL_SECONDS, CallObservations
from solvent.dialer.domain.simulation_model import CallKind, CallStreams, Scenario

HISTORY_SEED_OFFSET = 7_919
PRIOR_CALLS_PER_PERIOD = 1_500
PRIOR_HISTOGRAM_SECONDS = 64
ASSUMED_OCCUPANCY = 0.85
MACHINE_AT_AGENT_WRAP_UP_SECONDS = 5.0


@dataclass(frozen=True)
class CampaignHistory:
    """The previous days' figures (true and as the dialer saw them) and priors by period."""

    answered_per_day: float = 0.0
    abandoned_per_day: float = 0.0
    seen_answered_per_day: float = 0.0
    seen_abandoned_per_day: float = 0.0
    days: int = 0
    day_seconds: float = 1.0
    priors: tuple[CallObservations, ...] = field(default=())

    @property
    def answered_30_days(self) -> float:
        return self.answered_per_day * self.days

    @property
    def abandoned_30_days(self) -> float:
        return self.abandoned_per_day * self.days

    @property
    def seen_answered_30_days(self) -> float:
        return self.seen_answered_per_day * self.days

    @property
    def seen_abandoned_30_days(self) -> float:
        return self.seen_abandoned_per_day * self.days

    def prior_at(self, seconds: float) -> CallObservations:
        """The history's observations for this part of the day (rates by hour)."""
        if not self.priors:
            return CallObservations()
        part = int(seconds / self.day_seconds * len(self.priors))
        return self.priors[min(max(part, 0), len(self.priors) - 1)]


@lru_cache(maxsize=64)
def campaign_history(scenario: Scenario) -> CampaignHistory:
    """The scenario's history (cached: every policy of a scenario reads the same)."""
    if scenario.history_days <= 0:
        return CampaignHistory()
    past = replace(scenario, seed=scenario.seed + HISTORY_SEED_OFFSET, list_switch_at=0.0)
    streams = CallStreams(past)
    parts = max(len(scenario.answer_by_period), 1)
    priors = []
    busy_seconds = people = offers = 0.0
    index = 0
    for part in range(parts):
        at = (part + 0.5) * scenario.day_seconds / parts
        prior, index, part_busy, part_people, part_offers = _prior(past, streams, at, index)
        priors.append(prior)
        busy_seconds += part_busy
        people += part_people
        offers += part_offers
    # People answering per day: what the agents' time allows at a typical occupancy.
    busy_per_offer = busy_seconds / offers if offers else 1.0
    person_share = people / offers if offers else 1.0
    answered = (
        scenario.agents * scenario.day_seconds * ASSUMED_OCCUPANCY / busy_per_offer * person_share
    )
    abandoned = answered * scenario.history_abandon_rate
    unseen = answered * scenario.detection_false_positive_rate if scenario.uses_detection else 0.0
    return CampaignHistory(
        answered_per_day=answered,
        abandoned_per_day=abandoned,
        seen_answered_per_day=answered - unseen,
        seen_abandoned_per_day=max(abandoned - unseen, 0.0),
        days=min(scenario.history_days, 29),
        day_seconds=scenario.day_seconds,
        priors=tuple(priors),
    )


def _prior(
    scenario: Scenario, streams: CallStreams, at: float, index: int
) -> tuple[CallObservations, int, float, float, float]:
    """Observations of PRIOR_CALLS_PER_PERIOD past calls dialled at this time of day."""
    offers = [0.0] * PRIOR_HISTOGRAM_SECONDS
    resolutions = [0.0] * PRIOR_HISTOGRAM_SECONDS
    talks: list[float] = []
    wraps: list[float] = []
    short_wraps: list[float] = []
    answered = machine_offers = people = busy = 0.0
    detection = scenario.uses_detection
    for _ in range(PRIOR_CALLS_PER_PERIOD):
        fate = streams.fate(index, at)
        index += 1
        picked_up = fate.kind in (CallKind.LIVE, CallKind.MACHINE)
        second = fate.ring_seconds + (
            fate.detection_delay_seconds if detection and picked_up else 0
        )
        slot = min(int(second), PRIOR_HISTOGRAM_SECONDS - 1)
        resolutions[slot] += 1
        if not picked_up:
            continue
        answered += 1
        if detection and fate.detected_as_machine:
            continue
        offers[slot] += 1
        if fate.kind is CallKind.LIVE:
            people += 1
            talk, wrap = fate.talk_seconds, fate.wrap_up_seconds
        else:
            machine_offers += 1
            talk, wrap = scenario.machine_at_agent_seconds, MACHINE_AT_AGENT_WRAP_UP_SECONDS
        talks.append(talk)
        wraps.append(wrap)
        if talk < SHORT_CALL_SECONDS:
            short_wraps.append(wrap)
        busy += talk + wrap
    observations = CallObservations(
        dials=float(PRIOR_CALLS_PER_PERIOD),
        offer_seconds_histogram=tuple(offers),
        resolution_seconds_histogram=tuple(resolutions),
        talk_seconds=tuple(talks[:400]),
        wrap_up_seconds=tuple(wraps[:400]),
        answered=answered,
        offers_to_machines=machine_offers,
        short_call_wrap_up_seconds=tuple(short_wraps[:400]),
    )
    return observations, index, busy, people, sum(offers)
