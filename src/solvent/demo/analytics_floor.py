"""The demo history's floor: the agents' dialling sessions, their calls as the dialer keeps them,
and a few recorded conversations a supervisor can score.

A day's calls are made in *sessions*: an agent logs in to a campaign, dials account after account
(ring, talk, wrap-up), logs out. Sessions start at different hours on different days, so over a
year every lawful local hour of the week is tried, and RPC per hour and occupancy have their
denominators (``AgentSession`` logged in/out; ``Call`` with its talk and wrap-up times).

The history's calls are the agent's own dials from preview (``Call.preview``): a person who
answers is with the agent at once, so none is abandoned and the campaigns' abandon figures only
gain answered calls. The rows are written in bulk once the gate has authorised each call and its
outcome is in the contact history (each call's Interaction and ledger attempt are named on it).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from solvent.audit.services import audit_record
from solvent.dialer.models import AgentSession, Call, Campaign

_OUTCOMES = {
    "no_answer": Call.Outcome.NO_ANSWER,
    "busy": Call.Outcome.BUSY,
    "answering_machine": Call.Outcome.MACHINE,
    "voicemail_left": Call.Outcome.VOICEMAIL_LEFT,
    "wrong_number": Call.Outcome.WRONG_NUMBER,
}
# Sessions a day (each a block of one agent's dialling) and how long an agent waits between calls.
SESSION_GAP = timedelta(seconds=20)
LOGIN_BEFORE = timedelta(minutes=4)
LOGOUT_AFTER = timedelta(minutes=6)


@dataclass(slots=True)
class PlannedCall:
    """One call of a session, its moments fixed before the gate is asked (the gate may refuse)."""

    account_id: int
    debtor_id: int
    phone: str
    campaign_id: int
    agent_id: int
    disposition: str
    started: datetime
    answered: datetime | None
    ended: datetime
    wrap_end: datetime | None
    attempt_id: int | None = None
    decision_log_id: int | None = None
    interaction_id: int | None = None
    refused: bool = False


def call_timing(
    rng: random.Random, start: datetime, disposition: str
) -> tuple[datetime | None, datetime, datetime | None]:
    """(answered, ended, wrap-up ended) of a call dialled at ``start`` with this outcome."""
    ring = timedelta(seconds=rng.randrange(4, 18))
    if disposition in ("no_answer",):
        return None, start + timedelta(seconds=25), None
    if disposition == "busy":
        return None, start + timedelta(seconds=6), None
    answered = start + ring
    if disposition in ("answering_machine", "voicemail_left"):
        return answered, answered + timedelta(seconds=rng.randrange(15, 35)), None
    if disposition == "third_party":
        talk = rng.randrange(25, 90)
    elif disposition == "promise_to_pay":
        talk = rng.randrange(300, 780)
    else:
        talk = rng.randrange(90, 480)
    ended = answered + timedelta(seconds=talk)
    return answered, ended, ended + timedelta(seconds=rng.randrange(25, 120))


def calls_write(calls: Sequence[PlannedCall]) -> list[Call]:
    """The day's made calls as ``Call`` rows (refused ones were never dialled: no row)."""
    rows = []
    for call in calls:
        if call.refused or call.attempt_id is None:
            continue
        person = call.disposition not in _OUTCOMES and call.answered is not None
        rows.append(
            Call(
                campaign_id=call.campaign_id,
                account_id=call.account_id,
                debtor_id=call.debtor_id,
                phone=call.phone,
                preview=True,
                attempt_id=call.attempt_id,
                decision_log_id=call.decision_log_id,
                state=Call.State.ENDED,
                outcome=Call.Outcome.CONNECTED if person else _OUTCOMES[call.disposition],
                answered_by_person=person if call.answered else None,
                agent_id=call.agent_id,
                started_at=call.started,
                ringing_at=call.started + timedelta(seconds=2),
                answered_at=call.answered,
                connected_at=call.answered if person else None,
                ended_at=call.ended,
                wrap_up_ended_at=call.wrap_end,
                interaction_id=call.interaction_id,
                detail="demo history",
            )
        )
    return Call.objects.bulk_create(rows, batch_size=500)


def sessions_write(sessions: Sequence[tuple[int, int, datetime, datetime]]) -> int:
    """(agent, campaign, first dial, last end) blocks as logged-out ``AgentSession`` rows."""
    rows = [
        AgentSession(
            campaign_id=campaign_id,
            agent_id=agent_id,
            state=AgentSession.State.LOGGED_OUT,
            state_since=last + LOGOUT_AFTER,
            logged_in_at=first - LOGIN_BEFORE,
            logged_out_at=last + LOGOUT_AFTER,
        )
        for agent_id, campaign_id, first, last in sessions
    ]
    AgentSession.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def floor_audit(*, day: str, calls: int, sessions: int) -> None:
    audit_record(
        action="demo.floor_day",
        object_type="dialer.call",
        data={"day": day, "calls": calls, "sessions": sessions},
        system="solvent demo: a past day's dialling sessions (calls authorised by the gate)",
    )


def campaigns_by_key() -> dict[str, int]:
    return dict(Campaign.objects.values_list("key", "pk"))
