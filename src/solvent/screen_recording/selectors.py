"""Reads of screen recordings: who may watch one, a call's recordings, a replay's timeline.

Who watches (ADR 0043): supervisors, compliance officers and admins, a recording of an account
they see; the agent, their own recordings; nobody else. A recording on an account the person does
not see is "not found" (as any record of another client), before the role's refusal. A recording
with no account (the dialer page) is seen by its agent and the agency-wide roles only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User

from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.dialer.models import Call, Recording
from solvent.dialer.services.recordings import RECORDING_LISTEN_ROLES, recording_may_listen
from solvent.portfolio.access import access_account_by_id
from solvent.screen_recording.domain.timeline import Alignment, timeline_align
from solvent.screen_recording.models import ScreenRecording

# Who watches any recording of an account they see: who listens to the calls' audio.
SCREEN_WATCH_ROLES = RECORDING_LISTEN_ROLES
_AGENCY_WIDE = frozenset({Role.ADMIN, Role.COMPLIANCE_OFFICER})


def _may_watch(user: User | AnonymousUser, recording: ScreenRecording) -> bool:
    role = staff_role_get(user=user)
    if role in SCREEN_WATCH_ROLES:
        return True
    return role == Role.AGENT and recording.agent_id == user.pk


def screen_recording_access(*, user: User | AnonymousUser, recording_id: int) -> ScreenRecording:
    """The recording, for a person who may watch it: NotFoundError for a missing one or one on an
    account they do not see, PermissionDeniedError for a role that does not watch it."""
    recording = (
        ScreenRecording.objects.select_related("call", "agent").filter(pk=recording_id).first()
    )
    if recording is None:
        raise NotFoundError(f"screen recording {recording_id} not found")
    if recording.account_id is not None:
        access_account_by_id(user=user, account_id=recording.account_id)
    elif recording.agent_id != user.pk and staff_role_get(user=user) not in _AGENCY_WIDE:
        raise NotFoundError(f"screen recording {recording_id} not found")
    if not _may_watch(user, recording):
        raise PermissionDeniedError("your role does not watch other agents' screens")
    return recording


def screen_recordings_for_call(
    *, user: User | AnonymousUser, call_id: int
) -> list[ScreenRecording]:
    """The screen recordings tied to a call, for a person who may review it (else [])."""
    call = Call.objects.filter(pk=call_id).only("pk", "account_id").first()
    if call is None:
        return []
    try:
        access_account_by_id(user=user, account_id=call.account_id)
    except NotFoundError:
        return []
    recordings = (
        ScreenRecording.objects.filter(call_id=call.pk)
        .select_related("agent")
        .order_by("started_at", "pk")
    )
    return [recording for recording in recordings if _may_watch(user, recording)]


@dataclass(frozen=True)
class Replay:
    """A recording as the replay shows it: the call's moments on its timeline, and the call's
    audio when the person may listen to it."""

    recording: ScreenRecording
    call: Call | None
    alignment: Alignment
    audio: Recording | None


def screen_replay_get(*, user: User | AnonymousUser, recording: ScreenRecording) -> Replay:
    """The replay of a recording already checked by ``screen_recording_access``."""
    call = recording.call
    audio = None
    moments: list[tuple[str, datetime | None]] = []
    if call is not None:
        moments = [
            ("Dialled", call.started_at),
            ("Ringing", call.ringing_at),
            ("Answered", call.answered_at),
            ("Connected to the agent", call.connected_at),
            ("Call ended", call.ended_at),
            ("Wrap-up done", call.wrap_up_ended_at),
        ]
        if recording_may_listen(user=user, call_agent_id=call.agent_id):
            audio = (
                Recording.objects.filter(call_id=call.pk, deleted_at__isnull=True)
                .order_by("created_at")
                .first()
            )
    alignment = timeline_align(
        first_event_ms=recording.first_event_ms,
        last_event_ms=recording.last_event_ms,
        call_moments=moments,
        audio_start=(call.connected_at or call.answered_at or call.started_at) if call else None,
    )
    return Replay(recording=recording, call=call, alignment=alignment, audio=audio)
