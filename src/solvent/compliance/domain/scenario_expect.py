"""The ``expect`` part of a scenario: what a table-driven test asserts about the decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from solvent.compliance.domain.scenario_reader import Reader

EXPECT_KEYS = frozenset({"allowed", "blocking", "warnings_include", "earliest_lawful_at", "caps"})


@dataclass(frozen=True, slots=True)
class Expectation:
    """What a table-driven test expects; absent parts are not checked."""

    allowed: bool | None = None
    blocking: tuple[str, ...] | None = None
    warnings_include: tuple[str, ...] = ()
    check_earliest: bool = False
    earliest_lawful_at: datetime | None = None
    caps: tuple[tuple[str, int, int], ...] = ()  # (rule_id, used, remaining)


def read_expectation(reader: Reader, data: Any, path: str) -> Expectation:
    root = reader.obj(data, path, frozenset(), EXPECT_KEYS) or {}
    caps: list[tuple[str, int, int]] = []
    raw_caps = root.get("caps") or {}
    if not isinstance(raw_caps, dict):
        reader.error(f"{path}.caps", "expected an object of rule_id -> {used, remaining}")
        raw_caps = {}
    for rule_id, spec in raw_caps.items():
        cap_path = f"{path}.caps.{rule_id}"
        fields = reader.obj(spec, cap_path, frozenset({"used", "remaining"}), frozenset()) or {}
        used, remaining = fields.get("used"), fields.get("remaining")
        if isinstance(used, int) and isinstance(remaining, int):
            caps.append((rule_id, used, remaining))
        else:
            reader.error(cap_path, "used and remaining must be integers")
    blocking = root.get("blocking")
    return Expectation(
        allowed=reader.opt_boolean(root.get("allowed"), f"{path}.allowed"),
        blocking=None if blocking is None else reader.strings(blocking, f"{path}.blocking"),
        warnings_include=reader.strings(root.get("warnings_include"), f"{path}.warnings_include"),
        check_earliest="earliest_lawful_at" in root,
        earliest_lawful_at=reader.opt_moment(
            root.get("earliest_lawful_at"), f"{path}.earliest_lawful_at"
        ),
        caps=tuple(caps),
    )
