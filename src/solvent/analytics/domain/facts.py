"""The facts the KPIs add up: the period's history as one row per account, interaction (counted per
kind), matured promise, logged-in session, dialer call or compliance decision, each with the
column a breakdown groups it by and the 0/1 flags or amounts it adds up (``kpis.PARTS`` says which
metric divides which).

Attribution (docs/adr/0038-kpis-and-metrics.md): an interaction belongs to the lowest visible
account it concerned; its client, placement, segment and arm are that account's (segment and arm:
the account's strategy position now); its team is its agent's team, or the client's team when no
agent took part. Periods are UTC days, ``[start, end)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from solvent.analytics.domain.cohorts import (
    BUCKETS,
    STAGES,
    bucket_at,
    cleared,
    exit_columns,
    is_stage,
    last_paid,
)
from solvent.analytics.domain.history import History, day_start
from solvent.analytics.domain.metrics import (
    CALL_CHANNEL,
    CONTACT_DISPOSITIONS,
    PROMISE_DISPOSITION,
    RPC_DISPOSITIONS,
)

ACCOUNT_DIMENSIONS = ("client", "placement", "segment", "arm", "team")
_LAST_STAGE = len(STAGES) - 1
CURRENT, PAID = BUCKETS.index("current"), BUCKETS.index("paid")


@dataclass(frozen=True)
class Fact:
    """One source's rows for the period: dimension columns and the value columns they add up."""

    frame: pl.LazyFrame
    dimensions: tuple[str, ...]
    values: tuple[str, ...]


def _in_period(column: str, start: date, end: date) -> pl.Expr:
    if column.endswith("_on"):
        return (pl.col(column) >= start) & (pl.col(column) < end)
    return (pl.col(column) >= day_start(start)) & (pl.col(column) < day_start(end))


def _ms(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later - earlier).dt.total_milliseconds().fill_null(0).clip(lower_bound=0)


def _team() -> pl.Expr:
    """The agent's team when an agent took part, else the team serving the account's client."""
    return (
        pl.when(pl.col("agent") != "").then(pl.col("agent_team")).otherwise(pl.col("client_team"))
    )


def _account_dims(history: History, group_by: str) -> pl.LazyFrame:
    """The accounts' columns a breakdown by ``group_by`` needs (joined to rows, it also narrows
    them to the reader's accounts)."""
    columns: list[str | pl.Expr] = ["account_id"]
    # Categorical while joined and grouped (a join gathers a small integer, not a string); the
    # labels come back as strings when the sums are read.
    if group_by in ("client", "placement", "segment", "arm"):
        columns.append(pl.col(group_by).cast(pl.Categorical))
    if group_by == "team":
        columns.append(pl.col("team").cast(pl.Categorical).alias("client_team"))
    return history.accounts.lazy().select(columns)


def _on_accounts(rows: pl.LazyFrame, history: History, group_by: str) -> pl.LazyFrame:
    """The rows about the reader's accounts, with the account columns ``group_by`` needs (a join
    only when it needs some: a membership test is much cheaper)."""
    if group_by in ("client", "placement", "segment", "arm", "team"):
        return rows.join(_account_dims(history, group_by), on="account_id", how="inner")
    return rows.filter(pl.col("account_id").is_in(history.accounts["account_id"].implode()))


def _group(
    group_by: str, dimensions: tuple[str, ...], *, team: pl.Expr | None = None
) -> list[pl.Expr]:
    """The group column of a fact's rows, when the fact can be broken down by ``group_by``."""
    if group_by not in dimensions:
        return []
    if group_by == "team":
        return [(team if team is not None else _team()).alias("team")]
    return [pl.col(group_by)]


def _flags(**flags: pl.Expr) -> list[pl.Expr]:
    return [flag.cast(pl.Int64).alias(name) for name, flag in flags.items()]


def _amount_if(condition: pl.Expr) -> pl.Expr:
    return pl.when(condition).then(pl.col("amount_minor")).otherwise(0)


