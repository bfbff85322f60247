"""What happens to a hopper entry after a call: dial it again later today, or it is done for today.

Pure: the campaign's retry settings, the call's outcome, the attempts made today, ``now``, the
debtor's time zone and best hour come in as arguments. Recycling only *proposes* a time: the
compliance gate decides at dial time whether that time is lawful (the calling window in every zone
the debtor may be in, the 7-in-7 cap, holds, the UK's 72 hours after an abandoned call). The
proposal keeps inside the usual 08:00-21:00 local window so the hopper does not hold a number it
cannot dial; a number with no time left today is done, and tomorrow's plan brings it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class CallOutcome(StrEnum):
    """A call's outcome as the dialer records it (the values of ``Call.Outcome``)."""

    CONNECTED = "connected"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    MACHINE = "machine"
    VOICEMAIL_LEFT = "voicemail_left"
    ABANDONED = "abandoned"
    WRONG_NUMBER = "wrong_number"
    NOT_IN_SERVICE = "not_in_service"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class NextState(StrEnum):
    WAITING = "waiting"  # dial again from ``at``
    DONE = "done"  # finished for today


@dataclass(frozen=True, slots=True)
class RetrySettings:
    """A campaign's retry settings (``Campaign.busy_retry_minutes`` ...)."""

    busy_retry_minutes: int = 30
    no_answer_retry_minutes: int = 120
    max_attempts_per_day: int = 3
    window_start: time = time(8)  # no dial proposed before this local time
    window_end: time = time(21)  # nor at or after this one


@dataclass(frozen=True, slots=True)
class Recycled:
    """The entry's next state: WAITING from ``at``, or DONE (``at`` is None); ``reason`` is a
    short code kept on the entry, ``detail`` says it in words an agent understands."""

    state: NextState
    at: datetime | None
    reason: str
    detail: str


# Outcomes after which the number is not dialled again today, whatever the attempts left.
_FINAL: dict[CallOutcome, tuple[str, str]] = {
    CallOutcome.CONNECTED: ("reached", "reached today: an agent spoke with the person"),
    CallOutcome.VOICEMAIL_LEFT: ("voicemail_left", "a voicemail was left today"),
    CallOutcome.WRONG_NUMBER: (
        "wrong_number",
        "wrong number: the phone is marked and never dialled again",
    ),
    CallOutcome.NOT_IN_SERVICE: ("not_in_service", "the number is not in service"),
    CallOutcome.ABANDONED: (
        "abandoned",
        "a person answered and no agent was free (abandoned): not dialled again today; in the UK "
        "the gate also refuses a repeat call within 72 hours unless an agent is guaranteed",
    ),
}


def recycle(
    *,
    settings: RetrySettings,
    outcome: CallOutcome | str,
    attempts: int,
    now: datetime,
    time_zone: str,
    best_hour: int | None = None,
) -> Recycled:
    """The entry's next state after a call with ``outcome``, ``attempts`` calls made today.

    busy: again after ``busy_retry_minutes``; no answer, a machine dropped, a failed or
    interrupted call: again after ``no_answer_retry_minutes`` (``busy_retry_minutes`` for a
    network failure), at the debtor's best hour if it is still ahead, if that fits before the
    window closes; else done for today. Never earlier than ``now``; never WAITING once the day's
    attempts are used.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    kind = CallOutcome(outcome)
    if kind in _FINAL:
        reason, detail = _FINAL[kind]
        return Recycled(NextState.DONE, None, reason, detail)
    if attempts >= settings.max_attempts_per_day:
        return Recycled(
            NextState.DONE,
            None,
            "attempts_used",
            f"dialled {attempts} times today (the campaign allows "
            f"{settings.max_attempts_per_day}): tomorrow's plan brings it back",
        )
    zone = _zone(time_zone)
    if kind is CallOutcome.BUSY:
        earliest = now + timedelta(minutes=settings.busy_retry_minutes)
        prefer_best_hour = False
        reason = "busy_retry"
    elif kind is CallOutcome.FAILED:
        earliest = now + timedelta(minutes=settings.busy_retry_minutes)
        prefer_best_hour = False
        reason = "failed_retry"
    else:  # no answer, machine dropped, interrupted before anyone answered
        earliest = now + timedelta(minutes=settings.no_answer_retry_minutes)
        prefer_best_hour = True
        reason = "no_answer_retry"
    today = now.astimezone(zone).date()
    opens = _local(today, settings.window_start, zone)
    closes = _local(today, settings.window_end, zone)
    proposed = max(earliest, opens)
    if prefer_best_hour and best_hour is not None and 0 <= best_hour <= 23:
        best_start = _local(today, time(best_hour), zone)
        if proposed < best_start < closes:
            proposed = best_start  # the debtor's better hour is still ahead today: wait for it
    if proposed >= closes:
        return Recycled(
            NextState.DONE,
            None,
            "no_time_today",
            "no time left in today's calling window: tomorrow's plan brings it back",
        )
    local = proposed.astimezone(zone)
    return Recycled(
        NextState.WAITING,
        proposed,
        reason,
        f"{kind.value.replace('_', ' ')}: again from {local:%H:%M} (the debtor's time)",
    )


def fits_today(
    *, at: datetime, now: datetime, time_zone: str, settings: RetrySettings = RetrySettings()
) -> bool:
    """Is ``at`` still today in the debtor's zone, before the window closes? (A time the gate
    gives that is not, such as the end of a 7-in-7 cap days away, leaves the hopper for today.)"""
    zone = _zone(time_zone)
    today = now.astimezone(zone).date()
    return at.astimezone(zone).date() == today and at < _local(today, settings.window_end, zone)


def _zone(name: str) -> ZoneInfo:
    """The debtor's zone; UTC when the plan gave none (the gate still checks every zone)."""
    return ZoneInfo(name) if name else ZoneInfo("UTC")


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``at`` on ``day`` in ``zone``, in UTC (a time a DST change skips maps past the gap)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
