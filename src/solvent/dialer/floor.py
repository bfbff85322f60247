"""The floor as pacing sees it: a campaign's agents, its calls in flight and what it has observed.

``floor_state(campaign, now)`` reads the database into ``pacing.FloorState`` in four queries: the
open agent sessions (state and how long in it), the calls in flight (ringing ages, answered calls
waiting for an agent, lines in use), the campaign's recent finished calls (``call_observations``:
the histograms of the second each call needed an agent or resolved, talk and wrap-up durations)
and the abandon windows (``selectors.campaign_figures``, the same exact counts the gate is given).

``speed`` is the simulated telephony's acceleration (1 in production): durations measured on the
wall clock are multiplied by it, so pacing sees the seconds the simulated debtors live in.
"""

from __future__ import annotations

from datetime import datetime

from solvent.compliance.domain.model import CampaignFigures
from solvent.dialer import selectors
from solvent.dialer.domain.pacing import (
    AbandonWindow,
    AgentActivity,
    AgentSnapshot,
    CallObservations,
    FloorState,
    UnseenAbandons,
)
from solvent.dialer.models import AgentSession, Call, Campaign

# People answering whom answering-machine detection takes for machines and drops: abandons the
# dialer cannot see, which pacing budgets for (docs/dialer-amd.md: the tuned settings measured 0.0%,
# 95% interval 0-1.9%, on synthetic speech; real lines do worse, so 1.5% and a 1% margin).
AMD_FALSE_POSITIVE_RATE = 0.015
AMD_FALSE_POSITIVE_MARGIN = 0.01


def unseen_abandons(campaign: Campaign) -> UnseenAbandons:
    """None when machines reach agents (no detection), else detection's estimated false positives."""
    if campaign.machines == Campaign.Machines.CONNECT:
        return UnseenAbandons()
    return UnseenAbandons(rate=AMD_FALSE_POSITIVE_RATE, margin=AMD_FALSE_POSITIVE_MARGIN)


# How many recent finished calls the observations are made of: recent enough to follow a list
# that changes during the day, enough to estimate a histogram.
OBSERVED_CALLS = 600
OBSERVED_DURATIONS = 200
# Calls resolve within the ring timeout plus detection; the histograms stop a little after.
HISTOGRAM_SLACK_SECONDS = 8

_ACTIVITY = {
    AgentSession.State.READY: AgentActivity.READY,
    AgentSession.State.RESERVED: AgentActivity.TALKING,  # being connected: as good as talking
    AgentSession.State.TALKING: AgentActivity.TALKING,
    AgentSession.State.WRAP_UP: AgentActivity.WRAP_UP,
    AgentSession.State.PAUSED: AgentActivity.PAUSED,
}
IN_FLIGHT = (
    Call.State.DIALLING,
    Call.State.RINGING,
    Call.State.ANSWERED,
    Call.State.CONNECTED,
)


def _seconds(later: datetime, earlier: datetime, speed: float) -> float:
    return max(0.0, (later - earlier).total_seconds() * speed)


def call_observations(*, campaign: Campaign, speed: float = 1.0) -> CallObservations:
    """The campaign's recent finished calls as pacing's observations (one query)."""
    limit = max(1, int(campaign.ring_timeout_seconds) + HISTOGRAM_SLACK_SECONDS)
    offers = [0] * (limit + 1)
    resolutions = [0] * (limit + 1)
    talks: list[float] = []
    wraps: list[float] = []
    rows = (
        Call.objects.filter(campaign_id=campaign.pk, state=Call.State.ENDED, preview=False)
        .order_by("-pk")
        .values_list(
            "started_at",
            "answered_at",
            "answered_by_person",
            "connected_at",
            "ended_at",
            "wrap_up_ended_at",
            "outcome",
        )[:OBSERVED_CALLS]
    )
    dials = 0
    for started, answered, by_person, connected, ended, wrap_ended, outcome in rows:
        if outcome in (Call.Outcome.FAILED, Call.Outcome.INTERRUPTED):
            continue  # never placed, or cut short by a restart: says nothing about debtors
        dials += 1
        if answered is not None and (by_person is not False or connected is not None):
            # Needed an agent: a person answered, or a machine slipped past detection.
            second = min(limit, int(_seconds(answered, started, speed)))
            offers[second] += 1
            resolutions[second] += 1
        else:
            resolved = answered or ended or started
            resolutions[min(limit, int(_seconds(resolved, started, speed)))] += 1
        if connected is not None and ended is not None and len(talks) < OBSERVED_DURATIONS:
            talks.append(_seconds(ended, connected, speed))
        if wrap_ended is not None and ended is not None and len(wraps) < OBSERVED_DURATIONS:
            wraps.append(_seconds(wrap_ended, ended, speed))
    while len(resolutions) > 1 and resolutions[-1] == 0 and offers[-1] == 0:
        resolutions.pop()
        offers.pop()
    return CallObservations(
        dials=dials,
        offer_seconds_histogram=tuple(offers) if dials else (),
        resolution_seconds_histogram=tuple(resolutions) if dials else (),
        talk_seconds=tuple(talks),
        wrap_up_seconds=tuple(wraps),
    )


def abandon_windows(figures: CampaignFigures) -> tuple[AbandonWindow, AbandonWindow]:
    return (
        AbandonWindow(answered_live=figures.live_answered_30d, abandoned=figures.abandoned_30d),
        AbandonWindow(answered_live=figures.live_answered_24h, abandoned=figures.abandoned_24h),
    )


def floor_state(
    campaign: Campaign,
    now: datetime,
    *,
    speed: float = 1.0,
    observations: CallObservations | None = None,
    figures: CampaignFigures | None = None,
) -> FloorState:
    """The campaign's floor now. ``observations`` and ``figures`` may be passed in when the
    caller read them a moment ago (the engine reads them less often than it paces)."""
    sessions = AgentSession.objects.filter(
        campaign_id=campaign.pk, logged_out_at__isnull=True
    ).values_list("state", "state_since", "pause_requested")
    agents = tuple(
        AgentSnapshot(_ACTIVITY[AgentSession.State(state)], _seconds(now, since, speed), requested)
        for state, since, requested in sessions
        if state in _ACTIVITY
    )
    ringing: list[float] = []
    waiting = 0
    lines = 0
    calls = Call.objects.filter(campaign_id=campaign.pk, state__in=IN_FLIGHT).values_list(
        "state", "started_at", "ended_at", "preview", "answered_by_person"
    )
    for state, started, ended, preview, by_person in calls:
        if ended is not None:
            continue  # the line is free: a connected call in its agent's wrap-up
        lines += 1
        if preview:
            continue  # an agent waits on it: neither demand nor supply for pacing
        if state in (Call.State.DIALLING, Call.State.RINGING):
            ringing.append(_seconds(now, started, speed))
        elif state == Call.State.ANSWERED and by_person is not False:
            waiting += 1  # a machine being dropped or given the voicemail needs nobody
    if observations is None:
        observations = call_observations(campaign=campaign, speed=speed)
    if figures is None:
        figures = selectors.campaign_figures(campaign_id=campaign.pk, now=now)
    thirty_days, twenty_four_hours = abandon_windows(figures)
    return FloorState(
        agents=agents,
        ringing_call_seconds=tuple(ringing),
        calls_waiting_for_agent=waiting,
        lines_in_use=lines,
        observations=observations,
        abandons_30_days=thirty_days,
        abandons_24_hours=twenty_four_hours,
        unseen_abandons=unseen_abandons(campaign),
    )
