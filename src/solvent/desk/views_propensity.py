"""The propensity-to-pay page (issue 16): the active model, how it validated, what drives it, the
fairness report, older runs, and a button that trains a new model.

/analytics/propensity/                 the active model (``?run=<id>``: another run; with HTMX, only
                                       the run's panel)
/analytics/propensity/train/           POST: train on the history before today, then back to the page
/analytics/propensity/accounts/<id>/   why one account scores as it does today: its inputs and each
                                       feature's term (``?account=<id>`` on the page leads here)

Who: strategy managers, supervisors, admins and compliance officers read; admins and strategy
managers train. The figures are the model's, over the whole portfolio it learned from: aggregates
only, no account or debtor is named on the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from solvent.analytics.domain.propensity import EXCLUDED_FIELDS, LABEL_DAYS, feature_label
from solvent.analytics.models import ModelRun
from solvent.analytics.propensity import (
    propensity_model_active,
    propensity_model_get,
    propensity_model_list,
    propensity_model_train,
)
from solvent.analytics.scoring import propensity_explain
from solvent.core import clock
from solvent.core.domain.errors import DomainError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.desk.roles import desk_view
from solvent.portfolio.access import access_account_by_id

PROPENSITY_READ_ROLES = frozenset(
    {Role.STRATEGY_MANAGER, Role.SUPERVISOR, Role.ADMIN, Role.COMPLIANCE_OFFICER}
)
PROPENSITY_TRAIN_ROLES = frozenset({Role.STRATEGY_MANAGER, Role.ADMIN})
DIMENSION_LABELS = {
    "age_band": "Age band (from the date of birth)",
    "region": "Region (from the current address)",
    "language": "Preferred language",
}


def _fairness_groups(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fairness rows grouped by dimension, in the report's order."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["dimension"], []).append(row)
    return [
        {"dimension": name, "label": DIMENSION_LABELS.get(name, name), "rows": grouped[name]}
        for name in DIMENSION_LABELS
        if name in grouped
    ]


def _chart(figures: dict[str, Any]) -> dict[str, Any]:
    """The calibration plot's data: one point per bin (mean predicted, observed), and the diagonal."""
    bins = figures.get("calibration") or []
    top = max(
        [0.0, *(row["mean_predicted"] for row in bins), *(row["observed_rate"] for row in bins)]
    )
    return {
        "points": [{"x": row["mean_predicted"], "y": row["observed_rate"]} for row in bins],
        "accounts": [row["accounts"] for row in bins],
        "diagonal": [{"x": 0, "y": 0}, {"x": top, "y": top}],
    }


def _run_context(run: ModelRun | None) -> dict[str, Any]:
    if run is None:
        return {"run": None}
    figures = run.validation
    return {
        "run": run,
        "figures": figures,
        "drivers": figures.get("drivers") or [],
        "calibration": figures.get("calibration") or [],
        "fairness": _fairness_groups(figures.get("fairness") or []),
        "chart": _chart(figures),
        "features": [(name, feature_label(name)) for name in run.parameters.get("features", [])],
    }


@require_GET
@desk_view(PROPENSITY_READ_ROLES)
def propensity(request: HttpRequest) -> HttpResponse:
    account = request.GET.get("account", "").strip()
    if account:
        if not account.isdigit():
            return HttpResponseBadRequest("account must be an account's id")
        return redirect("desk:propensity_account", account_id=int(account))
    chosen = request.GET.get("run", "")
    if chosen and not chosen.isdigit():
        return HttpResponseBadRequest("run must be a run's number")
    run = propensity_model_get(run_id=int(chosen)) if chosen else propensity_model_active()
    context = _run_context(run)
    if request.headers.get("HX-Request"):
        return render(request, "desk/analytics/propensity_run.html", context)
    context |= {
        "active": propensity_model_active(),
        "runs": propensity_model_list(),
        "may_train": staff_role_get(user=request.user) in PROPENSITY_TRAIN_ROLES,
        "excluded": sorted(EXCLUDED_FIELDS),
        "label_days": LABEL_DAYS,
    }
    return render(request, "desk/analytics/propensity.html", context)


@require_POST
@desk_view(PROPENSITY_TRAIN_ROLES)
def propensity_train(request: HttpRequest) -> HttpResponse:
    try:
        run = propensity_model_train(as_of=clock.today(), actor_id=request.user.pk)
    except DomainError as error:
        messages.error(request, f"No new model: {error.message}")
        return redirect("desk:propensity")
    auc = run.validation.get("auc")
    shown = f"{auc:.3f}" if isinstance(auc, float) else "not measured"
    state = "it is now the active model" if run.active else run.note
    messages.success(request, f"Model {run.pk} trained (AUC {shown}); {state}.")
    return redirect("desk:propensity")


@require_GET
@desk_view(PROPENSITY_READ_ROLES)
def propensity_account(request: HttpRequest, account_id: int) -> HttpResponse:
    # The role is checked by desk_view; the account, the one tenant-scoped way (404 if not seen).
    account = access_account_by_id(user=request.user, account_id=account_id)
    explanation = propensity_explain(account_id=account.pk, day=clock.today())
    context = {"account": account, "explanation": explanation, "label_days": LABEL_DAYS}
    return render(request, "desk/analytics/propensity_account.html", context)
