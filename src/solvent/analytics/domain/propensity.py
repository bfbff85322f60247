"""Propensity to pay: the model's inputs, its parameters as plain numbers, and the score.

The model is a logistic regression on standardized features (docs/adr/0041-propensity-to-pay.md).
What it learned is kept as JSON numbers (``ModelParameters``): the feature names, the scaler's means
and scales, one coefficient per feature, the intercept and the category levels. Scoring is this
module's arithmetic over those numbers, so the plan scores a whole portfolio in one vectorised pass
and a person can read why an account scored as it did (``contributions``).

The inputs (``INPUT_SCHEMA``) are what the plan's features frame holds about an account (balance,
days past due, stage, product, days since placement, the contact history, promises, plans) plus its
payments so far. The label, outside this module, is a cleared payment within ``LABEL_DAYS`` days of
the snapshot. No protected attribute and no close proxy of one is an input: ``EXCLUDED_FIELDS``
names the fields that must never become one (a test holds the feature list against it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

# The label: at least one payment that cleared, paid within this many days from the snapshot.
LABEL_DAYS = 30
# The contact-history window of the plan's features frame (strategy.features.HISTORY_DAYS).
HISTORY_DAYS = 90
# Days since a payment when there was none we know of: the model reads "never" as "long ago".
NEVER_PAID_DAYS = 3650

# Fields that are, or closely stand for, a protected characteristic (age, national origin, race,
# sex, disability) or a person's identity: none may ever be a model feature. The fairness report
# reads some of them OUTSIDE the model to show outcomes by group.
EXCLUDED_FIELDS: frozenset[str] = frozenset(
    {
        "date_of_birth",
        "age",
        "age_band",
        "first_name",
        "middle_name",
        "last_name",
        "name",
        "language",
        "postal_code",
        "zip",
        "city",
        "region",
        "state",
        "country",
        "jurisdiction",
        "address",
        "national_id",
        "phone",
        "email",
        "vulnerable",
        "hardship",
        "debtor_id",
        "account_id",
    }
)

# What the model reads, per account, before transformation.
INPUT_SCHEMA: dict[str, pl.DataType] = {
    "balance_minor": pl.Int64(),
    "days_past_due": pl.Int64(),
    "stage": pl.String(),
    "product": pl.String(),
    "days_since_placement": pl.Int64(),
    "days_since_rpc": pl.Int64(),
    "attempts_7d": pl.Int64(),
    "attempts_since_rpc": pl.Int64(),
    "broken_promises": pl.Int64(),
    "active_promise": pl.Boolean(),
    "active_plan": pl.Boolean(),
    "payments_before": pl.Int64(),
    "days_since_payment": pl.Int64(),
}

CATEGORICAL_INPUTS: tuple[str, ...] = ("product", "stage")


@dataclass(frozen=True)
class NumericFeature:
    """One numeric model feature: its name, what it means, and how it is made from the inputs."""

    name: str
    label: str
    expression: pl.Expr


def _log1p(column: str, fill: int = 0) -> pl.Expr:
    return pl.col(column).fill_null(fill).cast(pl.Float64).clip(lower_bound=0).log1p()


NUMERIC_FEATURES: tuple[NumericFeature, ...] = (
    NumericFeature(
        "log_balance",
        "balance (log of currency units)",
        (pl.col("balance_minor").fill_null(0).cast(pl.Float64) / 100).clip(lower_bound=0).log1p(),
    ),
    NumericFeature("log_days_past_due", "days past due (log)", _log1p("days_past_due")),
    NumericFeature(
        "log_days_since_placement", "days since placement (log)", _log1p("days_since_placement")
    ),
    NumericFeature(
        "reached_90d",
        "reached the right party in the last 90 days",
        pl.col("days_since_rpc").is_not_null().cast(pl.Float64),
    ),
    NumericFeature(
        "days_since_rpc",
        "days since the last right-party contact (90 when none)",
        pl.col("days_since_rpc").fill_null(HISTORY_DAYS).clip(0, HISTORY_DAYS).cast(pl.Float64),
    ),
    NumericFeature("log_attempts_7d", "attempts in the last 7 days (log)", _log1p("attempts_7d")),
    NumericFeature(
        "log_attempts_since_rpc",
        "attempts since the last right-party contact (log)",
        _log1p("attempts_since_rpc"),
    ),
    NumericFeature(
        "broken_promises",
        "broken promises (up to 5)",
        pl.col("broken_promises").fill_null(0).clip(0, 5).cast(pl.Float64),
    ),
    NumericFeature(
        "active_promise",
        "a promise to pay is pending",
        pl.col("active_promise").fill_null(False).cast(pl.Float64),
    ),
    NumericFeature(
        "active_plan",
        "a payment plan is running",
        pl.col("active_plan").fill_null(False).cast(pl.Float64),
    ),
    NumericFeature("log_payments_before", "payments made so far (log)", _log1p("payments_before")),
    NumericFeature(
        "log_days_since_payment",
        "days since the last payment (log; ten years when none)",
        _log1p("days_since_payment", NEVER_PAID_DAYS),
    ),
)


def category_feature(column: str, level: str) -> str:
    """The name of the indicator of one category level, e.g. ``product=credit_card``."""
    return f"{column}={level}"


def category_levels(inputs: pl.DataFrame) -> dict[str, list[str]]:
    """The levels each categorical input takes in ``inputs`` (sorted; null is "unknown")."""
    return {
        column: sorted(
            str(value)
            for value in inputs.get_column(column).fill_null("unknown").unique().to_list()
        )
        for column in CATEGORICAL_INPUTS
    }


def feature_names(levels: Mapping[str, Sequence[str]]) -> list[str]:
    """The model's columns, in order: the numeric features, then one indicator per level."""
    names = [feature.name for feature in NUMERIC_FEATURES]
    for column in CATEGORICAL_INPUTS:
        names.extend(category_feature(column, level) for level in levels.get(column, ()))
    return names


