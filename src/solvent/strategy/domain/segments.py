"""Segments as data: conditions over the features of an account, ANDed, first match by priority.

A condition is (field, op, value) over a feature of ``features.FEATURES``. Parsing checks the field,
that the op suits the feature's kind and that the value has the right type, and normalises the value
(a balance becomes an exact ``Decimal`` in currency units; lists become tuples). One rule holds in
both evaluators, the Polars one (``segment_expr``) and the per-row one (``condition_holds``, which path
rules use): a condition on an unknown (null) value is false; only ``is_null`` and ``not_null`` look at
nulls. Unknown never matches.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from solvent.strategy.domain.features import FEATURES, Feature

NUMBER_OPS = frozenset(
    {"eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "between", "is_null", "not_null"}
)
TEXT_OPS = frozenset({"eq", "ne", "in", "not_in", "is_null", "not_null"})
BOOL_OPS = frozenset({"is_true", "is_false", "is_null", "not_null"})
OPS_BY_KIND: dict[str, frozenset[str]] = {"number": NUMBER_OPS, "text": TEXT_OPS, "bool": BOOL_OPS}
_NO_VALUE_OPS = frozenset({"is_null", "not_null", "is_true", "is_false"})
_LIST_OPS = frozenset({"in", "not_in"})
_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
_CENT = Decimal("0.01")
# Far above any balance or count, far below what an Int64 column of minor units holds.
_LARGEST = Decimal(10) ** 15

Scalar = int | Decimal | str
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


@dataclass(frozen=True)
class Condition:
    """One test on one feature; ``value`` is normalised by ``condition_parse``.

    Values: a scalar for comparisons (``int``; ``Decimal`` currency units for a money feature;
    ``str`` for text), a tuple for ``in``/``not_in`` and ``(low, high)`` for ``between``
    (inclusive), None for ``is_null``/``not_null``/``is_true``/``is_false``.
    """

    field: str
    op: str
    value: object = None

    def values(self) -> tuple[Scalar, ...]:
        """The value as a tuple: the list, the (low, high) pair, or the one scalar."""
        if isinstance(self.value, tuple):
            return cast(tuple[Scalar, ...], self.value)
        return () if self.value is None else (cast(Scalar, self.value),)


@dataclass(frozen=True)
class SegmentSpec:
    """A named segment: the accounts that meet every condition. Lower ``priority`` is tried first."""

    key: str
    name: str
    conditions: tuple[Condition, ...]
    priority: int


class SegmentError(ValueError):
    """A segment or condition that cannot be used; ``index`` is the condition's 0-based position.

    The message counts conditions from 1, as a person reads the form ("condition 2 (balance): ...").
    """

    def __init__(self, message: str, *, index: int | None = None, field: str | None = None):
        super().__init__(message)
        self.index = index
        self.field = field


def _fail(index: int, field: str, problem: str) -> SegmentError:
    return SegmentError(f"condition {index + 1} ({field}): {problem}", index=index, field=field)


def _number(feature: Feature, raw: object, index: int) -> int | Decimal:
    """A number from a form or JSON: exact cents for money, a whole number otherwise."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise _fail(index, feature.name, f"{raw!r} is not a number")
    text = str(raw).strip().replace(",", "") if isinstance(raw, str) else str(raw)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _fail(index, feature.name, f"{raw!r} is not a number") from None
    if not number.is_finite() or abs(number) > _LARGEST:
        raise _fail(index, feature.name, f"{raw!r} is not a number we can compare")
    if feature.minor_units:
        if number != number.quantize(_CENT):
            raise _fail(index, feature.name, f"{raw!r} has more than 2 decimal places")
        return (
            number.quantize(_CENT) if number != number.to_integral_value() else Decimal(int(number))
        )
    if number != number.to_integral_value():
        raise _fail(index, feature.name, f"{raw!r} is not a whole number")
    return int(number)


def _scalar(feature: Feature, raw: object, index: int) -> Scalar:
    if feature.kind == "number":
        return _number(feature, raw, index)
    if not isinstance(raw, str) or not raw:
        raise _fail(index, feature.name, f"{raw!r} is not a text value")
    if feature.choices and raw not in feature.choices:
        allowed = ", ".join(feature.choices)
        raise _fail(index, feature.name, f"{raw!r} is not one of {allowed}")
    return raw


