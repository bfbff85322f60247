"""Closing what a dead dialer process left: its calls, its agents' sessions, its hopper entries.

A dialer process holds its calls' audio and signalling itself, so when it dies every call it had up
died with it. The process that takes the campaign over (``engine.Dialer``: a stale heartbeat, or a
restart under the same runner name) calls ``campaign_recover`` before it dials anything:

- a call never answered (dialling, ringing) is closed "interrupted" (the history records no
  answer, with "the dialer stopped during the call");
- a call a person answered that no agent took is closed "abandoned": it counts against the
  abandon budget, as the law counts it (a machine's answer is closed "interrupted");
- a call connected to an agent is left for the agent's disposition (the agent heard it): its end
  is stamped and the agent's session put to wrap-up, where the desk (or a bot) records the outcome;
- a hopper entry taken for dialling whose call was never written goes back to waiting;
- an agent reserved or talking with a call that is over goes to wrap-up (or ready when the call
  never reached them).

Calls QUEUED by a preview dial were never dialled: the new process dials them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef

from solvent.audit.services import audit_record
from solvent.dialer.models import AgentSession, Call, HopperEntry
from solvent.dialer.services.calls import call_outcome_record

# An entry DIALLING without a live call this long is orphaned, for the periodic check of a running
# process (taking an entry and writing its call are one pass of the engine, milliseconds apart). At a takeover no wait is needed: the dead process was the only one taking entries for
# dialling in two steps (an agent's preview dial takes and authorises in one transaction).
ORPHANED_ENTRY_SECONDS = 10
SYSTEM = "dialer"

_UNANSWERED = (Call.State.DIALLING, Call.State.RINGING)
_LIVE = (Call.State.DIALLING, Call.State.RINGING, Call.State.ANSWERED, Call.State.CONNECTED)


@dataclass(frozen=True)
class Recovery:
    """What the recovery closed: the counts go to the audit entry and the dialer's log."""

    interrupted: int = 0
    abandoned: int = 0
    to_wrap_up: int = 0
    entries_back: int = 0
    sessions_freed: int = 0

    @property
    def anything(self) -> bool:
        return any(
            (
                self.interrupted,
                self.abandoned,
                self.to_wrap_up,
                self.entries_back,
                self.sessions_freed,
            )
        )


def campaign_recover(*, campaign_id: int, now: datetime, runner: str = "") -> Recovery:
    """Close every call of the campaign a dead process left up (see the module docstring).

    Each call is closed by ``call_outcome_record`` in its own transaction (idempotent: a call
    closed already is left alone), so a process killed during recovery is recovered in turn.
    """
    interrupted = abandoned = to_wrap_up = 0
    calls = list(
        Call.objects.filter(campaign_id=campaign_id, state__in=_LIVE)
        .order_by("pk")
        .values_list("pk", "state", "answered_by_person", "ended_at")
    )
    for call_id, state, by_person, ended_at in calls:
        if state == Call.State.CONNECTED:
            if ended_at is None:
                to_wrap_up += _connected_call_end(call_id, now)
            continue
        if state == Call.State.ANSWERED and by_person is not False:
            call_outcome_record(call_id=call_id, outcome=Call.Outcome.ABANDONED, at=now)
            abandoned += 1
        else:
            call_outcome_record(call_id=call_id, outcome=Call.Outcome.INTERRUPTED, at=now)
            interrupted += 1
    sessions = sessions_release(campaign_id=campaign_id, now=now)
    entries = orphaned_entries_return(campaign_id=campaign_id, now=now, older_than_seconds=0)
    recovery = Recovery(
        interrupted=interrupted,
        abandoned=abandoned,
        to_wrap_up=to_wrap_up,
        entries_back=entries,
        sessions_freed=sessions,
    )
    if recovery.anything:
        audit_record(
            action="dialer.campaign_recovered",
            object_type="dialer.Campaign",
            object_id=campaign_id,
            data={
                "runner": runner,
                "interrupted": interrupted,
                "abandoned": abandoned,
                "to_wrap_up": to_wrap_up,
                "entries_back": entries,
                "sessions_freed": sessions,
            },
            system=SYSTEM,
        )
    return recovery


def _connected_call_end(call_id: int, now: datetime) -> int:
    with transaction.atomic():
        ended = Call.objects.filter(
            pk=call_id, state=Call.State.CONNECTED, ended_at__isnull=True
        ).update(ended_at=now)
        AgentSession.objects.filter(
            call_id=call_id,
            logged_out_at__isnull=True,
            state__in=(AgentSession.State.RESERVED, AgentSession.State.TALKING),
        ).update(state=AgentSession.State.WRAP_UP, state_since=now)
    return ended


def sessions_release(*, campaign_id: int, now: datetime) -> int:
    """Agents shown on a call that is over: to wrap-up when the call reached them (they record
    its outcome), else ready again (a preview dial nobody answered, a reservation never used)."""
    freed = 0
    with transaction.atomic():
        stuck = list(
            AgentSession.objects.select_for_update()
            .filter(
                campaign_id=campaign_id,
                logged_out_at__isnull=True,
                state__in=(AgentSession.State.RESERVED, AgentSession.State.TALKING),
            )
            .values_list("pk", "call_id")
        )
        if not stuck:
            return 0
        calls = {
            pk: (state, connected, ended)
            for pk, state, connected, ended in Call.objects.filter(
                pk__in=[call for _, call in stuck if call is not None]
            ).values_list("pk", "state", "connected_at", "ended_at")
        }
        for session_id, call_id in stuck:
            state, connected, ended = calls.get(call_id, (None, None, None))
            if state == Call.State.QUEUED or (state in _LIVE and ended is None):
                continue  # still going (or about to be dialled): nothing to release
            target = AgentSession.State.WRAP_UP if connected else AgentSession.State.READY
            freed += AgentSession.objects.filter(pk=session_id).update(
                state=target, state_since=now, **({} if connected else {"call": None})
            )
    return freed


def orphaned_entries_return(
    *, campaign_id: int, now: datetime, older_than_seconds: float = ORPHANED_ENTRY_SECONDS
) -> int:
    """Entries taken for dialling whose call was never written (a process died between taking
    them and the gate's answer) go back to waiting."""
    live_call = Call.objects.filter(hopper_entry_id=OuterRef("pk")).exclude(state=Call.State.ENDED)
    return (
        HopperEntry.objects.filter(
            campaign_id=campaign_id,
            status=HopperEntry.Status.DIALLING,
            updated_at__lte=now - timedelta(seconds=older_than_seconds),
        )
        .filter(~Exists(live_call))
        .update(status=HopperEntry.Status.WAITING, not_before=now, updated_at=now)
    )
