"""Tenant-scoped reads of the KPIs and reports (track: KPIs). Every function takes the user and
computes over the clients that user sees (a client viewer: their own client only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from solvent.analytics.domain.reports import (
    AgentRow,
    BlockRow,
    ChannelRow,
    CohortCurve,
    Funnel,
    KpiTable,
    RollMatrix,
)


def kpi_table(
    *, user: Any, period_start: date, period_end: date, group_by: str = "", client_code: str = ""
) -> KpiTable:
    raise NotImplementedError


def liquidation_curves(
    *, user: Any, cohorts_from: date, as_of: date, client_code: str = ""
) -> list[CohortCurve]:
    raise NotImplementedError


def roll_rate_matrices(
    *, user: Any, months_from: date, as_of: date, client_code: str = ""
) -> list[RollMatrix]:
    raise NotImplementedError


def promise_funnel(
    *, user: Any, period_start: date, period_end: date, client_code: str = ""
) -> Funnel:
    raise NotImplementedError


def agent_productivity(
    *, user: Any, period_start: date, period_end: date, client_code: str = ""
) -> list[AgentRow]:
    raise NotImplementedError


def compliance_blocks(
    *, user: Any, period_start: date, period_end: date, client_code: str = ""
) -> list[BlockRow]:
    raise NotImplementedError


def channel_effectiveness(
    *, user: Any, period_start: date, period_end: date, client_code: str = ""
) -> list[ChannelRow]:
    raise NotImplementedError
