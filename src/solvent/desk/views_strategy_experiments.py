"""The strategy manager's experiments: start champion/challenger on a segment, read the results per
arm with their intervals and tests, promote a challenger (or stop) in one step.

Thin, as ``views_strategy``: the experiment or segment named is resolved for the user first (404),
then the role (strategy managers and admins change, supervisors read).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solvent.core import clock
from solvent.core.domain.errors import DomainError
from solvent.desk.views_strategy import page_context, strategy_page
from solvent.strategy.domain.experiments import MetricComparison
from solvent.strategy.selectors import definitions as selectors
from solvent.strategy.selectors.experiments import COST_PER_ATTEMPT, experiment_results
from solvent.strategy.services import definitions as services

# Rows of arms the start form offers: a champion and up to three challengers.
ARM_ROWS = 4


def _arms_from_form(request: HttpRequest) -> list[dict[str, Any]]:
    names = request.POST.getlist("arm")
    strategies = request.POST.getlist("arm_strategy")
    percents = request.POST.getlist("arm_percent")
    arms: list[dict[str, Any]] = []
    for index, name in enumerate(names[:ARM_ROWS]):
        strategy = strategies[index] if index < len(strategies) else ""
        percent = percents[index] if index < len(percents) else ""
        if not name.strip() and not strategy:
            continue
        arms.append(
            {
                "arm": name.strip(),
                "strategy": strategy,
                "percent": int(percent) if percent.strip().isdigit() else percent,
            }
        )
    return arms


def _experiments_page(
    request: HttpRequest, error: DomainError | None = None, status: int = 200
) -> HttpResponse:
    form = request.POST if request.method == "POST" else None
    arms = _arms_from_form(request) if form else []
    rows = arms + [{"arm": "", "strategy": "", "percent": ""}] * (ARM_ROWS - len(arms))
    if not form:
        rows[0] = {"arm": "champion", "strategy": "", "percent": 80}
        rows[1] = {"arm": "challenger", "strategy": "", "percent": 20}
    context = {
        **page_context(request, "experiments"),
        "experiments": selectors.experiment_list(user=request.user),
        "segments": selectors.segment_list(user=request.user),
        "strategies": selectors.strategy_list(),
        "arm_rows": rows,
        "fields": {
            "key": form.get("key", "") if form else "",
            "name": form.get("name", "") if form else "",
            "segment": form.get("segment", "") if form else request.GET.get("segment", ""),
        },
        "error": error,
    }
    return render(request, "desk/strategy/experiments.html", context, status=status)


@require_http_methods(["GET", "POST"])
@strategy_page
def strategy_experiments(request: HttpRequest) -> HttpResponse:
    """The experiments the user sees, and the form that starts one."""
    if request.method == "GET":
        selectors.strategy_role_require(user=request.user)
        return _experiments_page(request)
    segment_key = request.POST.get("segment", "")
    selectors.segment_get(user=request.user, key=segment_key)
    actor_id = selectors.strategy_role_require(user=request.user, write=True)
    try:
        experiment = services.experiment_start(
            key=request.POST.get("key", "").strip(),
            name=request.POST.get("name", ""),
            segment_key=segment_key,
            arms=_arms_from_form(request),
            actor_id=actor_id,
        )
    except DomainError as error:
        return _experiments_page(request, error, status=400)
    messages.success(request, f"Experiment {experiment.key} started on {segment_key}.")
    return redirect(reverse("desk:strategy_experiment", args=[experiment.key]))


_MONEY_METRICS = frozenset({"collected_per_account", "cost_per_collected"})


def _money(minor: int) -> str:
    return f"{Decimal(minor) / 100:,.2f}"


def _shown(metric: str, value: float | None) -> str:
    if value is None:
        return "—"
    if metric == "collected_per_account":
        return f"{value:,.2f}"
    if metric == "cost_per_collected":
        return f"{value:.3f}"
    return f"{value * 100:.1f}%"


def _interval(metric: str, interval: tuple[float, float] | None, trials: int) -> str:
    """The interval as words; none where there is nothing to estimate from (no trials)."""
    if interval is None or trials == 0 or not all(math.isfinite(bound) for bound in interval):
        return ""
    low, high = interval
    return f"{_shown(metric, low)} to {_shown(metric, high)}"


@dataclass(frozen=True)
class MetricRow:
    """One metric of one challenger against the champion, as the page shows it."""

    label: str
    champion: str  # numerator / denominator
    champion_rate: str
    champion_interval: str
    challenger: str
    challenger_rate: str
    challenger_interval: str
    difference: str
    p_value: str
    verdict: str  # "better", "worse", "" (not significant)


def metric_rows(comparison: list[MetricComparison]) -> list[MetricRow]:
    rows = []
    for metric in comparison:
        money = metric.metric in _MONEY_METRICS
        numbers = _money if money else (lambda n: f"{n:,}")
        top1 = numbers(metric.champion_numerator)
        top2 = numbers(metric.challenger_numerator)
        bottom1 = (
            _money(metric.champion_denominator)
            if metric.metric == "cost_per_collected"
            else f"{metric.champion_denominator:,}"
        )
        bottom2 = (
            _money(metric.challenger_denominator)
            if metric.metric == "cost_per_collected"
            else f"{metric.challenger_denominator:,}"
        )
        difference = metric.difference
        verdict = ""
        if metric.significant and difference is not None:
            verdict = "better" if metric.challenger_better else "worse"
        if difference is None:
            shown_difference = "—"
        elif money:
            shown_difference = f"{difference:+,.3f}"
        else:
            shown_difference = f"{difference * 100:+.1f} pts"
        rows.append(
            MetricRow(
                label=metric.label[:1].upper() + metric.label[1:],
                champion=f"{top1} / {bottom1}",
                champion_rate=_shown(metric.metric, metric.champion_rate),
                champion_interval=_interval(
                    metric.metric, metric.champion_interval, metric.champion_denominator
                ),
                challenger=f"{top2} / {bottom2}",
                challenger_rate=_shown(metric.metric, metric.challenger_rate),
                challenger_interval=_interval(
                    metric.metric, metric.challenger_interval, metric.challenger_denominator
                ),
                difference=shown_difference,
                p_value="—"
                if metric.p_value is None
                or not (metric.champion_denominator and metric.challenger_denominator)
                else f"{metric.p_value:.3f}",
                verdict=verdict,
            )
        )
    return rows


@require_GET
@strategy_page
def strategy_experiment(request: HttpRequest, key: str) -> HttpResponse:
    """Results per arm: numerators and denominators, 95% intervals, p-values against the champion."""
    experiment = selectors.experiment_get(user=request.user, key=key)
    selectors.strategy_role_require(user=request.user)
    results = experiment_results(user=request.user, experiment=experiment, today=clock.today())
    context = {
        **page_context(request, "experiments"),
        "experiment": experiment,
        "results": results,
        "arms": [
            (arm, _money(arm.figures.collected_minor), _money(arm.figures.cost_minor))
            for arm in results.arms
        ],
        "comparisons": [
            (challenger, metric_rows(comparison)) for challenger, comparison in results.comparisons
        ],
        "costs": [(channel, _money(cost)) for channel, cost in sorted(COST_PER_ATTEMPT.items())],
    }
    return render(request, "desk/strategy/experiment.html", context)


def _experiment_act(request: HttpRequest, key: str, act: str) -> HttpResponse:
    selectors.experiment_get(user=request.user, key=key)
    actor_id = selectors.strategy_role_require(user=request.user, write=True)
    try:
        if act == "promote":
            arm = request.POST.get("arm", "")
            experiment = services.experiment_promote(key=key, arm=arm, actor_id=actor_id)
            messages.success(
                request,
                f"Arm {arm} promoted: segment {experiment.segment.key} now follows its strategy.",
            )
        else:
            services.experiment_stop(key=key, actor_id=actor_id)
            messages.success(request, f"Experiment {key} stopped; the segment keeps its strategy.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(reverse("desk:strategy_experiment", args=[key]))


@require_POST
@strategy_page
def strategy_experiment_promote(request: HttpRequest, key: str) -> HttpResponse:
    return _experiment_act(request, key, "promote")


@require_POST
@strategy_page
def strategy_experiment_stop(request: HttpRequest, key: str) -> HttpResponse:
    return _experiment_act(request, key, "stop")
