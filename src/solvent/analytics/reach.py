"""Training the best-time model: learn the K's from the ledger, validate out of time, record the run.

``reach_model_train(as_of=...)`` reads the outbound attempts of [history_from, as_of), where the
cutoff is ``as_of`` - TEST_DAYS and history_from is the cutoff - HISTORY_DAYS (the 90 days the plan
itself reads). Each attempt is put in its debtor's local hour of week (their phone's zone, exactly,
DST included) and in the segment the latest plan before the cutoff gave the debtor. The K's of the
shrinkage chain (``strategy.domain.timing``) are estimated on the attempts before the cutoff by the
method of moments (``analytics.domain.reach_fit``); the model and three simpler ones are then scored
on the attempts after it (``analytics.domain.reach_validation``). The run is recorded as a
ModelRun(kind="reach"), audited, and made the active one when it beats the flat baseline's log loss:
the plan then uses its K's over its own fresh 90 days of the ledger.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import polars as pl

from solvent.analytics.domain.reach_fit import shrinkage_fit
from solvent.analytics.domain.reach_validation import reach_validate
from solvent.analytics.model_runs import model_run_record
from solvent.analytics.models import ModelRun
from solvent.analytics.selectors_reach import (
    FALLBACK_ZONE,
    debtor_segments,
    debtor_zones,
    reach_attempts,
)
from solvent.strategy.domain.timing import COUNTS_SCHEMA, SHRINKAGE_LEVELS
from solvent.strategy.features import HISTORY_DAYS

KIND = ModelRun.Kind.REACH
TEST_DAYS = 28  # four whole weeks after the cutoff: every hour of the week is scored four times
REACHED = {
    "call": "a right-party conversation",
    "sms": "a right-party conversation, or any contact from the debtor within 24 h after it",
    "email": "a right-party conversation, or any contact from the debtor within 24 h after it",
}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def reach_local_counts(
    attempts: pl.DataFrame, zones: dict[int, str], segments: dict[int, str]
) -> pl.DataFrame:
    """The attempts (``reach_attempts``) counted by debtor, segment, channel and local hour of week
    (each attempt converted in its debtor's own zone), with ``at`` kept as the UTC day (``on``)."""
    ids = attempts.get_column("debtor_id").unique().to_list()
    who = pl.DataFrame(
        {
            "debtor_id": ids,
            "zone": [zones.get(debtor_id, FALLBACK_ZONE) for debtor_id in ids],
            "segment": [segments.get(debtor_id) for debtor_id in ids],
        },
        schema={"debtor_id": pl.Int64(), "zone": pl.String(), "segment": pl.String()},
    )
    joined = attempts.join(who, on="debtor_id")
    parts = []
    for (zone,), part in joined.group_by("zone"):
        local = pl.col("at").dt.convert_time_zone(str(zone))
        parts.append(
            part.with_columns(
                hour_of_week=(local.dt.weekday().cast(pl.Int64) - 1) * 24
                + local.dt.hour().cast(pl.Int64),
                on=pl.col("at").dt.date(),
            ).drop("at", "zone")
        )
    schema = {**COUNTS_SCHEMA, "on": pl.Date()}
    if not parts:
        return pl.DataFrame(schema=schema)
    return (
        pl.concat(parts)
        .group_by("debtor_id", "segment", "channel", "hour_of_week", "on")
        .agg(attempts=pl.len(), reached=pl.col("reached").cast(pl.Int64).sum())
        .select([pl.col(name).cast(dtype) for name, dtype in schema.items()])
    )


def _summary(train: pl.DataFrame) -> dict[str, Any]:
    by_channel = train.group_by("channel").agg(pl.col("attempts").sum(), pl.col("reached").sum())
    segments = train.group_by("segment").agg(pl.col("attempts").sum())
    return {
        "by_channel": {
            channel: {"attempts": int(attempts), "reached": int(reached)}
            for channel, attempts, reached in by_channel.sort("channel").iter_rows()
        },
        "debtors": train.get_column("debtor_id").n_unique(),
        "segments": {
            (segment or "(none)"): int(attempts)
            for segment, attempts in segments.sort("segment", nulls_last=True).iter_rows()
        },
        "cells_week": train.select("channel", "hour_of_week").unique().height,
        "cells_segment_week": train.filter(pl.col("segment").is_not_null())
        .select("segment", "channel", "hour_of_week")
        .unique()
        .height,
    }


def reach_model_train(
    *,
    as_of: date,
    actor_id: int | None = None,
    history_days: int = HISTORY_DAYS,
    test_days: int = TEST_DAYS,
) -> ModelRun:
    """Learn on [cutoff - history_days, cutoff), validate on [cutoff, as_of), record the run."""
    cutoff = as_of - timedelta(days=test_days)
    history_from = cutoff - timedelta(days=history_days)
    attempts = reach_attempts(start=_midnight(history_from), end=_midnight(as_of))
    debtor_ids = attempts.get_column("debtor_id").unique().to_list()
    segments = debtor_segments(debtor_ids=debtor_ids, as_of=cutoff - timedelta(days=1))
    counts = reach_local_counts(attempts, debtor_zones(debtor_ids=debtor_ids), segments)
    columns = list(COUNTS_SCHEMA)
    train = (
        counts.filter(pl.col("on") < cutoff)
        .group_by(columns[:4])
        .agg(pl.col("attempts").sum(), pl.col("reached").sum())
        .select(columns)
    )
    test = counts.filter(pl.col("on") >= cutoff).select(columns)
    shrinkage = shrinkage_fit(train)
    validation = reach_validate(train, test, shrinkage)
    parameters = {
        "model": "beta-binomial partial pooling by local hour of week (strategy.domain.timing)",
        "levels": list(SHRINKAGE_LEVELS),
        "shrinkage": shrinkage.as_dict(),
        "k_estimated_by": "method of moments per level (analytics.domain.reach_fit)",
        "reached": REACHED,
        "history_days": history_days,
        "test_days": test_days,
        "counts": _summary(train),
    }
    rows_train = int(train.get_column("attempts").sum() or 0)
    activate = bool(validation["beats_flat"])
    note = "" if activate else "not activated: it did not beat the flat baseline's log loss"
    return model_run_record(
        kind=KIND,
        dates=(history_from, cutoff, as_of),
        rows=(rows_train, int(validation["attempts"])),
        parameters=parameters,
        validation=validation,
        activate=activate,
        note=note,
        figures={
            "log_loss": validation["models"]["hour_of_week"]["log_loss"],
            "log_loss_flat": validation["models"]["flat"]["log_loss"],
        },
        actor_id=actor_id,
    )
