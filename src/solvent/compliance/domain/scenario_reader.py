"""The building blocks of the scenario format's Pydantic schemas, and their errors in our words.

The scenario format is declared once, as Pydantic models (scenario.py, scenario_debtor.py,
scenario_expect.py); the CLI, the API and the OpenAPI document all use them. This module holds
what those models share: a strict base model (unknown keys refused), the field types whose JSON
spelling the engine cares about (timezone-aware datetimes, dates, local times, decimal amounts, IANA
zones) and the translation of Pydantic's errors into ``FieldError``s, one per malformed field,
each with its JSON path (``$.history[3].at``) and a reason a collector can act on.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from solvent.compliance.domain.localtime import is_known_zone
from solvent.core.domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class FieldError:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class ScenarioError(DomainError):
    """A scenario document is malformed; ``errors`` lists every bad field."""

    code = "scenario_invalid"

    def __init__(self, errors: list[FieldError] | tuple[FieldError, ...]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        lines = "\n".join(f"  {error}" for error in self.errors)
        super().__init__(f"Invalid scenario ({len(self.errors)} problem(s)):\n{lines}")


class StrictModel(BaseModel):
    """A part of a scenario: unknown keys are refused, and so are a JSON value of the wrong type
    (``"true"`` for a boolean, ``1.0`` for a count, ``null`` for a key that has a default: omit it).

    Documents are validated from their JSON text, in Pydantic's strict JSON mode: the parsing and
    most checks run in pydantic-core, which keeps parsing well below the cost of ``decide``.
    """

    model_config = ConfigDict(extra="forbid", strict=True)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the string {value!r}" if value else "an empty string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _invalid(reason: str) -> PydanticCustomError:
    # Braces in user input must not be read as a message template.
    return PydanticCustomError("scenario_value", reason.replace("{", "{{").replace("}", "}}"))


def _clock(value: Any) -> time:
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                return parsed
    raise _invalid(f"expected a local time such as '15:00', got {value!r}")


def _money(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _invalid(f"expected a decimal string such as '120.50', got {_kind(value)}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise _invalid(f"not a decimal amount: {value!r}") from None
    if not amount.is_finite():
        raise _invalid(f"not a finite amount: {value!r}")
    return amount


def _zone(name: str) -> str:
    if not is_known_zone(name):
        raise _invalid(f"unknown IANA time zone {name!r}")
    return name


# Not empty and not only blanks: an id or a code of spaces names nothing.
Text = Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]


# Parsed by pydantic-core, whose fixed-offset tzinfo the engine reads like the standard library's
# (it needs aware datetimes only); converting each one would cost a fifth of the parsing.
Moment = Annotated[
    AwareDatetime,
    Field(description="ISO-8601 with an offset, e.g. 2026-04-15T08:00:00-04:00"),
]
Day = Annotated[date, Field(description="ISO-8601 date, e.g. 2026-04-15")]
Clock = Annotated[
    time,
    PlainValidator(_clock),
    WithJsonSchema({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$", "examples": ["15:00"]}),
]
Money = Annotated[
    Decimal,
    PlainValidator(_money),
    WithJsonSchema({"type": ["string", "integer"], "examples": ["120.50"]}),
]
Zone = Annotated[
    str,
    StringConstraints(min_length=1),
    AfterValidator(_zone),
    Field(examples=["America/New_York"]),
]
Flag = bool
Count = Annotated[int, Field(ge=0)]


def json_path(loc: tuple[int | str, ...], prefix: str = "$") -> str:
    return prefix + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)


def field_errors(
    error: ValidationError, model: type[BaseModel], prefix: str = "$"
) -> list[FieldError]:
    """Every problem Pydantic found, in our words, with its JSON path under ``prefix``."""
    return [
        FieldError(json_path(item["loc"], prefix), _reason(item, model))
        for item in error.errors(include_url=False)
    ]


def _reason(item: Any, model: type[BaseModel]) -> str:
    kind, value = item["type"], item.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "value_error":
        return str(item["ctx"]["error"])
    if kind == "datetime_type":
        return f"expected an ISO-8601 datetime string, got {_kind(value)}"
    if kind in ("datetime_parsing", "datetime_from_date_parsing"):
        return f"not an ISO-8601 datetime: {value!r}"
    if kind == "timezone_aware":
        return f"naive datetime {value!r}: add an offset such as Z or -05:00"
    if kind == "date_type":
        return f"expected an ISO-8601 date string, got {_kind(value)}"
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return f"not an ISO-8601 date (YYYY-MM-DD): {value!r}"
    if kind == "json_invalid":
        return f"not valid JSON: {item['ctx']['error']}"
    if kind == "too_long":
        return f"at most {item['ctx']['max_length']} scenarios per request; split the list"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, item["loc"][:-1])
        return "unknown key; allowed keys: " + ", ".join(allowed) if allowed else "unknown key"
    if kind in ("enum", "literal_error"):
        return f"unknown value {value!r}; expected one of: {item['ctx']['expected']}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {_kind(value)}"
    if kind in ("string_type", "string_too_short", "string_pattern_mismatch"):
        return f"expected a non-empty string, got {_kind(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return f"expected an integer, got {_kind(value)}"
    if kind == "greater_than_equal":
        return f"expected a non-negative integer, got {value!r}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {_kind(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected an object, got {_kind(value)}"
    return str(item["msg"])


def _allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys of the object at ``loc`` (walking the model's fields), for "unknown key" errors."""
    annotation: Any = model
    for part in loc:
        annotation = _element(annotation)
        if isinstance(part, int) or not _is_model(annotation):
            continue
        field = annotation.model_fields.get(part)
        if field is None:
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                return []
            continue
        annotation = field.annotation
    annotation = _element(annotation)
    return sorted(annotation.model_fields) if _is_model(annotation) else []


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _element(annotation: Any) -> Any:
    """Unwrap Optional, lists and dict values down to the model inside, if any."""
    for _ in range(4):
        if _is_model(annotation):
            return annotation
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if not args:
            return annotation
        annotation = args[-1]
    return annotation