def feature_label(name: str) -> str:
    """What a feature means, in words for the page ("product is credit_card")."""
    for feature in NUMERIC_FEATURES:
        if feature.name == name:
            return feature.label
    column, _, level = name.partition("=")
    return f"{column} is {level}" if level else name


def design_matrix(inputs: pl.DataFrame, levels: Mapping[str, Sequence[str]]) -> np.ndarray:
    """The inputs as the model's unscaled numeric matrix (rows: accounts; columns: feature_names).

    A category level the model never saw sets none of its indicators (as an unknown would)."""
    expressions = [feature.expression.alias(feature.name) for feature in NUMERIC_FEATURES]
    for column in CATEGORICAL_INPUTS:
        values = pl.col(column).fill_null("unknown")
        expressions.extend(
            (values == level).cast(pl.Float64).alias(category_feature(column, level))
            for level in levels.get(column, ())
        )
    if inputs.is_empty():
        return np.zeros((0, len(expressions)), dtype=np.float64)
    return inputs.select(expressions).to_numpy().astype(np.float64)


@dataclass(frozen=True)
class ModelParameters:
    """A fitted model as plain numbers (what ModelRun.parameters stores)."""

    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float
    levels: dict[str, list[str]]

    def __post_init__(self) -> None:
        width = len(self.features)
        if not (len(self.means) == len(self.scales) == len(self.coefficients) == width):
            raise ValueError("features, means, scales and coefficients must have one per feature")
        if any(scale <= 0 or not math.isfinite(scale) for scale in self.scales):
            raise ValueError("every scale must be a positive number")
        if list(self.features) != feature_names(self.levels):
            raise ValueError("the features do not match this module's features and the levels")

    def to_json(self) -> dict[str, Any]:
        return {
            "model": "logistic_regression",
            "label_days": LABEL_DAYS,
            "features": list(self.features),
            "means": list(self.means),
            "scales": list(self.scales),
            "coefficients": list(self.coefficients),
            "intercept": self.intercept,
            "levels": {column: list(levels) for column, levels in self.levels.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModelParameters:
        return cls(
            features=tuple(str(name) for name in data["features"]),
            means=tuple(float(value) for value in data["means"]),
            scales=tuple(float(value) for value in data["scales"]),
            coefficients=tuple(float(value) for value in data["coefficients"]),
            intercept=float(data["intercept"]),
            levels={str(key): [str(v) for v in value] for key, value in data["levels"].items()},
        )


def standardized(inputs: pl.DataFrame, parameters: ModelParameters) -> np.ndarray:
    """The inputs as the model sees them: each column minus its mean, over its scale."""
    matrix = design_matrix(inputs, parameters.levels)
    centred = matrix - np.asarray(parameters.means, dtype=np.float64)
    return np.asarray(centred / np.asarray(parameters.scales, dtype=np.float64), dtype=np.float64)


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    # Split by sign so a large |logit| never overflows exp().
    out = np.empty_like(logits)
    positive = logits >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-logits[positive]))
    exp = np.exp(logits[~positive])
    out[~positive] = exp / (1.0 + exp)
    return out


def score(inputs: pl.DataFrame, parameters: ModelParameters) -> np.ndarray:
    """The probability of a payment within LABEL_DAYS days, one per row of ``inputs``."""
    logits = standardized(inputs, parameters) @ np.asarray(parameters.coefficients)
    return np.asarray(_sigmoid(logits + parameters.intercept), dtype=np.float64)


def contributions(inputs: pl.DataFrame, parameters: ModelParameters) -> list[dict[str, float]]:
    """Why each row scored as it did: each feature's term of the logit (coefficient x z-score)."""
    terms = standardized(inputs, parameters) * np.asarray(parameters.coefficients)
    return [dict(zip(parameters.features, map(float, row), strict=True)) for row in terms]
