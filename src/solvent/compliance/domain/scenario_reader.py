"""A strict JSON reader that collects every malformed field with its JSON path and a reason.

The scenario parser walks the document once; instead of stopping at the first problem it records
each one (``$.history[3].at: naive datetime ...``) and returns a placeholder, so the caller gets the
whole list in one ``ScenarioError``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from solvent.core.domain.errors import DomainError

E = TypeVar("E", bound=enum.Enum)


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


class Reader:
    """Typed accessors over parsed JSON that record errors instead of raising."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self._paths: set[str] = set()

    def error(self, path: str, reason: str) -> None:
        # One reason per path: a missing field is not also reported as a null of the wrong type.
        if path in self._paths:
            return
        self._paths.add(path)
        self.errors.append(FieldError(path, reason))

    def obj(
        self, value: Any, path: str, required: frozenset[str], optional: frozenset[str]
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, f"expected an object, got {_kind(value)}")
            return None
        for key in value:
            if key not in required and key not in optional:
                allowed = ", ".join(sorted(required | optional))
                self.error(f"{path}.{key}", f"unknown key; allowed keys: {allowed}")
        for key in sorted(required):
            if key not in value:
                self.error(f"{path}.{key}", "required field is missing")
        return value

    def items(self, value: Any, path: str) -> Iterator[tuple[str, Any]]:
        if value is None:
            return
        if not isinstance(value, list):
            self.error(path, f"expected a list, got {_kind(value)}")
            return
        for index, item in enumerate(value):
            yield f"{path}[{index}]", item

    def string(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"expected a non-empty string, got {_kind(value)}")
            return ""
        return value

    def opt_string(self, value: Any, path: str) -> str | None:
        return None if value is None else self.string(value, path)

    def boolean(self, value: Any, path: str, default: bool = False) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(path, f"expected true or false, got {_kind(value)}")
            return default
        return value

    def opt_boolean(self, value: Any, path: str) -> bool | None:
        return None if value is None else self.boolean(value, path)

    def strings(self, value: Any, path: str) -> tuple[str, ...]:
        return tuple(self.string(item, item_path) for item_path, item in self.items(value, path))

    def choice(self, value: Any, path: str, enum_type: type[E], default: E | None = None) -> E:
        if value is None and default is not None:
            return default
        options = [member.value for member in enum_type]
        if isinstance(value, str) and value in options:
            return enum_type(value)
        self.error(path, f"unknown value {value!r}; expected one of: {', '.join(options)}")
        return default if default is not None else next(iter(enum_type))

    def moment(self, value: Any, path: str) -> datetime:
        fallback = datetime(1970, 1, 1, tzinfo=UTC)
        if not isinstance(value, str):
            self.error(path, f"expected an ISO-8601 datetime string, got {_kind(value)}")
            return fallback
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.error(path, f"not an ISO-8601 datetime: {value!r}")
            return fallback
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            self.error(path, f"naive datetime {value!r}: add an offset such as Z or -05:00")
            return fallback
        return parsed

    def opt_moment(self, value: Any, path: str) -> datetime | None:
        return None if value is None else self.moment(value, path)

    def day(self, value: Any, path: str) -> date | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(path, f"expected an ISO-8601 date string, got {_kind(value)}")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.error(path, f"not an ISO-8601 date (YYYY-MM-DD): {value!r}")
            return None

    def clock(self, value: Any, path: str) -> time | None:
        if value is None:
            return None
        if isinstance(value, str):
            try:
                parsed = time.fromisoformat(value)
            except ValueError:
                pass
            else:
                if parsed.tzinfo is None:
                    return parsed
        self.error(path, f"expected a local time such as '15:00', got {value!r}")
        return None

    def money(self, value: Any, path: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.error(path, f"expected a decimal string such as '120.50', got {_kind(value)}")
            return None
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            self.error(path, f"not a decimal amount: {value!r}")
            return None
        if not amount.is_finite():
            self.error(path, f"not a finite amount: {value!r}")
            return None
        return amount


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
