"""The plan's propensity hook: nothing without an active model; with one, every account of the
features frame scored by the model's numbers, and the plan's priority ranks by that score."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date

import polars as pl
import pytest
import time_machine

from solvent.analytics.domain.propensity import (
    ModelParameters,
    category_levels,
    feature_names,
    score,
)
from solvent.analytics.models import ModelRun
from solvent.analytics.scoring import propensity_for_plan
from solvent.core import clock
from solvent.portfolio.models import Account
from solvent.strategy.domain.priority import P_PAY_BY_STAGE
from solvent.strategy.features import features_frame
from solvent.strategy.planner import plan_draft
from tests.analytics.propensity_world import payment_add
from tests.strategy.conftest import BEFORE_PLAN_DAY, PLAN_DAY, portfolio  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def before_the_day() -> Iterator[None]:
    with time_machine.travel(BEFORE_PLAN_DAY, tick=False):
        yield


def _model(weights: dict[str, float], intercept: float = 0.0) -> ModelParameters:
    """A hand-made model: the named features' weights, every other weight 0, unit scales."""
    levels = {"product": ["credit_card", "utility"], "stage": ["180+"]}
    names = feature_names(levels)
    return ModelParameters(
        features=tuple(names),
        means=(0.0,) * len(names),
        scales=(1.0,) * len(names),
        coefficients=tuple(weights.get(name, 0.0) for name in names),
        intercept=intercept,
        levels=levels,
    )


def _activate(parameters: ModelParameters | dict[str, object]) -> ModelRun:
    data = parameters.to_json() if isinstance(parameters, ModelParameters) else parameters
    return ModelRun.objects.create(
        kind=ModelRun.Kind.PROPENSITY,
        trained_at=clock.now(),
        history_from=date(2026, 1, 1),
        cutoff=date(2026, 10, 1),
        history_to=date(2026, 11, 1),
        parameters=data,
        active=True,
    )


def test_without_an_active_model_the_plan_gets_nothing(portfolio) -> None:  # noqa: F811
    portfolio(rows=10)
    features = features_frame(day=PLAN_DAY)
    assert propensity_for_plan(features) == {}
    run = _activate(_model({}))
    run.active = False
    run.save()
    assert propensity_for_plan(features) == {}


def test_a_model_this_version_cannot_read_is_ignored(portfolio) -> None:  # noqa: F811
    portfolio(rows=10)
    _activate({"features": ["language=es"], "means": [0.0], "scales": [1.0]})
    assert propensity_for_plan(features_frame(day=PLAN_DAY)) == {}


def test_every_account_is_scored_with_its_payments_so_far(portfolio) -> None:  # noqa: F811
    portfolio(rows=12)
    features = features_frame(day=PLAN_DAY)
    paying = features.get_column("account_id")[0]
    for day in (date(2026, 11, 10), date(2026, 11, 20)):
        payment_add(Account.objects.get(pk=paying), day)
    _activate(_model({"log_payments_before": 2.0}, intercept=-1.0))
    scores = propensity_for_plan(features)
    assert set(scores) == set(features.get_column("account_id").to_list())
    assert math.isclose(scores[paying], 1 / (1 + math.exp(1.0 - 2.0 * math.log1p(2))))
    others = [p for account_id, p in scores.items() if account_id != paying]
    assert all(math.isclose(p, 1 / (1 + math.e)) for p in others)
    # The same numbers as the pure score over the same inputs.
    inputs = features.with_columns(
        payments_before=pl.when(pl.col("account_id") == paying).then(2).otherwise(0),
        days_since_payment=pl.when(pl.col("account_id") == paying).then(11).otherwise(None),
    )
    expected = score(inputs, _model({"log_payments_before": 2.0}, intercept=-1.0))
    assert [scores[a] for a in inputs.get_column("account_id").to_list()] == pytest.approx(
        expected.tolist()
    )
    assert category_levels(inputs)["stage"]  # the frame carries the stage the model reads


def _priorities(day: date) -> dict[int, float]:
    draft = plan_draft(day=day)
    return {row.account_id: row.priority for row in draft.rows if row.status == "planned"}


def test_the_plan_ranks_by_the_active_models_score(portfolio) -> None:  # noqa: F811
    portfolio(rows=40)
    default = _priorities(PLAN_DAY)
    assert default
    # Smaller balances are far likelier to pay under this model: the plan's priority follows.
    _activate(_model({"log_balance": -1.0}, intercept=6.0))
    features = features_frame(day=PLAN_DAY)
    stages = dict(features.select("account_id", "stage").iter_rows())
    p_pay = propensity_for_plan(features)
    modelled = _priorities(PLAN_DAY)
    assert set(modelled) == set(default)
    compared = 0
    for account_id, priority in modelled.items():
        before, stage = default[account_id], stages[account_id]
        if min(before, priority) < 1:
            continue
        # Same reach, same balance: the priority moves exactly as p(pay) does.
        ratio = priority / before
        assert ratio == pytest.approx(p_pay[account_id] / P_PAY_BY_STAGE.get(stage, 0.05), rel=2e-3)
        compared += 1
    assert compared >= 5
    assert sorted(modelled, key=modelled.__getitem__) != sorted(default, key=default.__getitem__)
