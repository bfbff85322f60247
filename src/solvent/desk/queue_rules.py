"""The work queue's rules as plain Python: which holds take an account out (compliance's set),
in which order due callbacks come, and how a local wall-clock time becomes a UTC moment.

No Django, no clock: ``now`` and time zones come in as arguments (docs/adr/0025).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from solvent.compliance.domain.holds import CONTACT_STOPPING_HOLD_KINDS

# Holds that stop every collection contact: an account under one is not offered by the queue.
QUEUE_BLOCKING_HOLD_KINDS = CONTACT_STOPPING_HOLD_KINDS

# The last-touched time of an account nobody has touched: before any real moment, so it sorts first.
NEVER_TOUCHED = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class DueCallback:
    """What the order of due callbacks looks at."""

    callback_id: int
    due_at: datetime
    agent_id: int | None


def callback_order(callbacks: list[DueCallback], *, agent_id: int) -> list[DueCallback]:
    """The agent's own callbacks first, then the team's (no agent named), each oldest due first.

    Another agent's callback is not offered.
    """
    mine = [c for c in callbacks if c.agent_id == agent_id]
    team = [c for c in callbacks if c.agent_id is None]
    return sorted(mine, key=_due) + sorted(team, key=_due)


def _due(callback: DueCallback) -> tuple[datetime, int]:
    return callback.due_at, callback.callback_id


class LocalTimeError(ValueError):
    """A local time that does not exist on that day (skipped by a daylight-saving change)."""


def local_to_utc(day: date, clock_time: time, zone: str) -> datetime:
    """The UTC moment of a wall-clock time in a zone.

    A time the clocks skip (02:30 on the spring-forward night) is refused rather than guessed; a time
    that happens twice (01:30 on the fall-back night) is the first of the two (``fold=0``).
    """
    tz = ZoneInfo(zone)
    local = datetime.combine(day, clock_time, tzinfo=tz)
    moment = local.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise LocalTimeError(f"{clock_time:%H:%M} does not exist on {day} in {zone}")
    return moment


def utc_to_local_input(moment: datetime, zone: str) -> str:
    """A moment as a ``datetime-local`` field's value in the zone (what the form shows)."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
