"""The agent's dialer under concurrency on PostgreSQL: real transactions, one connection per
thread, released together by a barrier.

Eight preview agents click Dial on the same number at once: one call, the others are told to take
the next. One agent logs in from six tabs to three campaigns at once: one open session. An agent
pausing while the dialer process books them for a call: either the booking wins (the pause waits
for the call's end) or the pause does (the booking finds no ready agent), never both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection

from solvent.core import clock
from solvent.core.domain.errors import ValidationError
from solvent.dialer.models import AgentSession, Call, Campaign
from solvent.dialer.services.agents import agent_login, agent_pause, agent_ready, preview_dial
from solvent.portfolio.models import Client, Team
from tests.compliance.services.compliance_fixtures import NOON, ohio_debtor_create
from tests.dialer.services.dialer_fixtures import campaign_create, entry_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _noon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOON)


def _team() -> Team:
    client, _ = Client.objects.get_or_create(code="acme", defaults={"name": "Acme Bank"})
    team = Team.objects.create(name="Floor")
    team.clients.add(client)
    return team


def _together(actions: list[Callable[[], object]]) -> list[object]:
    """Run each action in its own thread and connection, all released at once; each result is
    the action's answer or the exception it raised."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = actions[index]()
        except BaseException as error:  # reported by the test, not lost in the thread
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an action never returned"
    return results


def test_eight_agents_dialling_the_same_number_at_once_make_one_call() -> None:
    team = _team()
    campaign = campaign_create(team=team, mode=Campaign.Mode.PREVIEW)
    entry = entry_create(campaign, ohio_debtor_create())
    agents = []
    for index in range(8):
        agent = User.objects.create_user(username=f"agent-{index}")
        team.members.add(agent)
        agent_login(agent_id=agent.pk, campaign_id=campaign.pk)
        agent_ready(agent_id=agent.pk)
        agents.append(agent)
    results = _together(
        [lambda pk=agent.pk: preview_dial(agent_id=pk, entry_id=entry.pk) for agent in agents]
    )
    calls = [result for result in results if isinstance(result, Call)]
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert len(calls) == 1, results
    assert len(refused) == 7 and {error.code for error in refused} == {"preview_taken"}, results
    assert Call.objects.filter(hopper_entry=entry).count() == 1
    reserved = AgentSession.objects.filter(state=AgentSession.State.RESERVED)
    assert list(reserved.values_list("agent_id", flat=True)) == [calls[0].agent_id]


def test_six_tabs_logging_one_agent_in_at_once_open_one_session() -> None:
    team = _team()
    campaigns = [campaign_create(key=f"acme-{index}", team=team) for index in range(3)]
    agent = User.objects.create_user(username="alex")
    team.members.add(agent)
    results = _together(
        [
            lambda pk=campaign.pk: agent_login(agent_id=agent.pk, campaign_id=pk)
            for campaign in campaigns * 2
        ]
    )
    failures = [result for result in results if isinstance(result, BaseException)]
    assert not failures, failures
    assert AgentSession.objects.filter(agent=agent, logged_out_at__isnull=True).count() == 1


def test_a_pause_and_the_dialers_booking_at_the_same_moment_never_both_win() -> None:
    team = _team()
    campaign = campaign_create(team=team)
    who = ohio_debtor_create()
    for attempt in range(5):
        agent = User.objects.create_user(username=f"alex-{attempt}")
        team.members.add(agent)
        session = agent_login(agent_id=agent.pk, campaign_id=campaign.pk)
        agent_ready(agent_id=agent.pk)
        call = Call.objects.create(
            campaign=campaign,
            account=who.card,
            debtor_id=who.debtor.pk,
            phone="+16142250199",
            state=Call.State.ANSWERED,
            started_at=NOON + timedelta(seconds=attempt),
        )

        def book(session_id: int = session.pk, call_id: int = call.pk) -> int:
            # The dialer process's compare-and-set on a ready agent (dialer/engine.py).
            return AgentSession.objects.filter(
                pk=session_id, state=AgentSession.State.READY
            ).update(state=AgentSession.State.RESERVED, call_id=call_id)

        booked, paused = _together(
            [book, lambda pk=agent.pk: agent_pause(agent_id=pk, reason="break")]
        )
        assert not isinstance(paused, BaseException), paused
        session.refresh_from_db()
        if booked == 1:
            assert session.state == AgentSession.State.RESERVED
            assert (session.pause_requested, session.pause_reason) == (True, "break")
        else:
            assert (session.state, session.call_id) == (AgentSession.State.PAUSED, None)
