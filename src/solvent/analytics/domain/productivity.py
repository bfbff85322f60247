"""The operational reports over a period: the promise funnel, agent productivity, compliance blocks
by rule and channel effectiveness. They count with the KPIs' own facts (``domain.kpis``), so an
agent's right-party contacts here are the KPI table's by agent.

Collected money is credited to the right-party contact on its account that came last before it
(the same day counts): within 30 days to that contact's agent, within 7 days to its channel. A
payment with no such contact is credited to nobody.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import polars as pl

from solvent.analytics.domain.cohorts import cleared
from solvent.analytics.domain.facts import (
    call_facts,
    event_facts,
    hours_facts,
)
from solvent.analytics.domain.history import History, day_start, minor_to_decimal
from solvent.analytics.domain.metrics import (
    CHANNEL_PAYMENT_DAYS,
    COLLECTED_LOOKBACK_DAYS,
    RPC_DISPOSITIONS,
)
from solvent.analytics.domain.reports import (
    AgentRow,
    BlockRow,
    ChannelRow,
    Funnel,
    FunnelStep,
    Ratio,
)

_MS_PER_HOUR = Decimal(3_600_000)


def _period_promises(history: History, start: date, end: date, today: date) -> pl.DataFrame:
    """Promises made in the period (not cancelled), with what was paid against each by today or
    its deadline, whichever is first."""
    made = (
        history.promises.filter(
            ~pl.col("cancelled")
            & (pl.col("created_at") >= day_start(start))
            & (pl.col("created_at") < day_start(end))
        )
        .join(history.accounts.select("account_id"), on="account_id")
        .with_columns(
            pl.col("created_at").dt.date().alias("made_on"),
            pl.min_horizontal(
                pl.col("due_on") + pl.duration(days=pl.col("grace_days")), pl.lit(today)
            ).alias("until"),
        )
    )
    paid = (
        made.select("promise_id", "account_id", "made_on", "until")
        .join(
            cleared(history.payments).select("account_id", "paid_on", "amount_minor"),
            on="account_id",
        )
        .filter((pl.col("paid_on") >= pl.col("made_on")) & (pl.col("paid_on") <= pl.col("until")))
        .group_by("promise_id")
        .agg(pl.col("amount_minor").sum().alias("paid"))
    )
    return made.join(paid, on="promise_id", how="left").with_columns(pl.col("paid").fill_null(0))


def promise_funnel(
    history: History, *, period_start: date, period_end: date, now: datetime
) -> Funnel:
    """Attempts -> right-party contacts among them -> those that ended in a promise or plan; then
    the promises made in the period (their amount) -> those kept so far (the amount kept)."""
    events = event_facts(history, period_start, period_end).frame.select(
        pl.col("attempts").sum(),
        pl.col("rpc_attempts").sum(),
        pl.when(pl.col("attempts") > 0)
        .then(pl.col("rpc_promises"))
        .otherwise(0)
        .sum()
        .alias("promises"),
    )
    attempts, rpc, promise_attempts = events.collect().row(0)
    promises = _period_promises(history, period_start, period_end, now.date())
    kept = promises.filter(pl.col("paid") >= pl.col("amount_minor"))
    return Funnel(
        period_start=period_start,
        period_end=period_end,
        steps=(
            FunnelStep("attempts", "Attempts", int(attempts or 0)),
            FunnelStep("rpc", "Right-party contacts", int(rpc or 0)),
            FunnelStep(
                "promise",
                "Promises or plans",
                int(promise_attempts or 0),
                minor_to_decimal(int(promises["amount_minor"].sum() or 0)),
            ),
            FunnelStep(
                "kept",
                "Promises kept",
                kept.height,
                minor_to_decimal(int(kept["amount_minor"].sum() or 0)),
            ),
        ),
    )


def _credited(history: History, start: date, end: date, key: str, days: int) -> pl.DataFrame:
    """The period's cleared payments, each with the ``key`` (agent, channel) of the last
    right-party contact on its account in the ``days`` before it (null: none)."""
    contacts = (
        history.events.filter(
            pl.col("disposition").is_in(sorted(RPC_DISPOSITIONS))
            & (pl.col("occurred_at") < day_start(end))
        )
        .select("account_id", pl.col("occurred_at").dt.date().alias("day"), key)
        .sort("day")
    )
    payments = (
        cleared(history.payments)
        .filter((pl.col("paid_on") >= start) & (pl.col("paid_on") < end))
        .join(history.accounts.select("account_id"), on="account_id")
        .sort("paid_on")
    )
    return payments.join_asof(
        contacts,
        left_on="paid_on",
        right_on="day",
        by="account_id",
        strategy="backward",
        tolerance=timedelta(days=days),
        check_sortedness=False,  # both sorted above; within each account too
    )


def _by_agent(frame: pl.LazyFrame | pl.DataFrame, **sums: pl.Expr) -> dict[str, dict[str, int]]:
    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    rows = lazy.group_by("agent").agg(**sums).collect()
    return {str(row["agent"]): row for row in rows.iter_rows(named=True)}


def agent_productivity(
    history: History, *, period_start: date, period_end: date, now: datetime
) -> list[AgentRow]:
    start, end = period_start, period_end
    hours = _by_agent(
        hours_facts(history, start, end, now, "agent").frame, logged=pl.col("logged_ms").sum()
    )
    events = _by_agent(
        event_facts(history, start, end, "agent").frame,
        attempts=pl.col("attempts").sum(),
        rpc=pl.col("rpc").sum(),
        promises=pl.col("rpc_promises").sum(),
    )
    busy = _by_agent(call_facts(history, start, end, "agent").frame, busy=pl.col("busy_ms").sum())
    promised = _by_agent(
        _period_promises(history, start, end, now.date()), amount=pl.col("amount_minor").sum()
    )
    collected = _by_agent(
        _credited(history, start, end, "agent", COLLECTED_LOOKBACK_DAYS).filter(
            pl.col("agent").is_not_null()
        ),
        amount=pl.col("amount_minor").sum(),
    )
    qa = _by_agent(
        history.qa.filter(
            (pl.col("created_at") >= day_start(start)) & (pl.col("created_at") < day_start(end))
        ).join(history.accounts.select("account_id"), on="account_id"),
        score=pl.col("score").mean(),
    )
    agents = sorted(
        {name for table in (hours, events, busy, promised, collected, qa) for name in table} - {""}
    )
    rows = []
    for agent in agents:
        logged = Decimal(int(hours.get(agent, {}).get("logged") or 0)) / _MS_PER_HOUR
        figures = events.get(agent, {})
        rpc = int(figures.get("rpc") or 0)
        promises = int(figures.get("promises") or 0)
        busy_hours = Decimal(int(busy.get(agent, {}).get("busy") or 0)) / _MS_PER_HOUR
        score = qa.get(agent, {}).get("score")
        rows.append(
            AgentRow(
                agent=agent,
                logged_in_hours=logged,
                attempts=int(figures.get("attempts") or 0),
                rpc=rpc,
                promises=promises,
                promised=minor_to_decimal(int(promised.get(agent, {}).get("amount") or 0)),
                collected=minor_to_decimal(int(collected.get(agent, {}).get("amount") or 0)),
                rpc_per_hour=Ratio(Decimal(rpc), logged),
                promise_rate=Ratio(Decimal(promises), Decimal(rpc)),
                occupancy=Ratio(busy_hours, logged),
                qa_average=None if score is None else round(float(score), 1),
            )
        )
    return rows


def compliance_blocks(history: History, *, period_start: date, period_end: date) -> list[BlockRow]:
    """Refusals by blocking rule, most first; ``proposed`` is every decision of the period (a
    decision refused by two rules counts under both)."""
    decisions = history.decisions.filter(
        (pl.col("decided_at") >= day_start(period_start))
        & (pl.col("decided_at") < day_start(period_end))
    ).join(history.accounts.select("account_id"), on="account_id")
    proposed = decisions.height
    refused = (
        history.blocks.join(
            decisions.filter(~pl.col("allowed")).select("decision_id"), on="decision_id"
        )
        .group_by("rule_id")
        .agg(pl.len().alias("refused"), pl.col("citation").first())
        .sort(["refused", "rule_id"], descending=[True, False])
    )
    return [
        BlockRow(
            rule_id=str(rule), citation=str(citation or ""), refused=int(count), proposed=proposed
        )
        for rule, count, citation in refused.iter_rows()
    ]


def channel_effectiveness(
    history: History, *, period_start: date, period_end: date
) -> list[ChannelRow]:
    """Per channel: attempts, those that reached anyone, the right party, the right-party contacts
    (either direction) that ended in a promise or plan, and money paid within 7 days after a
    right-party contact on the channel."""
    counts = (
        event_facts(history, period_start, period_end, "channel")
        .frame.group_by("channel")
        .agg(
            pl.col("attempts").sum(),
            pl.col("contacts").sum(),
            pl.col("rpc_attempts").sum(),
            pl.col("rpc_promises").sum(),
        )
        .collect()
    )
    after = (
        _credited(history, period_start, period_end, "channel", CHANNEL_PAYMENT_DAYS)
        .filter(pl.col("channel").is_not_null())
        .group_by("channel")
        .agg(pl.col("amount_minor").sum())
    )
    paid = {str(channel): int(amount) for channel, amount in after.iter_rows()}
    return [
        ChannelRow(
            channel=str(channel),
            attempts=int(attempts),
            contacts=int(contacts),
            rpc=int(rpc),
            promises=int(promises),
            collected_after=minor_to_decimal(paid.get(str(channel), 0)),
        )
        for channel, attempts, contacts, rpc, promises in counts.sort("channel").iter_rows()
    ]
