"""The whole dialer over SIP: the dialer process (the engine) with ``SipTelephony`` dials a
debtor's real SIP phone (a baresip user agent answering for the debtor's number), detection hears a
person, the call is bridged to the softphone the agent logged in with (another baresip) and
recorded; the agent disposes it as the desk would, and the call ends in the contact history with its
recording registered.

One call, about 10 seconds: the loopback scenario (test_sip_loopback.py) covers the cases; this
proves the pieces fit.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User

from solvent.contact.models import Interaction
from solvent.core import clock
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.dialer.adapters.recordings import LocalRecordingStore
from solvent.dialer.adapters.sip import SipConfig, SipTelephony
from solvent.dialer.engine import Dialer
from solvent.dialer.models import AgentSession, Call, Campaign, Recording
from solvent.dialer.prompts import speak
from solvent.dialer.services.agents import agent_login, agent_ready
from solvent.dialer.services.calls import call_outcome_record
from solvent.dialer.sip.wav import write_pcm
from tests.compliance.services.compliance_fixtures import MOBILE
from tests.dialer.engine.engine_world import CAMPAIGN, campaign_world, ticking_clock
from tests.dialer.sip.baresip import Baresip, require_tools

pytestmark = pytest.mark.django_db


def test_the_dialer_calls_a_sip_phone_bridges_the_person_to_an_agent_and_keeps_the_recording(
    tmp_path, monkeypatch
):
    require_tools()
    monkeypatch.setattr(clock, "now", ticking_clock())
    speech = speak("Hello?") + bytes(16000) + speak("Yes, this is Jordan.") + bytes(3 * 16000)
    write_pcm(tmp_path / "debtor.wav", speech)
    write_pcm(tmp_path / "agent.wav", speak("Good morning, Jordan.") + bytes(30 * 16000))
    debtor = Baresip(tmp_path, MOBILE, tmp_path / "debtor.wav")  # answers for the number
    agent = Baresip(tmp_path, "agent", tmp_path / "agent.wav")
    for phone in (debtor, agent):
        phone.start()
    telephony = None
    try:
        for phone in (debtor, agent):
            phone.wait_ready(time.monotonic() + 10)
        campaign = campaign_world(1, mode=Campaign.Mode.PROGRESSIVE)
        store = LocalRecordingStore(tmp_path / "recordings")
        telephony = SipTelephony(
            SipConfig(port=0, dial_uri=f"sip:{{number}}@127.0.0.1:{debtor.port}"),
            recording_store=store,
        )
        sam = User.objects.create(username="sam", first_name="Sam")
        staff_role_set(user=sam, role=Role.AGENT)
        assert campaign.team is not None
        campaign.team.members.add(sam)
        agent_login(agent_id=sam.pk, campaign_id=campaign.pk, endpoint=agent.uri)
        agent_ready(agent_id=sam.pk)
        dialer = Dialer(telephony, campaign_keys=[CAMPAIGN], runner="sip-1", speed=1.0)
        deadline = time.monotonic() + 40

        def done() -> bool:
            ended = Call.objects.filter(campaign=campaign, state=Call.State.ENDED)
            return ended.exists() and Recording.objects.filter(call__in=ended).exists()

        while not done():
            assert time.monotonic() < deadline, f"the call did not end: {dialer.figures}"
            dialer.tick(wait=0.02)
            session = AgentSession.objects.get(agent_id=sam.pk, logged_out_at__isnull=True)
            if session.state == AgentSession.State.WRAP_UP and session.call_id is not None:
                call_outcome_record(  # what the agent's desk records after the conversation
                    call_id=session.call_id,
                    outcome=Call.Outcome.CONNECTED,
                    agent_id=sam.pk,
                    disposition="right_party_contact",
                )
        dialer.stop()
    finally:
        if telephony is not None:
            telephony.close()
        for phone in (debtor, agent):
            phone.stop()

    call = Call.objects.get(campaign=campaign)
    assert call.outcome == Call.Outcome.CONNECTED and call.agent_id == sam.pk
    assert call.answered_by_person is True and call.connected_at and call.ended_at
    assert call.interaction_id is not None
    assert Interaction.objects.get(pk=call.interaction_id).compliance_attempt_id == call.attempt_id
    recording = Recording.objects.get(call=call)
    with store.open(recording.ref) as file:
        assert len(file.read()) > 2 * 16000  # seconds of both voices, not an empty file
    assert "Call established" in agent.log_text()
