"""Every report as tables and a chart: the one declaration the page, the CSV and XLSX exports, the
read API and the monthly client PDF all show, so they cannot disagree on a figure.

A ``Table`` is named columns and rows of cells. A cell is text, a count, an amount (Decimal), a
``Ratio`` (shown as "rate (numerator / denominator)"; exported as three columns) or None (no data).
A chart is plain JSON-able data (labels, series) that desk/static/desk/analytics.js draws with
Chart.js and client_report.py draws with ReportLab.

Pure: no Django, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from solvent.analytics.domain.reports import (
    EXIT_STATES,
    AgentRow,
    BlockRow,
    ChannelRow,
    CohortCurve,
    Funnel,
    KpiTable,
    Ratio,
    RollMatrix,
)

Cell = str | int | Decimal | Ratio | None

# Column kinds: how a cell is shown and typed in a spreadsheet.
TEXT, COUNT, AMOUNT, RATIO, HOURS = "text", "count", "amount", "ratio", "hours"
# What a cell without data shows: an en dash, never 0.
NO_DATA = "\u2013"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    kind: str = TEXT
    # The metric's definition (numerator / denominator), shown as the header's tooltip.
    help: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    key: str  # a sheet's name, a CSV section's name: "kpis", "roll-2026-10"
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def column(self, key: str) -> list[Cell]:
        """The cells of one column, top to bottom."""
        index = [column.key for column in self.columns].index(key)
        return [row[index] for row in self.rows]


def ratio_percent(ratio: Ratio) -> str:
    """ "42.0%", or a dash when the denominator is 0 (no data, never 0%)."""
    value = ratio.value
    return NO_DATA if value is None else f"{value * 100:.1f}%"


def count_text(value: Decimal) -> str:
    """A numerator or denominator as people read it: 21, 1,234.50."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def ratio_text(ratio: Ratio) -> str:
    """ "42.0% (21 / 50)": the rate and both of its figures (GLOSSARY: show both)."""
    return (
        f"{ratio_percent(ratio)} ({count_text(ratio.numerator)} / {count_text(ratio.denominator)})"
    )


def cell_text(cell: Cell) -> str:
    if cell is None:
        return NO_DATA
    if isinstance(cell, Ratio):
        return ratio_text(cell)
    if isinstance(cell, Decimal):
        return f"{cell:,.2f}"
    if isinstance(cell, int):
        return f"{cell:,}"
    return cell


# --- the KPI table ------------------------------------------------------------------------------


def kpi_report_table(table: KpiTable) -> Table:
    """One row per group (then "All"), one ratio column per metric."""
    first = Column("group", table.group_by.capitalize() if table.group_by else "Population")
    metrics = tuple(
        Column(
            metric.key,
            metric.name,
            RATIO,
            help=f"{metric.numerator} / {metric.denominator}"
            + (f". {metric.note}" if metric.note else ""),
        )
        for metric in table.metrics
    )
    rows = [(row.group or "All", *_ratios(row.values, table)) for row in table.rows]
    if table.group_by or not rows:
        rows.append(("All", *_ratios(table.total.values, table)))
    return Table("kpis", "Key performance indicators", (first, *metrics), tuple(rows))


def _ratios(values: dict[str, Ratio], table: KpiTable) -> list[Cell]:
    return [values.get(metric.key) for metric in table.metrics]


# --- the reports --------------------------------------------------------------------------------


def liquidation_table(curves: Sequence[CohortCurve]) -> Table:
    """One row per cohort and month since placement: collected to date and the liquidation rate."""
    columns = (
        Column("cohort", "Placement cohort"),
        Column("accounts", "Accounts", COUNT),
        Column("placed", "Placed", AMOUNT),
        Column("currency", "Currency"),
        Column("month", "Months since placement", COUNT),
        Column("collected", "Collected to date", AMOUNT),
        Column(
            "liquidation_rate",
            "Liquidation rate",
            RATIO,
            help="amount collected / amount placed, for the cohort, by months since placement",
        ),
    )
    rows = tuple(
        (curve.cohort, curve.accounts, curve.placed, curve.currency, month, collected, ratio)
        for curve in curves
        for month, collected, ratio in curve.points
    )
    return Table("liquidation", "Liquidation by placement cohort", columns, rows)


