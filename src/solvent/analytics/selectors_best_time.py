"""The best-time heat map: a segment's reach rate by local hour of week on one channel, for the
clients a user serves, with the attempts and the reached ones behind each cell.

The rates are the model the plan uses (``strategy.domain.timing``, the active run's K's) fitted on
the last 90 days of the ledger of the debtors who owe those clients, in each debtor's local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import polars as pl

from solvent.analytics.models import ModelRun
from solvent.analytics.selectors_reach import (
    client_debtor_ids,
    debtor_segments,
    debtor_zones,
    reach_counts_local,
    reach_counts_utc,
    reach_run_active,
    reach_shrinkage_active,
)
from solvent.strategy.domain.timing import HOURS, HOURS_OF_WEEK, reach_model
from solvent.strategy.features import HISTORY_DAYS

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
BEST_HOURS = 3


@dataclass(frozen=True)
class Cell:
    """One hour of the week: the model's rate and the counts it learned from."""

    weekday: int  # Monday 0
    hour: int
    p: float
    attempts: int
    reached: int
    shade: float  # 0 for the grid's lowest rate, 1 for its highest

    @property
    def day_name(self) -> str:
        return WEEKDAYS[self.weekday]

    @property
    def background(self) -> str:
        """The cell's colour: pale for a low rate, deep blue for the grid's best."""
        return f"hsl(212, 70%, {96 - round(60 * self.shade)}%)"

    @property
    def dark(self) -> bool:
        return self.shade > 0.55


@dataclass(frozen=True)
class BestTimeGrid:
    channel: str
    segment: str | None
    since: date
    until: date  # exclusive: the history is [since, until)
    days: tuple[tuple[str, tuple[Cell, ...]], ...]  # (weekday name, 24 cells) Monday first
    best: tuple[Cell, ...]  # the best hours among those tried at least once
    attempts: int
    reached: int
    run: ModelRun | None  # the active training whose K's the rates use (None: the defaults)


def best_time_grid(
    *, client_ids: frozenset[int] | None, segment: str | None, channel: str, day: date
) -> BestTimeGrid:
    """The grid of the 90 days before ``day`` for debtors owing ``client_ids`` (None: every client)."""
    until = datetime.combine(day, time.min, tzinfo=UTC)
    since = until - timedelta(days=HISTORY_DAYS)
    debtors = client_debtor_ids(client_ids=client_ids)
    utc = reach_counts_utc(debtor_ids=debtors, start=since, end=until)
    ids = utc.get_column("debtor_id").unique().to_list()
    counts = reach_counts_local(
        utc, debtor_zones(debtor_ids=ids), debtor_segments(debtor_ids=ids, as_of=day), day
    )
    rates = reach_model(counts, reach_shrinkage_active()).p_week(None, segment, channel)
    shown = counts.filter(pl.col("channel") == channel)
    if segment is not None:
        shown = shown.filter(pl.col("segment") == segment)
    by_cell = {
        int(week): (int(attempts), int(reached))
        for week, attempts, reached in shown.group_by("hour_of_week")
        .agg(pl.col("attempts").sum(), pl.col("reached").sum())
        .iter_rows()
    }
    low, high = min(rates), max(rates)
    cells = [
        Cell(
            week // 24,
            week % 24,
            rates[week],
            *by_cell.get(week, (0, 0)),
            shade=(rates[week] - low) / (high - low) if high > low else 0.0,
        )
        for week in HOURS_OF_WEEK
    ]
    tried = sorted((cell for cell in cells if cell.attempts), key=lambda cell: -cell.p)
    return BestTimeGrid(
        channel=channel,
        segment=segment,
        since=since.date(),
        until=day,
        days=tuple(
            (WEEKDAYS[weekday], tuple(cells[weekday * 24 + hour] for hour in HOURS))
            for weekday in range(7)
        ),
        best=tuple(tried[:BEST_HOURS]),
        attempts=sum(attempts for attempts, _reached in by_cell.values()),
        reached=sum(reached for _attempts, reached in by_cell.values()),
        run=reach_run_active(),
    )
