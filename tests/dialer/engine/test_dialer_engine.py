"""The dialer process against the simulated telephony, accelerated: a campaign dialled to the end,
an answered call nobody takes, a dead runner's calls closed by the one that takes over."""

from __future__ import annotations

import itertools
import sys
import time
from collections import defaultdict
from datetime import timedelta

import pytest

from solvent.contact.models import Interaction
from solvent.core import clock
from solvent.dialer import selectors
from solvent.dialer.adapters.simulated import SimulatedScenario, SimulatedTelephony
from solvent.dialer.bots import BotAgents
from solvent.dialer.engine import Dialer
from solvent.dialer.models import AgentSession, Call, Campaign, HopperEntry
from solvent.dialer.ports import CallEventKind
from solvent.dialer.services import calls_dial_authorize, hopper_fill, hopper_take
from tests.compliance.services.compliance_fixtures import NOON
from tests.dialer.engine.engine_world import CAMPAIGN, campaign_world, ticking_clock

pytestmark = pytest.mark.django_db

SEED = 20261202
LIVELY = SimulatedScenario(
    person_answers=0.55,
    machine_answers=0.2,
    busy=0.1,
    not_in_service=0.05,
    mean_talk_seconds=20.0,
    abandon_message_seconds=4.0,
    voicemail_seconds=6.0,
)


def _run(dialer: Dialer, bots: BotAgents | None, until: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        dialer.tick(wait=0.005)
        if bots is not None:
            bots.tick()
        if callable(until) and until():
            return
    raise AssertionError(f"not done in {seconds} s (seed {SEED}): {dialer.figures}")


def test_a_small_campaign_is_dialled_to_the_end_every_call_once_in_the_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clock, "now", ticking_clock())
    sys.stdout.write(f"dialer engine test: seed {SEED}\n")
    campaign = campaign_world(14, mode=Campaign.Mode.PROGRESSIVE)
    telephony = SimulatedTelephony(LIVELY, seed=SEED, speed=60.0)
    dialer = Dialer(telephony, campaign_keys=[CAMPAIGN], runner="test-1", speed=60.0)
    bots = BotAgents(3, campaign_keys=[CAMPAIGN], seed=SEED, speed=60.0, mean_wrap_up_seconds=5)
    assert len(bots.log_in()) == 3

    _run(dialer, bots, dialer.idle, seconds=60)
    dialer.stop()

    calls = list(Call.objects.filter(campaign=campaign).order_by("pk"))
    assert len(calls) >= 14, "every planned number was dialled"
    assert {call.state for call in calls} == {Call.State.ENDED}
    placed = [call for call in calls if call.outcome != Call.Outcome.FAILED]
    interactions = Interaction.objects.filter(pk__in=[call.interaction_id for call in placed])
    assert interactions.count() == len(placed), "one interaction per dialled call"
    assert {i.compliance_attempt_id for i in interactions} == {c.attempt_id for c in placed}
    assert all(call.attempt_id is not None for call in calls)
    connected = [call for call in calls if call.outcome == Call.Outcome.CONNECTED]
    assert connected, f"a bot took a call: {dialer.figures}"
    # Nobody was booked on two calls at once.
    by_agent: dict[int, list[Call]] = defaultdict(list)
    for call in connected:
        assert call.agent_id is not None and call.connected_at and call.ended_at
        by_agent[call.agent_id].append(call)
    for taken in by_agent.values():
        taken.sort(key=lambda call: call.connected_at)  # type: ignore[arg-type,return-value]
        for before, after in itertools.pairwise(taken):
            assert before.ended_at <= after.connected_at  # type: ignore[operator]
    # Progressive with bots always ready: nothing abandoned but detection's false positives.
    assert not HopperEntry.objects.filter(
        campaign=campaign, status=HopperEntry.Status.DIALLING
    ).exists()
    assert AgentSession.objects.filter(state=AgentSession.State.READY).count() == 3
    assert Campaign.objects.get(pk=campaign.pk).runner == ""


def test_an_answered_call_no_agent_takes_hears_the_message_and_is_abandoned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clock, "now", ticking_clock())
    campaign = campaign_world(1)
    everyone_answers = SimulatedScenario(
        person_answers=1.0,
        machine_answers=0.0,
        busy=0.0,
        not_in_service=0.0,
        detection_false_positive_rate=0.0,
        abandon_message_seconds=2.0,
    )
    telephony = SimulatedTelephony(everyone_answers, seed=SEED, speed=50.0)
    dialer = Dialer(telephony, campaign_keys=[CAMPAIGN], runner="test-1", speed=50.0)
    dialer.tick()  # takes the lease, fills the hopper; no agent: pacing dials nothing
    assert hopper_fill(campaign_id=campaign.pk) == 0
    entries = hopper_take(campaign_id=campaign.pk, count=1)
    figures = selectors.campaign_figures(campaign_id=campaign.pk)
    (call,) = dialer.dial(campaign, entries, figures, clock.now())

    _run(dialer, None, lambda: Call.objects.get(pk=call.pk).state == Call.State.ENDED, 20)

    call.refresh_from_db()
    assert call.outcome == Call.Outcome.ABANDONED
    assert call.answered_by_person is True
    assert telephony.plays == [(selectors.call_ref(call.pk), "abandon")]
    assert Interaction.objects.get(pk=call.interaction_id).disposition == "abandoned"
    after = selectors.campaign_figures(campaign_id=campaign.pk)
    assert (after.abandoned_24h, after.live_answered_24h) == (1, 1)


