"""The agent's side of the dialer (dialer/services/agents.py): log in, ready, pause, wrap-up, preview.

The Ohio debtors of the compliance fixtures (Tuesday 9 June 2026, noon in Columbus) and a campaign
of the agent's team; the engine's part (connecting a call, ending it) is played with the models.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from solvent.audit.models import AuditEntry
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.dialer.models import AgentSession, Call, Campaign, HopperEntry
from solvent.dialer.services.agents import (
    AgentStateError,
    PreviewRefusedError,
    agent_call_hangup,
    agent_campaign_list,
    agent_live_call,
    agent_login,
    agent_logout,
    agent_pause,
    agent_ready,
    agent_wrap_up_done,
    agent_wrap_up_start,
    preview_dial,
    preview_next,
)
from solvent.portfolio.models import Client, Team
from tests.compliance.services.compliance_fixtures import NOON, OhioDebtor, ohio_debtor_create
from tests.dialer.services.dialer_fixtures import campaign_create, entry_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _noon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOON)


@pytest.fixture
def team() -> Team:
    team = Team.objects.create(name="Floor")
    client, _ = Client.objects.get_or_create(code="acme", defaults={"name": "Acme Bank"})
    team.clients.add(client)
    return team


def _agent(team: Team, name: str = "alex") -> User:
    user = User.objects.create_user(username=name, password="pw-agent-1")
    team.members.add(user)
    return user


def _connected_call(session: AgentSession, who: OhioDebtor) -> Call:
    """The engine's part: a call answered by a person and connected to the agent."""
    call = Call.objects.create(
        campaign=session.campaign,
        account=who.card,
        debtor_id=who.debtor.pk,
        phone="+16142250123",
        state=Call.State.CONNECTED,
        agent=session.agent,
        started_at=NOON,
        answered_at=NOON,
        connected_at=NOON,
    )
    AgentSession.objects.filter(pk=session.pk).update(state=AgentSession.State.TALKING, call=call)
    return call


