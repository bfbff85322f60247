"""How a propensity model is judged out of time: the snapshots, the figures, the calibration table.

Out of time, never a random split: the model learns from snapshots whose whole label window ends by
the cutoff, and is validated on the snapshot taken at the cutoff, whose label window is
[cutoff, cutoff + LABEL_DAYS) and ends on the "as of" day. So no training row's label looks past the
cutoff and no validation label falls before it (``snapshot_plan`` says which days; a test holds it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from solvent.analytics.domain.propensity import LABEL_DAYS, feature_label

# Probabilities are clipped this far from 0 and 1 for the log loss (as scikit-learn does).
EPSILON = 1e-15
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class SnapshotPlan:
    """The snapshot days of one training: train on ``train_days``, validate on ``test_day``."""

    train_days: tuple[date, ...]
    test_day: date
    as_of: date

    @property
    def cutoff(self) -> date:
        return self.test_day

    @property
    def history_from(self) -> date:
        return self.train_days[0] if self.train_days else self.test_day


def snapshot_plan(
    as_of: date, *, train_snapshots: int = 6, spacing_days: int = LABEL_DAYS
) -> SnapshotPlan:
    """Snapshots ``spacing_days`` apart: the test one at ``as_of - LABEL_DAYS`` (the cutoff), the
    training ones before it, the latest ``LABEL_DAYS`` before the cutoff (its labels end there)."""
    if train_snapshots < 1 or spacing_days < 1:
        raise ValueError("at least one training snapshot, at least one day apart")
    cutoff = as_of - timedelta(days=LABEL_DAYS)
    last_train = cutoff - timedelta(days=LABEL_DAYS)
    days = tuple(
        last_train - timedelta(days=spacing_days * k) for k in reversed(range(train_snapshots))
    )
    return SnapshotPlan(train_days=days, test_day=cutoff, as_of=as_of)


def roc_auc(labels: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float:
    """The area under the ROC curve (the chance a payer outranks a non-payer; ties count half).
    NaN when only one class is present."""
    y = np.asarray(labels, dtype=np.int64)
    s = np.asarray(scores, dtype=np.float64)
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return math.nan
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_scores = s[order]
    # Average ranks over ties (1-based).
    start = 0
    while start < len(s):
        end = start
        while end + 1 < len(s) and sorted_scores[end + 1] == sorted_scores[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    rank_sum = float(ranks[y == 1].sum())
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def brier_score(
    labels: Sequence[int] | np.ndarray, probabilities: Sequence[float] | np.ndarray
) -> float:
    y = np.asarray(labels, dtype=np.float64)
    p = np.asarray(probabilities, dtype=np.float64)
    return float(np.mean((p - y) ** 2)) if len(y) else math.nan


def log_loss(
    labels: Sequence[int] | np.ndarray, probabilities: Sequence[float] | np.ndarray
) -> float:
    y = np.asarray(labels, dtype=np.float64)
    p = np.clip(np.asarray(probabilities, dtype=np.float64), EPSILON, 1 - EPSILON)
    if not len(y):
        return math.nan
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def calibration_table(
    labels: Sequence[int] | np.ndarray,
    probabilities: Sequence[float] | np.ndarray,
    bins: int = CALIBRATION_BINS,
) -> list[dict[str, float | int]]:
    """Deciles of the score (equal counts, ordered by the score): per bin the accounts, the mean
    predicted probability, the observed pay rate and the score range. Empty bins are left out."""
    y = np.asarray(labels, dtype=np.float64)
    p = np.asarray(probabilities, dtype=np.float64)
    order = np.argsort(p, kind="mergesort")
    rows: list[dict[str, float | int]] = []
    for number, part in enumerate(np.array_split(order, bins), start=1):
        if not len(part):
            continue
        rows.append(
            {
                "bin": number,
                "accounts": len(part),
                "mean_predicted": float(p[part].mean()),
                "observed_rate": float(y[part].mean()),
                "payers": int(y[part].sum()),
                "low": float(p[part].min()),
                "high": float(p[part].max()),
            }
        )
    return rows


def drivers(features: Sequence[str], coefficients: Sequence[float]) -> list[dict[str, Any]]:
    """The standardized coefficients, largest |weight| first: what moves the score, and which way
    (per standard deviation of the feature, in log-odds)."""
    rows = [
        {
            "feature": name,
            "label": feature_label(name),
            "weight": float(weight),
            "odds_ratio": math.exp(float(weight)),
            "direction": "raises" if weight > 0 else "lowers" if weight < 0 else "none",
        }
        for name, weight in zip(features, coefficients, strict=True)
    ]
    return sorted(rows, key=lambda row: (-abs(row["weight"]), row["feature"]))


def validation_figures(
    labels: Sequence[int] | np.ndarray,
    probabilities: Sequence[float] | np.ndarray,
    *,
    train_base_rate: float,
) -> dict[str, Any]:
    """AUC, Brier score, log loss and base rate of the validation snapshot, beside the Brier score
    and log loss of always predicting the training base rate (the yardstick a model must beat)."""
    y = np.asarray(labels, dtype=np.float64)
    baseline = np.full(len(y), train_base_rate)
    return {
        "rows": len(y),
        "payers": int(y.sum()),
        "base_rate": float(y.mean()) if len(y) else math.nan,
        "auc": roc_auc(y.astype(np.int64), probabilities),
        "brier": brier_score(y, probabilities),
        "log_loss": log_loss(y, probabilities),
        "mean_predicted": float(np.mean(probabilities)) if len(y) else math.nan,
        "baseline_brier": brier_score(y, baseline),
        "baseline_log_loss": log_loss(y, baseline),
        "calibration": calibration_table(y, probabilities),
    }


def json_safe(value: Any) -> Any:
    """NaN and infinities as None (JSON has no NaN), recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value
