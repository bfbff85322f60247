"""The shapes of the KPIs and reports: what the computations return and the pages, exports and the
monthly PDF show. Every rate carries its numerator and denominator (GLOSSARY: "show both").

Pure: no Django. The computations live in ``domain.kpis`` and ``domain.cohorts``; the database
frames they read in ``analytics.frames``; the tenant-scoped entry points in ``analytics.selectors``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# What a KPI table may be broken down by (GLOSSARY: by period, client, placement, segment, team,
# agent, channel and strategy arm). "" is the whole population in one row.
GROUPINGS: tuple[str, ...] = (
    "",
    "month",
    "week",
    "client",
    "placement",
    "segment",
    "team",
    "agent",
    "channel",
    "arm",
)


@dataclass(frozen=True, slots=True)
class MetricDefinition:
    key: str  # "contact_rate"
    name: str  # "Contact rate"
    numerator: str  # "attempts that reached any person"
    denominator: str  # "attempts"
    unit: str = "ratio"  # "ratio" (shown as %), "per_hour", "amount"
    note: str = ""  # the choice made where the glossary leaves one


@dataclass(frozen=True, slots=True)
class Ratio:
    numerator: Decimal
    denominator: Decimal

    @property
    def value(self) -> float | None:
        """None when the denominator is 0: "no data", never 0%."""
        return None if self.denominator == 0 else float(self.numerator / self.denominator)


@dataclass(frozen=True, slots=True)
class KpiRow:
    group: str  # the grouping's value ("2026-11", "ACME", "agent3", "call"); "" for all
    values: dict[str, Ratio]  # metric key -> ratio


@dataclass(frozen=True, slots=True)
class KpiTable:
    period_start: date
    period_end: date  # exclusive
    group_by: str
    metrics: tuple[MetricDefinition, ...]
    rows: tuple[KpiRow, ...]
    total: KpiRow


@dataclass(frozen=True, slots=True)
class CohortCurve:
    """Liquidation of one placement cohort (placements of a month) by months since placement."""

    cohort: str  # "2026-03"
    accounts: int
    placed: Decimal  # amount placed
    currency: str
    # (months since placement, amount collected to the end of that month, cumulative ratio)
    points: tuple[tuple[int, Decimal, Ratio], ...]


@dataclass(frozen=True, slots=True)
class RollMatrix:
    """Accounts by bucket at the start of ``month`` (rows) and at its end (columns)."""

    month: str  # "2026-10"
    buckets: tuple[str, ...]  # the stages, then the exits: "paid", "settled", "recalled", "closed"
    counts: dict[tuple[str, str], int]  # (from, to) -> accounts
    starts: dict[str, int]  # from -> accounts in the bucket at the start of the month

    def roll_rate(self, bucket: str) -> Ratio:
        """Accounts that moved from ``bucket`` to the next stage / accounts in ``bucket``."""
        stages = [b for b in self.buckets if b not in EXIT_STATES]
        if bucket not in stages or stages.index(bucket) + 1 >= len(stages):
            return Ratio(Decimal(0), Decimal(self.starts.get(bucket, 0)))
        nxt = stages[stages.index(bucket) + 1]
        return Ratio(
            Decimal(self.counts.get((bucket, nxt), 0)), Decimal(self.starts.get(bucket, 0))
        )


EXIT_STATES: tuple[str, ...] = ("paid", "settled", "recalled", "closed")


@dataclass(frozen=True, slots=True)
class FunnelStep:
    key: str  # "attempts", "rpc", "promise", "kept"
    label: str
    count: int
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Funnel:
    period_start: date
    period_end: date
    steps: tuple[FunnelStep, ...]


@dataclass(frozen=True, slots=True)
class AgentRow:
    agent: str  # username
    logged_in_hours: Decimal
    attempts: int
    rpc: int
    promises: int
    promised: Decimal
    collected: Decimal
    rpc_per_hour: Ratio
    promise_rate: Ratio
    occupancy: Ratio
    qa_average: float | None = None


@dataclass(frozen=True, slots=True)
class BlockRow:
    rule_id: str
    citation: str
    refused: int
    proposed: int  # contacts proposed in the period (the denominator, the same for every rule)

    @property
    def rate(self) -> Ratio:
        return Ratio(Decimal(self.refused), Decimal(self.proposed))


@dataclass(frozen=True, slots=True)
class ChannelRow:
    channel: str
    attempts: int
    contacts: int
    rpc: int
    promises: int
    collected_after: Decimal  # paid within 7 days of a right-party contact on this channel
    contact_rate: Ratio = field(init=False)
    rpc_rate: Ratio = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "contact_rate", Ratio(Decimal(self.contacts), Decimal(self.attempts))
        )
        object.__setattr__(self, "rpc_rate", Ratio(Decimal(self.rpc), Decimal(self.attempts)))
