"""API schemas of the strategy's definitions: segments, strategies, experiments and their results.

One shape per format: the desk's pages post the same fields the API takes, and the services check
the content (``strategy.domain``): a condition or step that cannot be used is a 400 naming it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Field, Schema

from solvent.core.schemas import Text

_KEY = r"^[a-z0-9][a-z0-9_-]{0,59}$"
# A segment's conditions and a path's steps: far more than a person writes, far less than a flood.
MAX_ITEMS = 100


class ConditionIn(Schema):
    field: Text = Field(max_length=60, description="a feature of strategy.domain.features.FEATURES")
    op: Text = Field(max_length=10, description="eq, ne, lt, le, gt, ge, in, not_in, between, ...")
    value: Any = Field(None, description="a number, a text, a list for in/not_in, [low, high]")


class SegmentIn(Schema):
    name: Text = Field(max_length=200)
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    priority: int = Field(100, ge=-1_000_000, le=1_000_000, description="lower is tried first")
    strategy: Text = Field(max_length=60, description="the key of the strategy it follows")
    client: Text | None = Field(
        None, max_length=40, description="a client code; none: every client"
    )
    active: bool = True
    version: int | None = Field(
        None, ge=0, le=2**31 - 1, description="the version you edited: refused if it changed"
    )


class SegmentOut(Schema):
    key: str
    name: str
    conditions: list[dict[str, Any]]
    priority: int
    strategy: str
    client: str | None
    active: bool
    version: int
    description: str
    count: int | None = Field(
        None, description="matching active accounts of your clients today (detail only)"
    )


class StrategyIn(Schema):
    name: Text = Field(max_length=200)
    objective: Text = Field(max_length=20, description="recovery, cost_to_collect, retention, ...")
    definition: dict[str, Any] = Field(description="the path: {steps: [...], rules: [...]}")
    version: int | None = Field(None, ge=0, le=2**31 - 1)


class StrategyOut(Schema):
    key: str
    name: str
    objective: str
    status: str
    version: int
    definition: dict[str, Any]


class ArmIn(Schema):
    arm: Text = Field(max_length=40)
    strategy: Text = Field(max_length=60)
    percent: int = Field(ge=1, le=99)


class ExperimentIn(Schema):
    key: Text = Field(max_length=60, pattern=_KEY)
    name: Text = Field(max_length=200)
    segment: Text = Field(max_length=60)
    arms: list[ArmIn] = Field(
        min_length=2, max_length=10, description="the champion first, then the challengers"
    )


class ExperimentOut(Schema):
    key: str
    name: str
    segment: str
    arms: list[dict[str, Any]]
    status: str
    started_on: date
    ended_on: date | None
    promoted_arm: str


class PromoteIn(Schema):
    arm: Text = Field(max_length=40)


class ArmFiguresOut(Schema):
    arm: str
    strategy: str
    accounts: int
    attempts: int
    contacts: int
    rpcs: int
    promises: int
    promises_due: int
    promises_kept: int
    collected: str = Field(description="currency units, exact")
    cost: str = Field(description="currency units at the documented cost per attempt")
    complaints: int


class MetricOut(Schema):
    metric: str
    label: str
    champion: str
    challenger: str
    champion_numerator: str
    champion_denominator: str
    challenger_numerator: str
    challenger_denominator: str
    champion_rate: float | None
    challenger_rate: float | None
    champion_interval: list[float] | None
    challenger_interval: list[float] | None
    difference: float | None
    p_value: float | None
    significant: bool


class ExperimentResultsOut(Schema):
    experiment: ExperimentOut
    currency: str
    cost_per_attempt: dict[str, str]
    arms: list[ArmFiguresOut]
    metrics: list[MetricOut]
