"""Local-time helpers: cached zones, local dates and midnights, holiday calendars, business days.

No clock is read here. ``ZoneInfo`` objects and holiday sets are cached because a decision must
take tens of microseconds; building a ``holidays`` calendar costs milliseconds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises ``ZoneInfoNotFoundError`` (a KeyError) when unknown."""
    return ZoneInfo(name)


def is_known_zone(name: str) -> bool:
    try:
        zone(name)
    # OSError: a name that is a folder of the tz database ("America") or too long for a file name.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


@lru_cache(maxsize=8192)
def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``tz``, as UTC.

    No zone in the database skips midnight in a way that matters here; ``fold=0`` picks the
    earlier instant when midnight is ambiguous.
    """
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def local_instant(day: date, minute_of_day: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``day`` at ``minute_of_day`` local time (1440 means next midnight).

    A wall time inside a spring-forward gap resolves with ``fold=0`` to the later real instant
    (02:30 becomes 03:30), which only ever opens a window late, never early.
    """
    hours, minutes = divmod(minute_of_day, 60)
    if hours >= 24:
        return local_midnight(day + ONE_DAY, tz)
    return datetime.combine(day, time(hours, minutes), tzinfo=tz).astimezone(UTC)


@lru_cache(maxsize=256)
def holiday_dates(
    country: str, subdivision: str | None, year: int, categories: str
) -> frozenset[date]:
    """Public holidays of a calendar for one year; ``categories`` is a comma-separated list."""
    calendar = holidays.country_holidays(
        country, subdiv=subdivision, years=year, categories=tuple(categories.split(","))
    )
    return frozenset(calendar.keys())


def is_holiday(day: date, country: str, subdivision: str | None, categories: str) -> bool:
    return day in holiday_dates(country, subdivision, day.year, categories)


@lru_cache(maxsize=4096)
def add_us_business_days(start: date, count: int) -> date:
    """``count`` days after ``start`` not counting Saturdays, Sundays and 5 U.S.C. 6103(a) holidays.

    The ``holidays`` US calendar (public category, no subdivision) is the 6103(a) list except
    Inauguration Day, which only binds in the DC area.
    """
    day = start
    remaining = count
    while remaining > 0:
        day += ONE_DAY
        if day.weekday() >= 5 or is_holiday(day, "US", None, "public"):
            continue
        remaining -= 1
    return day
