"""QA pages about people (issue 16; docs/quality.md): an agent's trend and coaching notes for
their reviewers, and an agent's own reviews and notes, where they acknowledge a note.

An agent another user does not see (not in one of their teams; agency-wide roles see everyone) is
a 404 before the role's 403, as any record of another client.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.desk.roles import desk_page, desk_view
from solvent.quality import selectors, services
from solvent.quality.domain.trend import trend_chart_data
from solvent.quality.models import QaReview

AGENT = "desk/quality/agent.html"
MINE = "desk/quality/mine.html"
NOTE = "desk/quality/_note.html"


def _source(request: HttpRequest) -> str:
    """Which reviews the trend reads: the calls (the default) or the practice sessions."""
    chosen = request.GET.get("source", "")
    return chosen if chosen in QaReview.Source.values else QaReview.Source.CALL


def _agent_page(
    request: HttpRequest, agent: User, *, note_error: str = "", note_text: str = ""
) -> HttpResponse:
    source = _source(request)
    trend = selectors.quality_agent_trend(user=request.user, agent_id=agent.pk, source=source)
    saved = request.GET.get("saved", "")
    context = {
        "source": source,
        "agent": agent,
        "trend": trend,
        "chart": trend_chart_data(trend),
        "reviews": selectors.qa_review_list(user=request.user, agent_id=agent.pk),
        "notes": selectors.coaching_note_list(user=request.user, agent=agent),
        "saved": _saved_review(request, agent, saved),
        "note_error": note_error,
        "note_text": note_text,
    }
    return render(request, AGENT, context, status=400 if note_error else 200)


def _saved_review(request: HttpRequest, agent: User, saved: str) -> QaReview | None:
    """The review just saved (``?saved=<id>``), shown at the top; None if not this agent's."""
    if not saved.isdigit():
        return None
    try:
        review = selectors.qa_review_get(user=request.user, review_id=int(saved))
    except NotFoundError:
        return None
    return review if review.agent_id == agent.pk else None


def _reviewed_agent(request: HttpRequest, user_id: int) -> User:
    agent = selectors.quality_agent_get(user=request.user, agent_id=user_id)
    selectors.quality_reviewer_require(user=request.user)
    return agent


@desk_page
@require_GET
def quality_agent(request: HttpRequest, user_id: int) -> HttpResponse:
    return _agent_page(request, _reviewed_agent(request, user_id))


@desk_page
@require_POST
def quality_note_create(request: HttpRequest, user_id: int) -> HttpResponse:
    agent = _reviewed_agent(request, user_id)
    text = request.POST.get("text", "")
    assert isinstance(request.user, User)  # desk_page: a signed-in user
    try:
        services.coaching_note_create(actor_id=request.user.pk, agent_id=agent.pk, text=text)
    except ValidationError as refused:
        return _agent_page(request, agent, note_error=refused.message, note_text=text)
    return redirect(reverse("desk:quality_agent", args=[agent.pk]) + "#notes")


@desk_view(selectors.QUALITY_SELF_ROLES)
@require_GET
def quality_mine(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)  # desk_view: a signed-in user
    source = _source(request)
    trend = selectors.quality_agent_trend(
        user=request.user, agent_id=request.user.pk, source=source
    )
    context = {
        "source": source,
        "trend": trend,
        "chart": trend_chart_data(trend),
        "reviews": selectors.qa_review_list(user=request.user, agent_id=request.user.pk),
        "notes": selectors.coaching_note_list(user=request.user, agent=request.user),
    }
    return render(request, MINE, context)


@desk_page
@require_POST
def quality_note_acknowledge(request: HttpRequest, note_id: int) -> HttpResponse:
    assert isinstance(request.user, User)  # desk_page: a signed-in user
    # 404 for a note of someone not seen, 403 for a note of someone else: the service decides.
    note = services.coaching_note_acknowledge(actor_id=request.user.pk, note_id=note_id)
    if request.headers.get("HX-Request"):
        return render(request, NOTE, {"note": note, "mine": True})
    return redirect(reverse("desk:quality_mine") + f"#note-{note.pk}")
