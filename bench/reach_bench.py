"""Best-time model benchmark: out-of-time validation on a synthetic history with a known hour effect.

A seeded synthetic history (``analytics.domain.reach_synthetic``: segments, a per-debtor propensity,
a weekday x hour effect) over ``--days`` days; the first ``--days`` - 28 train the model (the K's by
the method of moments), the last 28 test it. Prints one JSON line: the K's, the attempts, the log
loss and Brier of the hour-of-week model, the hour-of-day model, the segment model and the flat
baseline (all and by channel), the truth's own log loss (the floor no model can beat), and seconds.

    .venv/bin/python bench/reach_bench.py --debtors 3000 --days 118 --seed 16
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

import polars as pl  # noqa: E402

from solvent.analytics.domain.reach_fit import shrinkage_fit  # noqa: E402
from solvent.analytics.domain.reach_synthetic import (  # noqa: E402
    SyntheticAttempt,
    synthetic_attempts,
    synthetic_counts_rows,
    true_rate,
)
from solvent.analytics.domain.reach_validation import reach_validate  # noqa: E402
from solvent.strategy.domain.timing import COUNTS_SCHEMA, counts_frame  # noqa: E402

TEST_DAYS = 28


def _counts(attempts: list[SyntheticAttempt]) -> pl.DataFrame:
    return (
        counts_frame(synthetic_counts_rows(attempts))
        .group_by("debtor_id", "segment", "channel", "hour_of_week")
        .agg(pl.col("attempts").sum(), pl.col("reached").sum())
        .select(list(COUNTS_SCHEMA))
    )


def _truth_log_loss(attempts: list[SyntheticAttempt]) -> float:
    """The log loss of the true rates without the debtor's propensity (unknown to every model)."""
    loss = 0.0
    for each in attempts:
        p = true_rate(each.segment, each.channel, each.hour_of_week // 24, each.hour_of_week % 24)
        loss -= math.log(p) if each.reached else math.log(1 - p)
    return loss / max(1, len(attempts))


FULL_DEBTORS = 30_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="a fraction of the full size (30,000 debtors)"
    )
    parser.add_argument("--debtors", type=int, default=None, help="overrides --scale")
    parser.add_argument("--days", type=int, default=118)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    args.debtors = args.debtors or max(300, round(FULL_DEBTORS * args.scale))
    started = time.perf_counter()
    history = synthetic_attempts(seed=args.seed, debtors=args.debtors, days=args.days)
    cutoff = args.days - TEST_DAYS
    train = _counts([each for each in history if each.day < cutoff])
    test_attempts = [each for each in history if each.day >= cutoff]
    fitted = time.perf_counter()
    shrinkage = shrinkage_fit(train)
    fit_seconds = time.perf_counter() - fitted
    figures = reach_validate(train, _counts(test_attempts), shrinkage)
    rounded = {
        name: {key: round(value, 5) for key, value in scores.items()}
        for name, scores in figures["models"].items()
    }
    by_channel = {
        channel: {
            "attempts": values["attempts"],
            "reached": values["reached"],
            **{
                name: round(values[name]["log_loss"], 5)
                for name in ("hour_of_week", "hour_of_day", "segment", "flat")
            },
        }
        for channel, values in figures["by_channel"].items()
    }
    print(
        json.dumps(
            {
                "bench": "reach",
                "seed": args.seed,
                "debtors": args.debtors,
                "days": args.days,
                "attempts_train": int(train.get_column("attempts").sum()),
                "attempts_test": figures["attempts"],
                "reached_test": figures["reached"],
                "shrinkage": {key: round(value, 1) for key, value in shrinkage.as_dict().items()},
                "models": rounded,
                "log_loss_by_channel": by_channel,
                "truth_log_loss_without_propensity": round(_truth_log_loss(test_attempts), 5),
                "fit_seconds": round(fit_seconds, 2),
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
