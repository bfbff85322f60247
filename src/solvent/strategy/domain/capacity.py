"""The staffed call capacity of a day, by hour, and the allocation of planned calls to it.

Capacity is agents x staffed hours x calls per hour, counted per local clock hour of the floor's
zone and keyed by that hour's start in UTC. On a daylight-saving day the floor's day has 23 or 25
hours: the hour a spring-forward skips is not staffed, the hour a fall-back repeats is staffed twice.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_ONE_HOUR = timedelta(hours=1)

CandidateKey = int | str


@dataclass(frozen=True)
class Capacity:
    """The floor's shift: ``agents`` make ``calls_per_hour`` each from ``start_hour`` (inclusive) to
    ``end_hour`` (exclusive, 24 = midnight) in local time of ``zone``."""

    agents: int
    start_hour: int
    end_hour: int
    calls_per_hour: int
    zone: str

    def __post_init__(self) -> None:
        if self.agents < 0 or self.calls_per_hour < 0:
            raise ValueError("agents and calls per hour must be >= 0")
        if not 0 <= self.start_hour <= self.end_hour <= 24:
            raise ValueError(f"shift {self.start_hour}-{self.end_hour} is not within a day")
        ZoneInfo(self.zone)


def _local_hour_starts(day: date, zone: ZoneInfo) -> list[datetime]:
    """The UTC start of every local clock hour of ``day`` in ``zone`` (23, 24 or 25 of them)."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    starts: list[datetime] = []
    moment = start
    while moment < end:
        local = moment.astimezone(zone)
        slot = moment - timedelta(minutes=local.minute, seconds=local.second)
        if not starts or slot > starts[-1]:
            starts.append(slot)
        moment = slot + _ONE_HOUR
    return starts


def hourly_slots(cap: Capacity, day: date) -> dict[datetime, int]:
    """Calls the floor can make in each staffed local hour of ``day``, keyed by its UTC start."""
    zone = ZoneInfo(cap.zone)
    per_hour = cap.agents * cap.calls_per_hour
    return {
        slot: per_hour
        for slot in _local_hour_starts(day, zone)
        if cap.start_hour <= slot.astimezone(zone).hour < cap.end_hour
    }


def capacity_total(cap: Capacity, day: date) -> int:
    """agents x staffed hours (of this day) x calls per hour."""
    return sum(hourly_slots(cap, day).values())


@dataclass(frozen=True)
class CallCandidate:
    """A call the plan would like to make: lawful ``windows`` (half-open, UTC) and the moments it
    prefers, best first (``timing.best_moment`` and the runners-up)."""

    key: CandidateKey
    priority: float
    windows: tuple[tuple[datetime, datetime], ...]
    preferred: tuple[datetime, ...] = ()


def _inside(moment: datetime, windows: Sequence[tuple[datetime, datetime]]) -> bool:
    return any(start <= moment < end for start, end in windows)


def _order(candidate: CallCandidate) -> tuple[float, bool, int | str]:
    # Highest priority first; equal priorities by key (ints before strs, so mixed keys still sort).
    return (-candidate.priority, isinstance(candidate.key, str), candidate.key)


def allocate(
    candidates: Sequence[CallCandidate], slots: dict[datetime, int]
) -> dict[CandidateKey, datetime | None]:
    """Give each candidate a moment in an hour with capacity left, best candidates first.

    Each takes its first preferred moment that lies in one of its windows and in an hour slot with
    capacity; failing that, the earliest moment of any slot with capacity that overlaps a window
    (the later of the slot's and the window's start); failing that, None (capacity exhausted).
    A slot never gets more calls than its capacity; no moment lies outside the candidate's windows
    or the floor's staffed hours.
    """
    starts = sorted(slots)
    remaining = [slots[start] for start in starts]
    left = sum(remaining)
    result: dict[CandidateKey, datetime | None] = {}
    for candidate in sorted(candidates, key=_order):
        chosen: tuple[int, datetime] | None = None
        if left > 0:
            chosen = _preferred(candidate, starts, remaining) or _earliest(
                candidate, starts, remaining
            )
        if chosen is None:
            result[candidate.key] = None
            continue
        index, moment = chosen
        remaining[index] -= 1
        left -= 1
        result[candidate.key] = moment
    return result


def _slot_index(starts: list[datetime], moment: datetime) -> int | None:
    index = bisect_right(starts, moment) - 1
    if index >= 0 and moment < starts[index] + _ONE_HOUR:
        return index
    return None


def _preferred(
    candidate: CallCandidate, starts: list[datetime], remaining: list[int]
) -> tuple[int, datetime] | None:
    for moment in candidate.preferred:
        index = _slot_index(starts, moment)
        if index is not None and remaining[index] > 0 and _inside(moment, candidate.windows):
            return index, moment
    return None


def _earliest(
    candidate: CallCandidate, starts: list[datetime], remaining: list[int]
) -> tuple[int, datetime] | None:
    """The earliest moment of the first slot with capacity that overlaps a window."""
    for index, slot_start in enumerate(starts):
        if remaining[index] <= 0:
            continue
        slot_end = slot_start + _ONE_HOUR
        moments = [
            max(slot_start, start)
            for start, end in candidate.windows
            if max(slot_start, start) < min(slot_end, end)
        ]
        if moments:
            return index, min(moments)
    return None
