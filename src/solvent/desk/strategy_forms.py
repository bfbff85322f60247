"""The strategy pages' forms and rows: condition rows to and from a form, segment rows with counts.

A condition row is three fields (feature, operator, value). A list (``in``, ``not_in``) or a range
(``between``) is typed with commas ("31, 60"); operators that take no value ignore the box. What
the values mean is ``strategy.domain.segments``' to check: this module only carries text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.http import QueryDict

from solvent.strategy.domain.features import FEATURES
from solvent.strategy.domain.segments import (
    OPS_BY_KIND,
    SegmentError,
    describe,
    segment_assign,
)
from solvent.strategy.models import Experiment, Segment
from solvent.strategy.selectors.definitions import segment_counts, segment_spec

OP_LABELS: dict[str, str] = {
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "in": "is one of",
    "not_in": "is not one of",
    "between": "between",
    "is_null": "is unknown",
    "not_null": "is known",
    "is_true": "is set",
    "is_false": "is not set",
}
_SPLIT_OPS = frozenset({"in", "not_in", "between"})
_NO_VALUE_OPS = frozenset({"is_null", "not_null", "is_true", "is_false"})
# Rows a form may carry: far more than a person writes.
MAX_ROWS = 50


@dataclass(frozen=True)
class FeatureChoice:
    name: str
    label: str
    kind: str
    help: str
    ops: tuple[str, ...]


def feature_choices() -> list[FeatureChoice]:
    return [
        FeatureChoice(
            feature.name,
            feature.label[:1].upper() + feature.label[1:],
            feature.kind,
            feature.help + (f" One of: {', '.join(feature.choices)}." if feature.choices else ""),
            tuple(op for op in OP_LABELS if op in OPS_BY_KIND[feature.kind]),
        )
        for feature in FEATURES.values()
    ]


def _value_from_text(op: str, text: str) -> object:
    if op in _NO_VALUE_OPS:
        return None
    if op in _SPLIT_OPS:
        return [item.strip() for item in text.split(",") if item.strip()]
    return text.strip()


def conditions_from_form(form: QueryDict) -> list[dict[str, Any]]:
    """The form's condition rows as the domain reads them; rows with no feature are left out."""
    fields, ops, values = form.getlist("field"), form.getlist("op"), form.getlist("value")
    conditions = []
    for index, field in enumerate(fields[:MAX_ROWS]):
        if not field:
            continue
        op = ops[index] if index < len(ops) else ""
        text = values[index] if index < len(values) else ""
        conditions.append({"field": field, "op": op, "value": _value_from_text(op, text)})
    return conditions


@dataclass(frozen=True)
class ConditionRow:
    field: str
    op: str
    value: str


def _value_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def condition_rows(conditions: Sequence[Mapping[str, Any]], *, edit: str) -> list[ConditionRow]:
    """Rows to show: the conditions, one removed (``edit`` "remove-N") or an empty one added
    ("add"); a new segment starts with one empty row."""
    rows = [
        ConditionRow(str(c.get("field", "")), str(c.get("op", "")), _value_text(c.get("value")))
        for c in conditions
    ]
    if edit.startswith("remove-") and edit[7:].isdigit() and int(edit[7:]) < len(rows):
        del rows[int(edit[7:])]
    if (edit == "add" and len(rows) < MAX_ROWS) or not rows:
        rows.append(ConditionRow("", "", ""))
    return rows


@dataclass(frozen=True)
class SegmentRow:
    segment: Segment
    description: str
    matches: int | None  # accounts meeting its conditions, whatever other segments say
    assigned: int  # accounts the plan puts in it: the first active segment they match
    experiment: Experiment | None


def segment_rows(
    *, features: pl.DataFrame, segments: Sequence[Segment], running: Mapping[int, Experiment]
) -> list[SegmentRow]:
    matches = segment_counts(features=features, segments=segments)
    specs = []
    descriptions: dict[str, str] = {}
    for segment in segments:
        try:
            spec = segment_spec(segment)
        except SegmentError as error:
            descriptions[segment.key] = f"cannot be read: {error}"
            continue
        descriptions[segment.key] = describe(spec)
        if segment.active:
            specs.append(spec)
    assigned: dict[str, int] = {}
    if specs and features.height:
        counted = segment_assign(features, specs).value_counts()
        assigned = {key: count for key, count in counted.iter_rows() if key is not None}
    return [
        SegmentRow(
            segment,
            descriptions[segment.key],
            matches[segment.key],
            assigned.get(segment.key, 0),
            running.get(segment.pk),
        )
        for segment in segments
    ]
