"""The ``expect`` part of a scenario: what a table-driven test asserts about the decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import Field

from solvent.compliance.domain.scenario_reader import Count, Flag, Moment, StrictModel, Text


@dataclass(frozen=True, slots=True)
class Expectation:
    """What a table-driven test expects; absent parts are not checked."""

    allowed: bool | None = None
    blocking: tuple[str, ...] | None = None
    warnings_include: tuple[str, ...] = ()
    check_earliest: bool = False
    earliest_lawful_at: datetime | None = None
    caps: tuple[tuple[str, int, int], ...] = ()  # (rule_id, used, remaining)


class ScenarioCapExpectation(StrictModel):
    used: Count
    remaining: Count


class ScenarioExpectation(StrictModel):
    allowed: Flag | None = None
    blocking: list[Text] | None = Field(None, description="exactly these rule ids block")
    warnings_include: list[Text] = Field(default_factory=list)
    earliest_lawful_at: Moment | None = Field(None, description="null: expect none")
    caps: dict[str, ScenarioCapExpectation] = Field(
        default_factory=dict, description="rule id -> {used, remaining}"
    )

    def to_domain(self) -> Expectation:
        return Expectation(
            allowed=self.allowed,
            blocking=None if self.blocking is None else tuple(self.blocking),
            warnings_include=tuple(self.warnings_include),
            # Present (even as null) means "check it"; absent means "do not".
            check_earliest="earliest_lawful_at" in self.model_fields_set,
            earliest_lawful_at=self.earliest_lawful_at,
            caps=tuple((rule_id, cap.used, cap.remaining) for rule_id, cap in self.caps.items()),
        )