def _actions(agent: User) -> list[str]:
    return list(
        AuditEntry.objects.filter(actor_id=agent.pk, action__startswith="dialer.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_an_agent_logs_in_paused_goes_ready_pauses_with_a_reason_and_logs_out(team: Team) -> None:
    agent = _agent(team)
    campaign = campaign_create(team=team)
    session = agent_login(agent_id=agent.pk, campaign_id=campaign.pk, endpoint="sip:alex@desk")
    assert session.state == AgentSession.State.PAUSED
    assert agent_login(agent_id=agent.pk, campaign_id=campaign.pk).pk == session.pk
    assert agent_ready(agent_id=agent.pk).state == AgentSession.State.READY
    paused = agent_pause(agent_id=agent.pk, reason="lunch")
    assert (paused.state, paused.pause_reason) == (AgentSession.State.PAUSED, "lunch")
    with pytest.raises(ValidationError, match="choose why"):
        agent_pause(agent_id=agent.pk, reason="nap")
    closed = agent_logout(agent_id=agent.pk)
    assert closed.state == AgentSession.State.LOGGED_OUT
    assert closed.logged_out_at == NOON
    assert _actions(agent) == [
        "dialer.agent_login",
        "dialer.agent_ready",
        "dialer.agent_pause",
        "dialer.agent_logout",
    ]
    with pytest.raises(AgentStateError, match="not logged in"):
        agent_ready(agent_id=agent.pk)


def test_only_the_active_campaigns_of_the_agents_teams_are_offered(team: Team) -> None:
    agent = _agent(team)
    own = campaign_create(team=team)
    by_client = campaign_create(key="acme-by-client", name="By client")  # no team: the client's
    paused = campaign_create(key="acme-paused", team=team, status=Campaign.Status.PAUSED)
    other_team = Team.objects.create(name="Elsewhere")
    foreign = campaign_create(key="acme-foreign", team=other_team)
    assert {c.pk for c in agent_campaign_list(agent_id=agent.pk)} == {own.pk, by_client.pk}
    with pytest.raises(NotFoundError):
        agent_login(agent_id=agent.pk, campaign_id=foreign.pk)
    with pytest.raises(ValidationError, match="paused"):
        agent_login(agent_id=agent.pk, campaign_id=paused.pk)
    with pytest.raises(ValidationError, match="SIP URI"):
        agent_login(agent_id=agent.pk, campaign_id=own.pk, endpoint="alex-desk-phone")


def test_logging_in_elsewhere_moves_an_idle_agent_and_refuses_one_on_a_call(team: Team) -> None:
    agent = _agent(team)
    first = campaign_create(team=team)
    second = campaign_create(key="acme-second", team=team)
    session = agent_login(agent_id=agent.pk, campaign_id=first.pk)
    moved = agent_login(agent_id=agent.pk, campaign_id=second.pk)
    session.refresh_from_db()
    assert session.state == AgentSession.State.LOGGED_OUT
    assert moved.campaign_id == second.pk
    _connected_call(moved, ohio_debtor_create())
    with pytest.raises(AgentStateError, match="finish the call"):
        agent_login(agent_id=agent.pk, campaign_id=first.pk)
    with pytest.raises(AgentStateError, match="on a call"):
        agent_logout(agent_id=agent.pk)
    assert AgentSession.objects.filter(agent=agent, logged_out_at__isnull=True).count() == 1


def test_a_pause_during_a_call_takes_effect_after_the_wrap_up(team: Team) -> None:
    agent = _agent(team)
    session = agent_login(agent_id=agent.pk, campaign_id=campaign_create(team=team).pk)
    agent_ready(agent_id=agent.pk)
    call = _connected_call(session, ohio_debtor_create())
    talking = agent_pause(agent_id=agent.pk, reason="break")
    assert talking.state == AgentSession.State.TALKING
    assert (talking.pause_requested, talking.pause_reason) == (True, "break")
    with pytest.raises(AgentStateError, match="still up"):
        agent_wrap_up_done(agent_id=agent.pk)
    hung = agent_call_hangup(agent_id=agent.pk, call_id=call.pk)
    assert hung.hangup_requested
    Call.objects.filter(pk=call.pk).update(
        state=Call.State.ENDED, outcome=Call.Outcome.CONNECTED, ended_at=NOON
    )
    wrapping = agent_wrap_up_start(agent_id=agent.pk, call_id=call.pk)
    assert (wrapping.state, wrapping.pause_requested) == (AgentSession.State.WRAP_UP, True)
    later = NOON + timedelta(seconds=40)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: later)
        done = agent_wrap_up_done(agent_id=agent.pk)
    assert (done.state, done.pause_reason, done.call_id) == (
        AgentSession.State.PAUSED,
        "break",
        None,
    )
    call.refresh_from_db()
    assert call.wrap_up_ended_at == later
    assert "dialer.agent_pause_requested" in _actions(agent)


def test_without_a_pause_asked_for_the_wrap_up_ends_ready(team: Team) -> None:
    agent = _agent(team)
    session = agent_login(agent_id=agent.pk, campaign_id=campaign_create(team=team).pk)
    agent_ready(agent_id=agent.pk)
    call = _connected_call(session, ohio_debtor_create())
    Call.objects.filter(pk=call.pk).update(state=Call.State.ENDED, outcome="connected")
    AgentSession.objects.filter(pk=session.pk).update(state=AgentSession.State.WRAP_UP)
    assert agent_ready(agent_id=agent.pk).state == AgentSession.State.READY  # = wrap-up done


def test_a_call_whose_outcome_is_not_recorded_keeps_the_agent_from_logging_out(
    team: Team,
) -> None:
    agent = _agent(team)
    session = agent_login(agent_id=agent.pk, campaign_id=campaign_create(team=team).pk)
    call = _connected_call(session, ohio_debtor_create())
    Call.objects.filter(pk=call.pk).update(state=Call.State.ENDED)  # ended, no outcome yet
    AgentSession.objects.filter(pk=session.pk).update(state=AgentSession.State.WRAP_UP)
    with pytest.raises(AgentStateError, match="outcome"):
        agent_logout(agent_id=agent.pk)


def test_a_preview_agent_sees_the_best_due_number_and_dials_it_through_the_gate(
    team: Team,
) -> None:
    agent = _agent(team)
    campaign = campaign_create(team=team, mode=Campaign.Mode.PREVIEW)
    low = entry_create(campaign, ohio_debtor_create("1"), priority=1.0)
    best = entry_create(campaign, ohio_debtor_create("2"), priority=5.0)
    entry_create(campaign, ohio_debtor_create("3"), priority=9.0, not_before=NOON + timedelta(1))
    agent_login(agent_id=agent.pk, campaign_id=campaign.pk)
    assert preview_next(agent_id=agent.pk) is None  # not ready yet
    agent_ready(agent_id=agent.pk)
    shown = preview_next(agent_id=agent.pk)
    assert shown is not None and shown.pk == best.pk
    call = preview_dial(agent_id=agent.pk, entry_id=best.pk)
    assert (call.state, call.agent_id, call.preview) == (Call.State.QUEUED, agent.pk, True)
    assert call.attempt_id is not None
    session = AgentSession.objects.get(agent=agent, logged_out_at__isnull=True)
    assert (session.state, session.call_id) == (AgentSession.State.RESERVED, call.pk)
    best.refresh_from_db()
    assert (best.status, best.attempts) == (HopperEntry.Status.DIALLING, 1)
    assert preview_next(agent_id=agent.pk) is None  # reserved: nothing more offered
    low.refresh_from_db()
    assert low.status == HopperEntry.Status.WAITING


def test_a_preview_dial_nobody_answered_is_wrapped_up_when_the_agent_moves_on(
    team: Team,
) -> None:
    agent = _agent(team)
    campaign = campaign_create(team=team, mode=Campaign.Mode.PREVIEW)
    entry = entry_create(campaign, ohio_debtor_create())
    agent_login(agent_id=agent.pk, campaign_id=campaign.pk)
    agent_ready(agent_id=agent.pk)
    call = preview_dial(agent_id=agent.pk, entry_id=entry.pk)
    # The dialer process: no answer, the call closed, the agent released (ready, no call).
    Call.objects.filter(pk=call.pk).update(state=Call.State.ENDED, outcome="no_answer")
    AgentSession.objects.filter(agent=agent).update(state=AgentSession.State.READY, call=None)
    assert agent_live_call(agent_id=agent.pk, account_id=call.account_id) is not None
    assert agent_wrap_up_done(agent_id=agent.pk).state == AgentSession.State.READY
    assert agent_live_call(agent_id=agent.pk, account_id=call.account_id) is None


def test_a_number_another_agent_dialled_first_is_not_dialled_twice(team: Team) -> None:
    campaign = campaign_create(team=team, mode=Campaign.Mode.PREVIEW)
    entry = entry_create(campaign, ohio_debtor_create())
    first, second = _agent(team, "first"), _agent(team, "second")
    for agent in (first, second):
        agent_login(agent_id=agent.pk, campaign_id=campaign.pk)
        agent_ready(agent_id=agent.pk)
    preview_dial(agent_id=first.pk, entry_id=entry.pk)
    with pytest.raises(ValidationError, match="someone else") as taken:
        preview_dial(agent_id=second.pk, entry_id=entry.pk)
    assert taken.value.code == "preview_taken"
    assert Call.objects.filter(hopper_entry=entry).count() == 1
    assert AgentSession.objects.get(agent=second, logged_out_at__isnull=True).state == "ready"


def test_a_preview_dial_the_gate_refuses_says_the_rule_and_when(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = _agent(team)
    campaign = campaign_create(team=team, mode=Campaign.Mode.PREVIEW)
    entry = entry_create(campaign, ohio_debtor_create(), not_before=NOON - timedelta(hours=6))
    agent_login(agent_id=agent.pk, campaign_id=campaign.pk)
    agent_ready(agent_id=agent.pk)
    early = NOON - timedelta(hours=4, minutes=30)  # 07:30 in Columbus: before the calling window
    monkeypatch.setattr(clock, "now", lambda: early)
    with pytest.raises(PreviewRefusedError) as refused:
        preview_dial(agent_id=agent.pk, entry_id=entry.pk)
    refusal = refused.value.refusal
    assert refusal.rule == "regf.inconvenient_time.8am_9pm_local"
    assert refusal.not_before == NOON - timedelta(hours=4)  # 08:00 in Columbus
    assert "may be dialled from 2026-06-09 08:00, the debtor's time" in refused.value.message
    entry.refresh_from_db()
    assert (entry.status, entry.attempts) == (HopperEntry.Status.WAITING, 0)
    assert entry.not_before == refusal.not_before
    assert not Call.objects.filter(hopper_entry=entry).exists()
    session = AgentSession.objects.get(agent=agent, logged_out_at__isnull=True)
    assert session.state == AgentSession.State.READY


def test_a_ready_agent_whose_dialer_page_went_quiet_is_paused_as_away_at_the_30th_second(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page polls every second; a ready agent it has not heard from for 30 s is offered no
    call (a debtor who answered would meet nobody). Agents on a call, paused ones and sessions no
    page keeps (bots: never seen) are left be."""
    from solvent.dialer.services.agents import agent_seen, agents_away_pause

    campaign = campaign_create(team=team)
    quiet, busy, bot = _agent(team, "quiet"), _agent(team, "busy"), _agent(team, "bot-01")
    for agent in (quiet, busy, bot):
        agent_login(agent_id=agent.pk, campaign_id=campaign.pk)
        agent_ready(agent_id=agent.pk)
    agent_seen(agent_id=quiet.pk)
    agent_seen(agent_id=busy.pk)
    _connected_call(
        AgentSession.objects.get(agent=busy, logged_out_at__isnull=True), ohio_debtor_create()
    )
    at_30 = NOON + timedelta(seconds=30)
    assert agents_away_pause(campaign_ids=[campaign.pk], now=at_30) == 0
    later = NOON + timedelta(seconds=30, milliseconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert agents_away_pause(campaign_ids=[campaign.pk], now=later) == 1
    states = dict(
        AgentSession.objects.filter(logged_out_at__isnull=True).values_list(
            "agent__username", "state"
        )
    )
    assert states == {"quiet": "paused", "busy": "talking", "bot-01": "ready"}
    away = AgentSession.objects.get(agent=quiet, logged_out_at__isnull=True)
    assert away.pause_reason == "away"
    assert AuditEntry.objects.filter(action="dialer.agent_away", object_id=away.pk).exists()
    # Back at the desk: the page answers again and the agent goes ready.
    agent_seen(agent_id=quiet.pk)
    agent_ready(agent_id=quiet.pk)
    assert agents_away_pause(campaign_ids=[campaign.pk], now=later) == 0
