"""The agent's dialer in the desk (desk/views_dialer.py): the page, the poll and its screen pop, the
preview dial, and the dialer call on the account screen with the guided call's outcome.

Tuesday 9 June 2026, noon in Columbus (the compliance fixtures' Ohio debtor). The dialer process's
part (ringing, answered, connected to the agent) is played with track A's services.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from solvent.contact.models import Interaction
from solvent.core import clock
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.dialer.models import AgentSession, Call, Campaign
from solvent.dialer.services import call_event_apply
from solvent.dialer.services.agents import agent_login, agent_ready, preview_dial
from solvent.portfolio.models import Client, Team
from tests.compliance.services.compliance_fixtures import NOON, OhioDebtor, ohio_debtor_create
from tests.dialer.services.dialer_fixtures import campaign_create, entry_create

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _noon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOON)


@pytest.fixture
def floor() -> dict[str, Any]:
    client, _ = Client.objects.get_or_create(code="acme", defaults={"name": "Acme Bank"})
    team = Team.objects.create(name="Floor")
    team.clients.add(client)
    agent = User.objects.create_user(username="alex", password="pw-agent-1")
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
    http = HttpClient()
    http.force_login(agent)
    return {"team": team, "agent": agent, "http": http}


def _connected(floor: dict[str, Any], who: OhioDebtor) -> Call:
    """A preview dial the dialer process then rings, gets answered and connects to the agent."""
    campaign = campaign_create(team=floor["team"], mode=Campaign.Mode.PREVIEW)
    entry = entry_create(campaign, who)
    agent = floor["agent"]
    agent_login(agent_id=agent.pk, campaign_id=campaign.pk)
    agent_ready(agent_id=agent.pk)
    call = preview_dial(agent_id=agent.pk, entry_id=entry.pk)
    for state in ("ringing", "answered", "connected"):
        call_event_apply(call_id=call.pk, state=state, at=NOON, answered_by_person=True)
    AgentSession.objects.filter(agent=agent, logged_out_at__isnull=True).update(
        state=AgentSession.State.TALKING
    )
    return Call.objects.get(pk=call.pk)


def _session(agent: User) -> AgentSession:
    return AgentSession.objects.get(agent=agent, logged_out_at__isnull=True)


def _state(agent: User) -> str:
    return AgentSession.objects.get(agent=agent, logged_out_at__isnull=True).state


def test_the_agent_logs_in_goes_ready_pauses_with_a_reason_and_logs_out(
    floor: dict[str, Any],
) -> None:
    http, agent = floor["http"], floor["agent"]
    campaign = campaign_create(team=floor["team"], name="Acme early stage")
    page = http.get("/dialer/")
    assert page.status_code == 200
    assert b"Acme early stage" in page.content
    assert b'data-testid="dialer-login"' in page.content
    logged = http.post("/dialer/login/", {"campaign": campaign.pk}, headers=HTMX)
    assert logged.status_code == 200
    assert b'data-testid="dialer-state">Paused' in logged.content
    ready = http.post("/dialer/ready/", headers=HTMX)
    assert b'data-testid="dialer-state">Ready' in ready.content
    assert _state(agent) == AgentSession.State.READY
    paused = http.post("/dialer/pause/", {"reason": "coaching"}, headers=HTMX)
    assert b"Paused: Coaching" in paused.content
    refused = http.post("/dialer/pause/", {"reason": "nap"}, headers=HTMX)
    assert b'data-testid="dialer-error"' in refused.content
    # Without HTMX: back to the page.
    out = http.post("/dialer/logout/")
    assert (out.status_code, out["Location"]) == (302, "/dialer/")
    assert not AgentSession.objects.filter(agent=agent, logged_out_at__isnull=True).exists()


def test_a_refusal_without_htmx_comes_back_as_a_message_on_the_page(floor: dict[str, Any]) -> None:
    http = floor["http"]
    answer = http.post("/dialer/ready/", follow=True)
    assert answer.redirect_chain == [("/dialer/", 302)]
    assert b"not logged in to a campaign" in answer.content


def test_only_agents_and_supervisors_use_the_dialer_page(floor: dict[str, Any]) -> None:
    viewer = User.objects.create_user(username="viewer")
    staff_role_set(user=viewer, role=Role.CLIENT_VIEWER)
    http = HttpClient()
    http.force_login(viewer)
    assert http.get("/dialer/").status_code == 403
    assert HttpClient().get("/dialer/").status_code == 302  # to the login page


def test_the_poll_is_silent_until_a_call_is_connected_then_pops_the_account(
    floor: dict[str, Any],
) -> None:
    http, agent = floor["http"], floor["agent"]
    campaign = campaign_create(team=floor["team"])
    agent_login(agent_id=agent.pk, campaign_id=campaign.pk)
    assert _session(agent).seen_at is None
    first = http.get("/dialer/state/", headers=HTMX)
    assert first.status_code == 200
    assert _session(agent).seen_at == NOON  # the open page says the agent is at their desk
    digest = first.content.decode().split("digest=")[1].split('"')[0]
    assert http.get(f"/dialer/state/?seen=&digest={digest}", headers=HTMX).status_code == 204
    agent_ready(agent_id=agent.pk)
    assert http.get(f"/dialer/state/?seen=&digest={digest}", headers=HTMX).status_code == 200
    # The engine's part: a call answered by a person, connected to the agent.
    who = ohio_debtor_create()
    call = Call.objects.create(
        campaign=campaign,
        account=who.card,
        debtor_id=who.debtor.pk,
        phone="+16142250123",
        state=Call.State.CONNECTED,
        agent=agent,
        started_at=NOON,
        connected_at=NOON,
    )
    AgentSession.objects.filter(agent=agent).update(state=AgentSession.State.TALKING, call=call)
    popped = http.get(f"/dialer/state/?seen=&digest={digest}", headers=HTMX)
    assert popped.status_code == 204
    assert popped["HX-Redirect"] == f"/accounts/{who.card.pk}/?call={call.pk}"
    # The page opened again during the call pops nothing: it links to the call's account.
    again = http.get("/dialer/")
    assert f"/accounts/{who.card.pk}/?call={call.pk}".encode() in again.content
    assert "HX-Redirect" not in http.get(f"/dialer/state/?seen={call.pk}", headers=HTMX)


def test_a_preview_agent_reads_the_next_account_and_dials_it_through_the_gate(
    floor: dict[str, Any],
) -> None:
    http, agent = floor["http"], floor["agent"]
    campaign = campaign_create(team=floor["team"], mode=Campaign.Mode.PREVIEW)
    who = ohio_debtor_create()
    entry = entry_create(campaign, who)
    agent_login(agent_id=agent.pk, campaign_id=campaign.pk)
    agent_ready(agent_id=agent.pk)
    page = http.get("/dialer/").content.decode()
    assert "CARD-1" in page
    assert "Pat Doe1" in page
    assert "+16142250123" not in page  # masked
    assert "0123" in page
    dialled = http.post("/dialer/preview/dial/", {"entry_id": entry.pk}, headers=HTMX)
    call = Call.objects.get(hopper_entry=entry)
    assert dialled["HX-Redirect"] == f"/accounts/{who.card.pk}/?call={call.pk}"
    assert (call.state, call.agent_id) == (Call.State.QUEUED, agent.pk)
    assert _state(agent) == AgentSession.State.RESERVED


def test_a_preview_dial_the_gate_refuses_shows_the_rule_and_when(
    floor: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    http, agent = floor["http"], floor["agent"]
    campaign = campaign_create(team=floor["team"], mode=Campaign.Mode.PREVIEW)
    entry = entry_create(campaign, ohio_debtor_create())
    agent_login(agent_id=agent.pk, campaign_id=campaign.pk)
    agent_ready(agent_id=agent.pk)
    monkeypatch.setattr(clock, "now", lambda: NOON + timedelta(hours=9, minutes=30))
    refused = http.post("/dialer/preview/dial/", {"entry_id": entry.pk}, headers=HTMX)
    text = refused.content.decode()
    assert 'data-testid="dialer-error"' in text
    assert "Not allowed now" in text
    assert "regf.inconvenient_time.8am_9pm_local" in text
    assert "It will not be dialled today." in text  # 21:30 in Columbus: not lawful again today
    assert _state(agent) == AgentSession.State.READY


def test_the_account_screen_shows_the_agents_dialer_call_and_the_guided_call_for_its_attempt(
    floor: dict[str, Any],
) -> None:
    http = floor["http"]
    who = ohio_debtor_create()
    call = _connected(floor, who)
    page = http.get(f"/accounts/{who.card.pk}/?call={call.pk}").content.decode()
    assert 'data-testid="dialer-call"' in page
    assert f"/dialer/accounts/{who.card.pk}/call/guided/" in page
    assert "desk/dialer.js" in page
    panel = http.get(f"/dialer/accounts/{who.card.pk}/call/", headers=HTMX).content.decode()
    assert "•" in panel and "0123" in panel and "+16142250123" not in panel
    assert 'data-testid="dialer-call-state">Connected' in panel
    assert f'data-attempt-id="{call.attempt_id}"' in panel
    guided = http.get(f"/dialer/accounts/{who.card.pk}/call/guided/", headers=HTMX)
    assert b'data-testid="rpv-form"' in guided.content
    assert f'name="attempt_id" value="{call.attempt_id}"'.encode() in guided.content
    # Another account of the same debtor: no dialer call there.
    other = http.get(f"/accounts/{who.loan.pk}/").content.decode()
    assert 'data-testid="dialer-call"' not in other


def test_the_outcome_is_the_dialers_and_discussing_the_debt_needs_verification(
    floor: dict[str, Any],
) -> None:
    http, agent = floor["http"], floor["agent"]
    who = ohio_debtor_create()
    call = _connected(floor, who)
    url = f"/dialer/accounts/{who.card.pk}/call/outcome/"
    form = {"attempt_id": str(call.attempt_id), "disposition": "promise_to_pay"}
    refused = http.post(url, form, headers=HTMX)
    assert b"verify the right party first" in refused.content
    assert Call.objects.get(pk=call.pk).state == Call.State.CONNECTED
    verified = {**form, "name_confirmed": "on", "fact": "postal_code", "note": "pays Friday"}
    # Still on the line: hung up first, the outcome asked again once the line is free.
    first = http.post(url, verified, headers=HTMX)
    assert b"record its outcome again once the line is free" in first.content
    assert b'data-testid="rpv-done"' in first.content  # the verification is kept
    waiting = Call.objects.get(pk=call.pk)
    assert (waiting.state, waiting.outcome, waiting.hangup_requested) == ("connected", "", True)
    Call.objects.filter(pk=call.pk).update(ended_at=NOON)  # the dialer hung it up
    recorded = http.post(url, verified, headers=HTMX)
    assert b'data-testid="call-recorded"' in recorded.content
    assert recorded["HX-Trigger"] == "solvent:contact-recorded"
    closed = Call.objects.get(pk=call.pk)
    assert (closed.state, closed.outcome) == (Call.State.ENDED, Call.Outcome.CONNECTED)
    interaction = Interaction.objects.get(pk=closed.interaction_id)
    assert interaction.disposition == "promise_to_pay"
    assert interaction.agent_id == agent.pk
    assert "RPV: full name + postal code" in interaction.summary
    assert "pays Friday" in interaction.summary
    assert _state(agent) == AgentSession.State.WRAP_UP
    again = http.post(url, verified, headers=HTMX)
    assert b"already has its outcome" in again.content
    assert Interaction.objects.filter(compliance_attempt_id=call.attempt_id).count() == 1
    # Ready for the next call: back to the dialer page; the account shows no dialer call.
    done = http.post("/dialer/wrap-up/done/", headers=HTMX)
    assert done["HX-Redirect"] == "/dialer/"
    assert _state(agent) == AgentSession.State.READY
    assert Call.objects.get(pk=call.pk).wrap_up_ended_at == NOON
    page = http.get(f"/accounts/{who.card.pk}/").content.decode()
    assert 'data-testid="dialer-call"' not in page


def test_a_wrong_number_from_the_desk_is_the_calls_outcome(floor: dict[str, Any]) -> None:
    http = floor["http"]
    who = ohio_debtor_create()
    call = _connected(floor, who)
    Call.objects.filter(pk=call.pk).update(ended_at=NOON)  # the far end hung up first
    http.post(
        f"/dialer/accounts/{who.card.pk}/call/outcome/",
        {"attempt_id": str(call.attempt_id), "disposition": "wrong_number"},
        headers=HTMX,
    )
    closed = Call.objects.get(pk=call.pk)
    assert closed.outcome == Call.Outcome.WRONG_NUMBER
    assert not closed.hangup_requested
    assert Interaction.objects.get(pk=closed.interaction_id).disposition == "wrong_number"


def test_hang_up_asks_the_dialer_to_end_the_call(floor: dict[str, Any]) -> None:
    http = floor["http"]
    who = ohio_debtor_create()
    call = _connected(floor, who)
    panel = http.post(f"/dialer/accounts/{who.card.pk}/call/hangup/", headers=HTMX)
    assert b"Hanging up" in panel.content
    assert Call.objects.get(pk=call.pk).hangup_requested


def test_the_dialer_call_panel_costs_a_few_queries(floor: dict[str, Any]) -> None:
    http = floor["http"]
    who = ohio_debtor_create()
    _connected(floor, who)
    url = f"/dialer/accounts/{who.card.pk}/call/"
    http.get(url, headers=HTMX)
    with CaptureQueriesContext(connection) as panel:
        assert http.get(url, headers=HTMX).status_code == 200
    with CaptureQueriesContext(connection) as state:
        assert http.get("/dialer/state/", headers=HTMX).status_code in (200, 204)
    assert len(panel.captured_queries) <= 10, [q["sql"] for q in panel.captured_queries]
    assert len(state.captured_queries) <= 10, [q["sql"] for q in state.captured_queries]


def test_an_account_screen_without_a_dialer_call_asks_the_dialer_one_query_and_shows_nothing(
    floor: dict[str, Any],
) -> None:
    http = floor["http"]
    who = ohio_debtor_create()
    with CaptureQueriesContext(connection) as page:
        response = http.get(f"/accounts/{who.card.pk}/")
    assert response.status_code == 200
    dialer = [q["sql"] for q in page.captured_queries if '"dialer_call"' in q["sql"]]
    assert len(dialer) == 1, dialer
    assert b'data-testid="dialer-call"' not in response.content
    assert b"desk/dialer.js" not in response.content


def test_the_guided_calls_own_outcome_refuses_a_dialer_call(floor: dict[str, Any]) -> None:
    """Without desk/dialer.js the guided panel's form posts to its own view: it refuses the
    dialer's call (recorded there, the call would stay up with its agent booked, and the dialer's
    own outcome would write the history twice)."""
    http = floor["http"]
    who = ohio_debtor_create()
    call = _connected(floor, who)
    Call.objects.filter(pk=call.pk).update(ended_at=NOON)
    form = {
        "attempt_id": str(call.attempt_id),
        "disposition": "promise_to_pay",
        "name_confirmed": "on",
        "fact": "postal_code",
    }
    refused = http.post(f"/accounts/{who.card.pk}/call/outcome/", form, headers=HTMX)
    assert b"This call came from the dialer" in refused.content
    assert Interaction.objects.filter(compliance_attempt_id=call.attempt_id).count() == 0
    assert Call.objects.get(pk=call.pk).state == Call.State.CONNECTED
