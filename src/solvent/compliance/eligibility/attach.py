"""Attaching the ledger counts to the targets: one join on the debtor, the debts pivoted.

Counts exist per debtor, per (debtor, debt key) and per (debtor, contact point). Joining three
frames onto millions of targets is the costly step of the batch, so the per-debt counts are
pivoted into columns (``key_0``, ``cap0_keyed_0``, ``key_1``, ...: a debtor rarely has more than a
few debts with recent events) and everything joins on ``debtor_id`` once; a sorted join is used
when the targets come sorted by debtor. With many debts per debtor it falls back to a join on
(debtor, debt key).
"""

from __future__ import annotations

import polars as pl

from solvent.compliance.domain.model import CapScope
from solvent.compliance.eligibility.history import HistoryCounts, HistoryRules

MAX_PIVOTED_DEBTS = 4


def _count(name: str, scope: CapScope, columns: set[str]) -> pl.Expr:
    """The count of flag ``name`` that applies to a target, by the rule's scope."""

    def column(suffix: str) -> pl.Expr:
        wanted = f"{name}_{suffix}"
        return pl.col(wanted).fill_null(0) if wanted in columns else pl.lit(0, pl.Int64)

    if scope is CapScope.PER_DEBT:
        # Keyed rows already include the debtor's unattributed events.
        attributed = pl.col(f"{name}_keyed").fill_null(pl.col(f"{name}_unattributed").fill_null(0))
        if f"{name}_debtor" not in columns:
            return attributed
        return pl.when(pl.col("debt_key").is_null()).then(column("debtor")).otherwise(attributed)
    if scope is CapScope.PER_CONTACT_POINT:
        return column("point")
    return column("debtor")


def used_columns(rules: HistoryRules, columns: set[str]) -> list[pl.Expr]:
    """``used{k}``: the usage of cap k for each target (zero on exact rows: they carry their own
    answer, and equal keys let them share one answer per profile)."""
    expressions = []
    for k, cap in enumerate(rules.caps):
        used = _count(f"cap{k}", cap.scope, columns)
        if cap.after_first_conversation:
            used = pl.when(pl.col("conversed").fill_null(value=False)).then(used).otherwise(0)
        used = pl.when(pl.col("exact")).then(0).otherwise(used)
        expressions.append(used.cast(pl.Int64).alias(f"used{k}"))
    return expressions


def cooldown_columns(rules: HistoryRules, columns: set[str]) -> list[pl.Expr]:
    """``active{j}``: a trigger of cool-down j lies in its window (whether it applies to the
    target's channel is the profile's business)."""
    return [
        (~pl.col("exact") & (_count(f"cd{j}", cooldown.scope, columns) > 0)).alias(f"active{j}")
        for j, cooldown in enumerate(rules.cooldowns)
    ]


def with_counts(
    targets: pl.DataFrame, counts: HistoryCounts, rules: HistoryRules, exact_ids: list[int]
) -> pl.LazyFrame:
    """Targets with the raw counts of every rule, only the columns their scopes need."""
    debt_flags = rules.per_debt()
    point_flags = rules.per_point()
    debtor_flags = [
        flag
        for flag in rules.cap_columns + rules.cooldown_columns
        if flag not in debt_flags and flag not in point_flags
    ]
    if targets.get_column("debt_key").null_count():
        debtor_flags += debt_flags  # a target without a debt counts every event
    per_debt = counts.per_debt
    unattributed = per_debt.filter(pl.col("debt_key").is_null()).drop("debt_key")
    per_debtor = counts.per_debtor.select(
        "debtor_id", *[pl.col(flag).alias(f"{flag}_debtor") for flag in debtor_flags]
    ).join(
        unattributed.select(
            "debtor_id", *[pl.col(flag).alias(f"{flag}_unattributed") for flag in debt_flags]
        ),
        on="debtor_id",
        how="full",
        coalesce=True,
    )
    if rules.needs_conversation:
        per_debtor = per_debtor.join(
            counts.conversed.with_columns(conversed=pl.lit(value=True)),
            on="debtor_id",
            how="full",
            coalesce=True,
        )
    else:
        per_debtor = per_debtor.with_columns(conversed=pl.lit(value=False))
    # Keyed rows include the debtor's unattributed events.
    keyed = (
        per_debt.filter(pl.col("debt_key").is_not_null())
        .join(unattributed, on="debtor_id", how="left", suffix="_extra")
        .select(
            "debtor_id",
            "debt_key",
            *[
                (pl.col(flag) + pl.col(f"{flag}_extra").fill_null(0)).alias(f"{flag}_keyed")
                for flag in debt_flags
            ],
        )
    )
    layers = _layers(keyed) if debt_flags else []
    pivoted = layers is not None
    for rank, layer in enumerate(layers or []):
        per_debtor = per_debtor.join(
            layer.select(
                "debtor_id",
                pl.col("debt_key").alias(f"key_{rank}"),
                *[pl.col(f"{flag}_keyed").alias(f"{flag}_keyed_{rank}") for flag in debt_flags],
            ),
            on="debtor_id",
            how="full",
            coalesce=True,
        )
    ranks = len(layers or [])
    frame = targets.with_columns(exact=pl.col("profile_id").is_in(exact_ids))
    if targets.get_column("debtor_id").is_sorted():
        # Sorted on both sides, the join merges instead of hashing.
        frame = frame.with_columns(pl.col("debtor_id").set_sorted())
        per_debtor = per_debtor.sort("debtor_id")
    # Every join keeps the targets' order: the answer comes back row for row.
    joined = frame.lazy().join(per_debtor.lazy(), on="debtor_id", how="left", maintain_order="left")
    if pivoted and debt_flags:
        joined = joined.with_columns(
            _pick(f"{flag}_keyed", ranks).alias(f"{flag}_keyed") for flag in debt_flags
        )
    elif debt_flags:
        joined = joined.join(
            keyed.lazy(),
            on=["debtor_id", "debt_key"],
            how="left",
            maintain_order="left",
        )
    if point_flags:
        point = counts.per_point.lazy().rename({flag: f"{flag}_point" for flag in point_flags})
        joined = joined.join(
            point,
            on=["debtor_id", "contact_point_id"],
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
    return joined


def _layers(keyed: pl.DataFrame) -> list[pl.DataFrame] | None:
    """The keyed rows split so that each layer has at most one row per debtor; ``None`` when a
    debtor has more than ``MAX_PIVOTED_DEBTS`` debts with counts."""
    layers: list[pl.DataFrame] = []
    remaining = keyed
    while remaining.height:
        if len(layers) == MAX_PIVOTED_DEBTS:
            return None
        first = pl.col("debtor_id").is_first_distinct()
        layers.append(remaining.filter(first))
        remaining = remaining.filter(~first)
    return layers


def _pick(column: str, ranks: int) -> pl.Expr:
    """The pivoted count whose key is the target's debt key (null when none is)."""
    expression: pl.Expr = pl.lit(None, pl.Int64)
    for rank in reversed(range(ranks)):
        expression = (
            pl.when(pl.col("debt_key") == pl.col(f"key_{rank}"))
            .then(pl.col(f"{column}_{rank}"))
            .otherwise(expression)
        )
    return expression