def test_a_dead_runners_calls_are_closed_by_the_process_that_takes_the_campaign_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOON)
    campaign = campaign_world(4)
    hopper_fill(campaign_id=campaign.pk, now=NOON)
    entries = hopper_take(campaign_id=campaign.pk, count=4, now=NOON)
    figures = selectors.campaign_figures(campaign_id=campaign.pk, now=NOON)
    ringing, person, machine, talking = calls_dial_authorize(
        campaign_id=campaign.pk, entries=entries, figures=figures, now=NOON
    )
    bots = BotAgents(1, campaign_keys=[CAMPAIGN])
    (bot,) = bots.log_in()
    earlier = NOON - timedelta(seconds=30)
    Call.objects.filter(pk=ringing.pk).update(state=Call.State.RINGING, ringing_at=earlier)
    Call.objects.filter(pk=person.pk).update(
        state=Call.State.ANSWERED, answered_at=earlier, answered_by_person=True
    )
    Call.objects.filter(pk=machine.pk).update(
        state=Call.State.ANSWERED, answered_at=earlier, answered_by_person=False
    )
    Call.objects.filter(pk=talking.pk).update(
        state=Call.State.CONNECTED,
        answered_at=earlier,
        connected_at=earlier,
        answered_by_person=True,
        agent_id=bot.user_id,
    )
    AgentSession.objects.filter(agent_id=bot.user_id).update(
        state=AgentSession.State.TALKING, call_id=talking.pk
    )
    # The dead process's heartbeat is 16 seconds old: past the 15-second lease.
    Campaign.objects.filter(pk=campaign.pk).update(
        runner="dead:1", runner_seen_at=NOON - timedelta(seconds=16)
    )
    telephony = SimulatedTelephony(seed=SEED, speed=1.0)

    Dialer(telephony, campaign_keys=[CAMPAIGN], runner="alive:2").tick()

    outcomes = dict(Call.objects.filter(campaign=campaign).values_list("pk", "outcome"))
    assert outcomes[ringing.pk] == Call.Outcome.INTERRUPTED
    assert outcomes[person.pk] == Call.Outcome.ABANDONED
    assert outcomes[machine.pk] == Call.Outcome.INTERRUPTED
    assert outcomes[talking.pk] == ""  # the agent heard it: theirs to dispose
    session = AgentSession.objects.get(agent_id=bot.user_id)
    assert (session.state, session.call_id) == (AgentSession.State.WRAP_UP, talking.pk)
    assert Call.objects.get(pk=talking.pk).ended_at == NOON
    assert Campaign.objects.get(pk=campaign.pk).runner == "alive:2"
    assert selectors.campaign_figures(campaign_id=campaign.pk, now=NOON).abandoned_24h == 1


def test_a_live_runners_campaign_is_not_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOON)
    campaign = campaign_world(0)
    Campaign.objects.filter(pk=campaign.pk).update(
        runner="other:1", runner_seen_at=NOON - timedelta(seconds=14)
    )
    dialer = Dialer(SimulatedTelephony(seed=SEED), campaign_keys=[CAMPAIGN], runner="me:2")
    dialer.tick()
    assert dialer.held_campaigns() == []
    assert Campaign.objects.get(pk=campaign.pk).runner == "other:1"


def test_the_simulated_telephony_gives_a_call_the_same_fate_whoever_dials_it() -> None:
    def fates(order: list[str]) -> dict[str, list[tuple[CallEventKind, float]]]:
        now = [0.0]
        telephony = SimulatedTelephony(LIVELY, seed=SEED, speed=1.0, monotonic=lambda: now[0])
        for ref in order:
            telephony.originate(
                call_ref=ref,
                number="+16142250123",
                caller_id="",
                ring_timeout_seconds=20,
                detect_machines=True,
            )
        seen: dict[str, list[tuple[CallEventKind, float]]] = defaultdict(list)
        start = telephony._wall(0.0)
        for _ in range(400):
            now[0] += 0.25
            for event in telephony.events():
                seen[event.call_ref].append((event.kind, (event.at - start).total_seconds()))
        return seen

    refs = [f"call-{n}" for n in range(40)]
    forward, backward = fates(refs), fates(list(reversed(refs)))
    assert forward == backward
    kinds = {events[-2][0] for events in forward.values() if len(events) >= 2}
    assert {CallEventKind.NO_ANSWER, CallEventKind.BUSY, CallEventKind.HANGUP} <= kinds
    assert all(events[-1][0] is CallEventKind.ENDED for events in forward.values())


def test_an_entry_a_dead_runner_took_but_never_dialled_waits_again_after_the_takeover(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOON)
    campaign = campaign_world(2)
    hopper_fill(campaign_id=campaign.pk, now=NOON)
    taken, dialled = hopper_take(campaign_id=campaign.pk, count=2, now=NOON)
    figures = selectors.campaign_figures(campaign_id=campaign.pk, now=NOON)
    calls_dial_authorize(campaign_id=campaign.pk, entries=[dialled], figures=figures, now=NOON)
    Campaign.objects.filter(pk=campaign.pk).update(runner="crash-rig", runner_seen_at=NOON)

    Dialer(SimulatedTelephony(seed=SEED), campaign_keys=[CAMPAIGN], runner="crash-rig").tick()

    statuses = dict(HopperEntry.objects.values_list("pk", "status"))
    assert statuses[taken.pk] == HopperEntry.Status.WAITING  # its call was never written
    assert statuses[dialled.pk] == HopperEntry.Status.WAITING  # interrupted: dialled again
    assert Call.objects.get().outcome == Call.Outcome.INTERRUPTED
