"""The read API's shapes of the KPIs and reports: each rate with its numerator and denominator."""

# No ``from __future__ import annotations``: ninja and Pydantic read the annotations at import.
import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class RatioOut(Schema):
    numerator: Decimal
    denominator: Decimal
    value: float | None = Field(description="numerator / denominator; null when it is 0: no data")


class MetricOut(Schema):
    key: str
    name: str
    numerator: str
    denominator: str
    unit: str
    note: str


class KpiRowOut(Schema):
    group: str = Field(
        description='the grouping\'s value ("2026-11", "harbor", "call"); "" for all'
    )
    values: dict[str, RatioOut]


class KpiTableOut(Schema):
    period_start: dt.date
    period_end: dt.date = Field(description="exclusive")
    group_by: str
    metrics: list[MetricOut]
    rows: list[KpiRowOut]
    total: KpiRowOut


class ColumnOut(Schema):
    key: str
    label: str
    kind: str = Field(description="text, count, amount, hours or ratio")
    help: str = Field(description="a metric's definition: numerator / denominator")


class TableOut(Schema):
    key: str
    title: str
    columns: list[ColumnOut]
    rows: list[list[RatioOut | int | Decimal | str | None]]


class ReportOut(Schema):
    slug: str
    title: str
    period_start: dt.date
    period_end: dt.date = Field(description="exclusive")
    client: str = Field(description='the client asked for; "" for all the caller\'s')
    tables: list[TableOut]
    chart: dict[str, Any] = Field(description="labels and series, as the desk's chart draws them")
