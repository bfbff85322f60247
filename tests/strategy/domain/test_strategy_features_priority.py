"""The features catalogue and frame, the stage of default, and the documented priority."""

from __future__ import annotations

import polars as pl
import pytest

from solvent.strategy.domain.features import (
    FEATURES,
    STAGES,
    empty_features,
    features_schema,
    stage_expr,
    stage_for_dpd,
)
from solvent.strategy.domain.priority import (
    BALANCE_CAP_MINOR,
    P_PAY_BY_STAGE,
    priority,
    priority_expr,
)


@pytest.mark.parametrize(
    ("days", "stage"),
    [
        (-3, "current"),
        (0, "current"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91-120"),
        (120, "91-120"),
        (121, "121-180"),
        (180, "121-180"),
        (181, "180+"),
        (4000, "180+"),
    ],
)
def test_the_stage_follows_the_glossary_buckets(days, stage):
    assert stage_for_dpd(days) == stage


def test_the_stage_expression_agrees_with_the_function_and_keeps_unknown_unknown():
    days = [-1, 0, 1, 30, 31, 60, 61, 90, 91, 120, 121, 180, 181, None]

    stages = pl.DataFrame({"days_past_due": days}).select(stage_expr())["stage"].to_list()

    assert stages == [None if d is None else stage_for_dpd(d) for d in days]


def test_every_feature_reads_a_column_of_the_frame_with_a_type_that_fits_its_kind():
    schema = features_schema()
    kinds = {"number": pl.Int64, "text": pl.String, "bool": pl.Boolean}

    for feature in FEATURES.values():
        assert schema[feature.source] == kinds[feature.kind], feature.name
    assert FEATURES["balance"].source == "balance_minor"
    assert FEATURES["stage"].choices == STAGES


def test_the_empty_frame_has_every_column_and_no_row():
    frame = empty_features()

    assert frame.height == 0
    assert frame.schema == pl.Schema(features_schema())
    assert {"account_id", "debtor_id", "status"} <= set(frame.columns)


def test_priority_is_the_expected_amount_collected_plus_the_boost():
    assert priority(50_000, 0.5, 0.2) == pytest.approx(50.0)  # 0.5 * 0.2 * 500.00
    assert priority(50_000, 0.5, 0.2, boost=25.0) == pytest.approx(75.0)
    assert priority(-100, 0.9, 0.9) == 0.0


def test_balances_above_the_cap_count_as_the_cap():
    at_cap = priority(BALANCE_CAP_MINOR, 0.3, 0.3)

    assert priority(BALANCE_CAP_MINOR * 50, 0.3, 0.3) == at_cap
    assert priority(BALANCE_CAP_MINOR - 100, 0.3, 0.3) < at_cap


@pytest.mark.parametrize(("p_reach", "p_pay"), [(1.5, 0.1), (0.1, -0.1)])
def test_a_probability_outside_0_1_is_refused(p_reach, p_pay):
    with pytest.raises(ValueError, match="not a probability"):
        priority(1000, p_reach, p_pay)


def test_the_chance_to_pay_falls_as_the_debt_ages():
    chances = [P_PAY_BY_STAGE[stage] for stage in STAGES]

    assert chances == sorted(chances, reverse=True)
    assert len(set(chances)) == len(chances)


def test_the_column_priority_equals_the_scalar_one():
    rows = [(50_000, 0.5, 0.2, None), (BALANCE_CAP_MINOR * 3, 0.1, 0.4, 10.0), (-5, 1.0, 1.0, 0.0)]
    frame = pl.DataFrame(rows, schema=["balance_minor", "p_reach", "p_pay", "boost"], orient="row")

    computed = frame.select(
        priority_expr(pl.col("balance_minor"), pl.col("p_reach"), pl.col("p_pay"), pl.col("boost"))
    )["priority"].to_list()

    assert computed == pytest.approx([priority(b, r, p, boost or 0.0) for b, r, p, boost in rows])
