"""Strategy endpoints: segments and strategies (read, create or change), experiments and results.

Thin: each names the record (404 for a segment kept to a client the user does not serve, as for
one that is missing), then the role (``strategy_role_require``: strategy managers and admins write,
supervisors read, anyone else 403), then one service or selector. Counting accounts is
tenant-scoped: a segment's count and an experiment's figures are of the user's clients only.
"""

# No ``from __future__ import annotations``: ninja reads the parameters' annotations at import.
from typing import Any

from django.http import HttpRequest
from ninja import Path, Router
from ninja.responses import Status

from solvent.core import clock
from solvent.core.domain.errors import NotFoundError
from solvent.core.schemas import Text
from solvent.strategy.domain.segments import SegmentError, describe
from solvent.strategy.models import Experiment, Segment, Strategy
from solvent.strategy.schemas import (
    ExperimentIn,
    ExperimentOut,
    ExperimentResultsOut,
    PromoteIn,
    SegmentIn,
    SegmentOut,
    StrategyIn,
    StrategyOut,
)
from solvent.strategy.selectors import definitions as selectors
from solvent.strategy.selectors.experiments import (
    COST_PER_ATTEMPT,
    ExperimentResults,
    experiment_results,
)
from solvent.strategy.services import definitions as services

router = Router(tags=["strategy"])

Key = Path[Text]


def segment_out(segment: Segment, count: int | None = None) -> dict[str, Any]:
    try:
        description = describe(selectors.segment_spec(segment))
    except SegmentError as error:
        description = f"cannot be read: {error}"
    return {
        "key": segment.key,
        "name": segment.name,
        "conditions": segment.conditions,
        "priority": segment.priority,
        "strategy": segment.strategy.key,
        "client": segment.client.code if segment.client else None,
        "active": segment.active,
        "version": segment.version,
        "description": description,
        "count": count,
    }


def experiment_out(experiment: Experiment) -> dict[str, Any]:
    return {
        "key": experiment.key,
        "name": experiment.name,
        "segment": experiment.segment.key,
        "arms": experiment.arms,
        "status": experiment.status,
        "started_on": experiment.started_on,
        "ended_on": experiment.ended_on,
        "promoted_arm": experiment.promoted_arm,
    }


def _minor(amount: int) -> str:
    return f"{amount / 100:.2f}" if amount % 100 else f"{amount // 100}.00"


def results_out(results: ExperimentResults) -> dict[str, Any]:
    arms = [
        {
            **{
                name: getattr(arm.figures, name)
                for name in ("arm", "accounts", "attempts", "contacts", "rpcs", "promises")
            },
            "promises_due": arm.figures.promises_due,
            "promises_kept": arm.figures.promises_kept,
            "complaints": arm.figures.complaints,
            "strategy": arm.strategy,
            "collected": _minor(arm.figures.collected_minor),
            "cost": _minor(arm.figures.cost_minor),
        }
        for arm in results.arms
    ]
    champion = results.arms[0].figures.arm
    metrics = [
        {
            **{
                name: getattr(metric, name)
                for name in (
                    "metric",
                    "label",
                    "champion_rate",
                    "challenger_rate",
                    "difference",
                    "p_value",
                    "significant",
                )
            },
            "champion": champion,
            "challenger": challenger,
            "champion_numerator": str(metric.champion_numerator),
            "champion_denominator": str(metric.champion_denominator),
            "challenger_numerator": str(metric.challenger_numerator),
            "challenger_denominator": str(metric.challenger_denominator),
            "champion_interval": list(metric.champion_interval)
            if metric.champion_interval
            else None,
            "challenger_interval": list(metric.challenger_interval)
            if metric.challenger_interval
            else None,
        }
        for challenger, comparison in results.comparisons
        for metric in comparison
    ]
    return {
        "experiment": experiment_out(results.experiment),
        "currency": results.currency,
        "cost_per_attempt": {channel: _minor(cost) for channel, cost in COST_PER_ATTEMPT.items()},
        "arms": arms,
        "metrics": metrics,
    }


# --- segments ------------------------------------------------------------------------------------


