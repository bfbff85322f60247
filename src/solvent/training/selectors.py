"""Reads of the practice floor: a trainee's sessions, one session, and who may see it.

A session is its trainee's. A supervisor who shares a team with the trainee may read it (to coach
from it) but never act in it; anyone else is told it does not exist, "missing" and "not yours"
alike. Nothing here reads a real account: a practice session's world is its own JSON.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User

from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.training.domain.practice import Line, transcript_lines
from solvent.training.domain.scoring import Scored, practice_answers
from solvent.training.domain.state import World, world_from_json
from solvent.training.models import PracticeSession

AnyUser = User | AnonymousUser
# Who practises: new agents, and supervisors who want to try it (ADR 0044).
PRACTICE_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})
RECENT_SESSIONS = 20


def practice_session_list(*, user: AnyUser, limit: int = RECENT_SESSIONS) -> list[PracticeSession]:
    """The user's own sessions, newest first, with their reviews."""
    if not user.is_authenticated:
        return []
    return list(
        PracticeSession.objects.filter(trainee_id=user.pk)
        .select_related("review")
        .order_by("-started_at", "-pk")[:limit]
    )


def practice_team_session_list(
    *, user: AnyUser, limit: int = RECENT_SESSIONS
) -> list[PracticeSession]:
    """For a supervisor: the recent sessions of the people who share a team with them (not their
    own), newest first; empty for any other role."""
    if not user.is_authenticated or staff_role_get(user=user) != Role.SUPERVISOR:
        return []
    teammates = User.objects.filter(teams__members=user.pk).exclude(pk=user.pk).values("pk")
    return list(
        PracticeSession.objects.filter(trainee_id__in=teammates)
        .select_related("review", "trainee")
        .order_by("-started_at", "-pk")[:limit]
    )


def practice_session_get(
    *, user: AnyUser, session_id: int, for_write: bool = False
) -> PracticeSession:
    """One session: its trainee's; readable by a supervisor of the trainee's team. NotFoundError
    for anyone else (or none); PermissionDeniedError when a supervisor would act in it."""
    session = (
        PracticeSession.objects.select_related("review", "trainee").filter(pk=session_id).first()
    )
    if session is None or not user.is_authenticated:
        raise NotFoundError(f"practice session {session_id} not found")
    if session.trainee_id == user.pk:
        return session
    coach = staff_role_get(user=user) == Role.SUPERVISOR and (
        User.objects.filter(pk=session.trainee_id, teams__members=user.pk).exists()
    )
    if not coach:
        raise NotFoundError(f"practice session {session_id} not found")
    if for_write:
        raise PermissionDeniedError("only the trainee works their practice session")
    return session


def practice_world(*, session: PracticeSession) -> World:
    return world_from_json(session.state)


def practice_transcript(*, session: PracticeSession) -> list[Line]:
    transcript: list[dict[str, Any]] = session.transcript
    return transcript_lines(transcript)


def practice_score(*, session: PracticeSession, ended_on_call: bool) -> Scored:
    """The scorecard answers of the session's transcript, with why (the result page shows both)."""
    return practice_answers(practice_transcript(session=session), ended_on_call=ended_on_call)
