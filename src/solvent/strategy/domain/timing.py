"""When a debtor is most likely to be reached: rates by channel and local HOUR OF WEEK, and the best
moment in the lawful windows.

The estimate is empirical-Bayes partial pooling: a chain of beta-binomial posterior means, each level
shrunk toward the level above it, by channel (docs/adr/0040-best-time-to-reach.md):

1. channel:        p_c  = (R + K_channel * DEFAULT_P) / (N + K_channel), every attempt on the channel;
2. hour of day:    p_h  = (R + K_hour * p_c) / (N + K_hour), the local hour (0-23) over every weekday;
3. hour of week:   p_w  = (R + K_week * p_h) / (N + K_week), weekday x local hour (168 cells);
4. segment, hour:  p_sh = (R + K_segment_hour * p_w) / (N + K_segment_hour), the segment's attempts
   at that local hour on any weekday, shrunk toward the global hour of week;
5. segment, week:  p_sw = (R + K_segment_week * p_sh) / (N + K_segment_week), the segment's own cell;
6. debtor:         p    = (R + K_debtor * p_sw) / (N + K_debtor), the debtor's own attempts at that
   local hour (any weekday: one person's history is too thin for 168 cells).

So an empty cell falls back level by level: a debtor never tried gets the segment's hour of week, a
thin segment cell the segment's hour of day, a segment never tried the global hour of week, an hour of
week nobody tried the hour of day, and a channel never used the flat DEFAULT_P. Every level is a
posterior mean with its parent as the prior mean and K as the prior's weight in attempts, so each
p lies strictly inside (0, 1) and rises with every reached attempt. The K's are fixed defaults here;
training estimates them from the history by the method of moments (``solvent.analytics.reach``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

# The reach rate assumed where nothing is known: about one attempt in ten reaches the debtor.
DEFAULT_P = 0.1
HOURS = tuple(range(24))
HOURS_OF_WEEK = tuple(range(7 * 24))
_ONE_HOUR = timedelta(hours=1)
_ONE_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)

# The counts the model learns from: one row per debtor, channel and local hour of week.
COUNTS_SCHEMA: dict[str, pl.DataType] = {
    "debtor_id": pl.Int64(),
    "segment": pl.String(),
    "channel": pl.String(),
    "hour_of_week": pl.Int16(),  # local weekday (Monday 0) * 24 + local hour
    "attempts": pl.Int64(),
    "reached": pl.Int64(),
}


def hour_of_week(weekday: int, hour: int) -> int:
    """Monday 00:00-00:59 is 0, Sunday 23:00-23:59 is 167 (``date.weekday()`` numbering)."""
    return weekday * 24 + hour


def posterior_mean(reached: float, attempts: float, k: float, prior: float) -> float:
    """The beta-binomial posterior mean: ``attempts`` seen, a prior worth ``k`` attempts at ``prior``."""
    return (reached + k * prior) / (attempts + k)


@dataclass(frozen=True)
class Shrinkage:
    """How many attempts each level's prior is worth (the K of each level, see the module doc)."""

    channel: float = 20.0
    hour: float = 20.0
    week: float = 20.0
    segment_hour: float = 20.0
    segment_week: float = 20.0
    debtor: float = 5.0

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in SHRINKAGE_LEVELS}

    @classmethod
    def from_dict(cls, values: Mapping[str, object]) -> Shrinkage:
        """From ``as_dict``'s shape; a level that is missing or not a positive number: the default."""
        default = cls()
        chosen: dict[str, float] = {}
        for name in SHRINKAGE_LEVELS:
            value = values.get(name)
            ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
            chosen[name] = float(value) if ok else getattr(default, name)  # type: ignore[arg-type]
        return cls(**chosen)


SHRINKAGE_LEVELS = ("channel", "hour", "week", "segment_hour", "segment_week", "debtor")


def counts_frame(rows: Iterable[Sequence[object]]) -> pl.DataFrame:
    """A counts frame from (debtor_id, segment, channel, hour_of_week, attempts, reached) rows."""
    return pl.DataFrame(list(rows), schema=COUNTS_SCHEMA, orient="row")


def _cells(frame: pl.DataFrame, key: str) -> dict[int, tuple[int, int]]:
    """key -> (reached, attempts): the order ``posterior_mean`` takes them in."""
    return {
        int(row[0]): (int(row[2]), int(row[1]))
        for row in frame.group_by(key).agg(pl.col("attempts").sum(), pl.col("reached").sum()).rows()
    }