def account_facts(history: History, start: date, end: date, group_by: str = "") -> Fact:
    payments = (
        cleared(history.payments)
        .lazy()
        .group_by("account_id")
        .agg(
            _amount_if(pl.col("paid_on") < start).sum().alias("paid_before"),
            _amount_if(_in_period("paid_on", start, end)).sum().alias("paid_in"),
        )
    )
    attempted = (
        history.events.lazy()
        .filter((pl.col("direction") == "outbound") & _in_period("occurred_at", start, end))
        .select("account_id")
        .unique()
        .with_columns(pl.lit(value=True).alias("was_attempted"))
    )
    accounts = (
        history.accounts.lazy()
        .join(payments, on="account_id", how="left")
        .join(last_paid(history), on="account_id", how="left")
        .join(attempted, on="account_id", how="left")
        .with_columns(exit_columns())
        .with_columns(
            pl.col("paid_before", "paid_in").fill_null(0),
            bucket_at(start).alias("bucket_start"),
            bucket_at(end).alias("bucket_end"),
        )
        .with_columns(
            pl.when(is_stage(pl.col("bucket_start")))
            .then(pl.col("bucket_start"))
            .alias("stage_start"),
            pl.when(is_stage(pl.col("bucket_end"))).then(pl.col("bucket_end")).alias("stage_end"),
        )
    )
    placed_by_end = pl.col("placed_on") < end
    worked = placed_by_end & ~(pl.col("exit_on") < start).fill_null(value=False)
    open_at_start = pl.col("stage_start").is_not_null()
    delinquent = (pl.col("stage_start") >= 1).fill_null(value=False)
    rollable = (pl.col("stage_start") < _LAST_STAGE).fill_null(value=False)
    values = [
        *_flags(
            worked=worked,
            attempted=worked & pl.col("was_attempted").fill_null(value=False),
            delinquent=delinquent,
            cured=delinquent & pl.col("bucket_end").is_in([CURRENT, PAID]),
            rollable=rollable,
            rolled=rollable & (pl.col("stage_end") > pl.col("stage_start")).fill_null(value=False),
        ),
        pl.when(placed_by_end).then(pl.col("placed_minor")).otherwise(0).alias("placed_to_end"),
        pl.when(placed_by_end)
        .then(pl.col("paid_before") + pl.col("paid_in"))
        .otherwise(0)
        .alias("collected_to_end"),
        pl.when(open_at_start)
        .then((pl.col("placed_minor") - pl.col("paid_before")).clip(lower_bound=0))
        .otherwise(0)
        .alias("balance_start"),
        pl.when(open_at_start).then(pl.col("paid_in")).otherwise(0).alias("recovered"),
        pl.col("paid_in").alias("collected"),
    ]
    group = _group(group_by, ACCOUNT_DIMENSIONS, team=pl.col("team"))
    frame = accounts.select(*group, *values)
    names = tuple(value.meta.output_name() for value in values)
    return Fact(frame, ACCOUNT_DIMENSIONS, names)


def _day_key(account_id: pl.Expr, moment: pl.Expr) -> pl.Expr:
    """One integer for (account, UTC day): a set of them is a cheap membership test."""
    return account_id * 65_536 + moment.dt.date().cast(pl.Int32).cast(pl.Int64)


EVENT_VALUES = (
    "attempts",
    "contacts",
    "rpc_attempts",
    "call_attempts",
    "call_contacts",
    "call_rpc_attempts",
    "rpc",
    "rpc_promises",
)
EVENT_DIMENSIONS = (*ACCOUNT_DIMENSIONS, "agent", "channel")


def event_facts(history: History, start: date, end: date, group_by: str = "") -> Fact:
    """The period's interactions (on the reader's accounts), counted per kind.

    What an interaction counts as depends on its channel, direction and disposition only (and, for
    a promise, on what was recorded against it), so they are counted per combination first and the
    flags applied to the counts: one pass over the interactions, whatever the number of metrics.
    A right-party contact ended in a promise when its disposition is a promise to pay, a promise
    was recorded on it, or a payment plan was made on its account the same UTC day.
    """
    promised = history.promises["interaction_id"].drop_nulls().unique().implode()
    planned = (
        history.plans.select(_day_key(pl.col("account_id"), pl.col("created_at")).unique())
        .to_series()
        .implode()
    )
    group = _group(group_by, EVENT_DIMENSIONS)
    keys = ["channel", "direction", "disposition"]
    counts = (
        history.events.lazy()
        .filter(_in_period("occurred_at", start, end))
        .pipe(_on_accounts, history, group_by)
        .with_columns(
            (
                pl.col("event_id").is_in(promised)
                | _day_key(pl.col("account_id"), pl.col("occurred_at")).is_in(planned)
            ).alias("with_promise")
        )
        .group_by(*group, *[key for key in keys if key != group_by])
        .agg(
            pl.len().cast(pl.Int64).alias("events"),
            pl.col("with_promise").sum().cast(pl.Int64),
        )
    )
    outbound = pl.col("direction") == "outbound"
    rpc = pl.col("disposition").is_in(sorted(RPC_DISPOSITIONS))
    contact = pl.col("disposition").is_in(sorted(CONTACT_DISPOSITIONS))
    call = pl.col("channel") == CALL_CHANNEL
    flags = {
        "attempts": outbound,
        "contacts": outbound & contact,
        "rpc_attempts": outbound & rpc,
        "call_attempts": outbound & call,
        "call_contacts": outbound & call & contact,
        "call_rpc_attempts": outbound & call & rpc,
        "rpc": rpc,
    }
    promises = (
        pl.when(~rpc)
        .then(0)
        .when(pl.col("disposition") == PROMISE_DISPOSITION)
        .then(pl.col("events"))
        .otherwise(pl.col("with_promise"))
    )
    frame = counts.select(
        *([pl.col(group_by)] if group else []),
        *[(flag.cast(pl.Int64) * pl.col("events")).alias(name) for name, flag in flags.items()],
        promises.cast(pl.Int64).alias("rpc_promises"),
    )
    return Fact(frame, EVENT_DIMENSIONS, EVENT_VALUES)


