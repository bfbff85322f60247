"""The history the KPIs and reports compute over, as Polars frames: their schema, and the container.

``analytics.frames`` reads these from the database in a fixed number of queries; the benchmark
generates them with numpy; the tests build them by hand. Every computation in ``domain.kpis`` and
``domain.cohorts`` takes a ``History`` and nothing else from outside, so all three run the same code.

Choices that hold in every frame (docs/adr/0038-kpis-and-metrics.md):

- Money is an integer count of minor units (cents): exact like Decimal, and as fast to sum as any
  integer. It becomes Decimal only in the figures handed out (``minor_to_decimal``).
- Times are UTC (``Datetime("us", "UTC")``); a day or a period boundary is a UTC date.
- An empty string, not null, stands for "none" in a label column (no agent, no segment), so a
  group-by gives those rows a group of their own, shown as "".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

import polars as pl

UTC_TIME = pl.Datetime("us", "UTC")

ACCOUNTS_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.Int64(),
    "client": pl.String(),  # the client's code
    "team": pl.String(),  # the team serving the client (the first by name when several)
    "placement": pl.String(),  # "#<id> <client> <placed_on>", "" when not from a placement file
    "placed_on": pl.Date(),
    "currency": pl.String(),
    "placed_minor": pl.Int64(),  # amount placed: the balance now plus what allocations took
    "delinquency_date": pl.Date(),  # null: not delinquent
    "status": pl.String(),  # portfolio.Account.Status
    "recalled_on": pl.Date(),
    "settled_on": pl.Date(),  # the day its settlement was paid, if any
    "updated_on": pl.Date(),
    "segment": pl.String(),  # the account's strategy position now
    "arm": pl.String(),
}

EVENTS_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.Int64(),  # contact.Interaction id
    "account_id": pl.Int64(),  # the lowest visible account the interaction concerned
    "occurred_at": UTC_TIME,
    "channel": pl.String(),
    "direction": pl.String(),  # "outbound" | "inbound"
    "disposition": pl.String(),
    "agent": pl.String(),
    "agent_team": pl.String(),
}

PROMISES_SCHEMA: dict[str, pl.DataType] = {
    "promise_id": pl.Int64(),
    "account_id": pl.Int64(),
    "interaction_id": pl.Int64(),  # null when taken outside a recorded interaction
    "agent": pl.String(),
    "agent_team": pl.String(),
    "created_at": UTC_TIME,
    "due_on": pl.Date(),
    "amount_minor": pl.Int64(),
    "grace_days": pl.Int32(),  # the client's terms (arrangements' default when none)
    "cancelled": pl.Boolean(),
}

PLANS_SCHEMA: dict[str, pl.DataType] = {
    "plan_id": pl.Int64(),
    "account_id": pl.Int64(),
    "agent": pl.String(),
    "created_at": UTC_TIME,
    "total_minor": pl.Int64(),
}

PAYMENTS_SCHEMA: dict[str, pl.DataType] = {
    "payment_id": pl.Int64(),
    "account_id": pl.Int64(),
    "paid_on": pl.Date(),
    "amount_minor": pl.Int64(),
    "status": pl.String(),  # only "cleared" counts
}

SESSIONS_SCHEMA: dict[str, pl.DataType] = {
    "agent": pl.String(),
    "agent_team": pl.String(),
    "client": pl.String(),  # the campaign's client, "" for a campaign of several clients
    "logged_in_at": UTC_TIME,
    "logged_out_at": UTC_TIME,  # null: still logged in (counted to the end of the period)
}

CALLS_SCHEMA: dict[str, pl.DataType] = {
    "call_id": pl.Int64(),
    "account_id": pl.Int64(),
    "agent": pl.String(),
    "agent_team": pl.String(),
    "campaign": pl.String(),
    "started_at": UTC_TIME,
    "answered_at": UTC_TIME,
    "connected_at": UTC_TIME,
    "ended_at": UTC_TIME,
    "wrap_up_ended_at": UTC_TIME,
    "outcome": pl.String(),
    "answered_by_person": pl.Boolean(),
}

DECISIONS_SCHEMA: dict[str, pl.DataType] = {
    "decision_id": pl.Int64(),
    "account_id": pl.Int64(),
    "decided_at": UTC_TIME,
    "channel": pl.String(),
    "allowed": pl.Boolean(),
}

# One row per (refused decision, blocking rule): the rule ids and citations of what was refused.
BLOCKS_SCHEMA: dict[str, pl.DataType] = {
    "decision_id": pl.Int64(),
    "rule_id": pl.String(),
    "citation": pl.String(),
}

QA_SCHEMA: dict[str, pl.DataType] = {
    "agent": pl.String(),
    "account_id": pl.Int64(),
    "created_at": UTC_TIME,
    "score": pl.Float64(),
}

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "accounts": ACCOUNTS_SCHEMA,
    "events": EVENTS_SCHEMA,
    "promises": PROMISES_SCHEMA,
    "plans": PLANS_SCHEMA,
    "payments": PAYMENTS_SCHEMA,
    "sessions": SESSIONS_SCHEMA,
    "calls": CALLS_SCHEMA,
    "decisions": DECISIONS_SCHEMA,
    "blocks": BLOCKS_SCHEMA,
    "qa": QA_SCHEMA,
}


def empty_frame(name: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[name])


def frame_of(name: str, rows: list[dict[str, object]] | None = None) -> pl.DataFrame:
    """A frame of ``name``'s schema from row dicts (missing columns are null)."""
    schema = SCHEMAS[name]
    if not rows:
        return empty_frame(name)
    return pl.DataFrame(
        [{column: row.get(column) for column in schema} for row in rows], schema=schema
    )


@dataclass(frozen=True)
class History:
    """Everything the KPIs read, already narrowed to the clients the reader sees."""

    accounts: pl.DataFrame = field(default_factory=lambda: empty_frame("accounts"))
    events: pl.DataFrame = field(default_factory=lambda: empty_frame("events"))
    promises: pl.DataFrame = field(default_factory=lambda: empty_frame("promises"))
    plans: pl.DataFrame = field(default_factory=lambda: empty_frame("plans"))
    payments: pl.DataFrame = field(default_factory=lambda: empty_frame("payments"))
    sessions: pl.DataFrame = field(default_factory=lambda: empty_frame("sessions"))
    calls: pl.DataFrame = field(default_factory=lambda: empty_frame("calls"))
    decisions: pl.DataFrame = field(default_factory=lambda: empty_frame("decisions"))
    blocks: pl.DataFrame = field(default_factory=lambda: empty_frame("blocks"))
    qa: pl.DataFrame = field(default_factory=lambda: empty_frame("qa"))

    def __post_init__(self) -> None:
        for name, schema in SCHEMAS.items():
            frame: pl.DataFrame = getattr(self, name)
            if dict(frame.schema) != schema:
                raise ValueError(f"{name} frame has schema {dict(frame.schema)}, not {schema}")


def day_start(day: date) -> datetime:
    """The first instant of a UTC day."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def minor_to_decimal(minor: int) -> Decimal:
    """Minor units (cents) to a Decimal amount with two places."""
    return Decimal(int(minor)).scaleb(-2)
