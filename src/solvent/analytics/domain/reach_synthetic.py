"""A synthetic contact history with a known hour-of-week effect (tests and the documented figures).

The truth: a debtor's chance that an attempt reaches them is their segment's base rate x the hour of
week's effect x their own propensity (0.5 to 1.5, drawn once). Calls: Monday to Thursday evenings
(18-20 h) are strong (x2.5), Friday evening weak (x0.6), Saturday 10-12 h strong (x2.2), weekday
mornings ordinary (x1), the rest of the day weak (x0.7). Texts: a reply is likelier at lunchtime
(12-13 h, x2) and on weekend mornings (x1.5). So an hour-of-day model cannot see the weekday
differences (Friday evening, Saturday morning) that an hour-of-week model can.

Attempts are made from 8 to 20 h local, every day, uniformly: no hour is tried more because it is
good (the real history is not so kind; see the ADR).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SEGMENT_BASE = {"early": {"call": 0.12, "sms": 0.04}, "late": {"call": 0.06, "sms": 0.02}}
FIRST_HOUR, LAST_HOUR = 8, 20  # attempts start from 8:00 to 20:59 local


def hour_effect(channel: str, weekday: int, hour: int) -> float:
    """The truth's multiplier for an attempt on ``channel`` at local ``weekday`` (Monday 0), ``hour``."""
    if channel == "sms":
        if 12 <= hour <= 13:
            return 2.0
        if weekday >= 5 and hour < 12:
            return 1.5
        return 1.0
    if 18 <= hour <= 20:
        return 0.6 if weekday >= 4 else 2.5
    if weekday == 5 and 10 <= hour <= 12:
        return 2.2
    if weekday < 5 and 9 <= hour <= 11:
        return 1.0
    return 0.7


def true_rate(
    segment: str, channel: str, weekday: int, hour: int, propensity: float = 1.0
) -> float:
    return min(
        0.95, SEGMENT_BASE[segment][channel] * hour_effect(channel, weekday, hour) * propensity
    )


@dataclass(frozen=True)
class SyntheticAttempt:
    debtor_id: int
    segment: str
    channel: str
    day: int  # days since the history's first day
    hour_of_week: int
    reached: bool


def synthetic_attempts(
    *, seed: int, debtors: int, days: int, first_weekday: int = 0, per_debtor_week: float = 3.0
) -> list[SyntheticAttempt]:
    """Attempts over ``days`` days (day 0 is a ``first_weekday``), about ``per_debtor_week`` per
    debtor per week, two calls to one text. Debtor ids 1..debtors; the odd ones are "early"."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible synthetic history, not a secret
    propensity = {debtor: rng.uniform(0.5, 1.5) for debtor in range(1, debtors + 1)}
    chance = per_debtor_week / 7
    attempts: list[SyntheticAttempt] = []
    for day in range(days):
        weekday = (first_weekday + day) % 7
        for debtor in range(1, debtors + 1):
            if rng.random() >= chance:
                continue
            segment = "early" if debtor % 2 else "late"
            channel = "sms" if rng.random() < 1 / 3 else "call"
            hour = rng.randint(FIRST_HOUR, LAST_HOUR)
            rate = true_rate(segment, channel, weekday, hour, propensity[debtor])
            attempts.append(
                SyntheticAttempt(
                    debtor, segment, channel, day, weekday * 24 + hour, rng.random() < rate
                )
            )
    return attempts


def synthetic_counts_rows(
    attempts: list[SyntheticAttempt],
) -> list[tuple[int, str, str, int, int, int]]:
    """The attempts as ``timing.counts_frame`` rows (one row per attempt)."""
    return [
        (each.debtor_id, each.segment, each.channel, each.hour_of_week, 1, int(each.reached))
        for each in attempts
    ]
