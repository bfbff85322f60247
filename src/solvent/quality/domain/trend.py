"""An agent's QA trend: their reviews' scores by week, the pass rate, and which items they fail.

Pure: the reviews come in as plain values, the weeks are ISO weeks (Monday to Sunday, UTC), and
the figures show their numerator and denominator (GLOSSARY: every rate with both). A week with no
review is shown empty rather than left out, so the chart's time axis is honest about the gaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from solvent.quality.domain.scorecard import DEFAULT_SCORECARD, Answer, ScorecardItem


@dataclass(frozen=True, slots=True)
class ReviewFacts:
    """What the trend reads of one review."""

    created_at: datetime  # aware UTC
    score: float
    passed: bool
    answers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class WeekFigures:
    week_start: date  # the Monday
    reviews: int
    passed: int
    mean_score: float | None  # None: no review that week

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None


@dataclass(frozen=True, slots=True)
class ItemFailures:
    key: str
    question: str
    critical: bool
    failed: int  # reviews that answered the item "no"
    applicable: int  # reviews that answered it "yes" or "no"


@dataclass(frozen=True, slots=True)
class AgentTrend:
    weeks: tuple[WeekFigures, ...]
    reviews: int
    passed: int
    mean_score: float | None
    items: tuple[ItemFailures, ...]  # most failed first, then in scorecard order

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None


def week_start(moment: datetime) -> date:
    """The Monday of the ISO week ``moment`` falls in (its own date: callers pass UTC)."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def agent_trend(
    reviews: Iterable[ReviewFacts],
    *,
    today: date,
    weeks: int = 12,
    items: Sequence[ScorecardItem] = DEFAULT_SCORECARD,
) -> AgentTrend:
    """The last ``weeks`` ISO weeks up to the one holding ``today`` (older reviews are left out
    of every figure, so the totals and the weeks agree)."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    last = today - timedelta(days=today.weekday())
    first = last - timedelta(weeks=weeks - 1)
    in_window = [r for r in reviews if first <= week_start(r.created_at) <= last]
    by_week: dict[date, list[ReviewFacts]] = {}
    for review in in_window:
        by_week.setdefault(week_start(review.created_at), []).append(review)
    week_rows = tuple(
        _week(first + timedelta(weeks=n), by_week.get(first + timedelta(weeks=n), []))
        for n in range(weeks)
    )
    failures = [
        ItemFailures(
            key=item.key,
            question=item.question,
            critical=item.critical,
            failed=sum(1 for r in in_window if r.answers.get(item.key) == Answer.NO.value),
            applicable=sum(
                1
                for r in in_window
                if r.answers.get(item.key) in {Answer.YES.value, Answer.NO.value}
            ),
        )
        for item in items
    ]
    order = {item.key: n for n, item in enumerate(items)}
    failures.sort(key=lambda row: (-row.failed, order[row.key]))
    return AgentTrend(
        weeks=week_rows,
        reviews=len(in_window),
        passed=sum(1 for r in in_window if r.passed),
        mean_score=_mean([r.score for r in in_window]),
        items=tuple(failures),
    )


def _week(start: date, reviews: list[ReviewFacts]) -> WeekFigures:
    return WeekFigures(
        week_start=start,
        reviews=len(reviews),
        passed=sum(1 for r in reviews if r.passed),
        mean_score=_mean([r.score for r in reviews]),
    )


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def trend_chart_data(trend: AgentTrend) -> dict[str, object]:
    """What the trend's chart draws (JSON for the page's data block): mean score and pass rate
    per week, null for a week without reviews."""
    return {
        "labels": [week.week_start.isoformat() for week in trend.weeks],
        "scores": [week.mean_score for week in trend.weeks],
        "pass_rates": [
            round(100.0 * week.pass_rate, 1) if week.pass_rate is not None else None
            for week in trend.weeks
        ],
        "reviews": [week.reviews for week in trend.weeks],
    }
