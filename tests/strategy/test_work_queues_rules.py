"""The work queues' pure rules: the order of the kinds and within each, and what a request may be.

No database: milliseconds each.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solvent.strategy.work_rules import (
    DISPUTE_URGENT_DAYS_LEFT,
    DISPUTE_VERIFICATION_DAYS,
    WorkItemRequest,
    WorkKind,
    dispute_days_left,
    hold_source_key,
    source_ids,
    source_prefix,
    work_priority,
)

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_the_kinds_come_in_the_documented_order_whatever_their_figures() -> None:
    # The weakest of each kind still outranks the strongest of the kind after it.
    weakest_broken = work_priority(
        WorkKind.BROKEN_PROMISE, opened_at=NOW, now=NOW, amount=Decimal("0.01")
    )
    strongest_dispute = work_priority(WorkKind.DISPUTE, opened_at=NOW - DAY * 24, now=NOW)
    newest_dispute = work_priority(WorkKind.DISPUTE, opened_at=NOW, now=NOW)
    oldest_hardship = work_priority(WorkKind.HARDSHIP, opened_at=NOW - DAY * 3000, now=NOW)
    newest_hardship = work_priority(WorkKind.HARDSHIP, opened_at=NOW, now=NOW)
    oldest_review = work_priority(WorkKind.REVIEW, opened_at=NOW - DAY * 3000, now=NOW)
    newest_review = work_priority(WorkKind.REVIEW, opened_at=NOW, now=NOW)
    best_legal = work_priority(WorkKind.LEGAL_REVIEW, opened_at=NOW, now=NOW, plan_priority=1e12)
    worst_legal = work_priority(WorkKind.LEGAL_REVIEW, opened_at=NOW, now=NOW, plan_priority=-1e12)
    best_call = work_priority(WorkKind.PLANNED_CALL, opened_at=NOW, now=NOW, plan_priority=1e12)
    assert weakest_broken > strongest_dispute
    assert newest_dispute > oldest_hardship
    assert newest_hardship > oldest_review
    assert newest_review > best_legal
    assert worst_legal > best_call


def test_a_dispute_near_the_end_of_its_verification_clock_comes_before_broken_promises() -> None:
    urgent_age = DISPUTE_VERIFICATION_DAYS - DISPUTE_URGENT_DAYS_LEFT
    urgent = work_priority(WorkKind.DISPUTE, opened_at=NOW - DAY * urgent_age, now=NOW)
    not_yet = work_priority(WorkKind.DISPUTE, opened_at=NOW - DAY * (urgent_age - 1), now=NOW)
    biggest_broken = work_priority(
        WorkKind.BROKEN_PROMISE, opened_at=NOW, now=NOW, amount=Decimal("9999999")
    )
    assert urgent > biggest_broken > not_yet
    assert dispute_days_left(NOW - DAY * urgent_age, NOW) == DISPUTE_URGENT_DAYS_LEFT
    assert dispute_days_left(NOW - DAY * 31, NOW) == -1


@given(
    st.decimals(min_value=0, max_value=10**9, places=2),
    st.decimals(min_value=0, max_value=10**9, places=2),
)
def test_a_larger_broken_promise_never_comes_after_a_smaller_one(a: Decimal, b: Decimal) -> None:
    small, large = sorted((a, b))
    assert work_priority(
        WorkKind.BROKEN_PROMISE, opened_at=NOW, now=NOW, amount=large
    ) >= work_priority(WorkKind.BROKEN_PROMISE, opened_at=NOW, now=NOW, amount=small)


@given(st.integers(min_value=0, max_value=20 * 365 * 24), st.integers(min_value=1, max_value=10**4))
def test_within_a_case_kind_the_older_case_comes_first(hours_ago: int, gap_hours: int) -> None:
    newer = NOW - timedelta(hours=hours_ago)
    older = newer - timedelta(hours=gap_hours)
    for kind in (WorkKind.HARDSHIP, WorkKind.REVIEW):
        assert work_priority(kind, opened_at=older, now=NOW) > work_priority(
            kind, opened_at=newer, now=NOW
        )


@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False))
def test_the_plans_priority_keeps_its_order_inside_the_band(a: float, b: float) -> None:
    low, high = sorted((a, b))
    high_value = work_priority(WorkKind.PLANNED_CALL, opened_at=NOW, now=NOW, plan_priority=high)
    low_value = work_priority(WorkKind.PLANNED_CALL, opened_at=NOW, now=NOW, plan_priority=low)
    assert 10 <= low_value <= high_value < 11


def test_callbacks_are_the_desks_and_have_no_work_priority() -> None:
    with pytest.raises(ValueError, match="callbacks"):
        work_priority(WorkKind.CALLBACK, opened_at=NOW, now=NOW)


@pytest.mark.parametrize(
    ("key", "due_at", "kind", "message"),
    [
        ("plan-2026-06-09-1", NOW, WorkKind.PLANNED_CALL, "source"),
        ("x" * 81 + ":1", NOW, WorkKind.PLANNED_CALL, "characters"),
        ("plan:1", NOW.replace(tzinfo=None), WorkKind.PLANNED_CALL, "timezone"),
        ("plan:1", NOW, WorkKind.CALLBACK, "callbacks"),
    ],
)
def test_a_request_without_a_usable_key_an_aware_time_or_a_work_kind_is_refused(
    key: str, due_at: datetime, kind: WorkKind, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        WorkItemRequest(account_id=1, kind=kind, source_key=key, due_at=due_at)


def test_a_key_names_its_source_and_its_ids() -> None:
    assert source_prefix("plan:2026-06-09:7") == "plan"
    assert source_ids(hold_source_key(7, 12)) == (7, 12)
    assert source_ids("plan:2026-06-09:7") == ()