def cohort_label(curve: CohortCurve, curves: Sequence[CohortCurve]) -> str:
    """The cohort's month, and its currency when the curves are in more than one (a cohort has a
    curve per currency: amounts in two currencies are never added)."""
    several = len({other.currency for other in curves}) > 1
    return f"{curve.cohort} {curve.currency}" if several else curve.cohort


def liquidation_chart(curves: Sequence[CohortCurve]) -> dict[str, Any]:
    """A line per cohort: x = months since placement, y = cumulative liquidation in percent."""
    longest = max((point[0] for curve in curves for point in curve.points), default=-1)
    labels = list(range(longest + 1))
    series = []
    for curve in curves:
        by_month = {month: ratio.value for month, _collected, ratio in curve.points}
        values = [_percent(by_month.get(month)) for month in labels]
        series.append({"label": cohort_label(curve, curves), "values": values})
    return {
        "type": "line",
        "labels": labels,
        "series": series,
        "x": "Months since placement",
        "y": "Collected / placed (%)",
    }


def roll_tables(matrices: Sequence[RollMatrix]) -> list[Table]:
    """Per month: accounts from each bucket (rows) to each bucket (columns), and the roll rate."""
    return [_roll_table(matrix) for matrix in matrices]


def _rolling_stages(matrix: RollMatrix) -> list[str]:
    """The stages with a next stage to roll to (all but the last)."""
    return [bucket for bucket in matrix.buckets if bucket not in EXIT_STATES][:-1]


def _roll_table(matrix: RollMatrix) -> Table:
    stages = [bucket for bucket in matrix.buckets if bucket not in EXIT_STATES]
    rolling = _rolling_stages(matrix)
    columns = (
        Column("from", "From \\ to"),
        Column("start", "At the start", COUNT),
        *(Column(f"to:{bucket}", bucket, COUNT) for bucket in matrix.buckets),
        Column(
            "roll_rate",
            "Roll rate",
            RATIO,
            help="accounts that moved from the bucket to the next / accounts in it at the start",
        ),
    )
    rows: list[tuple[Cell, ...]] = []
    for source in stages:
        counts: list[Cell] = [matrix.counts.get((source, target), 0) for target in matrix.buckets]
        # The last stage has no next one to roll to: no roll rate, rather than 0%.
        rate = matrix.roll_rate(source) if source in rolling else None
        rows.append((source, matrix.starts.get(source, 0), *counts, rate))
    return Table(f"roll-{matrix.month}", f"Roll rates, {matrix.month}", columns, tuple(rows))


def roll_heat(count: int, start: int) -> float:
    """The share of a bucket's accounts in one cell, 0..1: the heat map's colour."""
    return 0.0 if start <= 0 else min(1.0, max(0.0, count / start))


def roll_chart(matrices: Sequence[RollMatrix]) -> dict[str, Any]:
    """A line per stage that can roll: its roll rate, month by month."""
    stages: list[str] = []
    for matrix in matrices:
        for bucket in _rolling_stages(matrix):
            if bucket not in stages:
                stages.append(bucket)
    series = []
    for stage in stages:
        values = [
            _percent(matrix.roll_rate(stage).value) if stage in matrix.buckets else None
            for matrix in matrices
        ]
        if any(value is not None for value in values):
            series.append({"label": stage, "values": values})
    return {
        "type": "line",
        "labels": [matrix.month for matrix in matrices],
        "series": series,
        "x": "Month",
        "y": "Roll rate (%)",
    }


def funnel_table(funnel: Funnel) -> Table:
    """Each step with its count, its share of the step before and of the first step."""
    columns = (
        Column("step", "Step"),
        Column("count", "Count", COUNT),
        Column("amount", "Amount", AMOUNT),
        Column("of_previous", "Of the step before", RATIO),
        Column("of_first", "Of the first step", RATIO),
    )
    rows: list[tuple[Cell, ...]] = []
    first = funnel.steps[0].count if funnel.steps else 0
    previous: int | None = None
    for step in funnel.steps:
        of_previous = None if previous is None else Ratio(Decimal(step.count), Decimal(previous))
        rows.append(
            (
                step.label,
                step.count,
                step.amount,
                of_previous,
                Ratio(Decimal(step.count), Decimal(first)),
            )
        )
        previous = step.count
    return Table("funnel", "Promise funnel", columns, tuple(rows))


