"""The propensity-to-pay score the daily plan ranks by (track: propensity).

``propensity_for_plan`` scores the plan's features frame with the active propensity model and
returns account id -> probability of a cleared payment within 30 days; an account it cannot score
(no active model, or a model this version cannot read) is left out, and the plan falls back to the
stage's default (``strategy.domain.priority``). The frame carries every input but the account's
payments so far, which are read here in one aggregate query (as of today, the clock's day).
"""

from __future__ import annotations

import logging

import polars as pl

from solvent.analytics.domain.propensity import ModelParameters, score
from solvent.analytics.propensity import propensity_model_active, propensity_parameters
from solvent.analytics.propensity_history import payment_history_frame
from solvent.core import clock
from solvent.core.domain.errors import DomainError

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


def propensity_for_plan(features: pl.DataFrame) -> dict[int, float]:
    if features.is_empty():
        return {}
    parameters = _active_parameters()
    if parameters is None:
        return {}
    account_ids = features.get_column("account_id").to_list()
    payments = payment_history_frame(account_ids=account_ids, day=clock.today())
    inputs = features.join(payments, on="account_id", how="left")
    probabilities = score(inputs, parameters)
    return {
        int(account_id): float(p)
        for account_id, p in zip(
            inputs.get_column("account_id").to_list(), probabilities, strict=True
        )
    }
