"""The strategy manager's plan pages: the day's plan in a dry run, what-if (the current strategies
against a changed path, side by side), and the account screen's "Why not?" panel.

Nothing here stores a plan: the dry run and the what-if compute and show (``strategy.planner``,
``services.plan.plan_what_if``); ``solvent plan run`` and its scheduled task store it. Both are of
the user's clients only; a client named that the user does not serve is a 404. The panel names an
account, which ``desk_view`` resolves for the user first (404), and reads
``selectors.plan.account_why_not``: the stored plan's line, or what the plan would do now.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solvent.core import clock
from solvent.core.domain.errors import DomainError, ValidationError
from solvent.desk.roles import ALL_ROLES, desk_view
from solvent.desk.views_strategy import page_context, strategy_page
from solvent.portfolio.access import access_account_by_id, access_client_ids
from solvent.portfolio.models import Client, Team
from solvent.strategy.domain.paths import PathError
from solvent.strategy.models import TeamCapacity
from solvent.strategy.planner import REASONS, plan_draft
from solvent.strategy.selectors import definitions as selectors
from solvent.strategy.selectors.plan import account_why_not, plan_stored
from solvent.strategy.services.definitions import path_shape_check, team_capacity_save
from solvent.strategy.services.plan import plan_what_if

# The rows a dry run shows on the page (the command line writes them all as CSV).
ROWS_SHOWN = 50
# The floors' zones offered for a team's shift (the service takes any IANA zone).
CAPACITY_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "Europe/London",
    "UTC",
)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text) if text else clock.today()
    except ValueError:
        raise ValidationError(f"date {text!r}: use YYYY-MM-DD", code="invalid_date") from None


def _scope(request: HttpRequest, code: str) -> tuple[Client | None, list[int] | None]:
    """The client chosen (404 for one the user does not serve) and the client ids to plan."""
    if code:
        client = selectors.client_get(user=request.user, code=code)
        return client, [client.pk]
    client_ids = access_client_ids(user=request.user)
    return None, None if client_ids is None else sorted(client_ids)


def _now_if_today(day: date) -> Any:
    now = clock.now()
    return now if day <= now.date() else None


def _capacity_rows(request: HttpRequest) -> list[tuple[Team, TeamCapacity | None, int]]:
    """Each team of the user's clients, its staffed capacity (None: not set) and calls a day."""
    rows = []
    for team in selectors.team_list(user=request.user):
        capacity = getattr(team, "capacity", None)
        calls = (
            capacity.agents * (capacity.end_hour - capacity.start_hour) * capacity.calls_per_hour
            if capacity is not None
            else 0
        )
        rows.append((team, capacity, calls))
    return rows


@require_GET
@strategy_page
def strategy_plan(request: HttpRequest) -> HttpResponse:
    """A dry run of the day's plan: accounts per channel, calls against capacity, compliance blocks
    by rule, skipped reasons, and the first rows. Nothing is stored."""
    code = request.GET.get("client", "")
    client, client_ids = _scope(request, code)
    selectors.strategy_role_require(user=request.user)
    context: dict[str, Any] = {
        **page_context(request, "plan"),
        "clients": selectors.client_choices(user=request.user),
        "chosen": client,
        "day_text": request.GET.get("date", clock.today().isoformat()),
        "ran": "run" in request.GET,
        "reasons": REASONS,
        "teams": _capacity_rows(request),
        "zones": CAPACITY_ZONES,
    }
    if context["ran"]:
        try:
            day = _day(request.GET.get("date", ""))
        except ValidationError as error:
            context["error"] = error
            return render(request, "desk/strategy/plan.html", context, status=400)
        if client_ids == []:
            context["figures"], context["rows"] = None, []
        elif (stored := plan_stored(day=day, client_ids=client_ids, rows=ROWS_SHOWN)) is not None:
            # The day is planned: what was stored, not a fresh dry run (its steps are now done).
            context["figures"], context["rows"], context["row_count"] = stored
            context["stored"] = True
            context["capacity"] = []
        else:
            draft = plan_draft(day=day, client_ids=client_ids, now=_now_if_today(day))
            context["figures"] = draft.figures()
            context["capacity"] = sorted(draft.capacity.items())
            context["rows"] = draft.rows[:ROWS_SHOWN]
            context["row_count"] = len(draft.rows)
        context["day"] = day
    return render(request, "desk/strategy/plan.html", context)


