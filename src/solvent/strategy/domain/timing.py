"""When a debtor is most likely to answer: reach rates by channel and local hour, and the best moment.

The estimate is hierarchical shrinkage (posterior means of beta-binomial models), by channel and the
debtor's local hour of the attempt:

- global: p_g = (reached + K_GLOBAL * DEFAULT_P) / (attempts + K_GLOBAL) over every debtor;
- segment: p_s = (reached + K_SEGMENT * p_g) / (attempts + K_SEGMENT) over the segment's attempts;
- debtor: p_d = (reached + K_DEBTOR * p_s) / (attempts + K_DEBTOR) over the debtor's own attempts,
  with p_s of the segment the debtor is in now (p_g when the debtor has no segment).

So a debtor with no history gets their segment's rate, a segment with no history the global rate,
and an hour nobody was ever tried in the flat DEFAULT_P. K is the number of attempts the prior is
worth: 5 of a debtor's own attempts weigh as much as their segment's rate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

K_GLOBAL = 20
K_SEGMENT = 20
K_DEBTOR = 5
# The reach rate assumed where nothing is known: about one attempt in ten reaches the debtor.
DEFAULT_P = 0.1
HOURS = tuple(range(24))
_ONE_HOUR = timedelta(hours=1)
_ONE_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)


def _counts(events: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return events.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("attempts"),
        pl.col("reached").fill_null(False).cast(pl.Int64).sum().alias("reached"),
    )


@dataclass(frozen=True)
class ReachRates:
    """Attempt and reach counts at the three levels (built by ``reach_rates``)."""

    global_counts: pl.DataFrame  # channel, local_hour, attempts, reached
    segment_counts: pl.DataFrame  # segment, channel, local_hour, attempts, reached
    debtor_counts: pl.DataFrame  # debtor_id, channel, local_hour, attempts, reached
    # Per channel, built on first use by p_by_hour (a cache: not part of the value).
    _indexes: dict[str, _ChannelIndex] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def table(self, debtors: pl.DataFrame, channel: str) -> pl.DataFrame:
        """p for every debtor of ``debtors`` (debtor_id, segment) and all 24 local hours.

        Columns debtor_id Int64, local_hour Int8, p Float64; sorted by debtor and hour.
        """
        hours = pl.DataFrame({"local_hour": list(HOURS)}, schema={"local_hour": pl.Int8})
        on_channel = pl.col("channel") == channel
        global_p = (
            self.global_counts.filter(on_channel)
            .select(
                "local_hour",
                (
                    (pl.col("reached") + K_GLOBAL * DEFAULT_P) / (pl.col("attempts") + K_GLOBAL)
                ).alias("p_global"),
            )
            .join(hours, on="local_hour", how="right")
            .with_columns(pl.col("p_global").fill_null(DEFAULT_P))
        )
        segment_p = (
            self.segment_counts.filter(on_channel)
            .join(global_p, on="local_hour")
            .select(
                "segment",
                "local_hour",
                (
                    (pl.col("reached") + K_SEGMENT * pl.col("p_global"))
                    / (pl.col("attempts") + K_SEGMENT)
                ).alias("p_segment"),
            )
        )
        debtor_counts = self.debtor_counts.filter(on_channel).select(
            "debtor_id", "local_hour", "attempts", "reached"
        )
        return (
            debtors.select(pl.col("debtor_id").cast(pl.Int64), pl.col("segment").cast(pl.String))
            .join(global_p, how="cross")
            .join(segment_p, on=["segment", "local_hour"], how="left", nulls_equal=False)
            .with_columns(pl.col("p_segment").fill_null(pl.col("p_global")))
            .join(debtor_counts, on=["debtor_id", "local_hour"], how="left")
            .select(
                "debtor_id",
                "local_hour",
                (
                    (pl.col("reached").fill_null(0) + K_DEBTOR * pl.col("p_segment"))
                    / (pl.col("attempts").fill_null(0) + K_DEBTOR)
                ).alias("p"),
            )
            .sort("debtor_id", "local_hour")
        )

    def p_by_hour(self, debtor_id: int, segment: str | None, channel: str) -> dict[int, float]:
        """One debtor's p by local hour (for ``best_moment``); the same figures as ``table``.

        The first call for a channel indexes that channel's counts in memory (one pass over the
        debtor counts); every later call is a dictionary lookup and 24 divisions.
        """
        index = self._channel_index(channel)
        prior = index.global_p if segment is None else index.segment_p.get(segment, index.global_p)
        # With no attempts of their own in an hour, (0 + K p) / (0 + K) is the prior itself.
        result = dict(enumerate(prior))
        for hour, (attempts, reached) in index.debtor_counts.get(debtor_id, {}).items():
            result[hour] = (reached + K_DEBTOR * prior[hour]) / (attempts + K_DEBTOR)
        return result

    def _channel_index(self, channel: str) -> _ChannelIndex:
        if channel not in self._indexes:
            self._indexes[channel] = _ChannelIndex.build(self, channel)
        return self._indexes[channel]


@dataclass(frozen=True)
class _ChannelIndex:
    """One channel's rates as Python values: p by hour globally and by segment, debtors' counts."""

    global_p: tuple[float, ...]
    segment_p: dict[str, tuple[float, ...]]
    debtor_counts: dict[int, dict[int, tuple[int, int]]]

    @classmethod
    def build(cls, rates: ReachRates, channel: str) -> _ChannelIndex:
        on_channel = pl.col("channel") == channel
        global_p = [DEFAULT_P] * len(HOURS)
        for hour, attempts, reached in (
            rates.global_counts.filter(on_channel)
            .select("local_hour", "attempts", "reached")
            .iter_rows()
        ):
            global_p[hour] = (reached + K_GLOBAL * DEFAULT_P) / (attempts + K_GLOBAL)
        segment_p: dict[str, list[float]] = {}
        for segment, hour, attempts, reached in (
            rates.segment_counts.filter(on_channel)
            .select("segment", "local_hour", "attempts", "reached")
            .iter_rows()
        ):
            by_hour = segment_p.setdefault(segment, list(global_p))
            by_hour[hour] = (reached + K_SEGMENT * global_p[hour]) / (attempts + K_SEGMENT)
        debtor_counts: dict[int, dict[int, tuple[int, int]]] = {}
        own = rates.debtor_counts.filter(on_channel)
        for debtor_id, hour, attempts, reached in zip(
            own["debtor_id"].to_list(),
            own["local_hour"].to_list(),
            own["attempts"].to_list(),
            own["reached"].to_list(),
            strict=True,
        ):
            debtor_counts.setdefault(debtor_id, {})[hour] = (attempts, reached)
        return cls(
            tuple(global_p),
            {segment: tuple(by_hour) for segment, by_hour in segment_p.items()},
            debtor_counts,
        )


def reach_rates(events: pl.DataFrame) -> ReachRates:
    """Counts from attempt events: debtor_id, segment, channel, local_hour (0-23), reached."""
    events = events.select(
        pl.col("debtor_id").cast(pl.Int64),
        pl.col("segment").cast(pl.String),
        pl.col("channel").cast(pl.String),
        pl.col("local_hour").cast(pl.Int8),
        pl.col("reached").cast(pl.Boolean),
    )
    return ReachRates(
        global_counts=_counts(events, ["channel", "local_hour"]),
        segment_counts=_counts(
            events.filter(pl.col("segment").is_not_null()), ["segment", "channel", "local_hour"]
        ),
        debtor_counts=_counts(events, ["debtor_id", "channel", "local_hour"]),
    )


def _slots(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[datetime, datetime, int]]:
    """(clock hour start in UTC, moment, local hour) for each local clock hour the window touches.

    A clock hour is found from the local time of an instant, so the hour that a spring-forward
    skips is never produced and the hour a fall-back repeats is produced twice, once per offset.
    """
    offset = start.astimezone(zone).utcoffset()
    if end - start <= _ONE_DAY and offset == (end - _TICK).astimezone(zone).utcoffset():
        # No change of offset inside a window shorter than a day (zones change at most twice a
        # year): local time is UTC plus one fixed offset, no zone lookup per hour.
        assert offset is not None
        return _fixed_offset_slots(start, end, offset)
    slots: list[tuple[datetime, datetime, int]] = []
    moment = start
    while moment < end:
        local = moment.astimezone(zone)
        slot_start = moment - timedelta(
            minutes=local.minute, seconds=local.second, microseconds=local.microsecond
        )
        slots.append((slot_start, moment, local.hour))
        moment = slot_start + _ONE_HOUR
    return slots


def _fixed_offset_slots(
    start: datetime, end: datetime, offset: timedelta
) -> list[tuple[datetime, datetime, int]]:
    local = start + offset
    slot_start = start - timedelta(
        minutes=local.minute, seconds=local.second, microseconds=local.microsecond
    )
    hour = local.hour
    slots = [(slot_start, start, hour)]
    slot_start += _ONE_HOUR
    while slot_start < end:
        hour = (hour + 1) % 24
        slots.append((slot_start, slot_start, hour))
        slot_start += _ONE_HOUR
    return slots


def best_moment(
    windows: Sequence[tuple[datetime, datetime]],
    zone: str,
    p_by_hour: Mapping[int, float],
    taken: Callable[[datetime], bool] | None = None,
) -> datetime | None:
    """The moment in the lawful windows with the highest reach rate, in UTC; None if none is free.

    ``windows`` are half-open UTC intervals [start, end). Each is cut into the zone's local clock
    hours; a slot's moment is the later of the clock hour's start and the window's start. Slots for
    which ``taken(clock hour start in UTC)`` is True are skipped. Ties go to the earliest moment; an
    hour missing from ``p_by_hour`` counts as 0.
    """
    tz = ZoneInfo(zone)
    best: tuple[float, datetime] | None = None
    for start, end in windows:
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("windows must be timezone-aware")
        for slot_start, moment, hour in _slots(start.astimezone(UTC), end.astimezone(UTC), tz):
            if taken is not None and taken(slot_start):
                continue
            p = p_by_hour.get(hour, 0.0)
            if best is None or p > best[0] or (p == best[0] and moment < best[1]):
                best = (p, moment)
    return None if best is None else best[1]
