"""The KPI table: every metric of ``domain.metrics`` for a period, whole or broken down.

Each metric is a ratio of two sums over the facts of ``domain.facts``. A breakdown is a group-by of
the facts on one dimension, so every group's numerator and denominator are sums that add up to the
total's (the contact and right-party contact rates by channel excepted: the total is calls only,
the rows each channel's own). A breakdown by month or week computes the table for each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

import polars as pl

from solvent.analytics.domain.cohorts import month_label, next_month
from solvent.analytics.domain.facts import Fact, facts_build
from solvent.analytics.domain.history import History, minor_to_decimal
from solvent.analytics.domain.metrics import METRIC_GROUPINGS, METRICS
from solvent.analytics.domain.reports import GROUPINGS, KpiRow, KpiTable, Ratio
from solvent.core.domain.errors import ValidationError

_MS_PER_HOUR = Decimal(3_600_000)
Unit = Literal["count", "minor", "ms"]


@dataclass(frozen=True)
class Part:
    fact: str
    column: str
    unit: Unit


# metric key -> (numerator, denominator)
PARTS: dict[str, tuple[Part, Part]] = {
    "penetration": (Part("accounts", "attempted", "count"), Part("accounts", "worked", "count")),
    "contact_rate": (
        Part("events", "call_contacts", "count"),
        Part("events", "call_attempts", "count"),
    ),
    "rpc_rate": (
        Part("events", "call_rpc_attempts", "count"),
        Part("events", "call_attempts", "count"),
    ),
    "rpc_per_hour": (Part("events", "rpc", "count"), Part("hours", "logged_ms", "ms")),
    "promise_rate": (Part("events", "rpc_promises", "count"), Part("events", "rpc", "count")),
    "kept_rate": (Part("promises", "kept", "count"), Part("promises", "matured", "count")),
    "promise_amount": (
        Part("promises", "paid_against", "minor"),
        Part("promises", "promised", "minor"),
    ),
    "liquidation_rate": (
        Part("accounts", "collected_to_end", "minor"),
        Part("accounts", "placed_to_end", "minor"),
    ),
    "recovery_rate": (
        Part("accounts", "recovered", "minor"),
        Part("accounts", "balance_start", "minor"),
    ),
    "cure_rate": (Part("accounts", "cured", "count"), Part("accounts", "delinquent", "count")),
    "roll_rate": (Part("accounts", "rolled", "count"), Part("accounts", "rollable", "count")),
    "cost_to_collect": (Part("hours", "logged_ms", "ms"), Part("accounts", "collected", "minor")),
    "occupancy": (Part("calls", "busy_ms", "ms"), Part("hours", "logged_ms", "ms")),
    "abandon_rate": (Part("calls", "abandoned", "count"), Part("calls", "answered_live", "count")),
    "compliance_block_rate": (
        Part("decisions", "refused", "count"),
        Part("decisions", "proposed", "count"),
    ),
}
# By channel, the contact and right-party rates are each channel's own attempts.
_BY_CHANNEL: dict[str, tuple[Part, Part]] = {
    "contact_rate": (Part("events", "contacts", "count"), Part("events", "attempts", "count")),
    "rpc_rate": (Part("events", "rpc_attempts", "count"), Part("events", "attempts", "count")),
}


Sums = dict[str, dict[str, int]]  # value column -> group label -> sum


def _summed(fact: Fact, group_by: str) -> pl.LazyFrame:
    sums = [pl.col(value).sum().alias(value) for value in fact.values]
    if group_by not in fact.dimensions:
        return fact.frame.select(sums)
    return fact.frame.with_columns(pl.col(group_by).fill_null("")).group_by(group_by).agg(sums)


def _sums(fact: Fact, group_by: str, summed: pl.DataFrame) -> tuple[Sums | None, dict[str, int]]:
    """The fact's values per group (None when it has no such dimension), and in total."""
    if group_by not in fact.dimensions:
        totals = summed.row(0)
        return None, {
            value: int(total or 0) for value, total in zip(fact.values, totals, strict=True)
        }
    per_group: Sums = {value: {} for value in fact.values}
    for named in summed.iter_rows(named=True):
        for value in fact.values:
            per_group[value][str(named[group_by])] = int(named[value] or 0)
    total = {value: sum(per_group[value].values()) for value in fact.values}
    return per_group, total


