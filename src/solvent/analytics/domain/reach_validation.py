"""Out-of-time validation of the best-time model: scores of the attempts after the cutoff.

The model and three simpler ones are fitted on the counts before the cutoff and asked for the rate of
each attempt after it (its debtor, segment, channel and local hour of week):

- ``hour_of_week``: the model the plan uses (``strategy.domain.timing``);
- ``hour_of_day``: the same chain with the weekday dropped (the model before issue 16);
- ``segment``: the segment's rate on the channel, every hour alike (shrunk toward the channel);
- ``flat``: the channel's rate, the same for everyone at every hour.

Scores are per attempt: log loss (-mean of y log p + (1 - y) log(1 - p)) and the Brier score
(mean of (y - p)^2); lower is better. Both are computed from counts (an (n, r) cell is n attempts).
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from solvent.strategy.domain.timing import DEFAULT_P, ReachModel, Shrinkage, reach_model

MODELS = ("hour_of_week", "hour_of_day", "segment", "flat")
_EDGE = 1e-6  # a rate is kept inside [EDGE, 1 - EDGE] before its logarithm is taken


def scores(test: pl.DataFrame, p: list[float]) -> dict[str, float]:
    """Log loss and Brier of rates ``p`` for the test cells (attempts, reached), per attempt."""
    attempts = test.get_column("attempts").to_list()
    reached = test.get_column("reached").to_list()
    total = sum(attempts)
    if total == 0:
        return {"log_loss": 0.0, "brier": 0.0}
    loss = 0.0
    brier = 0.0
    for n, r, rate in zip(attempts, reached, p, strict=True):
        q = min(max(rate, _EDGE), 1 - _EDGE)
        loss -= r * math.log(q) + (n - r) * math.log(1 - q)
        brier += r * (1 - q) ** 2 + (n - r) * q**2
    return {"log_loss": loss / total, "brier": brier / total}


def _model_rates(model: ReachModel, test: pl.DataFrame, *, week: bool) -> list[float]:
    """The model's rate for each test cell; ``test`` is sorted by debtor, segment and channel, so
    one debtor's week is computed once and only one is held at a time."""
    rates = []
    key: tuple[int, str | None, str] | None = None
    week_rates: tuple[float, ...] = ()
    for debtor_id, segment, channel, hour_of_week in test.select(
        "debtor_id", "segment", "channel", "hour_of_week"
    ).iter_rows():
        if (debtor_id, segment, channel) != key:
            key = (debtor_id, segment, channel)
            week_rates = model.p_week(debtor_id, segment, channel)
        rates.append(week_rates[hour_of_week if week else hour_of_week % 24])
    return rates


def _channel_rates(train: pl.DataFrame) -> dict[str, float]:
    sums = train.group_by("channel").agg(pl.col("attempts").sum(), pl.col("reached").sum())
    return {
        channel: (reached / attempts if attempts else DEFAULT_P)
        for channel, attempts, reached in sums.select("channel", "attempts", "reached").iter_rows()
    }


def _segment_rates(train: pl.DataFrame, test: pl.DataFrame, k: float) -> list[float]:
    channel = _channel_rates(train)
    sums = train.group_by("segment", "channel").agg(
        pl.col("attempts").sum(), pl.col("reached").sum()
    )
    cells = {
        (segment, name): (attempts, reached)
        for segment, name, attempts, reached in sums.select(
            "segment", "channel", "attempts", "reached"
        ).iter_rows()
    }
    rates = []
    for segment, name in test.select("segment", "channel").iter_rows():
        prior = channel.get(name, DEFAULT_P)
        attempts, reached = cells.get((segment, name), (0, 0)) if segment is not None else (0, 0)
        rates.append((reached + k * prior) / (attempts + k))
    return rates


def reach_validate(train: pl.DataFrame, test: pl.DataFrame, shrinkage: Shrinkage) -> dict[str, Any]:
    """The four models' scores on ``test`` after fitting on ``train`` (both ``COUNTS_SCHEMA``)."""
    test = test.sort("debtor_id", "segment", "channel", "hour_of_week", nulls_last=True)
    week_model = reach_model(train, shrinkage)
    day_model = reach_model(train.with_columns(pl.col("hour_of_week") % 24), shrinkage)
    channel = _channel_rates(train)
    rates = {
        "hour_of_week": _model_rates(week_model, test, week=True),
        "hour_of_day": _model_rates(day_model, test, week=False),
        "segment": _segment_rates(train, test, shrinkage.segment_hour),
        "flat": [channel.get(name, DEFAULT_P) for name in test.get_column("channel").to_list()],
    }
    result: dict[str, Any] = {
        "attempts": int(test.get_column("attempts").sum() or 0),
        "reached": int(test.get_column("reached").sum() or 0),
        "models": {name: scores(test, rates[name]) for name in MODELS},
        "by_channel": {},
    }
    names = test.get_column("channel").to_list()
    for name in sorted(set(names)):
        rows = [i for i, each in enumerate(names) if each == name]
        part = test[rows]
        result["by_channel"][name] = {
            "attempts": int(part.get_column("attempts").sum() or 0),
            "reached": int(part.get_column("reached").sum() or 0),
            **{model: scores(part, [rates[model][i] for i in rows]) for model in MODELS},
        }
    models = result["models"]
    # The headline figures under the names the propensity model's runs use (``solvent models``).
    result["log_loss"] = models["hour_of_week"]["log_loss"]
    result["brier"] = models["hour_of_week"]["brier"]
    result["baseline_log_loss"] = models["flat"]["log_loss"]
    result["baseline_brier"] = models["flat"]["brier"]
    result["beats_flat"] = bool(
        result["attempts"] > 0 and models["hour_of_week"]["log_loss"] < models["flat"]["log_loss"]
    )
    return result
