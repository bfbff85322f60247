"""The one clock. Services take `now` from here so tests can move time (time-machine)."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    return datetime.now(tz=UTC)


def today() -> date:
    return now().date()