def _whole(form: Any, name: str) -> int:
    text = form.get(name, "").strip()
    if not text.lstrip("-").isdigit() or len(text) > 6:
        raise ValidationError(f"{name.replace('_', ' ')}: a whole number", code="invalid_capacity")
    return int(text)


@require_POST
@strategy_page
def strategy_capacity(request: HttpRequest, team_id: int) -> HttpResponse:
    """A team's staffed calls a day (agents x hours x calls per hour), for the plan's call list."""
    team = selectors.team_get(user=request.user, team_id=team_id)
    actor_id = selectors.strategy_role_require(user=request.user, write=True)
    form = request.POST
    try:
        capacity = team_capacity_save(
            team_id=team.pk,
            agents=_whole(form, "agents"),
            start_hour=_whole(form, "start_hour"),
            end_hour=_whole(form, "end_hour"),
            calls_per_hour=_whole(form, "calls_per_hour"),
            time_zone=form.get("time_zone", ""),
            actor_id=actor_id,
        )
    except DomainError as error:
        messages.error(request, f"{team.name}: {error.message}")
    else:
        calls = capacity.agents * (capacity.end_hour - capacity.start_hour)
        messages.success(
            request, f"{team.name}: {calls * capacity.calls_per_hour:,} calls a day staffed."
        )
    return redirect(reverse("desk:strategy_plan"))


@require_http_methods(["GET", "POST"])
@strategy_page
def strategy_what_if(request: HttpRequest) -> HttpResponse:
    """Today's strategies against one segment following a changed path, in two dry runs."""
    form = request.POST if request.method == "POST" else request.GET
    segment_key = form.get("segment", "")
    segment = selectors.segment_get(user=request.user, key=segment_key) if segment_key else None
    _client, client_ids = _scope(request, form.get("client", ""))
    selectors.strategy_role_require(user=request.user)
    text = form.get("definition", "")
    if not text and segment is not None:
        text = json.dumps(segment.strategy.definition, indent=2)
    context: dict[str, Any] = {
        **page_context(request, "what_if"),
        "segments": selectors.segment_list(user=request.user),
        "clients": selectors.client_choices(user=request.user),
        "segment": segment,
        "client_code": form.get("client", ""),
        "day_text": form.get("date", clock.today().isoformat()),
        "text": text,
    }
    if request.method != "POST" or segment is None:
        return render(request, "desk/strategy/what_if.html", context)
    try:
        day = _day(form.get("date", ""))
        try:
            definition = json.loads(text)
        except ValueError as error:
            raise ValidationError(f"the path is not JSON: {error}") from None
        path_shape_check(definition)
        what_if = plan_what_if(
            day=day, segment_key=segment.key, definition=definition, client_ids=client_ids
        )
    except (DomainError, PathError) as error:
        context["error"] = str(getattr(error, "message", error))
        return render(request, "desk/strategy/what_if.html", context, status=400)
    context["what_if"] = what_if
    context["table"] = what_if.rows()
    return render(request, "desk/strategy/what_if.html", context)


@desk_view(ALL_ROLES)
@require_GET
def account_why_not_panel(request: HttpRequest, account_id: int) -> HttpResponse:
    """The account screen's "Why not?": its segment, step, what is planned today, or why nothing."""
    account = access_account_by_id(user=request.user, account_id=account_id)
    why = account_why_not(account=account, day=clock.today())
    return render(request, "desk/strategy/why_not_panel.html", {"account": account, "why": why})
