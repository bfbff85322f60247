"""The catalogue of fields a segment may test: one row per account in a Polars frame.

The daily plan builds the frame (``features_schema`` says its columns); segment conditions and path
rules name the features of ``FEATURES``. Money is in integer minor units (cents) in the frame, while
a condition on "balance" is written in currency units: ``Feature.column`` and ``Feature.minor_units``
say how a feature maps onto its column, so ``balance >= 1000`` compares ``balance_minor >= 100000``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

FeatureKind = Literal["number", "text", "bool"]

# The stages of default by days past due (glossary: stage / bucket). Charge-off usually at 180.
STAGES: tuple[str, ...] = ("current", "1-30", "31-60", "61-90", "91-120", "121-180", "180+")
# The highest days past due of each stage but the last, in the order of STAGES.
_STAGE_UPPER_BOUNDS: tuple[int, ...] = (0, 30, 60, 90, 120, 180)


@dataclass(frozen=True)
class Feature:
    """A field a segment condition may test.

    ``label`` is the lower-case phrase a sentence uses ("days past due"); a page capitalises it.
    ``column`` is the frame's column when it differs from ``name``; ``minor_units`` says that the
    condition's value is in currency units and the column in minor units. ``choices`` lists the only
    values a text feature takes, when it has a closed set.
    """

    name: str
    kind: FeatureKind
    label: str
    help: str
    column: str = ""
    minor_units: bool = False
    choices: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """The frame column this feature reads."""
        return self.column or self.name


_CATALOGUE: tuple[Feature, ...] = (
    Feature("client", "text", "client", "The client code the account was placed by."),
    Feature("product", "text", "product", "The product of the account (card, loan, utility...)."),
    Feature(
        "balance",
        "number",
        "balance",
        "The balance owed, in currency units (1000.50 is exact to the cent).",
        column="balance_minor",
        minor_units=True,
    ),
    Feature("days_past_due", "number", "days past due", "Days since the oldest unpaid due date."),
    Feature("stage", "text", "stage", "The stage of default by days past due.", choices=STAGES),
    Feature(
        "jurisdiction",
        "text",
        "jurisdiction",
        "Where the debtor lives, e.g. US-NY (may be unknown).",
    ),
    Feature("language", "text", "language", "The debtor's preferred language code."),
    Feature("hardship", "bool", "hardship flag", "The debtor told us they cannot pay now."),
    Feature("vulnerable", "bool", "vulnerability flag", "The debtor is flagged as vulnerable."),
    Feature("score", "number", "score", "The collection score (may be unknown)."),
    Feature(
        "days_since_rpc",
        "number",
        "days since the last right-party contact",
        "Unknown when the debtor was never reached.",
    ),
    Feature("attempts_7d", "number", "attempts in the last 7 days", "Attempts on any channel."),
    Feature(
        "attempts_since_rpc",
        "number",
        "attempts since the last right-party contact",
        "All attempts when the debtor was never reached.",
    ),
    Feature(
        "responsive_channel",
        "text",
        "responsive channel",
        "The channel the debtor last responded on (may be unknown).",
    ),
    Feature("broken_promises", "number", "broken promises", "Promises to pay that were broken."),
    Feature("open_dispute", "bool", "open dispute", "A dispute waits for verification."),
    Feature("on_hold", "bool", "on hold", "A hold stops treatment (cease, bankruptcy...)."),
    Feature("hold_kind", "text", "hold kind", "The kind of the hold, if any."),
    Feature("active_promise", "bool", "active promise", "A promise to pay is pending."),
    Feature("active_plan", "bool", "active payment plan", "A payment plan is running."),
    Feature(
        "days_since_placement", "number", "days since placement", "Days since the client placed it."
    ),
    Feature("status", "text", "status", "The account's status."),
)

FEATURES: dict[str, Feature] = {feature.name: feature for feature in _CATALOGUE}

_SCHEMA: dict[str, type[pl.DataType]] = {
    "account_id": pl.Int64,
    "debtor_id": pl.Int64,
    "client": pl.String,
    "product": pl.String,
    "balance_minor": pl.Int64,
    "days_past_due": pl.Int64,
    "stage": pl.String,
    "jurisdiction": pl.String,
    "language": pl.String,
    "hardship": pl.Boolean,
    "vulnerable": pl.Boolean,
    "score": pl.Int64,
    "days_since_rpc": pl.Int64,
    "attempts_7d": pl.Int64,
    "attempts_since_rpc": pl.Int64,
    "responsive_channel": pl.String,
    "broken_promises": pl.Int64,
    "open_dispute": pl.Boolean,
    "on_hold": pl.Boolean,
    "hold_kind": pl.String,
    "active_promise": pl.Boolean,
    "active_plan": pl.Boolean,
    "days_since_placement": pl.Int64,
    "status": pl.String,
}


def features_schema() -> dict[str, pl.DataType]:
    """The columns of the features frame and their types (a fresh dict each call)."""
    return {name: dtype() for name, dtype in _SCHEMA.items()}


def empty_features() -> pl.DataFrame:
    """A features frame with no rows and every column."""
    return pl.DataFrame(schema=features_schema())


def stage_for_dpd(days_past_due: int) -> str:
    """The stage of an account with this many days past due (0 or less is "current")."""
    for stage, upper in zip(STAGES, _STAGE_UPPER_BOUNDS, strict=False):
        if days_past_due <= upper:
            return stage
    return STAGES[-1]


def stage_expr(days_past_due: pl.Expr | None = None) -> pl.Expr:
    """``stage_for_dpd`` over a column (default ``days_past_due``), named "stage"; null stays null."""
    source = pl.col("days_past_due") if days_past_due is None else days_past_due
    chain: Then | ChainedThen = pl.when(source.is_null()).then(pl.lit(None, dtype=pl.String))
    for stage, upper in zip(STAGES, _STAGE_UPPER_BOUNDS, strict=False):
        chain = chain.when(source <= upper).then(pl.lit(stage))
    return chain.otherwise(pl.lit(STAGES[-1])).alias("stage")
