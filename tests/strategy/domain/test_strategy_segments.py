"""Segments as data: parsing, the Polars expression, first-match assignment, and a per-row oracle."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.strategy.domain.features import FEATURES, empty_features, features_schema
from solvent.strategy.domain.segments import (
    Condition,
    SegmentError,
    SegmentSpec,
    condition_holds,
    condition_parse,
    describe,
    segment_assign,
    segment_count,
    segment_expr,
    segment_from_json,
    segment_parse,
    segment_to_json,
)

PROPERTIES = settings(derandomize=True, deadline=None, max_examples=60)


def frame(**columns: list[Any]) -> pl.DataFrame:
    schema = features_schema()
    return pl.DataFrame(columns, schema={name: schema[name] for name in columns})


def test_a_balance_condition_in_currency_units_compares_exact_cents():
    spec = segment_parse("big", "Big", [{"field": "balance", "op": "ge", "value": "1000.50"}], 1)
    features = frame(balance_minor=[100_049, 100_050, 100_051, None])

    assert spec.conditions[0].value == Decimal("1000.50")
    assert features.select(segment_expr(spec)).to_series().to_list() == [False, True, True, False]


def test_a_balance_with_thousands_separators_and_an_integer_are_both_read():
    assert condition_parse({"field": "balance", "op": "lt", "value": "1,000"}, 0).value == 1000
    assert condition_parse({"field": "balance", "op": "lt", "value": 250}, 0).value == 250


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"field": "balance", "op": "ge", "value": "abc"},
            "condition 2 (balance): 'abc' is not a number",
        ),
        ({"field": "balance", "op": "ge", "value": "10.005"}, "more than 2 decimal places"),
        ({"field": "days_past_due", "op": "ge", "value": "1.5"}, "is not a whole number"),
        ({"field": "days_past_due", "op": "ge", "value": True}, "is not a number"),
        ({"field": "nonsense", "op": "eq", "value": 1}, "condition 2: unknown field 'nonsense'"),
        (
            {"field": "client", "op": "lt", "value": "ACME"},
            "operator 'lt' does not apply to a text",
        ),
        (
            {"field": "hardship", "op": "in", "value": [True]},
            "operator 'in' does not apply to a bool",
        ),
        ({"field": "client", "op": "in", "value": "ACME"}, "in takes a non-empty list"),
        ({"field": "client", "op": "in", "value": []}, "in takes a non-empty list"),
        ({"field": "days_past_due", "op": "between", "value": [60]}, "between takes [low, high]"),
        ({"field": "days_past_due", "op": "between", "value": [60, 31]}, "low is above high"),
        ({"field": "stage", "op": "eq", "value": "1-29"}, "'1-29' is not one of current"),
        ({"field": "hardship", "op": "is_true", "value": 3}, "is_true takes no value"),
        ({"field": "client", "op": "eq", "value": 7}, "7 is not a text value"),
    ],
)
def test_a_bad_condition_is_refused_with_a_message_naming_it(raw: dict[str, Any], message: str):
    with pytest.raises(SegmentError) as caught:
        segment_parse("s", "S", [{"field": "hardship", "op": "is_true"}, raw], 1)

    assert message in str(caught.value)
    assert caught.value.index == 1


def test_the_error_carries_the_field_for_the_form_to_highlight():
    with pytest.raises(SegmentError) as caught:
        condition_parse({"field": "score", "op": "gt", "value": "high"}, 4)

    assert (caught.value.index, caught.value.field) == (4, "score")
    assert str(caught.value).startswith("condition 5 (score):")


def test_conditions_that_are_not_a_list_of_mappings_are_refused():
    with pytest.raises(SegmentError, match="must be a list"):
        segment_parse("s", "S", {"field": "score"}, 1)  # type: ignore[arg-type]
    with pytest.raises(SegmentError, match="condition 1: not a condition"):
        segment_parse("s", "S", ["score >= 3"], 1)  # type: ignore[list-item]


@pytest.mark.parametrize(("key", "name"), [("Bad Key", "x"), ("", "x"), ("ok", "  ")])
def test_a_segment_needs_a_slug_key_and_a_name(key, name):
    with pytest.raises(SegmentError):
        segment_parse(key, name, [], 1)


def test_a_segment_round_trips_through_json():
    spec = segment_parse(
        "mixed",
        "Mixed",
        [
            {"field": "balance", "op": "between", "value": ["99.90", 2000]},
            {"field": "stage", "op": "in", "value": ["31-60", "61-90"]},
            {"field": "hardship", "op": "is_false", "value": ""},
            {"field": "score", "op": "not_null"},
        ],
        3,
    )

    assert segment_from_json(segment_to_json(spec)) == spec
    assert segment_to_json(spec)["conditions"][0]["value"] == ["99.90", "2000"]


def test_describe_says_the_segment_as_a_sentence():
    spec = segment_parse(
        "s",
        "S",
        [
            {"field": "balance", "op": "ge", "value": 1000},
            {"field": "days_past_due", "op": "between", "value": [31, 60]},
        ],
        1,
    )

    assert describe(spec) == "balance ≥ 1,000 and days past due between 31 and 60"
    assert describe(SegmentSpec("all", "All", (), 1)) == "every account"


def test_a_condition_on_an_unknown_value_never_matches_except_the_null_tests():
    features = frame(score=[None], jurisdiction=[None], hardship=[None])
    unknown_tests: list[dict[str, object]] = [
        {"field": "score", "op": "ne", "value": 5},
        {"field": "score", "op": "not_in", "value": [1, 2]},
        {"field": "jurisdiction", "op": "ne", "value": "US-NY"},
        {"field": "hardship", "op": "is_false"},
        {"field": "hardship", "op": "is_true"},
    ]
    for raw in unknown_tests:
        spec = SegmentSpec("s", "S", (condition_parse(raw, 0),), 1)
        assert segment_count(features, spec) == 0, raw
    is_null = SegmentSpec("s", "S", (condition_parse({"field": "score", "op": "is_null"}, 0),), 1)
    assert segment_count(features, is_null) == 1


def test_the_first_matching_segment_by_priority_then_key_wins():
    features = frame(days_past_due=[10, 45, 200, 0], hardship=[False, True, False, False])
    segments = [
        segment_parse("late", "Late", [{"field": "days_past_due", "op": "ge", "value": 91}], 30),
        segment_parse("b_any", "Any", [{"field": "days_past_due", "op": "ge", "value": 1}], 20),
        segment_parse("a_any", "Any", [{"field": "days_past_due", "op": "ge", "value": 1}], 20),
        segment_parse("hardship", "H", [{"field": "hardship", "op": "is_true"}], 0),
    ]

    assigned = segment_assign(features, segments)

    assert assigned.name == "segment"
    assert assigned.to_list() == ["a_any", "hardship", "a_any", None]


def test_no_segments_assign_null_to_every_row_and_an_empty_frame_counts_zero():
    features = frame(days_past_due=[1, 2])

    assert segment_assign(features, []).to_list() == [None, None]
    assert segment_count(empty_features(), SegmentSpec("all", "All", (), 1)) == 0
    assert segment_count(features, SegmentSpec("all", "All", (), 1)) == 2


# --- the per-row oracle ------------------------------------------------------------------------

ORACLE_FIELDS = ("balance", "days_past_due", "score", "client", "stage", "hardship", "vulnerable")
ORACLE_COLUMNS = (
    "balance_minor",
    "days_past_due",
    "score",
    "client",
    "stage",
    "hardship",
    "vulnerable",
)
CLIENTS = ("ACME", "BETA", "GAMMA")
STAGE_VALUES = ("current", "1-30", "31-60", "61-90")


def oracle_holds(condition: Condition, row: dict[str, Any]) -> bool:
    """Written from the brief, independently of the product code."""
    feature = FEATURES[condition.field]
    actual = row[feature.source]
    if condition.op == "is_null":
        return actual is None
    if condition.op == "not_null":
        return actual is not None
    if actual is None:
        return False
    value: Any = condition.value

    def unit(item: Any) -> Any:
        return int(Decimal(item) * 100) if feature.minor_units else item

    match condition.op:
        case "is_true":
            return bool(actual is True)
        case "is_false":
            return bool(actual is False)
        case "in":
            return bool(any(actual == unit(item) for item in value))
        case "not_in":
            return bool(all(actual != unit(item) for item in value))
        case "between":
            return bool(unit(value[0]) <= actual <= unit(value[1]))
        case "eq":
            return bool(actual == unit(value))
        case "ne":
            return bool(actual != unit(value))
        case "lt":
            return bool(actual < unit(value))
        case "le":
            return bool(actual <= unit(value))
        case "gt":
            return bool(actual > unit(value))
        case "ge":
            return bool(actual >= unit(value))
    raise AssertionError(condition.op)


def oracle_assign(row: dict[str, Any], segments: list[SegmentSpec]) -> str | None:
    for spec in sorted(segments, key=lambda s: (s.priority, s.key)):
        if all(oracle_holds(condition, row) for condition in spec.conditions):
            return spec.key
    return None


small_numbers = st.integers(min_value=-2, max_value=12)


@st.composite
def raw_conditions(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(st.sampled_from(ORACLE_FIELDS))
    kind = FEATURES[field].kind
    if kind == "bool":
        return {
            "field": field,
            "op": draw(st.sampled_from(["is_true", "is_false", "is_null", "not_null"])),
        }
    if kind == "text":
        values = STAGE_VALUES if field == "stage" else CLIENTS
        op = draw(st.sampled_from(["eq", "ne", "in", "not_in", "is_null", "not_null"]))
        if op in ("is_null", "not_null"):
            return {"field": field, "op": op}
        if op in ("in", "not_in"):
            return {
                "field": field,
                "op": op,
                "value": draw(st.lists(st.sampled_from(values), min_size=1, max_size=3)),
            }
        return {"field": field, "op": op, "value": draw(st.sampled_from(values))}
    op = draw(
        st.sampled_from(
            ["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "between", "is_null", "not_null"]
        )
    )
    number: st.SearchStrategy[Any] = small_numbers
    if field == "balance":  # currency units as a form sends them: cents given as text
        number = st.integers(min_value=-200, max_value=1200).map(
            lambda cents: str(Decimal(cents) / 100)
        )
    if op in ("in", "not_in"):
        return {"field": field, "op": op, "value": draw(st.lists(number, min_size=1, max_size=3))}
    if op in ("is_null", "not_null"):
        return {"field": field, "op": op}
    if op == "between":
        low, high = sorted([draw(number), draw(number)], key=Decimal)
        return {"field": field, "op": op, "value": [low, high]}
    return {"field": field, "op": op, "value": draw(number)}


@st.composite
def feature_rows(draw: st.DrawFn) -> dict[str, Any]:
    def maybe(strategy: st.SearchStrategy[Any]) -> Any:
        return draw(st.one_of(st.none(), strategy))

    return {
        "balance_minor": maybe(st.integers(min_value=-200, max_value=1200)),
        "days_past_due": maybe(small_numbers),
        "score": maybe(small_numbers),
        "client": maybe(st.sampled_from(CLIENTS)),
        "stage": maybe(st.sampled_from(STAGE_VALUES)),
        "hardship": maybe(st.booleans()),
        "vulnerable": maybe(st.booleans()),
    }


@st.composite
def segment_lists(draw: st.DrawFn) -> list[SegmentSpec]:
    count = draw(st.integers(min_value=0, max_value=4))
    return [
        segment_parse(
            f"s{index}",
            f"Segment {index}",
            draw(st.lists(raw_conditions(), max_size=3)),
            draw(st.integers(min_value=0, max_value=2)),
        )
        for index in range(count)
    ]


@PROPERTIES
@given(rows=st.lists(feature_rows(), max_size=25), segments=segment_lists())
def test_segment_assign_equals_a_per_row_oracle_on_random_frames_with_nulls(rows, segments):
    features = frame(**{name: [row[name] for row in rows] for name in ORACLE_COLUMNS})

    assigned = segment_assign(features, segments).to_list()

    assert assigned == [oracle_assign(row, segments) for row in rows]


@PROPERTIES
@given(row=feature_rows(), raw=raw_conditions())
def test_the_per_row_evaluator_of_path_rules_agrees_with_the_oracle(row, raw):
    condition = condition_parse(raw, 0)

    assert condition_holds(condition, row) is oracle_holds(condition, row)
