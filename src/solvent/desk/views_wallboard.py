"""The supervisor wallboard: the page, its live figures (polled by HTMX) and an agent's drill-down.

Thin: parse the filters, ask ``desk.wallboard``, render. A team, client or agent the user does not
see is a 404 before the role's 403 (nobody learns it exists), as ``desk_view`` promises for pages
that name a record; a page naming nothing is ``desk_view``'s.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from solvent.core.domain.errors import NotFoundError
from solvent.core.selectors import staff_role_get
from solvent.desk.domain.wallboard import chart_data
from solvent.desk.roles import WALLBOARD_ROLES, desk_view
from solvent.desk.wallboard import wallboard_get
from solvent.desk.wallboard_agents import agent_get, agent_interaction_list
from solvent.desk.wallboard_dialer import wallboard_dialer_get
from solvent.desk.wallboard_scope import WallboardScope, wallboard_scope
from solvent.dialer.selectors_campaigns import campaign_may_manage


class _BadFilterError(ValueError):
    pass


def _scope(request: HttpRequest) -> WallboardScope:
    """The filters (team id, client code, ISO date); 404 for what the user does not see."""
    team = request.GET.get("team", "")
    day = request.GET.get("date", "")
    try:
        team_id = int(team) if team else None
        chosen = date.fromisoformat(day) if day else None
    except ValueError as error:
        raise _BadFilterError(str(error)) from error
    try:
        scope = wallboard_scope(
            user=request.user,
            team_id=team_id,
            client_code=request.GET.get("client", ""),
            day=chosen,
        )
    except NotFoundError as error:
        raise Http404(error.message) from error
    return scope


def _role_require(request: HttpRequest) -> None:
    if staff_role_get(user=request.user) not in WALLBOARD_ROLES:
        raise PermissionDenied("your role does not use this page")


def _board(request: HttpRequest, template: str) -> HttpResponse:
    try:
        scope = _scope(request)
    except _BadFilterError as error:
        return HttpResponseBadRequest(f"bad filter: {error}")
    _role_require(request)
    board = wallboard_get(scope=scope)
    context = {
        "scope": scope,
        "board": board,
        "dialer": wallboard_dialer_get(scope=scope, now=board.now, live=board.live),
        "can_manage_campaigns": campaign_may_manage(user=request.user),
        "chart": chart_data(board),
        "query": request.GET.urlencode(),
        "agency_zone": settings.TIME_ZONE,
    }
    return render(request, template, context)


@login_required
def wallboard(request: HttpRequest) -> HttpResponse:
    return _board(request, "desk/wallboard/page.html")


@desk_view(WALLBOARD_ROLES)
def wallboard_figures(request: HttpRequest) -> HttpResponse:
    """The figures alone: the page polls this every few seconds."""
    return _board(request, "desk/wallboard/figures.html")


@login_required
def wallboard_agent(request: HttpRequest, agent_id: int) -> HttpResponse:
    try:
        scope = _scope(request)
    except _BadFilterError as error:
        return HttpResponseBadRequest(f"bad filter: {error}")
    try:
        agent = agent_get(scope=scope, agent_id=agent_id)
    except NotFoundError as error:
        raise Http404(error.message) from error
    _role_require(request)
    context = {
        "scope": scope,
        "agent": agent,
        "interactions": agent_interaction_list(scope=scope, agent_id=agent_id),
        "query": request.GET.urlencode(),
    }
    return render(request, "desk/wallboard/agent.html", context)
