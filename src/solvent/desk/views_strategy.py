"""The strategy manager's pages: segments with live counts, the segment editor, paths, experiments.

Thin: parse the form, call one selector or service, render. A page naming a segment or experiment
answers 404 for one kept to a client the user does not serve (as for a missing one) before it asks
about the role; strategy managers and admins change things, supervisors read (403 on a change),
everyone else 403 (``strategy.selectors.definitions.strategy_role_require``). Counts are of the
user's clients' accounts only. A form that is refused is shown again with the reason beside the
field: 400 for a page, 200 for an HTMX swap (HTMX swaps no 4xx).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from solvent.core import clock
from solvent.core.domain.errors import DomainError, NotFoundError
from solvent.core.selectors import staff_role_get
from solvent.desk.roles import desk_page
from solvent.desk.strategy_forms import (
    OP_LABELS,
    condition_rows,
    conditions_from_form,
    feature_choices,
    segment_rows,
)
from solvent.strategy.models import Segment, Strategy
from solvent.strategy.selectors import definitions as selectors
from solvent.strategy.selectors.definitions import STRATEGY_WRITE_ROLES
from solvent.strategy.selectors.experiments import REPORT_DAYS, strategy_report
from solvent.strategy.services import definitions as services

View = Callable[..., HttpResponse]


strategy_page = desk_page


def _htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def page_context(request: HttpRequest, tab: str) -> dict[str, Any]:
    return {"tab": tab, "can_write": staff_role_get(user=request.user) in STRATEGY_WRITE_ROLES}


# --- segments ------------------------------------------------------------------------------------


@require_GET
@strategy_page
def strategy_home(request: HttpRequest) -> HttpResponse:
    """Every segment the user sees, in the order the plan tries them, with its live counts."""
    selectors.strategy_role_require(user=request.user)
    segments = list(selectors.segment_list(user=request.user))
    features = selectors.features_for(user=request.user, day=clock.today())
    context = {
        **page_context(request, "segments"),
        "rows": segment_rows(
            features=features,
            segments=segments,
            running=selectors.experiment_running_by_segment(user=request.user),
        ),
        "accounts": features.height,
    }
    return render(request, "desk/strategy/segments.html", context)


def _segment_context(
    request: HttpRequest,
    segment: Segment | None,
    form: QueryDict | None = None,
    error: DomainError | None = None,
) -> dict[str, Any]:
    if form is not None:
        fields = {
            "key": form.get("key", "").strip(),
            "name": form.get("name", ""),
            "priority": form.get("priority", "100"),
            "strategy": form.get("strategy", ""),
            "client": form.get("client", ""),
            "active": form.get("active") == "on",
            "version": form.get("version", ""),
        }
        rows = condition_rows(conditions_from_form(form), edit=form.get("edit", ""))
    else:
        fields = {
            "key": segment.key if segment else "",
            "name": segment.name if segment else "",
            "priority": segment.priority if segment else 100,
            "strategy": segment.strategy.key if segment else "",
            "client": segment.client.code if segment and segment.client else "",
            "active": segment.active if segment else True,
            "version": segment.version if segment else "",
        }
        rows = condition_rows(segment.conditions if segment else [], edit="")
    error_index = getattr(error, "index", None)
    return {
        **page_context(request, "segments"),
        "segment": segment,
        "fields": fields,
        "rows": rows,
        "features": feature_choices(),
        "op_labels": OP_LABELS,
        "strategies": selectors.strategy_list(),
        "clients": selectors.client_choices(user=request.user),
        "error": error,
        "error_index": error_index,
    }


def _segment_form(
    request: HttpRequest, segment: Segment | None, error: DomainError | None = None
) -> HttpResponse:
    """The editor shown again from the posted form: rows added or removed, or a refusal."""
    context = _segment_context(request, segment, request.POST, error)
    if _htmx(request):
        return render(request, "desk/strategy/_segment_form.html", context)
    return render(
        request, "desk/strategy/segment.html", context, status=400 if error is not None else 200
    )


def _segment_save(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    form = request.POST
    client_code = form.get("client", "").strip() or None
    if client_code:  # a client the user does not serve: 404, before the role's 403
        selectors.client_get(user=request.user, code=client_code)
    actor_id = selectors.strategy_role_require(user=request.user, write=True)
    if form.get("edit"):  # add or remove a condition row: nothing is saved
        return _segment_form(request, segment)
    key = segment.key if segment is not None else form.get("key", "").strip()
    version = form.get("version", "")
    try:
        priority = int(form.get("priority", "100"))
    except ValueError:
        error = services.DefinitionError("priority: a whole number", field="priority")
        return _segment_form(request, segment, error)
    if segment is None and Segment.objects.filter(key=key).exists():
        error = services.DefinitionError(f"segment '{key}' exists: choose another key", field="key")
        return _segment_form(request, segment, error)
    try:
        saved = services.segment_save(
            key=key,
            name=form.get("name", ""),
            conditions=conditions_from_form(form),
            priority=priority,
            strategy_key=form.get("strategy", ""),
            client_code=client_code,
            active=form.get("active") == "on",
            actor_id=actor_id,
            version=int(version) if version.isdigit() else None,
        )
    except (DomainError, NotFoundError) as error:
        return _segment_form(request, segment, error)
    messages.success(request, f"Segment {saved.key} saved (version {saved.version}).")
    url = reverse("desk:strategy_segment", args=[saved.key])
    if _htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_http_methods(["GET", "POST"])
@strategy_page
def strategy_segment_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _segment_save(request, None)
    selectors.strategy_role_require(user=request.user, write=True)
    return render(request, "desk/strategy/segment.html", _segment_context(request, None))


@require_http_methods(["GET", "POST"])
@strategy_page
def strategy_segment(request: HttpRequest, key: str) -> HttpResponse:
    segment = selectors.segment_get(user=request.user, key=key)
    if request.method == "POST":
        return _segment_save(request, segment)
    selectors.strategy_role_require(user=request.user)
    return render(request, "desk/strategy/segment.html", _segment_context(request, segment))


@require_GET
@strategy_page
def strategy_segment_preview(request: HttpRequest) -> HttpResponse:
    """The live count as the editor's conditions change (HTMX): matching active accounts of the
    user's clients today, or the reason the conditions cannot be read, naming the condition."""
    selectors.strategy_role_require(user=request.user)
    features = selectors.features_for(user=request.user, day=clock.today())
    preview = selectors.segment_preview(
        features=features,
        key="preview",
        name="preview",
        conditions=conditions_from_form(request.GET),
    )
    return render(request, "desk/strategy/_segment_count.html", {"preview": preview})


