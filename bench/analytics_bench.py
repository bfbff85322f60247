"""Analytics benchmark: every KPI and the roll-rate matrix over 1,000,000 accounts and 10,000,000
contact events (--scale 1), through the same domain functions the selectors call.

The history is generated with numpy (seeded; the seed is printed) in the schema
``solvent.analytics.frames`` reads from the database (``domain.history.SCHEMAS``; ``History``
checks it): 1,000,000 accounts of eight clients and 48 placements over two years, 10,000,000
interactions over the last 90 days (calls, texts, e-mails, letters; outbound and inbound; 200
agents), and in proportion to them promises (3% of events), plans, payments (1.2 per account, 4%
returned), 200 agents' sessions, 2,000,000 dialer calls and 2,000,000 compliance decisions (8%
refused). No database: this measures the computation, not the reading (frames.py is a fixed
number of queries, measured by the selector tests).

Figures: seconds to generate; seconds for the KPI table (all 15 metrics, the last full month),
the same by client and by agent, the roll-rate matrices of the last three months, the liquidation
curves, and the other reports (funnel, agent productivity, blocks, channels); a bare Polars scan of
the same events in the same process (filter the month, count attempts and right-party contacts per
channel) and ``ratio_to_scan`` = (KPI table + roll-rate matrix) / scan. Target: within 5x.

    .venv/bin/python bench/analytics_bench.py --scale 0.1
    .venv/bin/python bench/analytics_bench.py --scale 1
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from solvent.analytics.domain import cohorts, kpis, productivity  # noqa: E402
from solvent.analytics.domain.history import SCHEMAS, History  # noqa: E402

FULL_ACCOUNTS = 1_000_000
EVENTS_PER_ACCOUNT = 10
TARGET_RATIO = 5.0
TODAY = date(2026, 12, 2)
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
PERIOD = (date(2026, 11, 1), date(2026, 12, 1))
CLIENTS = [f"client{n}" for n in range(8)]
TEAMS = ["east", "west", "north", "south"]
AGENTS = [f"agent{n:03d}" for n in range(200)]
CHANNELS = ["call", "call", "call", "sms", "email", "letter"]
DIRECTIONS = ["outbound"] * 9 + ["inbound"]
DISPOSITIONS = {
    "call": (
        [
            *("no_answer", "busy", "answering_machine", "voicemail_left", "right_party_contact"),
            *("promise_to_pay", "third_party", "wrong_number", "refused", "abandoned"),
        ],
        [0.35, 0.08, 0.15, 0.12, 0.12, 0.05, 0.05, 0.03, 0.03, 0.02],
    ),
    "other": (["message_sent", "message_received", "right_party_contact"], [0.9, 0.07, 0.03]),
}


def _pick(rng: np.random.Generator, labels: list[str], size: int, p: Any = None) -> pl.Series:
    codes = rng.choice(len(labels), size=size, p=p)
    return pl.Series(labels, dtype=pl.String).gather(pl.Series(codes, dtype=pl.UInt32))


def _date_column(base: date, offsets: np.ndarray) -> pl.Series:
    epoch = (base - date(1970, 1, 1)).days
    return pl.Series((offsets + epoch).astype(np.int32)).cast(pl.Date)


def _time_column(base: datetime, seconds: np.ndarray) -> pl.Series:
    micros = (base.timestamp() + seconds) * 1_000_000
    return pl.Series(micros.astype(np.int64)).cast(pl.Datetime("us", "UTC"))


def _ids(size: int) -> pl.Series:
    return pl.Series(np.arange(1, size + 1, dtype=np.int64))


def history_generate(accounts: int, seed: int) -> History:
    rng = np.random.default_rng(seed)
    events = accounts * EVENTS_PER_ACCOUNT
    start = datetime.combine(TODAY - timedelta(days=90), datetime.min.time(), tzinfo=UTC)
    span = 90 * 86_400
    placement = rng.integers(0, 48, accounts)
    placed_offset = placement * 15  # a placement every 15 days over two years
    first_placed = TODAY - timedelta(days=48 * 15)
    status = _pick(
        rng,
        ["active", "paid", "settled", "recalled", "closed"],
        accounts,
        [0.8, 0.1, 0.03, 0.05, 0.02],
    )
    exit_day = _date_column(first_placed, placed_offset + rng.integers(0, 720, accounts))
    client_codes = rng.integers(0, len(CLIENTS), accounts)
    account_frame = pl.DataFrame(
        {
            "account_id": _ids(accounts),
            "client": pl.Series(CLIENTS).gather(pl.Series(client_codes, dtype=pl.UInt32)),
            "team": pl.Series(TEAMS).gather(pl.Series(client_codes // 2, dtype=pl.UInt32)),
            "placement": pl.Series([f"#{n} placement" for n in range(48)]).gather(
                pl.Series(placement, dtype=pl.UInt32)
            ),
            "placed_on": _date_column(first_placed, placed_offset),
            "currency": pl.Series(["USD"]).gather(pl.Series(np.zeros(accounts, dtype=np.uint32))),
            "placed_minor": pl.Series(rng.integers(20_000, 2_000_000, accounts, dtype=np.int64)),
            "delinquency_date": _date_column(
                first_placed, placed_offset - rng.integers(20, 400, accounts)
            ),
            "status": status,
            "recalled_on": exit_day,
            "settled_on": exit_day,
            "updated_on": exit_day,
            "segment": _pick(rng, ["early", "middle", "late", "legal", "hardship"], accounts),
            "arm": _pick(rng, ["champion", "challenger"], accounts, [0.8, 0.2]),
        },
        schema=SCHEMAS["accounts"],
    )
    channel = _pick(rng, CHANNELS, events)
    is_call = (channel == "call").to_numpy()
    call_disposition = _pick(rng, DISPOSITIONS["call"][0], events, DISPOSITIONS["call"][1])
    other_disposition = _pick(rng, DISPOSITIONS["other"][0], events, DISPOSITIONS["other"][1])
    agent_codes = rng.integers(0, len(AGENTS), events)
    agent = pl.Series(AGENTS).gather(pl.Series(agent_codes, dtype=pl.UInt32))
    event_frame = pl.DataFrame(
        {
            "event_id": _ids(events),
            "account_id": pl.Series(rng.integers(1, accounts + 1, events, dtype=np.int64)),
            "occurred_at": _time_column(start, rng.integers(0, span, events)),
            "channel": channel,
            "direction": _pick(rng, DIRECTIONS, events),
            "disposition": pl.Series(np.where(is_call, 1, 0)).cast(pl.Boolean),
            "agent": agent,
            "agent_team": pl.Series(TEAMS).gather(pl.Series(agent_codes % 4, dtype=pl.UInt32)),
        }
    ).with_columns(
        disposition=pl.when(pl.col("disposition"))
        .then(call_disposition)
        .otherwise(other_disposition),
        agent=pl.when(pl.Series(is_call)).then(pl.col("agent")).otherwise(pl.lit("")),
    )
    event_frame = event_frame.select(
        pl.col(name).cast(dtype) for name, dtype in SCHEMAS["events"].items()
    )
    promises = events * 3 // 100
    promise_events = rng.integers(1, events + 1, promises)
    promise_at = event_frame["occurred_at"].gather(pl.Series(promise_events - 1))
    promise_frame = pl.DataFrame(
        {
            "promise_id": _ids(promises),
            "account_id": event_frame["account_id"].gather(pl.Series(promise_events - 1)),
            "interaction_id": pl.Series(promise_events.astype(np.int64)),
            "agent": _pick(rng, AGENTS, promises),
            "agent_team": _pick(rng, TEAMS, promises),
            "created_at": promise_at,
            "due_on": (
                promise_at.dt.date().cast(pl.Int32)
                + pl.Series(rng.integers(1, 30, promises)).cast(pl.Int32)
            ).cast(pl.Date),
            "amount_minor": pl.Series(rng.integers(2_000, 50_000, promises, dtype=np.int64)),
            "grace_days": pl.Series(np.full(promises, 3, dtype=np.int32)),
            "cancelled": pl.Series(rng.random(promises) < 0.05),
        }
    )
    plans = promises // 6
    plan_frame = pl.DataFrame(
        {
            "plan_id": _ids(plans),
            "account_id": pl.Series(rng.integers(1, accounts + 1, plans, dtype=np.int64)),
            "agent": _pick(rng, AGENTS, plans),
            "created_at": _time_column(start, rng.integers(0, span, plans)),
            "total_minor": pl.Series(rng.integers(10_000, 500_000, plans, dtype=np.int64)),
        }
    )
    payments = accounts * 12 // 10
    payment_frame = pl.DataFrame(
        {
            "payment_id": _ids(payments),
            "account_id": pl.Series(rng.integers(1, accounts + 1, payments, dtype=np.int64)),
            "paid_on": _date_column(first_placed, rng.integers(0, 48 * 15, payments)),
            "amount_minor": pl.Series(rng.integers(1_000, 100_000, payments, dtype=np.int64)),
            "status": _pick(rng, ["cleared", "returned", "pending"], payments, [0.94, 0.04, 0.02]),
        }
    )
    # Most promises are paid (in full, by the due date): their payments join the random ones.
    paying = promise_frame.sample(fraction=0.6, seed=seed).select(
        "account_id",
        (pl.col("due_on").cast(pl.Int32) - 1).cast(pl.Date).alias("paid_on"),
        "amount_minor",
        pl.lit("cleared").alias("status"),
    )
    payment_frame = pl.concat(
        [payment_frame.drop("payment_id"), paying], how="vertical_relaxed"
    ).with_row_index("payment_id", offset=1)
    days = np.repeat(np.arange(90), len(AGENTS))
    sessions = len(days)
    login = days * 86_400 + 8 * 3600 + rng.integers(0, 3600, sessions)
    session_frame = pl.DataFrame(
        {
            "agent": pl.Series(AGENTS * 90),
            "agent_team": pl.Series([TEAMS[n % 4] for n in range(len(AGENTS))] * 90),
            "client": _pick(rng, [*CLIENTS, ""], sessions),
            "logged_in_at": _time_column(start, login),
            "logged_out_at": _time_column(
                start, login + rng.integers(4 * 3600, 9 * 3600, sessions)
            ),
        }
    )
    calls = events // 5
    started = rng.integers(0, span, calls)
    outcome = _pick(
        rng,
        ["connected", "no_answer", "busy", "machine", "abandoned"],
        calls,
        [0.3, 0.4, 0.1, 0.18, 0.02],
    )
    answered = np.isin(outcome.to_numpy(), ["connected", "machine", "abandoned"])
    connected = (outcome == "connected").to_numpy()
    talk = rng.integers(30, 600, calls)
    call_frame = pl.DataFrame(
        {
            "call_id": _ids(calls),
            "account_id": pl.Series(rng.integers(1, accounts + 1, calls, dtype=np.int64)),
            "agent": pl.Series(AGENTS).gather(
                pl.Series(rng.integers(0, len(AGENTS), calls), dtype=pl.UInt32)
            ),
            "agent_team": _pick(rng, TEAMS, calls),
            "campaign": _pick(rng, ["main", "early", "late"], calls),
            "started_at": _time_column(start, started),
            "answered_at": _time_column(start, started + 15).set(pl.Series(~answered), None),
            "connected_at": _time_column(start, started + 16).set(pl.Series(~connected), None),
            "ended_at": _time_column(start, started + 16 + talk),
            "wrap_up_ended_at": _time_column(start, started + 46 + talk).set(
                pl.Series(~connected), None
            ),
            "outcome": outcome,
            "answered_by_person": pl.Series(answered & (outcome != "machine").to_numpy()),
        }
    ).with_columns(agent=pl.when(pl.Series(connected)).then(pl.col("agent")).otherwise(pl.lit("")))
    decisions = events // 5
    allowed = rng.random(decisions) >= 0.08
    decision_frame = pl.DataFrame(
        {
            "decision_id": _ids(decisions),
            "account_id": pl.Series(rng.integers(1, accounts + 1, decisions, dtype=np.int64)),
            "decided_at": _time_column(start, rng.integers(0, span, decisions)),
            "channel": _pick(rng, ["call", "sms", "email"], decisions),
            "allowed": pl.Series(allowed),
        }
    )
    refused_ids = decision_frame.filter(~pl.col("allowed"))["decision_id"]
    rules = ["call_cap_7_in_7", "time_of_day", "cease", "dispute_hold", "consent_missing"]
    block_frame = pl.DataFrame(
        {
            "decision_id": refused_ids,
            "rule_id": _pick(rng, rules, refused_ids.len()),
        }
    ).with_columns(citation=pl.concat_str(pl.lit("cite "), pl.col("rule_id")))
    qa = 20_000
    qa_frame = pl.DataFrame(
        {
            "agent": _pick(rng, AGENTS, qa),
            "account_id": pl.Series(rng.integers(1, accounts + 1, qa, dtype=np.int64)),
            "created_at": _time_column(start, rng.integers(0, span, qa)),
            "score": pl.Series(rng.uniform(40, 100, qa)),
        }
    )
    frames = {
        "accounts": account_frame,
        "events": event_frame,
        "promises": promise_frame,
        "plans": plan_frame,
        "payments": payment_frame,
        "sessions": session_frame,
        "calls": call_frame,
        "decisions": decision_frame,
        "blocks": block_frame,
        "qa": qa_frame,
    }
    return History(
        **{
            name: frame.select(
                pl.col(column).cast(dtype) for column, dtype in SCHEMAS[name].items()
            )
            for name, frame in frames.items()
        }
    )


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _bare_scan(history: History) -> int:
    """The yardstick: one pass over the month's events, counting per channel."""
    start, end = (datetime.combine(day, datetime.min.time(), tzinfo=UTC) for day in PERIOD)
    counts = (
        history.events.lazy()
        .filter((pl.col("occurred_at") >= start) & (pl.col("occurred_at") < end))
        .group_by("channel")
        .agg(
            (pl.col("direction") == "outbound").sum().alias("attempts"),
            (pl.col("disposition") == "right_party_contact").sum().alias("rpc"),
        )
        .collect()
    )
    return int(counts["attempts"].sum())


