"""The best-time model's K's (method of moments) and its out-of-time validation, without a database."""

from __future__ import annotations

import math
import random

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.analytics.domain.reach_fit import K_MAX, K_MIN, dispersion_k, shrinkage_fit
from solvent.analytics.domain.reach_synthetic import (
    synthetic_attempts,
    synthetic_counts_rows,
    true_rate,
)
from solvent.analytics.domain.reach_validation import reach_validate, scores
from solvent.strategy.domain.timing import COUNTS_SCHEMA, Shrinkage, counts_frame

SEED = 16


def cells(rows: list[tuple[int, int, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"attempts": pl.Int64, "reached": pl.Int64, "prior": pl.Float64}, orient="row"
    )


def test_the_moment_estimate_recovers_the_k_the_cells_were_drawn_with() -> None:
    rng = random.Random(SEED)
    k, mean = 50.0, 0.1
    rows = []
    for _ in range(3000):
        rate = rng.betavariate(k * mean, k * (1 - mean))
        rows.append((40, sum(rng.random() < rate for _ in range(40)), mean))

    estimate = dispersion_k(cells(rows), default=20.0)

    assert 35 < estimate < 70, f"seed {SEED}: K {estimate}"


def test_cells_no_more_different_than_chance_pool_fully_and_a_thin_level_keeps_its_default() -> (
    None
):
    rng = random.Random(SEED)
    same = [(200, sum(rng.random() < 0.1 for _ in range(200)), 0.1) for _ in range(400)]

    assert dispersion_k(cells(same), default=20.0) > 500, f"seed {SEED}"
    assert dispersion_k(cells([(1, 1, 0.1), (1, 0, 0.1)]), default=7.0) == 7.0
    assert dispersion_k(cells([]), default=7.0) == 7.0
    # Wildly different cells: the least pooling allowed.
    assert dispersion_k(cells([(100, 100, 0.5), (100, 0, 0.5)] * 10), default=7.0) == K_MIN


def test_shrinkage_fit_gives_every_level_a_k_within_bounds_on_a_synthetic_history() -> None:
    history = synthetic_attempts(seed=SEED, debtors=600, days=60)

    fitted = shrinkage_fit(counts_frame(synthetic_counts_rows(history)))

    assert fitted.channel == Shrinkage().channel  # fixed: a handful of cells say nothing
    for level in ("hour", "week", "segment_hour", "segment_week", "debtor"):
        assert K_MIN <= getattr(fitted, level) <= K_MAX, (level, fitted)
    # The history has an hour effect: the hours are not pooled into one rate.
    assert fitted.hour < K_MAX, fitted


def _counts(history) -> pl.DataFrame:
    return (
        counts_frame(synthetic_counts_rows(history))
        .group_by("debtor_id", "segment", "channel", "hour_of_week")
        .agg(pl.col("attempts").sum(), pl.col("reached").sum())
        .select(list(COUNTS_SCHEMA))
    )


def test_out_of_time_the_hour_of_week_model_beats_the_flat_the_segment_and_the_hour_of_day_ones():
    history = synthetic_attempts(seed=SEED, debtors=3000, days=118)
    train = _counts([each for each in history if each.day < 90])
    test = _counts([each for each in history if each.day >= 90])

    figures = reach_validate(train, test, shrinkage_fit(train))

    models = figures["models"]
    print(f"seed {SEED}:", {name: round(m["log_loss"], 4) for name, m in models.items()})  # noqa: T201
    assert figures["beats_flat"]
    assert models["hour_of_week"]["log_loss"] < models["segment"]["log_loss"]
    assert models["segment"]["log_loss"] < models["flat"]["log_loss"]
    calls = figures["by_channel"]["call"]
    assert calls["hour_of_week"]["log_loss"] < calls["hour_of_day"]["log_loss"]
    assert calls["hour_of_week"]["brier"] < calls["flat"]["brier"]
    assert figures["attempts"] == test.get_column("attempts").sum()
    assert figures["log_loss"] == models["hour_of_week"]["log_loss"]
    assert figures["baseline_brier"] == models["flat"]["brier"]


def test_the_fitted_model_ranks_the_true_strong_hours_first() -> None:
    """Saturday 10-12 h and Monday-Thursday evenings are the truth's best call hours."""
    from solvent.strategy.domain.timing import reach_model

    history = synthetic_attempts(seed=SEED, debtors=3000, days=90)
    train = _counts(history)
    model = reach_model(train, shrinkage_fit(train))

    week = model.p_week(None, "early", "call")
    lawful = [w for w in range(168) if 8 <= w % 24 <= 20]
    best = sorted(lawful, key=lambda w: -week[w])[:10]
    strong = {w for w in lawful if true_rate("early", "call", w // 24, w % 24) > 0.2}
    assert set(best) <= strong, f"seed {SEED}: {best}"
    friday_19, thursday_19 = 4 * 24 + 19, 3 * 24 + 19
    assert week[thursday_19] > 2 * week[friday_19]


def test_scores_are_log_loss_and_brier_per_attempt() -> None:
    test = pl.DataFrame({"attempts": [4, 1], "reached": [1, 1]})

    found = scores(test, [0.25, 0.5])

    expected_loss = -(math.log(0.25) + 3 * math.log(0.75) + math.log(0.5)) / 5
    assert found["log_loss"] == pytest.approx(expected_loss)
    assert found["brier"] == pytest.approx((0.75**2 + 3 * 0.25**2 + 0.25) / 5)
    assert scores(pl.DataFrame({"attempts": [], "reached": []}), []) == {
        "log_loss": 0.0,
        "brier": 0.0,
    }


@settings(derandomize=True, deadline=None, max_examples=60)
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 30), st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=20
    )
)
def test_scores_are_never_negative_and_brier_is_at_most_one(rows) -> None:
    attempts = [n for n, _share, _p in rows]
    reached = [round(n * share) for n, share, _p in rows]

    found = scores(pl.DataFrame({"attempts": attempts, "reached": reached}), [p for *_, p in rows])

    assert found["log_loss"] >= 0
    assert 0 <= found["brier"] <= 1
