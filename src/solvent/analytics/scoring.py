"""The propensity-to-pay score the daily plan ranks by (track: propensity).

``propensity_for_plan`` scores the plan's features frame with the active propensity model and
returns account id -> probability of a cleared payment within 30 days; an account it cannot score
(no active model, or a model this version cannot read) is left out, and the plan falls back to the
stage's default (``strategy.domain.priority``). The frame carries every input but the account's
payments so far, which are read here in one aggregate query (as of today, the clock's day).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from solvent.analytics.domain.propensity import (
    INPUT_SCHEMA,
    ModelParameters,
    contributions,
    feature_label,
    score,
)
from solvent.analytics.propensity import propensity_model_active, propensity_parameters
from solvent.analytics.propensity_history import payment_history_frame
from solvent.core import clock
from solvent.core.domain.errors import DomainError
from solvent.strategy.features import features_frame

logger = logging.getLogger(__name__)


def _active_parameters() -> ModelParameters | None:
    run = propensity_model_active()
    if run is None:
        return None
    try:
        return propensity_parameters(run)
    except (DomainError, KeyError, TypeError, ValueError):
        # A run written by another version of the features: the plan goes on without it.
        logger.warning("propensity model %s cannot be read; the plan uses stage defaults", run.pk)
        return None


def _inputs(features: pl.DataFrame, day: date) -> pl.DataFrame:
    account_ids = features.get_column("account_id").to_list()
    payments = payment_history_frame(account_ids=account_ids, day=day)
    return features.join(payments, on="account_id", how="left")


def propensity_for_plan(features: pl.DataFrame) -> dict[int, float]:
    if features.is_empty():
        return {}
    parameters = _active_parameters()
    if parameters is None:
        return {}
    inputs = _inputs(features, clock.today())
    probabilities = score(inputs, parameters)
    return {
        int(account_id): float(p)
        for account_id, p in zip(
            inputs.get_column("account_id").to_list(), probabilities, strict=True
        )
    }


@dataclass(frozen=True)
class PropensityExplanation:
    """Why one account scored as it did: its inputs, and each feature's term of the log-odds."""

    run_id: int
    probability: float
    intercept: float
    inputs: dict[str, Any]
    # (feature, what it means, term in log-odds), largest |term| first.
    terms: list[tuple[str, str, float]]


def propensity_explain(*, account_id: int, day: date) -> PropensityExplanation | None:
    """The active model's score of one open account on ``day``, term by term; None when there is no
    active model or the account is not open (the caller has checked the user may see it)."""
    run = propensity_model_active()
    parameters = _active_parameters()
    if run is None or parameters is None:
        return None
    features = features_frame(day=day, account_ids=[account_id])
    if features.is_empty():
        return None
    inputs = _inputs(features, day)
    [terms] = contributions(inputs, parameters)
    return PropensityExplanation(
        run_id=run.pk,
        probability=float(score(inputs, parameters)[0]),
        intercept=parameters.intercept,
        inputs={name: inputs.get_column(name)[0] for name in INPUT_SCHEMA},
        terms=sorted(
            ((name, feature_label(name), term) for name, term in terms.items()),
            key=lambda item: (-abs(item[2]), item[0]),
        ),
    )