def _amount(total: int, unit: Unit, rate: Decimal | None = None) -> Decimal:
    if unit == "minor":
        return minor_to_decimal(total)
    if unit == "ms":
        hours = Decimal(total) / _MS_PER_HOUR
        return hours * rate if rate is not None else hours
    return Decimal(total)


def _ratio(metric: str, part: Part, total: int, rate: Decimal | None) -> Decimal:
    return _amount(total, part.unit, rate if metric == "cost_to_collect" else None)


def _whole(
    history: History, start: date, end: date, now: datetime, group_by: str, rate: Decimal | None
) -> tuple[list[KpiRow], KpiRow]:
    facts = facts_build(history, start, end, now, group_by)
    # One run for every source: Polars computes the shared parts (the accounts' exits) once and
    # the sources side by side.
    collected = pl.collect_all([_summed(fact, group_by) for fact in facts.values()])
    summed = {
        name: _sums(fact, group_by, frame)
        for (name, fact), frame in zip(facts.items(), collected, strict=True)
    }
    keys = [m.key for m in METRICS if m.key != "cost_to_collect" or rate is not None]
    labels = sorted(
        {
            label
            for per_group, _ in summed.values()
            if per_group
            for col in per_group.values()
            for label in col
        }
    )
    rows: list[KpiRow] = []
    for label in labels:
        values: dict[str, Ratio] = {}
        for key in keys:
            if group_by not in METRIC_GROUPINGS[key]:
                continue
            parts = _BY_CHANNEL.get(key, PARTS[key]) if group_by == "channel" else PARTS[key]
            numerator, denominator = (
                _ratio(
                    key, part, (summed[part.fact][0] or {}).get(part.column, {}).get(label, 0), rate
                )
                for part in parts
            )
            values[key] = Ratio(numerator, denominator)
        rows.append(KpiRow(group=label, values=values))
    total_values = {}
    for key in keys:
        numerator, denominator = (
            _ratio(key, part, summed[part.fact][1][part.column], rate) for part in PARTS[key]
        )
        total_values[key] = Ratio(numerator, denominator)
    return rows, KpiRow(group="", values=total_values)


def periods_split(start: date, end: date, by: str) -> list[tuple[str, date, date]]:
    """The months ("2026-11") or ISO weeks ("2026-W47") of ``[start, end)``, clipped to it."""
    pieces = []
    cursor = start
    while cursor < end:
        if by == "month":
            label, following = month_label(cursor), next_month(cursor)
        else:
            year, week, _ = cursor.isocalendar()
            label = f"{year:04d}-W{week:02d}"
            following = cursor + timedelta(days=7 - cursor.weekday())
        pieces.append((label, cursor, min(following, end)))
        cursor = min(following, end)
    return pieces


def kpi_table(
    history: History,
    *,
    period_start: date,
    period_end: date,
    now: datetime,
    group_by: str = "",
    cost_per_agent_hour: Decimal | None = None,
) -> KpiTable:
    """Every metric over ``[period_start, period_end)``, in total and per group of ``group_by``.

    ``now`` decides which promises' deadlines have passed and where open sessions end. The cost to
    collect is shown only with ``cost_per_agent_hour``.
    """
    if group_by not in GROUPINGS:
        raise ValidationError(f"KPIs cannot be broken down by {group_by!r}", code="bad_grouping")
    if period_end <= period_start:
        raise ValidationError("the period ends before it starts", code="bad_period")
    rate = cost_per_agent_hour
    if group_by in ("month", "week"):
        rows = []
        for label, start, end in periods_split(period_start, period_end, group_by):
            _, piece = _whole(history, start, end, now, "", rate)
            rows.append(KpiRow(group=label, values=piece.values))
        _, total = _whole(history, period_start, period_end, now, "", rate)
    else:
        rows, total = _whole(history, period_start, period_end, now, group_by, rate)
    if group_by == "":
        rows = [total]
    metrics = tuple(m for m in METRICS if m.key != "cost_to_collect" or rate is not None)
    return KpiTable(
        period_start=period_start,
        period_end=period_end,
        group_by=group_by,
        metrics=metrics,
        rows=tuple(rows),
        total=total,
    )
