"""Accounts over time: when each left the book, its bucket at a date, liquidation curves by
placement cohort and roll-rate matrices by month.

"Bucket at a date" (docs/adr/0038-kpis-and-metrics.md): the state at the first instant of that UTC
day. An account not yet placed has none. One that left the book before the day (its last cleared
payment paid it, its settlement was paid, the client recalled it, it was closed) is in that exit.
Any other is in the stage of default of its days past due, counted from its delinquency date
(``portfolio.domain.aging``, the glossary's stages). An agency's account keeps its delinquency date:
it does not become current again by paying part of what it owes, so between placement and exit its
stage only grows with time; the movements a matrix shows are ageing and exits.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import polars as pl

from solvent.analytics.domain.history import History, minor_to_decimal
from solvent.analytics.domain.reports import EXIT_STATES, CohortCurve, Ratio, RollMatrix
from solvent.portfolio.domain.aging import Stage, stage_for

STAGES: tuple[str, ...] = tuple(stage.value for stage in Stage)
# Buckets are small integers inside the computations (fast to compare and group), labels outside:
# 0..6 the stages in order, then the exits.
BUCKETS: tuple[str, ...] = (*STAGES, *EXIT_STATES)
_EXIT_CODES = {state: len(STAGES) + index for index, state in enumerate(EXIT_STATES)}
# The days past due at which a new stage starts, read off ``stage_for`` itself (one definition):
# a stage's code is the number of these boundaries the days past due have reached.
_STAGE_STARTS: tuple[int, ...] = tuple(
    days for days in range(1, 400) if stage_for(days) != stage_for(days - 1)
)
assert len(_STAGE_STARTS) == len(STAGES) - 1
_STAGE_STARTS_SERIES = pl.lit(pl.Series(_STAGE_STARTS, dtype=pl.Int64))


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    first = day.replace(day=1)
    return (first + timedelta(days=32)).replace(day=1)


def month_label(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def cleared(payments: pl.DataFrame) -> pl.DataFrame:
    """The payments that count: cleared (pending, returned and reversed ones do not)."""
    return payments.filter(pl.col("status") == "cleared")


def exit_columns() -> list[pl.Expr]:
    """``exit_code`` (null while open; see ``BUCKETS``) and ``exit_on`` (the day it left), for
    accounts joined with ``last_paid_on``, the day of their last cleared payment.

    Paid: the day of its last cleared payment; settled: the day its settlement was paid (else its
    last cleared payment); recalled: the recall's day; closed: the day the account last changed
    (nothing else records it). Each falls back to the account's last change.
    """
    status = pl.col("status")
    exit_code = pl.lit(None, dtype=pl.Int8)
    exit_on = pl.lit(None, dtype=pl.Date)
    fallbacks = {
        "paid": ("last_paid_on", "updated_on"),
        "settled": ("settled_on", "last_paid_on", "updated_on"),
        "recalled": ("recalled_on", "updated_on"),
        "closed": ("updated_on",),
    }
    for state, columns in fallbacks.items():
        chosen = status == state
        exit_code = pl.when(chosen).then(pl.lit(_EXIT_CODES[state], pl.Int8)).otherwise(exit_code)
        exit_on = pl.when(chosen).then(pl.coalesce(*columns)).otherwise(exit_on)
    return [exit_code.alias("exit_code"), exit_on.alias("exit_on")]


def last_paid(history: History) -> pl.LazyFrame:
    """The day of the last cleared payment of each paid or settled account (the others' exits do
    not need it: leaving them out keeps the group-by small)."""
    settled = history.accounts.filter(pl.col("status").is_in(["paid", "settled"]))["account_id"]
    return (
        cleared(history.payments)
        .lazy()
        .filter(pl.col("account_id").is_in(settled.implode()))
        .group_by("account_id")
        .agg(pl.col("paid_on").max().alias("last_paid_on"))
    )


def account_exits(history: History) -> pl.LazyFrame:
    """The accounts with their ``exit_columns`` (only the columns the buckets need)."""
    return (
        history.accounts.lazy()
        .select(
            "account_id",
            "placed_on",
            "delinquency_date",
            "status",
            "recalled_on",
            "settled_on",
            "updated_on",
        )
        .join(last_paid(history), on="account_id", how="left")
        .with_columns(exit_columns())
    )


def bucket_at(day: date) -> pl.Expr:
    """The bucket code of each account (of ``account_exits``) at the start of ``day``: its stage
    (0..6) or its exit (7..10); null when not yet placed."""
    days_past_due = (pl.lit(day) - pl.col("delinquency_date")).dt.total_days().fill_null(0)
    stage = _STAGE_STARTS_SERIES.search_sorted(days_past_due, side="right").cast(pl.Int8)
    return (
        pl.when(pl.col("placed_on") >= day)
        .then(None)
        .when(pl.col("exit_on") < day)
        .then(pl.col("exit_code"))
        .otherwise(stage)
    )


def is_stage(bucket: pl.Expr) -> pl.Expr:
    return bucket < len(STAGES)


def roll_matrices(history: History, *, months_from: date, as_of: date) -> list[RollMatrix]:
    """One matrix per month that has ended by ``as_of`` (inclusive), from ``months_from``'s month.

    Rows: the stage at the start of the month (accounts in an exit then are not in it); columns: the
    bucket at its end (the start of the next month). A month still running has no matrix.
    """
    months = []
    month = month_start(months_from)
    while next_month(month) <= as_of + timedelta(days=1):
        months.append(month)
        month = next_month(month)
    accounts = account_exits(history).cache()
    moves = pl.collect_all(
        [
            accounts.select(
                bucket_at(month).alias("start"), bucket_at(next_month(month)).alias("end")
            )
            .filter(is_stage(pl.col("start")))
            .group_by("start", "end")
            .len()
            for month in months
        ]
    )
    matrices = []
    for month, moved in zip(months, moves, strict=True):
        counts = {
            (BUCKETS[start], BUCKETS[finish]): int(count)
            for start, finish, count in moved.iter_rows()
        }
        starts: dict[str, int] = defaultdict(int)
        for (start, _end), count in counts.items():
            starts[start] += count
        matrices.append(
            RollMatrix(
                month=month_label(month),
                buckets=BUCKETS,
                counts=counts,
                starts={stage: starts.get(stage, 0) for stage in STAGES},
            )
        )
    return matrices


def _months_between(earlier: pl.Expr, later: pl.Expr) -> pl.Expr:
    return (later.dt.year().cast(pl.Int32) - earlier.dt.year().cast(pl.Int32)) * 12 + (
        later.dt.month().cast(pl.Int32) - earlier.dt.month().cast(pl.Int32)
    )


def liquidation_curves(history: History, *, cohorts_from: date, as_of: date) -> list[CohortCurve]:
    """Liquidation of each placement cohort (accounts placed in a month, one curve per currency) by
    months since placement: month 0 is the month of placement, the last point is to ``as_of``.

    Collected: cleared payments paid from placement to the end of each month (to ``as_of``
    inclusive in the running month), over the amount placed.
    """
    accounts = history.accounts.filter(
        (pl.col("placed_on") >= month_start(cohorts_from)) & (pl.col("placed_on") <= as_of)
    ).with_columns(cohort=pl.col("placed_on").dt.truncate("1mo"))
    cohorts = (
        accounts.group_by("cohort", "currency")
        .agg(pl.len().alias("accounts"), pl.col("placed_minor").sum().alias("placed"))
        .sort("cohort", "currency")
    )
    paid = (
        cleared(history.payments)
        .filter(pl.col("paid_on") <= as_of)
        .join(accounts.select("account_id", "cohort", "currency", "placed_on"), on="account_id")
        .filter(pl.col("paid_on") >= pl.col("placed_on"))
        .with_columns(month=_months_between(pl.col("cohort"), pl.col("paid_on")))
        .group_by("cohort", "currency", "month")
        .agg(pl.col("amount_minor").sum().alias("collected"))
    )
    by_month: dict[tuple[date, str], dict[int, int]] = defaultdict(dict)
    for cohort, currency, month, collected in paid.iter_rows():
        by_month[(cohort, currency)][int(month)] = int(collected)
    curves = []
    for cohort, currency, count, placed in cohorts.iter_rows():
        last = (as_of.year - cohort.year) * 12 + as_of.month - cohort.month
        running = 0
        points = []
        for months in range(last + 1):
            running += by_month[(cohort, currency)].get(months, 0)
            amount = minor_to_decimal(running)
            points.append((months, amount, Ratio(amount, minor_to_decimal(int(placed)))))
        curves.append(
            CohortCurve(
                cohort=month_label(cohort),
                accounts=int(count),
                placed=minor_to_decimal(int(placed)),
                currency=str(currency),
                points=tuple(points),
            )
        )
    return curves
