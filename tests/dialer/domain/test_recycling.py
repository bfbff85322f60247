"""Recycling a hopper entry after a call: when to dial again today, or done for today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.dialer.domain.recycling import (
    CallOutcome,
    NextState,
    RetrySettings,
    fits_today,
    recycle,
)

NEW_YORK = "America/New_York"
CAMPAIGN = RetrySettings(busy_retry_minutes=30, no_answer_retry_minutes=120, max_attempts_per_day=3)


def _at(local: str, zone: str = NEW_YORK) -> datetime:
    """A local wall time ("2026-06-09 10:00") as an aware UTC datetime."""
    naive = datetime.fromisoformat(local)
    return naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _local(moment: datetime | None, zone: str = NEW_YORK) -> str:
    assert moment is not None
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def test_a_busy_number_is_dialled_again_after_the_campaigns_busy_minutes() -> None:
    decided = recycle(
        settings=CAMPAIGN,
        outcome="busy",
        attempts=1,
        now=_at("2026-06-09 10:00"),
        time_zone=NEW_YORK,
        best_hour=18,
    )
    assert decided.state is NextState.WAITING
    assert _local(decided.at) == "2026-06-09 10:30"  # the best hour does not delay a busy retry
    assert decided.reason == "busy_retry"


def test_no_answer_waits_for_the_debtors_best_hour_when_it_is_still_ahead_today() -> None:
    decided = recycle(
        settings=CAMPAIGN,
        outcome=CallOutcome.NO_ANSWER,
        attempts=1,
        now=_at("2026-06-09 10:00"),
        time_zone=NEW_YORK,
        best_hour=18,
    )
    assert decided.state is NextState.WAITING
    assert _local(decided.at) == "2026-06-09 18:00"
    assert "18:00 (the debtor's time)" in decided.detail


def test_no_answer_after_the_best_hour_passed_is_dialled_again_after_the_retry_minutes() -> None:
    decided = recycle(
        settings=CAMPAIGN,
        outcome=CallOutcome.MACHINE,
        attempts=2,
        now=_at("2026-06-09 15:10"),
        time_zone=NEW_YORK,
        best_hour=9,
    )
    assert decided.state is NextState.WAITING
    assert _local(decided.at) == "2026-06-09 17:10"


def test_no_answer_inside_the_best_hour_keeps_the_retry_time() -> None:
    decided = recycle(
        settings=CAMPAIGN,
        outcome=CallOutcome.NO_ANSWER,
        attempts=1,
        now=_at("2026-06-09 16:30"),
        time_zone=NEW_YORK,
        best_hour=18,
    )
    assert _local(decided.at) == "2026-06-09 18:30"


def test_no_answer_with_no_time_left_before_nine_pm_is_done_for_today() -> None:
    decided = recycle(
        settings=CAMPAIGN,
        outcome=CallOutcome.NO_ANSWER,
        attempts=1,
        now=_at("2026-06-09 19:00"),
        time_zone=NEW_YORK,
        best_hour=None,
    )
    assert decided.state is NextState.DONE
    assert decided.at is None
    assert decided.reason == "no_time_today"
    assert "tomorrow" in decided.detail


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        (CallOutcome.CONNECTED, "reached"),
        (CallOutcome.VOICEMAIL_LEFT, "voicemail_left"),
        (CallOutcome.WRONG_NUMBER, "wrong_number"),
        (CallOutcome.NOT_IN_SERVICE, "not_in_service"),
        (CallOutcome.ABANDONED, "abandoned"),
    ],
)
def test_final_outcomes_are_done_for_today_whatever_the_attempts_left(
    outcome: CallOutcome, reason: str
) -> None:
    decided = recycle(
        settings=CAMPAIGN,
        outcome=outcome,
        attempts=1,
        now=_at("2026-06-09 10:00"),
        time_zone=NEW_YORK,
    )
    assert (decided.state, decided.reason) == (NextState.DONE, reason)


def test_an_abandoned_call_says_the_uk_72_hours_are_the_gates() -> None:
    decided = recycle(
        settings=CAMPAIGN,
        outcome=CallOutcome.ABANDONED,
        attempts=1,
        now=_at("2026-06-09 10:00"),
        time_zone=NEW_YORK,
    )
    assert "72 hours" in decided.detail
    assert "gate" in decided.detail


def test_the_last_allowed_attempt_leaves_the_hopper_for_today() -> None:
    decided = recycle(
        settings=CAMPAIGN,
        outcome=CallOutcome.BUSY,
        attempts=3,
        now=_at("2026-06-09 10:00"),
        time_zone=NEW_YORK,
    )
    assert (decided.state, decided.reason) == (NextState.DONE, "attempts_used")
    assert "3 times" in decided.detail


def test_a_retry_before_eight_in_the_morning_is_proposed_at_eight() -> None:
    decided = recycle(
        settings=CAMPAIGN,
        outcome=CallOutcome.BUSY,
        attempts=1,
        now=_at("2026-06-09 07:00"),
        time_zone=NEW_YORK,
    )
    assert _local(decided.at) == "2026-06-09 08:00"


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        recycle(
            settings=CAMPAIGN,
            outcome=CallOutcome.BUSY,
            attempts=1,
            now=datetime(2026, 6, 9, 10, 0),
            time_zone=NEW_YORK,
        )


# DST: the window's edges are local wall times, so their UTC instants move with the offset.


def test_spring_forward_the_window_opens_at_eight_eastern_daylight_time() -> None:
    # 2026-03-08: 02:00 EST jumps to 03:00 EDT. 01:30 EST + 30 minutes is 03:00 EDT, before the
    # window: proposed at 08:00 EDT = 12:00 UTC (13:00 UTC if the standard offset were kept).
    now = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)
    assert _local(now) == "2026-03-08 01:30"
    decided = recycle(
        settings=CAMPAIGN, outcome=CallOutcome.BUSY, attempts=1, now=now, time_zone=NEW_YORK
    )
    assert decided.at == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)


def test_spring_forward_the_window_closes_at_nine_eastern_daylight_time() -> None:
    # On the day of the change 21:00 EDT is 01:00 UTC (02:00 UTC with the standard offset):
    # 19:30 EDT + 90 minutes reaches 21:00 exactly, which is no longer inside the window.
    now = _at("2026-03-08 19:30")
    assert now == datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
    settings_ = RetrySettings(no_answer_retry_minutes=90)
    decided = recycle(
        settings=settings_, outcome=CallOutcome.NO_ANSWER, attempts=1, now=now, time_zone=NEW_YORK
    )
    assert (decided.state, decided.reason) == (NextState.DONE, "no_time_today")
    earlier = recycle(
        settings=settings_,
        outcome=CallOutcome.NO_ANSWER,
        attempts=1,
        now=now - timedelta(minutes=1),
        time_zone=NEW_YORK,
    )
    assert _local(earlier.at) == "2026-03-08 20:59"


def test_fall_back_the_window_closes_at_nine_eastern_standard_time() -> None:
    # 2026-11-01: 02:00 EDT falls back to 01:00 EST. 19:30 EST = 00:30 UTC on 2 November;
    # + 60 minutes = 20:30 EST, inside the window (21:30 with the summer offset: it would be done).
    now = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
    assert _local(now) == "2026-11-01 19:30"
    settings_ = RetrySettings(no_answer_retry_minutes=60)
    decided = recycle(
        settings=settings_, outcome=CallOutcome.NO_ANSWER, attempts=1, now=now, time_zone=NEW_YORK
    )
    assert decided.state is NextState.WAITING
    assert decided.at == datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
    assert _local(decided.at) == "2026-11-01 20:30"


def test_fall_back_the_best_hour_is_the_local_hour_after_the_change() -> None:
    now = _at("2026-11-01 09:00")
    decided = recycle(
        settings=CAMPAIGN,
        outcome=CallOutcome.NO_ANSWER,
        attempts=1,
        now=now,
        time_zone=NEW_YORK,
        best_hour=17,
    )
    assert decided.at == datetime(2026, 11, 1, 22, 0, tzinfo=UTC)  # 17:00 EST, UTC-5


def test_a_time_the_gate_gives_for_a_later_day_does_not_fit_today() -> None:
    now = _at("2026-06-09 10:00")
    assert fits_today(at=_at("2026-06-09 14:00"), now=now, time_zone=NEW_YORK)
    assert not fits_today(at=_at("2026-06-09 21:00"), now=now, time_zone=NEW_YORK)
    assert not fits_today(at=_at("2026-06-12 09:00"), now=now, time_zone=NEW_YORK)


# Invariants over any outcome, settings, time and zone.

ZONES = ["America/New_York", "America/Los_Angeles", "Europe/London", "Australia/Sydney", ""]


@settings(max_examples=400, deadline=None)
@given(
    outcome=st.sampled_from(list(CallOutcome)),
    attempts=st.integers(min_value=0, max_value=8),
    busy=st.integers(min_value=0, max_value=600),
    no_answer=st.integers(min_value=0, max_value=600),
    max_attempts=st.integers(min_value=0, max_value=6),
    now=st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.just(UTC),
    ),
    zone=st.sampled_from(ZONES),
    best_hour=st.none() | st.integers(min_value=0, max_value=23),
)
def test_recycling_never_proposes_the_past_a_closed_window_or_an_attempt_too_many(
    outcome: CallOutcome,
    attempts: int,
    busy: int,
    no_answer: int,
    max_attempts: int,
    now: datetime,
    zone: str,
    best_hour: int | None,
) -> None:
    campaign = RetrySettings(
        busy_retry_minutes=busy,
        no_answer_retry_minutes=no_answer,
        max_attempts_per_day=max_attempts,
    )
    decided = recycle(
        settings=campaign,
        outcome=outcome,
        attempts=attempts,
        now=now,
        time_zone=zone,
        best_hour=best_hour,
    )
    if decided.state is NextState.DONE:
        assert decided.at is None
        return
    assert attempts < max_attempts, "never WAITING once the day's attempts are used"
    assert decided.at is not None
    assert decided.at >= now, "never earlier than now"
    local = decided.at.astimezone(ZoneInfo(zone or "UTC"))
    assert local.date() == now.astimezone(ZoneInfo(zone or "UTC")).date(), "today only"
    assert 8 <= local.hour < 21, "inside 08:00-21:00 local"
    assert outcome not in {
        CallOutcome.CONNECTED,
        CallOutcome.VOICEMAIL_LEFT,
        CallOutcome.WRONG_NUMBER,
        CallOutcome.NOT_IN_SERVICE,
        CallOutcome.ABANDONED,
    }
