"""Training the propensity-to-pay model, and reading the model the plan uses.

``propensity_model_train`` rebuilds the history as of snapshot days (``propensity_history``), fits a
logistic regression on standardized features (scikit-learn), validates it out of time on the
snapshot at the cutoff, adds the fairness report, and records a ModelRun(kind="propensity") whose
parameters are plain JSON numbers. The new run becomes the active model (the old one is
deactivated in the same transaction) when its validation could be measured. docs/adr/0041.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from solvent.analytics.domain.propensity import (
    EXCLUDED_FIELDS,
    LABEL_DAYS,
    ModelParameters,
    category_levels,
    design_matrix,
    feature_names,
    score,
)
from solvent.analytics.domain.propensity_fairness import fairness_table
from solvent.analytics.domain.propensity_validation import (
    drivers,
    json_safe,
    snapshot_plan,
    validation_figures,
)
from solvent.analytics.model_runs import model_run_record
from solvent.analytics.models import ModelRun
from solvent.analytics.propensity_history import fairness_groups, snapshot_frames
from solvent.core.domain.errors import NotFoundError, ValidationError

KIND = ModelRun.Kind.PROPENSITY
# Fewer payers or non-payers than this in the training snapshots: not enough history to learn from.
MIN_CLASS_ROWS = 10
# The regularisation of the fit (scikit-learn's C: smaller is stronger); see the ADR.
REGULARISATION_C = 1.0
# Drivers shown and stored.
DRIVERS_KEPT = 15


def propensity_fit(inputs: pl.DataFrame, labels: np.ndarray) -> ModelParameters:
    """A logistic regression on the standardized features of ``inputs`` (one row per snapshot of an
    account), returned as plain numbers."""
    levels = category_levels(inputs)
    matrix = design_matrix(inputs, levels)
    scaler = StandardScaler().fit(matrix)
    model = LogisticRegression(C=REGULARISATION_C, max_iter=2000)
    model.fit(scaler.transform(matrix), labels.astype(np.int64))
    return ModelParameters(
        features=tuple(feature_names(levels)),
        means=tuple(float(value) for value in scaler.mean_),
        scales=tuple(float(value) for value in scaler.scale_),
        coefficients=tuple(float(value) for value in model.coef_[0]),
        intercept=float(model.intercept_[0]),
        levels=levels,
    )


def _labels(frame: pl.DataFrame) -> np.ndarray:
    return frame.get_column("label").cast(pl.Int64).to_numpy()


def _fairness(test: pl.DataFrame, probabilities: np.ndarray, on: date) -> list[dict[str, Any]]:
    debtor_ids = test.get_column("debtor_id").drop_nulls().unique().to_list()
    groups = fairness_groups(debtor_ids=debtor_ids, on=on)
    frame = (
        test.select("debtor_id", label=pl.col("label").cast(pl.Int64))
        .with_columns(score=pl.Series(probabilities, dtype=pl.Float64))
        .join(groups, on="debtor_id", how="left")
    )
    return fairness_table(frame)


def propensity_model_train(
    *, as_of: date, actor_id: int | None = None, train_snapshots: int = 6
) -> ModelRun:
    """Train on the history before the cutoff (``as_of`` - LABEL_DAYS), validate on the cutoff's
    snapshot, record the run and make it the active model. ValidationError: too little history."""
    plan = snapshot_plan(as_of, train_snapshots=train_snapshots)
    frames = snapshot_frames([*plan.train_days, plan.test_day])
    train = frames.filter(pl.col("snapshot") < plan.cutoff)
    test = frames.filter(pl.col("snapshot") == plan.test_day)
    train_labels = _labels(train)
    payers = int(train_labels.sum())
    if min(payers, len(train_labels) - payers) < MIN_CLASS_ROWS:
        raise ValidationError(
            f"not enough history before {plan.cutoff.isoformat()} to learn from: "
            f"{len(train_labels)} account snapshots, {payers} with a payment in the next "
            f"{LABEL_DAYS} days (at least {MIN_CLASS_ROWS} payers and non-payers are needed)",
            code="not_enough_history",
        )
    if test.is_empty():
        raise ValidationError(
            f"no account was open on {plan.test_day.isoformat()} to validate on",
            code="not_enough_history",
        )
    parameters = propensity_fit(train, train_labels)
    probabilities = score(test, parameters)
    test_labels = _labels(test)
    figures = validation_figures(
        test_labels, probabilities, train_base_rate=float(train_labels.mean())
    )
    figures["train_base_rate"] = float(train_labels.mean())
    figures["drivers"] = drivers(parameters.features, parameters.coefficients)[:DRIVERS_KEPT]
    figures["fairness"] = _fairness(test, probabilities, plan.test_day)
    figures["snapshots"] = {
        "train": [day.isoformat() for day in plan.train_days],
        "test": plan.test_day.isoformat(),
    }
    measured = figures["auc"] == figures["auc"]  # NaN when the test snapshot has one class only
    return _record(
        plan_dates=(plan.history_from, plan.cutoff, plan.as_of),
        rows=(len(train), len(test)),
        parameters=parameters,
        figures=json_safe(figures),
        activate=measured,
        actor_id=actor_id,
    )


def _record(
    *,
    plan_dates: tuple[date, date, date],
    rows: tuple[int, int],
    parameters: ModelParameters,
    figures: dict[str, Any],
    activate: bool,
    actor_id: int | None,
) -> ModelRun:
    history_from, cutoff, history_to = plan_dates
    note = "" if activate else "not activated: the validation snapshot had one outcome only"
    return model_run_record(
        kind=KIND,
        dates=(history_from, cutoff, history_to),
        rows=rows,
        parameters=parameters.to_json(),
        validation=figures,
        activate=activate,
        note=note,
        figures={"auc": figures.get("auc")},
        actor_id=actor_id,
    )


def propensity_model_active() -> ModelRun | None:
    """The propensity model the plan uses now, if any."""
    return ModelRun.objects.filter(kind=KIND, active=True).first()


def propensity_model_list(*, limit: int = 20) -> list[ModelRun]:
    """The latest propensity runs, newest first."""
    return list(ModelRun.objects.filter(kind=KIND).order_by("-trained_at", "-pk")[:limit])


def propensity_parameters(run: ModelRun) -> ModelParameters:
    """A run's parameters, checked against this version's feature list (and the excluded fields)."""
    parameters = ModelParameters.from_json(run.parameters)
    leaked = {name.partition("=")[0] for name in parameters.features} & EXCLUDED_FIELDS
    if leaked:
        raise ValidationError(f"model {run.pk} reads excluded fields: {sorted(leaked)}")
    return parameters


def propensity_model_get(*, run_id: int) -> ModelRun:
    """One propensity run; NotFoundError when there is no such run of this kind."""
    run = ModelRun.objects.filter(kind=KIND, pk=run_id).select_related("trained_by").first()
    if run is None:
        raise NotFoundError(f"no propensity model run {run_id}")
    return run