def funnel_chart(funnel: Funnel) -> dict[str, Any]:
    return {
        "type": "bar",
        "labels": [step.label for step in funnel.steps],
        "series": [{"label": "Count", "values": [step.count for step in funnel.steps]}],
        "x": "",
        "y": "Count",
    }


def agent_table(rows: Sequence[AgentRow]) -> Table:
    columns = (
        Column("agent", "Agent"),
        Column("logged_in_hours", "Logged-in hours", HOURS),
        Column("attempts", "Attempts", COUNT),
        Column("rpc", "Right-party contacts", COUNT),
        Column("promises", "Promises", COUNT),
        Column("promised", "Promised", AMOUNT),
        Column("collected", "Collected", AMOUNT),
        Column(
            "rpc_per_hour", "RPC per hour", RATIO, help="right-party contacts / logged-in hours"
        ),
        Column(
            "promise_rate",
            "Promise rate",
            RATIO,
            help="right-party contacts that ended in a PTP or a plan / right-party contacts",
        ),
        Column("occupancy", "Occupancy", RATIO, help="(talk + wrap-up time) / logged-in time"),
        Column("qa_average", "QA average", TEXT),
    )
    body = tuple(
        (
            row.agent,
            row.logged_in_hours,
            row.attempts,
            row.rpc,
            row.promises,
            row.promised,
            row.collected,
            row.rpc_per_hour,
            row.promise_rate,
            row.occupancy,
            None if row.qa_average is None else f"{row.qa_average:.1f}",
        )
        for row in rows
    )
    return Table("agents", "Agent productivity", columns, body)


def agent_chart(rows: Sequence[AgentRow]) -> dict[str, Any]:
    return {
        "type": "bar",
        "labels": [row.agent for row in rows],
        "series": [
            {"label": "Attempts", "values": [row.attempts for row in rows]},
            {"label": "Right-party contacts", "values": [row.rpc for row in rows]},
            {"label": "Promises", "values": [row.promises for row in rows]},
        ],
        "x": "Agent",
        "y": "Count",
    }


def blocks_table(rows: Sequence[BlockRow]) -> Table:
    columns = (
        Column("rule_id", "Rule"),
        Column("citation", "Citation"),
        Column("refused", "Refused", COUNT),
        Column(
            "rate",
            "Block rate",
            RATIO,
            help="contacts the compliance engine refused / contacts proposed, by rule",
        ),
    )
    body = tuple((row.rule_id, row.citation, row.refused, row.rate) for row in rows)
    return Table("compliance-blocks", "Compliance blocks by rule", columns, body)


def blocks_chart(rows: Sequence[BlockRow]) -> dict[str, Any]:
    return {
        "type": "bar",
        "labels": [row.rule_id for row in rows],
        "series": [{"label": "Refused", "values": [row.refused for row in rows]}],
        "x": "Rule",
        "y": "Contacts refused",
    }


def channel_table(rows: Sequence[ChannelRow]) -> Table:
    columns = (
        Column("channel", "Channel"),
        Column("attempts", "Attempts", COUNT),
        Column("contacts", "Contacts", COUNT),
        Column("rpc", "Right-party contacts", COUNT),
        Column("promises", "Promises", COUNT),
        Column("collected_after", "Collected within 7 days of an RPC", AMOUNT),
        Column(
            "contact_rate",
            "Contact rate",
            RATIO,
            help="attempts that reached any person / attempts",
        ),
        Column(
            "rpc_rate",
            "Right-party contact rate",
            RATIO,
            help="attempts that reached the right party / attempts",
        ),
    )
    body = tuple(
        (
            row.channel,
            row.attempts,
            row.contacts,
            row.rpc,
            row.promises,
            row.collected_after,
            row.contact_rate,
            row.rpc_rate,
        )
        for row in rows
    )
    return Table("channels", "Channel effectiveness", columns, body)


def channel_chart(rows: Sequence[ChannelRow]) -> dict[str, Any]:
    return {
        "type": "bar",
        "labels": [row.channel for row in rows],
        "series": [
            {
                "label": "Contact rate (%)",
                "values": [_percent(row.contact_rate.value) for row in rows],
            },
            {
                "label": "Right-party contact rate (%)",
                "values": [_percent(row.rpc_rate.value) for row in rows],
            },
        ],
        "x": "Channel",
        "y": "%",
    }


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)
