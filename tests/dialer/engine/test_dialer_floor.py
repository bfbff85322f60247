"""The floor pacing sees, read from the rows; an agent's preview dial and hang-up through the engine."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from solvent.core import clock
from solvent.dialer import floor, selectors
from solvent.dialer.adapters.simulated import SimulatedScenario, SimulatedTelephony
from solvent.dialer.domain.pacing import AgentActivity
from solvent.dialer.engine import Dialer
from solvent.dialer.models import AgentSession, Call, Campaign, HopperEntry
from solvent.dialer.services import calls_dial_authorize, hopper_fill, hopper_take
from solvent.dialer.services.agents import agent_call_hangup, agent_login, agent_ready, preview_dial
from tests.compliance.services.compliance_fixtures import NOON
from tests.dialer.engine.engine_world import CAMPAIGN, campaign_world, ticking_clock

pytestmark = pytest.mark.django_db

SEED = 7


def _bot(campaign: Campaign, name: str = "agent-1") -> int:
    from django.contrib.auth.models import User

    user = User.objects.create(username=name)
    campaign.team.members.add(user)  # type: ignore[union-attr]
    agent_login(agent_id=user.pk, campaign_id=campaign.pk)
    agent_ready(agent_id=user.pk)
    return user.pk


def test_the_floor_counts_agents_calls_in_flight_and_what_finished_calls_showed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOON)
    campaign = campaign_world(5)
    _bot(campaign)
    hopper_fill(campaign_id=campaign.pk, now=NOON)
    entries = hopper_take(campaign_id=campaign.pk, count=5, now=NOON)
    figures = selectors.campaign_figures(campaign_id=campaign.pk, now=NOON)
    ringing, waiting, talking, machine, done = calls_dial_authorize(
        campaign_id=campaign.pk, entries=entries, figures=figures, now=NOON - timedelta(seconds=60)
    )
    at = NOON - timedelta(seconds=60)
    Call.objects.filter(pk=ringing.pk).update(started_at=NOON - timedelta(seconds=4))
    Call.objects.filter(pk=waiting.pk).update(
        state=Call.State.ANSWERED, answered_at=NOON, answered_by_person=True
    )
    Call.objects.filter(pk=machine.pk).update(
        state=Call.State.ANSWERED, answered_at=NOON, answered_by_person=False
    )
    Call.objects.filter(pk=talking.pk).update(
        state=Call.State.CONNECTED, answered_at=at, connected_at=at, answered_by_person=True
    )
    # A finished conversation: answered 7 s after the dial, talked 40 s, wrapped up 10 s.
    Call.objects.filter(pk=done.pk).update(
        state=Call.State.ENDED,
        outcome=Call.Outcome.CONNECTED,
        answered_at=at + timedelta(seconds=7),
        connected_at=at + timedelta(seconds=7),
        answered_by_person=True,
        ended_at=at + timedelta(seconds=47),
        wrap_up_ended_at=at + timedelta(seconds=57),
    )
    campaign.refresh_from_db()

    state = floor.floor_state(campaign, NOON)

    assert [agent.activity for agent in state.agents] == [AgentActivity.READY]
    assert state.ringing_call_seconds == (4.0,)
    assert state.calls_waiting_for_agent == 1  # the machine being dropped waits for nobody
    assert state.lines_in_use == 4
    observations = state.observations
    assert observations.dials == 1
    assert observations.offer_seconds_histogram[7] == 1
    assert sum(observations.resolution_seconds_histogram) == 1
    assert observations.talk_seconds == (40.0,)
    assert observations.wrap_up_seconds == (10.0,)
    # At speed 10 the same rows are ten times as many simulated seconds.
    assert floor.floor_state(campaign, NOON, speed=10).ringing_call_seconds == (40.0,)


def test_pacing_budgets_for_detections_unseen_abandons_and_knows_when_machines_reach_agents() -> (
    None
):
    """Detection's false positives are abandons the rows never show: the floor hands pacing an
    estimate with a margin; a campaign without detection has none, and pace() is told machines
    reach agents."""
    from solvent.dialer.domain.pacing import MachineHandling
    from solvent.dialer.engine import pacing_settings

    dropping = Campaign(machines=Campaign.Machines.DROP)
    connecting = Campaign(machines=Campaign.Machines.CONNECT)
    unseen = floor.unseen_abandons(dropping)
    assert unseen.budgeted_rate == pytest.approx(0.025)
    assert floor.unseen_abandons(connecting).budgeted_rate == 0.0
    assert pacing_settings(connecting).machine_handling is MachineHandling.CONNECT
    leaving = Campaign(machines=Campaign.Machines.LEAVE_MESSAGE)
    assert pacing_settings(leaving).machine_handling is MachineHandling.LEAVE_MESSAGE
    assert pacing_settings(dropping).machine_handling is MachineHandling.DETECT_AND_DROP


def _tick_until(dialer: Dialer, done: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        dialer.tick(wait=0.005)
        if callable(done) and done():
            return
    raise AssertionError(f"not done in {seconds} s: {dialer.figures}")


def test_a_preview_dial_is_dialled_by_the_engine_and_connected_to_its_agent_who_hangs_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clock, "now", ticking_clock())
    campaign = campaign_world(1, mode=Campaign.Mode.PREVIEW)
    agent_id = _bot(campaign)
    answers = SimulatedScenario(
        person_answers=1.0, machine_answers=0.0, busy=0.0, not_in_service=0.0
    )
    telephony = SimulatedTelephony(answers, seed=SEED, speed=50.0)
    dialer = Dialer(telephony, campaign_keys=[CAMPAIGN], runner="test", speed=50.0)
    dialer.tick()  # the lease, and the hopper filled for the agent to preview
    (entry,) = HopperEntry.objects.filter(campaign=campaign)

    call = preview_dial(agent_id=agent_id, entry_id=entry.pk)
    assert call.state == Call.State.QUEUED

    _tick_until(dialer, lambda: Call.objects.get(pk=call.pk).state == Call.State.CONNECTED)
    session = AgentSession.objects.get(agent_id=agent_id)
    assert (session.state, session.call_id) == (AgentSession.State.TALKING, call.pk)
    assert telephony.connects == 1

    agent_call_hangup(agent_id=agent_id, call_id=call.pk)
    _tick_until(
        dialer,
        lambda: AgentSession.objects.get(agent_id=agent_id).state == AgentSession.State.WRAP_UP,
    )
    call.refresh_from_db()
    assert call.state == Call.State.CONNECTED and call.ended_at is not None  # the agent disposes
    assert call.agent_id == agent_id
    dialer.stop()