def condition_parse(raw: Mapping[str, object], index: int) -> Condition:
    """A checked condition from ``{"field", "op", "value"}`` (a form's or JSON's); ``index`` is 0-based."""
    if not isinstance(raw, Mapping):
        raise SegmentError(f"condition {index + 1}: not a condition: {raw!r}", index=index)
    field = raw.get("field")
    if not isinstance(field, str) or field not in FEATURES:
        raise SegmentError(
            f"condition {index + 1}: unknown field {field!r}", index=index, field=str(field)
        )
    feature = FEATURES[field]
    op = raw.get("op")
    if not isinstance(op, str) or op not in OPS_BY_KIND[feature.kind]:
        allowed = ", ".join(sorted(OPS_BY_KIND[feature.kind]))
        raise _fail(
            index, field, f"operator {op!r} does not apply to a {feature.kind} (use {allowed})"
        )
    value = raw.get("value")
    if op in _NO_VALUE_OPS:
        if value not in (None, ""):
            raise _fail(index, field, f"{op} takes no value")
        return Condition(field, op, None)
    if op in _LIST_OPS:
        if not isinstance(value, list | tuple) or not value:
            raise _fail(index, field, f"{op} takes a non-empty list of values")
        return Condition(field, op, tuple(_scalar(feature, item, index) for item in value))
    if op == "between":
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise _fail(index, field, "between takes [low, high]")
        low, high = (_scalar(feature, item, index) for item in value)
        if cast(Any, low) > high:
            raise _fail(index, field, f"between {low} and {high}: low is above high")
        return Condition(field, op, (low, high))
    return Condition(field, op, _scalar(feature, value, index))


def segment_parse(
    key: str, name: str, raw_conditions: Sequence[Mapping[str, object]], priority: int
) -> SegmentSpec:
    """A checked segment; raises ``SegmentError`` naming the first bad condition."""
    if not isinstance(key, str) or not _KEY_PATTERN.match(key):
        raise SegmentError(
            f"key {key!r}: use 1-60 lower-case letters, digits, '_' or '-'", field="key"
        )
    if not isinstance(name, str) or not name.strip():
        raise SegmentError("name is required", field="name")
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise SegmentError(f"priority {priority!r} is not a whole number", field="priority")
    if isinstance(raw_conditions, str | bytes | Mapping):
        raise SegmentError("conditions must be a list of conditions", field="conditions")
    conditions = tuple(condition_parse(raw, index) for index, raw in enumerate(raw_conditions))
    return SegmentSpec(key, name.strip(), conditions, priority)


def _json_value(value: object) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return [_json_value(item) for item in value]
    return value


def conditions_to_json(conditions: Sequence[Condition]) -> list[dict[str, Any]]:
    """Conditions as JSON-ready data that ``condition_parse`` reads back to equal conditions."""
    return [{"field": c.field, "op": c.op, "value": _json_value(c.value)} for c in conditions]


def segment_to_json(spec: SegmentSpec) -> dict[str, Any]:
    """The segment as JSON-ready data; ``segment_from_json`` (or ``segment_parse``) reads it back."""
    return {
        "key": spec.key,
        "name": spec.name,
        "priority": spec.priority,
        "conditions": conditions_to_json(spec.conditions),
    }


def segment_from_json(data: Mapping[str, Any]) -> SegmentSpec:
    """The segment ``segment_to_json`` wrote."""
    return segment_parse(data["key"], data["name"], data["conditions"], data["priority"])


def _column_value(feature: Feature, value: Scalar) -> int | str:
    """A condition's value in the frame's unit (currency units -> exact minor units)."""
    if feature.minor_units:
        return int(Decimal(value) * 100)
    if isinstance(value, Decimal):
        return int(value)
    return value