def matured_promises(history: History, start: date, end: date, today: date) -> pl.LazyFrame:
    """Promises whose due date plus grace ended in the period and before ``today``, with what was
    paid against each: cleared payments on the account from the day it was made to that deadline
    (``arrangements.domain.status``'s rule; a payment counts towards every promise it falls in)."""
    deadline = pl.col("due_on") + pl.duration(days=pl.col("grace_days"))
    promises = (
        history.promises.lazy()
        .with_columns(deadline.alias("deadline"), pl.col("created_at").dt.date().alias("made_on"))
        .filter(
            ~pl.col("cancelled") & (pl.col("deadline") < today) & _in_period("deadline", start, end)
        )
    )
    paid = (
        promises.select("promise_id", "account_id", "made_on", "deadline")
        .join(
            cleared(history.payments).lazy().select("account_id", "paid_on", "amount_minor"),
            on="account_id",
        )
        .filter(
            (pl.col("paid_on") >= pl.col("made_on")) & (pl.col("paid_on") <= pl.col("deadline"))
        )
        .group_by("promise_id")
        .agg(pl.col("amount_minor").sum().alias("paid"))
    )
    return promises.join(paid, on="promise_id", how="left").with_columns(
        pl.col("paid").fill_null(0)
    )


PROMISE_DIMENSIONS = (*ACCOUNT_DIMENSIONS, "agent")


def promise_facts(
    history: History, start: date, end: date, today: date, group_by: str = ""
) -> Fact:
    frame = (
        matured_promises(history, start, end, today)
        .pipe(_on_accounts, history, group_by)
        .select(
            *_group(group_by, PROMISE_DIMENSIONS),
            *_flags(matured=pl.lit(value=True), kept=pl.col("paid") >= pl.col("amount_minor")),
            pl.col("amount_minor").alias("promised"),
            pl.min_horizontal("paid", "amount_minor").alias("paid_against"),
        )
    )
    return Fact(frame, PROMISE_DIMENSIONS, ("matured", "kept", "promised", "paid_against"))


HOURS_DIMENSIONS = ("client", "team", "agent")


def hours_facts(
    history: History, start: date, end: date, now: datetime, group_by: str = ""
) -> Fact:
    """Logged-in time of the dialer sessions, clipped to the period (an open one: to ``now``)."""
    period_end = min(day_start(end), max(now, day_start(start)))
    frame = history.sessions.lazy().select(
        *_group(group_by, HOURS_DIMENSIONS, team=pl.col("agent_team")),
        _ms(
            pl.min_horizontal(pl.col("logged_out_at").fill_null(period_end), pl.lit(period_end)),
            pl.max_horizontal("logged_in_at", pl.lit(day_start(start))),
        ).alias("logged_ms"),
    )
    return Fact(frame, HOURS_DIMENSIONS, ("logged_ms",))


CALL_DIMENSIONS = (*ACCOUNT_DIMENSIONS, "agent", "channel")


def call_facts(history: History, start: date, end: date, group_by: str = "") -> Fact:
    connected = _in_period("connected_at", start, end).fill_null(value=False) & (
        pl.col("agent") != ""
    )
    answered = _in_period("answered_at", start, end).fill_null(value=False)
    live = answered & (
        pl.col("outcome").is_in(["connected", "abandoned"])
        | pl.col("answered_by_person").fill_null(value=False)
    )
    frame = (
        history.calls.lazy()
        .with_columns(pl.lit(CALL_CHANNEL).alias("channel"))
        .pipe(_on_accounts, history, group_by)
        .select(
            *_group(group_by, CALL_DIMENSIONS),
            pl.when(connected)
            .then(
                _ms(pl.col("ended_at"), pl.col("connected_at"))
                + _ms(pl.col("wrap_up_ended_at"), pl.col("ended_at"))
            )
            .otherwise(0)
            .alias("busy_ms"),
            *_flags(answered_live=live, abandoned=live & (pl.col("outcome") == "abandoned")),
        )
    )
    return Fact(frame, CALL_DIMENSIONS, ("busy_ms", "answered_live", "abandoned"))


DECISION_DIMENSIONS = (*ACCOUNT_DIMENSIONS, "channel")


def decision_facts(history: History, start: date, end: date, group_by: str = "") -> Fact:
    frame = (
        history.decisions.lazy()
        .filter(_in_period("decided_at", start, end))
        .pipe(_on_accounts, history, group_by)
        .select(
            *_group(group_by, DECISION_DIMENSIONS, team=pl.col("client_team")),
            *_flags(proposed=pl.lit(value=True), refused=~pl.col("allowed")),
        )
    )
    return Fact(frame, DECISION_DIMENSIONS, ("proposed", "refused"))


def facts_build(
    history: History, start: date, end: date, now: datetime, group_by: str = ""
) -> dict[str, Fact]:
    return {
        "accounts": account_facts(history, start, end, group_by),
        "events": event_facts(history, start, end, group_by),
        "promises": promise_facts(history, start, end, now.date(), group_by),
        "hours": hours_facts(history, start, end, now, group_by),
        "calls": call_facts(history, start, end, group_by),
        "decisions": decision_facts(history, start, end, group_by),
    }