# --- paths (strategies) --------------------------------------------------------------------------


@require_GET
@strategy_page
def strategy_paths(request: HttpRequest) -> HttpResponse:
    selectors.strategy_role_require(user=request.user)
    used: dict[str, list[str]] = {}
    for segment in selectors.segment_list(user=request.user):
        used.setdefault(segment.strategy.key, []).append(segment.key)
    today = clock.today()
    rows = [
        (
            strategy,
            used.get(strategy.key, []),
            strategy_report(
                user=request.user,
                strategy_id=strategy.pk,
                objective=strategy.objective,
                today=today,
            ),
        )
        for strategy in selectors.strategy_list()
    ]
    context = {**page_context(request, "paths"), "rows": rows, "report_days": REPORT_DAYS}
    return render(request, "desk/strategy/paths.html", context)


def _path_context(
    request: HttpRequest,
    strategy: Strategy | None,
    text: str | None = None,
    error: DomainError | None = None,
) -> dict[str, Any]:
    definition = strategy.definition if strategy is not None else {"steps": [], "rules": []}
    shown = {"steps": definition.get("steps", []), "rules": definition.get("rules", [])}
    form = request.POST if request.method == "POST" else None
    return {
        **page_context(request, "paths"),
        "strategy": strategy,
        "steps": shown["steps"],
        "rules": shown["rules"],
        "text": text if text is not None else json.dumps(shown, indent=2),
        "objectives": Strategy.Objective.choices,
        "fields": {
            "key": form.get("key", "") if form else (strategy.key if strategy else ""),
            "name": form.get("name", "") if form else (strategy.name if strategy else ""),
            "objective": form.get("objective", "")
            if form
            else (strategy.objective if strategy else "recovery"),
            "version": strategy.version if strategy else "",
        },
        "error": error,
    }


def _path_save(request: HttpRequest, strategy: Strategy | None) -> HttpResponse:
    actor_id = selectors.strategy_role_require(user=request.user, write=True)
    form = request.POST
    text = form.get("definition", "")
    key = strategy.key if strategy is not None else form.get("key", "").strip()

    def refused(error: DomainError) -> HttpResponse:
        context = _path_context(request, strategy, text, error)
        return render(request, "desk/strategy/path.html", context, status=400)

    if strategy is None and Strategy.objects.filter(key=key).exists():
        return refused(services.DefinitionError(f"strategy '{key}' exists: choose another key"))
    try:
        definition = json.loads(text)
    except ValueError as error:
        return refused(services.DefinitionError(f"the path is not JSON: {error}"))
    version = form.get("version", "")
    try:
        saved = services.strategy_save(
            key=key,
            name=form.get("name", ""),
            objective=form.get("objective", ""),
            definition=definition,
            actor_id=actor_id,
            version=int(version) if version.isdigit() else None,
        )
    except DomainError as error:
        return refused(error)
    messages.success(request, f"Strategy {saved.key} saved (version {saved.version}).")
    return redirect(reverse("desk:strategy_path", args=[saved.key]))


@require_http_methods(["GET", "POST"])
@strategy_page
def strategy_path_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _path_save(request, None)
    selectors.strategy_role_require(user=request.user, write=True)
    return render(request, "desk/strategy/path.html", _path_context(request, None))


@require_http_methods(["GET", "POST"])
@strategy_page
def strategy_path(request: HttpRequest, key: str) -> HttpResponse:
    if request.method == "POST":
        selectors.strategy_role_require(user=request.user, write=True)
        return _path_save(request, selectors.strategy_get(key=key))
    selectors.strategy_role_require(user=request.user)
    strategy = selectors.strategy_get(key=key)
    return render(request, "desk/strategy/path.html", _path_context(request, strategy))