def condition_expr(condition: Condition) -> pl.Expr:
    """The condition over the features frame; never null (unknown is false)."""
    feature = FEATURES[condition.field]
    column = pl.col(feature.source)
    op = condition.op
    if op == "is_null":
        return column.is_null()
    if op == "not_null":
        return column.is_not_null()
    if op == "is_true":
        expr = column
    elif op == "is_false":
        expr = column.not_()
    else:
        values = [_column_value(feature, item) for item in condition.values()]
        if op in _LIST_OPS:
            expr = column.is_in(values)
            if op == "not_in":
                expr = expr.not_()
        elif op == "between":
            expr = column.is_between(values[0], values[1], closed="both")
        else:
            expr = _COMPARE[op](column, pl.lit(values[0]))
    return expr.fill_null(False)


def segment_expr(spec: SegmentSpec) -> pl.Expr:
    """Every condition of the segment (AND); a segment with no conditions holds for every row."""
    expr: pl.Expr = pl.lit(True)
    for condition in spec.conditions:
        expr = expr & condition_expr(condition)
    return expr


def _ordered(segments: Sequence[SegmentSpec]) -> list[SegmentSpec]:
    return sorted(segments, key=lambda spec: (spec.priority, spec.key))


def segment_assign_expr(segments: Sequence[SegmentSpec]) -> pl.Expr:
    """The key of the first matching segment by (priority, key), else null; named "segment"."""
    ordered = _ordered(segments)
    if not ordered:
        return pl.lit(None, dtype=pl.String).alias("segment")
    chain: Then | ChainedThen = pl.when(segment_expr(ordered[0])).then(pl.lit(ordered[0].key))
    for spec in ordered[1:]:
        chain = chain.when(segment_expr(spec)).then(pl.lit(spec.key))
    return chain.otherwise(pl.lit(None, dtype=pl.String)).cast(pl.String).alias("segment")


def segment_assign(features: pl.DataFrame, segments: Sequence[SegmentSpec]) -> pl.Series:
    """Each row's segment key (first match by priority, then key), null where none matches."""
    # with_columns broadcasts a literal (a segment with no conditions) to the frame's height.
    return features.with_columns(segment_assign_expr(segments)).get_column("segment")


def segment_count(features: pl.DataFrame, spec: SegmentSpec) -> int:
    """How many rows meet the segment's conditions (the editor's live preview)."""
    return features.filter(segment_expr(spec)).height


def condition_holds(condition: Condition, facts: Mapping[str, object]) -> bool:
    """The condition on one account's facts (a features row); same rules as ``condition_expr``."""
    feature = FEATURES[condition.field]
    actual = facts.get(feature.source)
    op = condition.op
    if op == "is_null":
        return actual is None
    if op == "not_null":
        return actual is not None
    if actual is None:
        return False
    if op == "is_true":
        return actual is True
    if op == "is_false":
        return actual is False
    values = [_column_value(feature, item) for item in condition.values()]
    if op in _LIST_OPS:
        return (actual in values) == (op == "in")
    if op == "between":
        return bool(values[0] <= cast(Any, actual) <= values[1])
    return bool(_COMPARE[op](actual, values[0]))


def conditions_hold(conditions: Sequence[Condition], facts: Mapping[str, object]) -> bool:
    """Every condition holds on the facts (no conditions: true)."""
    return all(condition_holds(condition, facts) for condition in conditions)


_SYMBOLS = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥"}


def _say(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value != value.to_integral_value() else f"{int(value):,}"
    return str(value)


def condition_describe(condition: Condition) -> str:
    """One condition as words ("days past due between 31 and 60")."""
    label = FEATURES[condition.field].label
    op = condition.op
    if op in _SYMBOLS:
        return f"{label} {_SYMBOLS[op]} {_say(condition.value)}"
    if op in _LIST_OPS:
        items = ", ".join(_say(item) for item in condition.values())
        return f"{label} {'is' if op == 'in' else 'is not'} one of {items}"
    if op == "between":
        low, high = condition.values()
        return f"{label} between {_say(low)} and {_say(high)}"
    return {
        "is_null": f"{label} is unknown",
        "not_null": f"{label} is known",
        "is_true": f"{label} is set",
        "is_false": f"{label} is not set",
    }[op]


def describe(spec: SegmentSpec) -> str:
    """The segment as a sentence ("balance ≥ 1,000 and days past due between 31 and 60")."""
    if not spec.conditions:
        return "every account"
    return " and ".join(condition_describe(condition) for condition in spec.conditions)