@dataclass
class _ChannelIndex:
    """One channel's levels as Python values (built once per channel, then lookups)."""

    week_p: tuple[float, ...]  # 168 global hour-of-week rates
    segment_hour: dict[str, dict[int, tuple[int, int]]]  # segment -> hour -> (attempts, reached)
    segment_week: dict[str, dict[int, tuple[int, int]]]  # segment -> hour of week -> counts
    debtor_hour: dict[int, dict[int, tuple[int, int]]]  # debtor -> hour -> counts
    shrinkage: Shrinkage
    _segment_p: dict[str, tuple[float, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, counts: pl.DataFrame, shrinkage: Shrinkage) -> _ChannelIndex:
        k = shrinkage
        attempts = int(counts.get_column("attempts").sum() or 0)
        reached = int(counts.get_column("reached").sum() or 0)
        channel_p = posterior_mean(reached, attempts, k.channel, DEFAULT_P)
        with_hour = counts.with_columns(hour=(pl.col("hour_of_week") % 24).cast(pl.Int16))
        by_hour = _cells(with_hour, "hour")
        hour_p = [posterior_mean(*by_hour.get(h, (0, 0)), k.hour, channel_p) for h in HOURS]
        by_week = _cells(with_hour, "hour_of_week")
        week_p = tuple(
            posterior_mean(*by_week.get(w, (0, 0)), k.week, hour_p[w % 24]) for w in HOURS_OF_WEEK
        )
        segment_hour: dict[str, dict[int, tuple[int, int]]] = {}
        segment_week: dict[str, dict[int, tuple[int, int]]] = {}
        segmented = with_hour.filter(pl.col("segment").is_not_null())
        for segment, hour, n, r in (
            segmented.group_by("segment", "hour")
            .agg(pl.col("attempts").sum(), pl.col("reached").sum())
            .rows()
        ):
            segment_hour.setdefault(segment, {})[hour] = (int(n), int(r))
        for segment, week, n, r in (
            segmented.group_by("segment", "hour_of_week")
            .agg(pl.col("attempts").sum(), pl.col("reached").sum())
            .rows()
        ):
            segment_week.setdefault(segment, {})[week] = (int(n), int(r))
        debtor_hour: dict[int, dict[int, tuple[int, int]]] = {}
        own = with_hour.group_by("debtor_id", "hour").agg(
            pl.col("attempts").sum(), pl.col("reached").sum()
        )
        for debtor_id, hour, n, r in zip(
            own["debtor_id"].to_list(),
            own["hour"].to_list(),
            own["attempts"].to_list(),
            own["reached"].to_list(),
            strict=True,
        ):
            debtor_hour.setdefault(debtor_id, {})[hour] = (n, r)
        return cls(week_p, segment_hour, segment_week, debtor_hour, shrinkage)

    def segment_p(self, segment: str | None) -> tuple[float, ...]:
        """The segment's 168 rates (levels 4 and 5); the global hour of week without a segment."""
        if segment is None or segment not in self.segment_hour:
            return self.week_p  # no attempt in the segment: (0 + K p) / (0 + K) = p, level by level
        if segment not in self._segment_p:
            k = self.shrinkage
            by_hour = self.segment_hour[segment]
            by_week = self.segment_week[segment]
            rates = []
            for week in HOURS_OF_WEEK:
                hour_n, hour_r = by_hour.get(week % 24, (0, 0))
                hour_p = posterior_mean(hour_r, hour_n, k.segment_hour, self.week_p[week])
                week_n, week_r = by_week.get(week, (0, 0))
                rates.append(posterior_mean(week_r, week_n, k.segment_week, hour_p))
            self._segment_p[segment] = tuple(rates)
        return self._segment_p[segment]


@dataclass(frozen=True)
class ReachModel:
    """The fitted chain over a counts frame (``COUNTS_SCHEMA``) with its K's.

    Per channel, the first question indexes that channel's counts in memory (one pass); every later
    question is dictionary lookups and a few divisions.
    """

    counts: pl.DataFrame
    shrinkage: Shrinkage = field(default_factory=Shrinkage)
    _indexes: dict[str, _ChannelIndex] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def p_week(self, debtor_id: int | None, segment: str | None, channel: str) -> tuple[float, ...]:
        """The 168 rates (Monday 00h first) for a debtor (None: the segment's own rates)."""
        days = [self.p_day(debtor_id, segment, channel, day) for day in range(7)]
        return tuple(by_hour[hour] for by_hour in days for hour in HOURS)

    def p_day(
        self, debtor_id: int | None, segment: str | None, channel: str, weekday: int
    ) -> dict[int, float]:
        """Local hour -> rate on ``weekday`` (Monday 0): what ``best_moment`` chooses from."""
        index = self._index(channel)
        base = index.segment_p(segment)[weekday * 24 : weekday * 24 + 24]
        result = dict(enumerate(base))
        if debtor_id is not None:
            k = self.shrinkage.debtor
            for hour, (attempts, reached) in index.debtor_hour.get(debtor_id, {}).items():
                result[hour] = posterior_mean(reached, attempts, k, base[hour])
        return result

    def _index(self, channel: str) -> _ChannelIndex:
        if channel not in self._indexes:
            own = self.counts.filter(pl.col("channel") == channel)
            self._indexes[channel] = _ChannelIndex.build(own, self.shrinkage)
        return self._indexes[channel]


def reach_model(counts: pl.DataFrame, shrinkage: Shrinkage | None = None) -> ReachModel:
    """The model of ``counts`` (any frame with ``COUNTS_SCHEMA``'s columns; cast here)."""
    frame = counts.select([pl.col(name).cast(dtype) for name, dtype in COUNTS_SCHEMA.items()])
    return ReachModel(frame, shrinkage or Shrinkage())


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
