"""Days past due and the stage of default, as the glossary defines them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class Stage(StrEnum):
    CURRENT = "current"
    DPD_1_30 = "1-30"
    DPD_31_60 = "31-60"
    DPD_61_90 = "61-90"
    DPD_91_120 = "91-120"
    DPD_121_180 = "121-180"
    DPD_180_PLUS = "180+"


_UPPER_BOUNDS: tuple[tuple[int, Stage], ...] = (
    (0, Stage.CURRENT),
    (30, Stage.DPD_1_30),
    (60, Stage.DPD_31_60),
    (90, Stage.DPD_61_90),
    (120, Stage.DPD_91_120),
    (180, Stage.DPD_121_180),
)


def days_past_due(delinquency_date: date | None, on: date) -> int:
    """Days since the oldest unpaid due date; 0 when nothing is overdue."""
    if delinquency_date is None:
        return 0
    return max((on - delinquency_date).days, 0)


def stage_for(days: int) -> Stage:
    for upper, stage in _UPPER_BOUNDS:
        if days <= upper:
            return stage
    return Stage.DPD_180_PLUS
