"""The scorecard's refusals item by item, and the agent's trend (pure: no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.quality.domain.scorecard import (
    DEFAULT_SCORECARD,
    PASS_MARK,
    ScorecardError,
    scorecard_score,
)
from solvent.quality.domain.trend import ReviewFacts, agent_trend, trend_chart_data, week_start
from tests.quality.world import ALL_YES

TODAY = date(2026, 6, 10)  # a Wednesday; its week starts on Monday 8 June


def test_every_wrong_item_is_named_in_the_message_and_in_the_problems() -> None:
    answers = {**ALL_YES, "no_threats": "", "accurate_information": "maybe", "bogus": "yes"}
    answers["right_party_verified"] = "n/a"
    with pytest.raises(ScorecardError) as refused:
        scorecard_score(answers)
    assert refused.value.problems == {
        "bogus": "not on the scorecard",
        "right_party_verified": "must be answered yes or no",
        "no_threats": "not answered",
        "accurate_information": "'maybe' is not yes, no or n/a",
    }
    for key in refused.value.problems:
        assert key in str(refused.value)


def test_a_critical_no_fails_a_call_whatever_its_score() -> None:
    result = scorecard_score({**ALL_YES, "disclosure_given": "no"})
    assert result.score == 80.0 and result.score >= PASS_MARK
    assert not result.passed and result.critical_failures == ("disclosure_given",)


def _reviews(rows: list[tuple[datetime, float, bool, dict[str, str]]]) -> list[ReviewFacts]:
    return [ReviewFacts(at, score, passed, answers) for at, score, passed, answers in rows]


def test_the_trend_groups_by_iso_week_and_counts_the_items_answered_no() -> None:
    monday = datetime(2026, 6, 8, 9, tzinfo=UTC)
    reviews = _reviews(
        [
            (monday, 100.0, True, ALL_YES),
            (monday + timedelta(days=2), 80.0, False, {**ALL_YES, "no_threats": "no"}),
            (monday - timedelta(days=1), 60.0, False, {**ALL_YES, "no_threats": "no"}),
            (monday - timedelta(weeks=20), 0.0, False, {**ALL_YES, "no_threats": "no"}),
        ]
    )
    trend = agent_trend(reviews, today=TODAY, weeks=4)
    assert [w.week_start for w in trend.weeks] == [
        date(2026, 5, 18),
        date(2026, 5, 25),
        date(2026, 6, 1),
        date(2026, 6, 8),
    ]
    assert [(w.reviews, w.passed, w.mean_score) for w in trend.weeks] == [
        (0, 0, None),
        (0, 0, None),
        (1, 0, 60.0),
        (2, 1, 90.0),
    ]
    # The review twenty weeks back is outside the window: in no figure.
    assert (trend.reviews, trend.passed, trend.mean_score) == (3, 1, 80.0)
    assert trend.items[0].key == "no_threats" and trend.items[0].failed == 2
    assert trend.items[0].applicable == 3
    chart = trend_chart_data(trend)
    assert chart["scores"] == [None, None, 60.0, 90.0]
    assert chart["pass_rates"] == [None, None, 0.0, 50.0]


def test_a_trend_needs_a_week() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        agent_trend([], today=TODAY, weeks=0)


_answer = st.sampled_from(["yes", "no", "n/a"])
_moment = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 6, 14), timezones=st.just(UTC)
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(
            _moment,
            st.fixed_dictionaries({item.key: _answer for item in DEFAULT_SCORECARD}),
        ),
        max_size=40,
    ),
    st.integers(min_value=1, max_value=30),
)
def test_the_trend_adds_up_whatever_the_reviews(
    rows: list[tuple[datetime, dict[str, str]]], weeks: int
) -> None:
    facts = []
    for at, answers in rows:
        fixed = {
            item.key: ("yes" if answers[item.key] == "n/a" and not item.may_skip else a)
            for item, a in ((item, answers[item.key]) for item in DEFAULT_SCORECARD)
        }
        result = scorecard_score(fixed)
        assert 0.0 <= result.score <= 100.0
        assert result.passed == (result.score >= PASS_MARK and not result.critical_failures)
        facts.append(ReviewFacts(at, result.score, result.passed, fixed))
    trend = agent_trend(facts, today=TODAY, weeks=weeks)
    assert len(trend.weeks) == weeks
    assert trend.weeks[-1].week_start == week_start(datetime(2026, 6, 10, tzinfo=UTC))
    assert sum(w.reviews for w in trend.weeks) == trend.reviews
    assert sum(w.passed for w in trend.weeks) == trend.passed <= trend.reviews
    for item in trend.items:
        assert 0 <= item.failed <= item.applicable <= trend.reviews
    failed = [item.failed for item in trend.items]
    assert failed == sorted(failed, reverse=True)