@router.get("/segments", response=list[SegmentOut])
def segment_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The segments you see, in the order the plan tries them (without counts: ask one segment)."""
    selectors.strategy_role_require(user=request.user)
    return [segment_out(segment) for segment in selectors.segment_list(user=request.user)]


@router.get("/segments/{key}", response=SegmentOut)
def segment_get(request: HttpRequest, key: Key) -> dict[str, Any]:
    """One segment with how many active accounts of your clients it matches today."""
    segment = selectors.segment_get(user=request.user, key=key)
    selectors.strategy_role_require(user=request.user)
    features = selectors.features_for(user=request.user, day=clock.today())
    count = selectors.segment_counts(features=features, segments=[segment])[segment.key]
    return segment_out(segment, count)


@router.put("/segments/{key}", response=SegmentOut)
def segment_put(request: HttpRequest, key: Key, payload: SegmentIn) -> dict[str, Any]:
    """Create or change a segment. Pass the ``version`` you edited to be refused (400,
    version_conflict) when someone saved it in between."""
    try:
        selectors.segment_get(user=request.user, key=key)
    except NotFoundError:
        if Segment.objects.filter(key=key).exists():
            raise  # kept to a client the user does not serve: 404, as for the others' records
    if payload.client:
        selectors.client_get(user=request.user, code=payload.client)
    actor_id = selectors.strategy_role_require(user=request.user, write=True)
    segment = services.segment_save(
        key=key,
        name=payload.name,
        conditions=[condition.model_dump() for condition in payload.conditions],
        priority=payload.priority,
        strategy_key=payload.strategy,
        client_code=payload.client,
        active=payload.active,
        actor_id=actor_id,
        version=payload.version,
    )
    return segment_out(segment)


# --- strategies ----------------------------------------------------------------------------------


def strategy_out(strategy: Strategy) -> dict[str, Any]:
    return {
        "key": strategy.key,
        "name": strategy.name,
        "objective": strategy.objective,
        "status": strategy.status,
        "version": strategy.version,
        "definition": strategy.definition,
    }


@router.get("/strategies", response=list[StrategyOut])
def strategy_list(request: HttpRequest) -> list[dict[str, Any]]:
    selectors.strategy_role_require(user=request.user)
    return [strategy_out(strategy) for strategy in selectors.strategy_list()]


@router.get("/strategies/{key}", response=StrategyOut)
def strategy_get(request: HttpRequest, key: Key) -> dict[str, Any]:
    selectors.strategy_role_require(user=request.user)
    return strategy_out(selectors.strategy_get(key=key))


@router.put("/strategies/{key}", response=StrategyOut)
def strategy_put(request: HttpRequest, key: Key, payload: StrategyIn) -> dict[str, Any]:
    """Create or change a strategy: its path (steps and rules) must parse; a 400 names the step."""
    actor_id = selectors.strategy_role_require(user=request.user, write=True)
    strategy = services.strategy_save(
        key=key,
        name=payload.name,
        objective=payload.objective,
        definition=payload.definition,
        actor_id=actor_id,
        version=payload.version,
    )
    return strategy_out(strategy)


# --- experiments ---------------------------------------------------------------------------------


@router.get("/experiments", response=list[ExperimentOut])
def experiment_list(request: HttpRequest) -> list[dict[str, Any]]:
    selectors.strategy_role_require(user=request.user)
    return [experiment_out(e) for e in selectors.experiment_list(user=request.user)]


@router.post("/experiments", response={201: ExperimentOut})
def experiment_start(request: HttpRequest, payload: ExperimentIn) -> Status[dict[str, Any]]:
    """Start champion/challenger on a segment: the first arm is the champion; percents add up to
    100; a segment runs one experiment at a time."""
    selectors.segment_get(user=request.user, key=payload.segment)
    actor_id = selectors.strategy_role_require(user=request.user, write=True)
    experiment = services.experiment_start(
        key=payload.key,
        name=payload.name,
        segment_key=payload.segment,
        arms=[arm.model_dump() for arm in payload.arms],
        actor_id=actor_id,
    )
    return Status(201, experiment_out(experiment))


@router.post("/experiments/{key}/promote", response=ExperimentOut)
def experiment_promote(request: HttpRequest, key: Key, payload: PromoteIn) -> dict[str, Any]:
    """The arm's strategy becomes the segment's, and the experiment ends, in one step."""
    selectors.experiment_get(user=request.user, key=key)
    actor_id = selectors.strategy_role_require(user=request.user, write=True)
    return experiment_out(services.experiment_promote(key=key, arm=payload.arm, actor_id=actor_id))


@router.get("/experiments/{key}/results", response=ExperimentResultsOut)
def experiment_results_get(request: HttpRequest, key: Key) -> dict[str, Any]:
    """Each arm's figures over the experiment's period (your clients' accounts), and each
    challenger against the champion: numerators, denominators, 95% intervals, p-values."""
    experiment = selectors.experiment_get(user=request.user, key=key)
    selectors.strategy_role_require(user=request.user)
    results = experiment_results(user=request.user, experiment=experiment, today=clock.today())
    return results_out(results)
