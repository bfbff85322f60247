"""A recorded call for the QA tests, on the dialer supervision tests' small floor
(tests/desk/dialer_supervision_world.py: Acme's supervisor sue, agents ann and abe, client viewer
cora; Globex's supervisor gil; the compliance officer cleo and the admin ada)."""

from __future__ import annotations

from datetime import datetime, timedelta

from solvent.dialer.adapters.recordings import recording_store
from solvent.dialer.models import Call, Campaign, Recording
from solvent.dialer.services.recordings import recording_register
from solvent.portfolio.models import Account
from tests.desk.dialer_supervision_world import call_create

WAV = b"RIFF" + bytes(range(256)) * 4

ALL_YES = {
    "right_party_verified": "yes",
    "disclosure_given": "yes",
    "no_threats": "yes",
    "affordability_considered": "yes",
    "accurate_information": "yes",
    "outcome_recorded": "yes",
    "professional_tone": "yes",
}


def recorded_call(
    campaign: Campaign, account: Account, agent: object, started_at: datetime
) -> tuple[Call, Recording]:
    """A connected call the agent took, with its Interaction and a recording in the store."""
    call = call_create(
        campaign,
        account,
        started_at=started_at,
        agent=agent,  # type: ignore[arg-type]
        outcome="connected",
        answered_by_person=True,
        with_interaction=True,
    )
    store = recording_store()
    ref = store.new_ref(f"call-{call.pk}")
    store.write(ref, WAV)
    recording = recording_register(call_id=call.pk, ref=ref, seconds=42.0, size_bytes=len(WAV))
    call.refresh_from_db()
    return call, recording


def later(moment: datetime, minutes: int) -> datetime:
    return moment + timedelta(minutes=minutes)
