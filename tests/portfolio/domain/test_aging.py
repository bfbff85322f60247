from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solvent.portfolio.domain.aging import Stage, days_past_due, stage_for


@pytest.mark.parametrize(
    ("days", "stage"),
    [
        (0, Stage.CURRENT),
        (1, Stage.DPD_1_30),
        (30, Stage.DPD_1_30),
        (31, Stage.DPD_31_60),
        (90, Stage.DPD_61_90),
        (91, Stage.DPD_91_120),
        (180, Stage.DPD_121_180),
        (181, Stage.DPD_180_PLUS),
    ],
)
def test_stage_boundaries(days: int, stage: Stage) -> None:
    assert stage_for(days) is stage


def test_days_past_due() -> None:
    assert days_past_due(None, date(2026, 1, 1)) == 0
    assert days_past_due(date(2026, 1, 1), date(2026, 1, 31)) == 30
    assert days_past_due(date(2026, 2, 1), date(2026, 1, 31)) == 0  # not yet due


@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=0, max_value=5000))
def test_stage_never_goes_back_as_days_grow(a: int, b: int) -> None:
    order = list(Stage)
    low, high = sorted((a, b))
    assert order.index(stage_for(low)) <= order.index(stage_for(high))
