"""The desk with the real dialer process: the engine (dialer/engine.py) on simulated telephony dials
a predictive campaign, connects the answered call to the agent who went ready from the desk, the
desk's poll pops the account, the agent hangs up from the desk and the engine ends the line, the
guided call's outcome is recorded by the dialer, and the agent is ready for the next call. Every step waits on the rows (no sleeps), within 20 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.contact.models import Interaction
from solvent.core import clock
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.dialer.adapters.simulated import SimulatedScenario, SimulatedTelephony
from solvent.dialer.engine import Dialer
from solvent.dialer.models import AgentSession, Call
from tests.dialer.engine.engine_world import CAMPAIGN, campaign_world, ticking_clock

pytestmark = pytest.mark.django_db

SEED = 14
# Simulated seconds per wall second: the engine's 2-second grace before an abandon is 0.2 s of
# wall time, room enough on a loaded machine for the desk's poll between two ticks.
SPEED = 10.0
HTMX = {"HX-Request": "true"}
EVERYONE_ANSWERS = SimulatedScenario(
    person_answers=1.0, machine_answers=0.0, busy=0.0, not_in_service=0.0, mean_talk_seconds=600
)


def _until(dialer: Dialer, done: Callable[[], object], seconds: float = 20) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        dialer.tick(wait=0.005)
        answer = done()
        if answer:
            return answer
    calls = list(Call.objects.values_list("pk", "state", "outcome", "agent_id"))
    sessions = list(AgentSession.objects.values_list("agent_id", "state", "call_id"))
    raise AssertionError(f"not done in {seconds} s: {dialer.figures} {calls} {sessions}")


def test_the_dialer_pops_its_call_on_the_agents_desk_and_records_the_desks_outcome(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clock, "now", ticking_clock())
    campaign = campaign_world(1)
    agent = User.objects.create_user(username="alex")
    staff_role_set(user=agent, role=Role.AGENT)
    campaign.team.members.add(agent)  # type: ignore[union-attr]
    http = HttpClient()
    http.force_login(agent)
    assert http.post("/dialer/login/", {"campaign": campaign.pk}).status_code == 302
    assert http.post("/dialer/ready/").status_code == 302
    print(f"simulated telephony seed {SEED}")  # noqa: T201 - the seed of what is random

    telephony = SimulatedTelephony(EVERYONE_ANSWERS, seed=SEED, speed=SPEED)
    dialer = Dialer(telephony, campaign_keys=[CAMPAIGN], runner="desk-test", speed=SPEED)
    try:

        def popped() -> str:
            answer = http.get("/dialer/state/?seen=", headers=HTMX)
            return str(answer.get("HX-Redirect", ""))

        screen = str(_until(dialer, popped))
        call = Call.objects.get(agent=agent)
        assert screen == f"/accounts/{call.account_id}/?call={call.pk}"
        assert call.state == Call.State.CONNECTED
        assert telephony.connects == 1

        guided = http.get(f"/dialer/accounts/{call.account_id}/call/guided/", headers=HTMX)
        assert f'name="attempt_id" value="{call.attempt_id}"'.encode() in guided.content
        # The agent hangs up from the desk; the dialer ends the line and keeps the call for
        # the agent's outcome.
        http.post(f"/dialer/accounts/{call.account_id}/call/hangup/", headers=HTMX)
        _until(dialer, lambda: Call.objects.get(pk=call.pk).ended_at is not None)
        recorded = http.post(
            f"/dialer/accounts/{call.account_id}/call/outcome/",
            {
                "attempt_id": str(call.attempt_id),
                "name_confirmed": "on",
                "fact": "postal_code",
                "disposition": "right_party_contact",
            },
            headers=HTMX,
        )
        assert b'data-testid="call-recorded"' in recorded.content
        call.refresh_from_db()
        assert (call.state, call.outcome) == (Call.State.ENDED, Call.Outcome.CONNECTED)
        assert Interaction.objects.get(pk=call.interaction_id).disposition == "right_party_contact"
        # The dialer's ticks after the outcome leave the agent in wrap-up until they are done.
        for _ in range(20):
            dialer.tick(wait=0.005)
        session = AgentSession.objects.get(agent=agent, logged_out_at__isnull=True)
        assert session.state == AgentSession.State.WRAP_UP
        done = http.post("/dialer/wrap-up/done/", headers=HTMX)
        assert done["HX-Redirect"] == "/dialer/"
        session.refresh_from_db()
        assert (session.state, session.call_id) == (AgentSession.State.READY, None)
    finally:
        dialer.stop()
