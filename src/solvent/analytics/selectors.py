"""Tenant-scoped reads of the KPIs and reports (track: KPIs). Every function takes the user and
computes over the clients that user sees (a client viewer: their own client only).

Each reads the history it needs (``analytics.frames``, a fixed number of queries) and hands it to
the pure computations (``analytics.domain``). ``client_code`` narrows to one client the user sees;
a client they do not see is "not found", the same answer as a client that does not exist.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from solvent.analytics.domain import cohorts, kpis, productivity
from solvent.analytics.domain.reports import (
    AgentRow,
    BlockRow,
    ChannelRow,
    CohortCurve,
    Funnel,
    KpiTable,
    RollMatrix,
)
from solvent.analytics.frames import ALL_PARTS, Scope, history_load
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.portfolio.access import access_client_ids, access_client_queryset

# The cost of one agent logged-in hour, the only operating cost the data can give (ADR 0038).
COST_PER_AGENT_HOUR_ENV = "SOLVENT_COST_PER_AGENT_HOUR"
_ACCOUNT_PARTS = frozenset({"accounts", "payments"})
_CONTACT_PARTS = frozenset({"accounts", "events", "promises", "plans", "payments"})


def analytics_scope(*, user: Any, client_code: str = "") -> Scope:
    """The clients whose figures this user sees, narrowed to ``client_code`` when given."""
    client_ids = access_client_ids(user=user)
    shared = staff_role_get(user=user) not in (None, Role.CLIENT_VIEWER)
    if client_code:
        client = access_client_queryset(user=user).filter(code=client_code).first()
        if client is None:
            raise NotFoundError(f"client {client_code} not found")
        return Scope(client_ids=frozenset({client.pk}), shared_sessions=False)
    return Scope(client_ids=client_ids, shared_sessions=shared)


def cost_per_agent_hour() -> Decimal | None:
    raw = os.environ.get(COST_PER_AGENT_HOUR_ENV, "").strip()
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def _period_check(period_start: date, period_end: date) -> None:
    if period_end <= period_start:
        raise ValidationError("the period ends before it starts", code="bad_period")


def kpi_table(
    *, user: Any, period_start: date, period_end: date, group_by: str = "", client_code: str = ""
) -> KpiTable:
    _period_check(period_start, period_end)
    history = history_load(
        scope=analytics_scope(user=user, client_code=client_code),
        since=period_start,
        until=period_end,
        parts=ALL_PARTS - {"blocks", "qa"},
    )
    return kpis.kpi_table(
        history,
        period_start=period_start,
        period_end=period_end,
        now=clock.now(),
        group_by=group_by,
        cost_per_agent_hour=cost_per_agent_hour(),
    )


def liquidation_curves(
    *, user: Any, cohorts_from: date, as_of: date, client_code: str = ""
) -> list[CohortCurve]:
    history = history_load(
        scope=analytics_scope(user=user, client_code=client_code),
        since=cohorts_from,
        until=as_of + timedelta(days=1),
        parts=_ACCOUNT_PARTS,
    )
    return cohorts.liquidation_curves(history, cohorts_from=cohorts_from, as_of=as_of)


def roll_rate_matrices(
    *, user: Any, months_from: date, as_of: date, client_code: str = ""
) -> list[RollMatrix]:
    history = history_load(
        scope=analytics_scope(user=user, client_code=client_code),
        since=months_from,
        until=as_of + timedelta(days=1),
        parts=_ACCOUNT_PARTS,
    )
    return cohorts.roll_matrices(history, months_from=months_from, as_of=as_of)


def promise_funnel(
    *, user: Any, period_start: date, period_end: date, client_code: str = ""
) -> Funnel:
    _period_check(period_start, period_end)
    history = history_load(
        scope=analytics_scope(user=user, client_code=client_code),
        since=period_start,
        until=period_end,
        parts=_CONTACT_PARTS,
    )
    return productivity.promise_funnel(
        history, period_start=period_start, period_end=period_end, now=clock.now()
    )


def agent_productivity(
    *, user: Any, period_start: date, period_end: date, client_code: str = ""
) -> list[AgentRow]:
    _period_check(period_start, period_end)
    history = history_load(
        scope=analytics_scope(user=user, client_code=client_code),
        since=period_start,
        until=period_end,
        parts=_CONTACT_PARTS | {"sessions", "calls", "qa"},
    )
    return productivity.agent_productivity(
        history, period_start=period_start, period_end=period_end, now=clock.now()
    )


def compliance_blocks(
    *, user: Any, period_start: date, period_end: date, client_code: str = ""
) -> list[BlockRow]:
    _period_check(period_start, period_end)
    history = history_load(
        scope=analytics_scope(user=user, client_code=client_code),
        since=period_start,
        until=period_end,
        parts=frozenset({"accounts", "decisions", "blocks"}),
    )
    return productivity.compliance_blocks(history, period_start=period_start, period_end=period_end)


def channel_effectiveness(
    *, user: Any, period_start: date, period_end: date, client_code: str = ""
) -> list[ChannelRow]:
    _period_check(period_start, period_end)
    history = history_load(
        scope=analytics_scope(user=user, client_code=client_code),
        since=period_start,
        until=period_end,
        parts=_CONTACT_PARTS,
    )
    return productivity.channel_effectiveness(
        history, period_start=period_start, period_end=period_end
    )
