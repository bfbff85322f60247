"""The practice floor's desk pages (issue 16 item 7, docs/adr/0044-practice-floor.md).

/practice/                       the scenarios and the trainee's past sessions with their scores
/practice/start/                 a new session (scenario, optional seed) -> its desk
/practice/<id>/                  the practice desk: the simulated account, the debtor's local time,
                                 the contact history, the script panel, the transcript and coaching
/practice/<id>/act/              one action: the desk partial (HTMX) or the whole page
/practice/<id>/finish/           end and score the session -> its result
/practice/<id>/result/           the score, each scorecard item with why, the coaching given

Thin: the role first (agents and supervisors), then the session through
``training.selectors.practice_session_get`` (a session not theirs is 404; a supervisor of the
trainee's team reads it but may not act, 403), then one service.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from solvent.core.domain.errors import ValidationError
from solvent.desk.roles import desk_view
from solvent.quality.domain.scorecard import DEFAULT_SCORECARD, PASS_MARK
from solvent.training.domain.actions import ACTIONS, DISPOSITIONS
from solvent.training.domain.coaching import local_time
from solvent.training.domain.practice import Line
from solvent.training.domain.scenarios import SCENARIO_BY_KEY, SCENARIOS
from solvent.training.domain.state import World
from solvent.training.models import PracticeSession
from solvent.training.selectors import (
    PRACTICE_ROLES,
    practice_score,
    practice_session_get,
    practice_session_list,
    practice_team_session_list,
    practice_transcript,
    practice_world,
)
from solvent.training.services import (
    practice_session_act,
    practice_session_finish,
    practice_session_start,
)

HOME = "desk/practice/home.html"
SESSION = "desk/practice/session.html"
DESK = "desk/practice/desk.html"
RESULT = "desk/practice/result.html"
_OUTCOME_LABELS = {
    "no_answer": "No answer",
    "voicemail": "Voicemail (about the debt)",
    "limited_content_message": "Limited-content voicemail",
    "right_party_conversation": "Right-party conversation",
    "third_party_conversation": "Someone answered",
}


@desk_view(PRACTICE_ROLES)
@require_GET
def practice_home(request: HttpRequest) -> HttpResponse:
    return render(request, HOME, _home_context(request))


@desk_view(PRACTICE_ROLES)
@require_POST
def practice_start(request: HttpRequest) -> HttpResponse:
    raw_seed = request.POST.get("seed", "").strip()
    try:
        seed = int(raw_seed) if raw_seed else None
    except ValueError:
        seed = -1  # refused by the service with its own words
    try:
        session = practice_session_start(
            trainee_id=_user_id(request), scenario=request.POST.get("scenario", ""), seed=seed
        )
    except ValidationError as error:
        context = {**_home_context(request), "error": error.message}
        return render(request, HOME, context, status=400)
    return redirect("desk:practice_session", session_id=session.pk)


@desk_view(PRACTICE_ROLES)
@require_GET
def practice_session(request: HttpRequest, session_id: int) -> HttpResponse:
    session = practice_session_get(user=request.user, session_id=session_id)
    if session.ended_at is not None:
        return redirect("desk:practice_result", session_id=session.pk)
    return render(request, SESSION, _desk_context(request, session))


@desk_view(PRACTICE_ROLES)
@require_POST
def practice_action(request: HttpRequest, session_id: int) -> HttpResponse:
    """One action; the desk partial for HTMX, the whole page otherwise."""
    error = ""
    try:
        result = practice_session_act(
            session_id=session_id,
            actor_id=_user_id(request),
            action=request.POST.get("action", ""),
            amount=request.POST.get("amount", "").strip() or None,
            disposition=request.POST.get("disposition", ""),
            confirm=request.POST.get("confirm", "") == "1",
            expected_turn=_turn(request.POST.get("turn", "")),
        )
        session = result.session
    except ValidationError as refused:
        session = practice_session_get(user=request.user, session_id=session_id, for_write=True)
        error = refused.message
    context = _desk_context(request, session, error=error)
    template = DESK if request.headers.get("HX-Request") else SESSION
    return render(request, template, context, status=400 if error else 200)


@desk_view(PRACTICE_ROLES)
@require_POST
def practice_finish(request: HttpRequest, session_id: int) -> HttpResponse:
    session = practice_session_finish(session_id=session_id, actor_id=_user_id(request))
    target = reverse("desk:practice_result", kwargs={"session_id": session.pk})
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@desk_view(PRACTICE_ROLES)
@require_GET
def practice_result(request: HttpRequest, session_id: int) -> HttpResponse:
    session = practice_session_get(user=request.user, session_id=session_id)
    if session.ended_at is None or session.review is None:
        return redirect("desk:practice_session", session_id=session.pk)
    world = practice_world(session=session)
    scored = practice_score(session=session, ended_on_call=world.call is not None)
    review = session.review
    items = [
        {
            "item": item,
            "answer": review.answers.get(item.key, ""),
            "reason": scored.reasons.get(item.key, ""),
        }
        for item in DEFAULT_SCORECARD
    ]
    lines = practice_transcript(session=session)
    context = {
        "session": session,
        "scenario": SCENARIO_BY_KEY[session.scenario],
        "review": review,
        "items": items,
        "pass_mark": PASS_MARK,
        "coaching": [line for line in lines if line.speaker == "coach"],
        "lines": lines,
        "world": world,
    }
    return render(request, RESULT, context)


# --- helpers -----------------------------------------------------------------------------------


def _turn(raw: str) -> int | None:
    """The turn the page showed (absent or unreadable: not checked)."""
    return int(raw) if raw.strip().isdigit() else None


def _user_id(request: HttpRequest) -> int:
    """The signed-in user's id (desk_view has already sent anyone else to sign in)."""
    user_id = request.user.pk
    if user_id is None:
        raise PermissionDenied("sign in first")
    return int(user_id)


def _home_context(request: HttpRequest) -> dict[str, Any]:
    def rows(sessions: list[PracticeSession]) -> list[dict[str, Any]]:
        return [{"session": s, "scenario": SCENARIO_BY_KEY.get(s.scenario)} for s in sessions]

    return {
        "scenarios": SCENARIOS,
        "sessions": rows(practice_session_list(user=request.user)),
        "team_sessions": rows(practice_team_session_list(user=request.user)),
    }


def _history(world: World) -> list[dict[str, str]]:
    zone = ZoneInfo(world.debtor.zone)
    return [
        {
            "when": entry.at.astimezone(zone).strftime("%a %d %b %H:%M"),
            "outcome": _OUTCOME_LABELS.get(entry.outcome, entry.outcome),
            "prior": "before this session" if entry.prior else "this session",
        }
        for entry in reversed(world.ledger)
    ]


def _last_turn(lines: list[Line]) -> list[Line]:
    if not lines:
        return []
    last = lines[-1].turn
    return [line for line in lines if line.turn == last]


def _desk_context(
    request: HttpRequest, session: PracticeSession, error: str = ""
) -> dict[str, Any]:
    world = practice_world(session=session)
    lines = practice_transcript(session=session)
    latest = _last_turn(lines)
    return {
        "session": session,
        "scenario": SCENARIO_BY_KEY[session.scenario],
        "world": world,
        "debtor": world.debtor,
        "call": world.call,
        "local_now": local_time(world),
        "history": _history(world),
        "lines": lines,
        "coaching": [line for line in latest if line.speaker == "coach"],
        "pending": world.pending,
        "actions": ACTIONS,
        "dispositions": DISPOSITIONS,
        "can_act": session.trainee_id == request.user.pk and session.ended_at is None,
        "error": error,
    }
