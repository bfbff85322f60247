"""QA pages (issue 16; docs/quality.md): the calls to review and a call's review page.

Thin: parse, call one selector or service, render. A call at another client is a 404 before the
role's 403 (``quality.selectors.quality_call_get``); the scorecard is a plain form post, answered
by a redirect to the agent's trend when saved, or by the page again with each refusal beside its
item.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.desk.roles import desk_page, desk_view
from solvent.dialer.models import Call
from solvent.quality import selectors, services
from solvent.quality.domain.scorecard import DEFAULT_SCORECARD, PASS_MARK, SCORECARD_VERSION
from solvent.screen_recording.selectors import screen_recordings_for_call

HOME = "desk/quality/home.html"
CALL = "desk/quality/call.html"
# The screen-recording track's replay partial: shown when installed in this build.
REPLAY = "desk/screen/partials/replay.html"


class _BadFilterError(ValueError):
    pass


def _filters(request: HttpRequest) -> dict[str, Any]:
    get = request.GET
    try:
        agent = get.get("agent", "")
        day_from, day_to = get.get("from", ""), get.get("to", "")
        return {
            "agent_id": int(agent) if agent else None,
            "day_from": date.fromisoformat(day_from) if day_from else None,
            "day_to": date.fromisoformat(day_to) if day_to else None,
            "include_reviewed": get.get("reviewed", "") == "1",
        }
    except ValueError as error:
        raise _BadFilterError(str(error)) from error


@desk_view(selectors.QUALITY_REVIEWER_ROLES)
@require_GET
def quality_home(request: HttpRequest) -> HttpResponse:
    try:
        filters = _filters(request)
    except _BadFilterError as error:
        return HttpResponseBadRequest(f"bad filter: {error}")
    calls = selectors.quality_call_list(user=request.user, **filters)
    context = {
        "calls": calls,
        "filters": filters,
        "agents": selectors.quality_agent_choices(user=request.user),
        "reviews": selectors.qa_review_list(user=request.user),
        "summaries": selectors.quality_agent_summaries(user=request.user),
        "query": request.GET.urlencode(),
        "can_open_agents": True,
        "link_calls": True,
    }
    # The filter's swap asks for the list only; a history restore (the back button, the page
    # not in htmx's cache) asks for the whole page.
    partial = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = f"{HOME}#calls" if partial else HOME
    return render(request, template, context)


def _replay_template() -> str | None:
    try:
        get_template(REPLAY)
    except TemplateDoesNotExist:
        return None
    return REPLAY


def _call_page(
    request: HttpRequest,
    call: Call,
    *,
    answers: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    refusal: str = "",
    form: dict[str, str] | None = None,
) -> HttpResponse:
    recording = selectors.call_recording_get(call=call)
    answers = answers or {}
    problems = problems or {}
    items = [
        {"item": item, "answer": answers.get(item.key, ""), "problem": problems.get(item.key, "")}
        for item in DEFAULT_SCORECARD
    ]
    context = {
        "call": call,
        "recording": recording,
        "interaction": selectors.call_interaction_get(call=call),
        "timeline": selectors.call_timeline(call=call),
        "review": selectors.qa_review_for_call(call=call),
        "items": items,
        "pass_mark": PASS_MARK,
        "scorecard_version": SCORECARD_VERSION,
        "own_call": call.agent_id == request.user.pk,
        "refusal": refusal,
        "form": form or {},
        "screen_recordings": screen_recordings_for_call(user=request.user, call_id=call.pk),
        "replay_template": _replay_template(),
    }
    return render(request, CALL, context)


@desk_page
@require_http_methods(["GET", "POST"])
def quality_call(request: HttpRequest, call_id: int) -> HttpResponse:
    call = selectors.quality_call_get(user=request.user, call_id=call_id)
    if request.method == "GET":
        return _call_page(request, call)
    post = request.POST
    answers = {item.key: post.get(item.key, "") for item in DEFAULT_SCORECARD}
    form = {"comments": post.get("comments", ""), "coaching_note": post.get("coaching_note", "")}
    recording = post.get("recording_id", "")
    assert isinstance(request.user, User)  # desk_page: a signed-in user
    try:
        review = services.qa_review_create(
            actor_id=request.user.pk,
            agent_id=call.agent_id or 0,
            answers=answers,
            comments=form["comments"],
            call_id=call.pk,
            recording_id=int(recording) if recording.isdigit() else None,
            coaching_note=form["coaching_note"],
        )
    except services.QaReviewRefusedError as refused:
        return _call_page(
            request,
            call,
            answers=answers,
            problems=refused.problems,
            refusal=refused.message,
            form=form,
        )
    except ValidationError as refused:
        return _call_page(request, call, answers=answers, refusal=refused.message, form=form)
    try:
        selectors.quality_agent_get(user=request.user, agent_id=review.agent_id)
    except NotFoundError:  # an agent of a team this reviewer is not in: stay on the call
        return redirect(reverse("desk:quality_call", args=[call.pk]) + "?saved=1")
    return redirect(reverse("desk:quality_agent", args=[review.agent_id]) + f"?saved={review.pk}")
