"""The best-time heat map (issue 16): /analytics/best-time/?client=&segment=&channel=.

A segment's chance of reaching the debtor on a channel, by local weekday and hour (7 x 24 cells, the
model the daily plan times contacts with), with the attempts and the reached ones behind each cell in
its title, and the best three hours named. Thin: the client the request names (404 for one the user
does not serve), then the role (403: supervisors, strategy managers, admins and compliance officers
read it), then one selector over the user's clients only. A channel or segment that cannot be read
is a 400 that says why. An HTMX request (the filter form) gets the grid alone.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from solvent.analytics.selectors_best_time import best_time_grid
from solvent.analytics.selectors_reach import TIMED_CHANNELS
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.desk.roles import desk_page
from solvent.portfolio.access import access_client_ids, access_client_queryset
from solvent.strategy.selectors.definitions import segment_list

BEST_TIME_ROLES = frozenset(
    {Role.SUPERVISOR, Role.STRATEGY_MANAGER, Role.ADMIN, Role.COMPLIANCE_OFFICER}
)
PAGE = "desk/analytics/best_time.html"
GRID = "desk/analytics/best_time_grid.html"
CHANNEL_LABELS = {"call": "Calls", "sms": "Text messages", "email": "E-mails"}


@require_GET
@desk_page
def best_time(request: HttpRequest) -> HttpResponse:
    clients = list(access_client_queryset(user=request.user).order_by("name", "pk"))
    code = request.GET.get("client", "")
    client = next((each for each in clients if each.code == code), None)
    if code and client is None:
        raise NotFoundError(f"client {code} not found")
    if staff_role_get(user=request.user) not in BEST_TIME_ROLES:
        raise PermissionDeniedError("your role does not use this page")
    segments = list(segment_list(user=request.user).filter(active=True))
    segment = request.GET.get("segment", "")
    channel = request.GET.get("channel", "call")
    error = ""
    if channel not in TIMED_CHANNELS:
        error = f"unknown channel {channel!r}: choose call, sms or email"
    elif segment and segment not in {each.key for each in segments}:
        error = f"unknown segment {segment!r}"
    context: dict[str, Any] = {
        "clients": clients,
        "client": client,
        "segments": segments,
        "segment": segment,
        "channel": channel,
        "channels": CHANNEL_LABELS,
        "error": error,
    }
    template = GRID if request.headers.get("HX-Request") else PAGE
    if error:
        return render(request, template, context, status=400)
    client_ids = (
        frozenset({client.pk}) if client is not None else access_client_ids(user=request.user)
    )
    context["grid"] = best_time_grid(
        client_ids=client_ids, segment=segment or None, channel=channel, day=clock.today()
    )
    context["channel_label"] = CHANNEL_LABELS[channel]
    return render(request, template, context)