def _peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 accounts")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=5, help="best of N for each timing")
    args = parser.parse_args()
    accounts = max(100, round(FULL_ACCOUNTS * args.scale))
    generate_seconds, history = _timed(lambda: history_generate(accounts, args.seed))
    start, end = PERIOD

    def best(work: Callable[[], Any]) -> tuple[float, Any]:
        runs = [_timed(work) for _ in range(max(1, args.repeats))]
        return min(seconds for seconds, _ in runs), runs[-1][1]

    def kpi_work() -> Any:
        return kpis.kpi_table(history, period_start=start, period_end=end, now=NOW)

    def roll_work() -> Any:
        return cohorts.roll_matrices(history, months_from=date(2026, 9, 1), as_of=TODAY)

    # The yardstick and the measured work take turns, so a busy machine slows both alike; the
    # best of each is compared.
    scans, tables, rolls = [], [], []
    for _ in range(max(1, args.repeats)):
        scans.append(_timed(lambda: _bare_scan(history))[0])
        seconds, table = _timed(kpi_work)
        tables.append(seconds)
        seconds, matrices = _timed(roll_work)
        rolls.append(seconds)
    scan_seconds, kpi_seconds, roll_seconds = min(scans), min(tables), min(rolls)
    by_client_seconds, _ = best(
        lambda: kpis.kpi_table(
            history, period_start=start, period_end=end, now=NOW, group_by="client"
        )
    )
    by_agent_seconds, _ = best(
        lambda: kpis.kpi_table(
            history, period_start=start, period_end=end, now=NOW, group_by="agent"
        )
    )
    curves_seconds, curves = best(
        lambda: cohorts.liquidation_curves(history, cohorts_from=date(2025, 1, 1), as_of=TODAY)
    )
    reports_seconds, _ = best(
        lambda: (
            productivity.promise_funnel(history, period_start=start, period_end=end, now=NOW),
            productivity.agent_productivity(history, period_start=start, period_end=end, now=NOW),
            productivity.compliance_blocks(history, period_start=start, period_end=end),
            productivity.channel_effectiveness(history, period_start=start, period_end=end),
        )
    )
    total = table.total.values
    figures = {
        "bench": "analytics",
        "scale": args.scale,
        "seed": args.seed,
        "accounts": history.accounts.height,
        "events": history.events.height,
        "promises": history.promises.height,
        "payments": history.payments.height,
        "calls": history.calls.height,
        "decisions": history.decisions.height,
        "generate_seconds": round(generate_seconds, 2),
        "bare_scan_seconds": round(scan_seconds, 3),
        "kpi_table_seconds": round(kpi_seconds, 3),
        "kpi_by_client_seconds": round(by_client_seconds, 3),
        "kpi_by_agent_seconds": round(by_agent_seconds, 3),
        "roll_matrix_seconds": round(roll_seconds, 3),
        "liquidation_curves_seconds": round(curves_seconds, 3),
        "other_reports_seconds": round(reports_seconds, 3),
        "ratio_to_scan": round((kpi_seconds + roll_seconds) / scan_seconds, 2),
        "target_ratio": TARGET_RATIO,
        "metrics": len(total),
        "month_contact_rate": total["contact_rate"].value,
        "month_kept_rate": total["kept_rate"].value,
        "roll_matrices": len(matrices),
        "cohorts": len(curves),
        "peak_rss_mb": _peak_rss_mb(),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
