"""The K's of the best-time model, estimated from the history by the method of moments.

Each level of ``strategy.domain.timing`` is a beta-binomial: the cells of a level (for instance every
channel x hour of week) have true rates drawn from a beta with the parent's rate m as its mean and
K + 1 as its "sample size". For a cell of n attempts and r reached, E[(r - n m)^2] =
n m (1 - m) (1 + (n - 1) rho), rho = 1 / (K + 1). Summing over the cells and solving for rho:

    rho = sum((r - n m)^2 - n m (1 - m)) / sum(n (n - 1) m (1 - m))

(the usual moment estimator of the intra-class correlation, weighted by n (n - 1)). K = 1/rho - 1,
kept in [K_MIN, K_MAX]: a level whose cells differ no more than chance says K_MAX (pool fully), a
level too thin to say anything (no cell of two attempts) keeps its default. The levels are fitted top
down, each with the parent's rates computed with the K already fitted above it. The channel level has
at most a handful of cells (one per channel): its K stays the fixed default.

Approximations (docs/adr/0040-best-time-to-reach.md): the parent's rate includes the cell's own
attempts; the segment-hour and debtor levels' parents vary by weekday, so their cells are compared
with the hour-of-day rate of the level above instead.
"""

from __future__ import annotations

import polars as pl

from solvent.strategy.domain.timing import DEFAULT_P, Shrinkage

K_MIN = 1.0
K_MAX = 10_000.0


def dispersion_k(cells: pl.DataFrame, default: float) -> float:
    """K from cells with columns attempts (n), reached (r) and prior (m); see the module doc."""
    n = pl.col("attempts").cast(pl.Float64)
    r = pl.col("reached").cast(pl.Float64)
    m = pl.col("prior").cast(pl.Float64)
    sums = cells.select(
        excess=((r - n * m) ** 2 - n * m * (1 - m)).sum(),
        scale=(n * (n - 1) * m * (1 - m)).sum(),
    ).row(0)
    excess, scale = float(sums[0] or 0.0), float(sums[1] or 0.0)
    if scale <= 0:
        return default
    rho = excess / scale
    if rho <= 1 / (K_MAX + 1):
        return K_MAX
    if rho >= 1 / (K_MIN + 1):
        return K_MIN
    return 1 / rho - 1


def _posterior(k: float) -> pl.Expr:
    return (pl.col("reached") + k * pl.col("prior")) / (pl.col("attempts") + k)


def _sum(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return frame.group_by(keys).agg(pl.col("attempts").sum(), pl.col("reached").sum())


def shrinkage_fit(counts: pl.DataFrame, default: Shrinkage | None = None) -> Shrinkage:
    """The K's for a counts frame (``timing.COUNTS_SCHEMA``), level by level, top down."""
    default = default or Shrinkage()
    frame = counts.with_columns(hour=pl.col("hour_of_week") % 24)
    channel = _sum(frame, ["channel"]).with_columns(prior=pl.lit(DEFAULT_P))
    channel = channel.select("channel", channel_p=_posterior(default.channel))

    hour = _sum(frame, ["channel", "hour"]).join(channel, on="channel")
    hour = hour.with_columns(prior=pl.col("channel_p"))
    k_hour = dispersion_k(hour, default.hour)
    hour = hour.select("channel", "hour", hour_p=_posterior(k_hour))

    week = _sum(frame, ["channel", "hour_of_week", "hour"]).join(hour, on=["channel", "hour"])
    week = week.with_columns(prior=pl.col("hour_p"))
    k_week = dispersion_k(week, default.week)
    week = week.select("channel", "hour_of_week", week_p=_posterior(k_week))

    segmented = frame.filter(pl.col("segment").is_not_null())
    segment_hour = _sum(segmented, ["segment", "channel", "hour"]).join(
        hour, on=["channel", "hour"]
    )
    k_segment_hour = dispersion_k(
        segment_hour.with_columns(prior=pl.col("hour_p")), default.segment_hour
    )

    # Each segment cell of the week against its own prior: the segment's hour shrunk toward the
    # global hour of week of that cell.
    segment_week = (
        _sum(segmented, ["segment", "channel", "hour_of_week", "hour"])
        .join(week, on=["channel", "hour_of_week"])
        .join(
            segment_hour.select("segment", "channel", "hour", hour_n="attempts", hour_r="reached"),
            on=["segment", "channel", "hour"],
        )
        .with_columns(
            prior=(pl.col("hour_r") + k_segment_hour * pl.col("week_p"))
            / (pl.col("hour_n") + k_segment_hour)
        )
    )
    k_segment_week = dispersion_k(segment_week, default.segment_week)

    segment_hour_p = segment_hour.with_columns(prior=pl.col("hour_p")).select(
        "segment", "channel", "hour", segment_hour_p=_posterior(k_segment_hour)
    )
    debtor = (
        _sum(frame, ["debtor_id", "segment", "channel", "hour"])
        .join(hour, on=["channel", "hour"])
        .join(segment_hour_p, on=["segment", "channel", "hour"], how="left")
        .with_columns(prior=pl.coalesce("segment_hour_p", "hour_p"))
    )
    k_debtor = dispersion_k(debtor, default.debtor)
    return Shrinkage(default.channel, k_hour, k_week, k_segment_hour, k_segment_week, k_debtor)
