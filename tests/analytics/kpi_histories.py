"""Small hand-built histories for the KPI tests: one row builder per frame, deterministic defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from solvent.analytics.domain.history import History, frame_of
from solvent.analytics.domain.kpis import kpi_table
from solvent.analytics.domain.reports import KpiTable, Ratio

START = date(2026, 11, 1)
END = date(2026, 12, 1)
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 15, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def account(account_id: int, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "account_id": account_id,
        "client": "acme",
        "team": "east",
        "placement": "#1 acme 2026-09-01",
        "placed_on": date(2026, 9, 1),
        "currency": "USD",
        "placed_minor": 100_000,
        "delinquency_date": date(2026, 6, 1),
        "status": "active",
        "updated_on": date(2026, 9, 1),
        "segment": "early",
        "arm": "champion",
    }
    row.update(fields)
    return row


_ids = iter(range(1, 1_000_000))


def event(account_id: int, disposition: str, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "event_id": next(_ids),
        "account_id": account_id,
        "occurred_at": at(10),
        "channel": "call",
        "direction": "outbound",
        "disposition": disposition,
        "agent": "ann",
        "agent_team": "east",
    }
    row.update(fields)
    return row


def promise(account_id: int, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "promise_id": next(_ids),
        "account_id": account_id,
        "interaction_id": None,
        "agent": "ann",
        "agent_team": "east",
        "created_at": at(2),
        "due_on": date(2026, 11, 10),
        "amount_minor": 10_000,
        "grace_days": 3,
        "cancelled": False,
    }
    row.update(fields)
    return row


def payment(
    account_id: int, paid_on: date, amount_minor: int, status: str = "cleared"
) -> dict[str, Any]:
    return {
        "payment_id": next(_ids),
        "account_id": account_id,
        "paid_on": paid_on,
        "amount_minor": amount_minor,
        "status": status,
    }


def session(
    agent: str, logged_in_at: datetime, logged_out_at: datetime | None, **fields: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "agent": agent,
        "agent_team": "east",
        "client": "acme",
        "logged_in_at": logged_in_at,
        "logged_out_at": logged_out_at,
    }
    row.update(fields)
    return row


def call(account_id: int, outcome: str, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "call_id": next(_ids),
        "account_id": account_id,
        "agent": "",
        "agent_team": "",
        "campaign": "main",
        "started_at": at(10, 14, 59),
        "answered_at": at(10, 15),
        "connected_at": None,
        "ended_at": at(10, 15, 1),
        "wrap_up_ended_at": None,
        "outcome": outcome,
        "answered_by_person": True,
    }
    row.update(fields)
    return row


def decision(account_id: int, allowed: bool, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "decision_id": next(_ids),
        "account_id": account_id,
        "decided_at": at(10),
        "channel": "call",
        "allowed": allowed,
    }
    row.update(fields)
    return row


def history(**frames: list[dict[str, Any]]) -> History:
    return History(**{name: frame_of(name, rows) for name, rows in frames.items()})


def table(h: History, group_by: str = "", **kwargs: Any) -> KpiTable:
    values = {"period_start": START, "period_end": END, "now": NOW}
    values.update(kwargs)
    return kpi_table(h, group_by=group_by, **values)


def parts(ratio: Ratio) -> tuple[Decimal, Decimal]:
    return ratio.numerator, ratio.denominator


def total(h: History, key: str, **kwargs: Any) -> tuple[Decimal, Decimal]:
    return parts(table(h, **kwargs).total.values[key])
