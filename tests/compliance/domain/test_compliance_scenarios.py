"""Table-driven tests: every scenario in tests/compliance/scenarios/*.json with its expectation.

The files are read as `solvent rules check` reads them: from their JSON text, through the declared
scenario format.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from solvent.compliance.domain.engine import decide
from solvent.compliance.domain.model import Decision
from solvent.compliance.domain.scenario import Scenario, scenarios_read

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"


def _load() -> list[tuple[str, Scenario]]:
    cases: list[tuple[str, Scenario]] = []
    for path in sorted(SCENARIO_DIR.glob("*.json")):
        scenarios, _ = scenarios_read(path.read_text(encoding="utf-8"))
        cases.extend((f"{path.stem}: {scenario.name}", scenario) for scenario in scenarios)
    return cases


CASES = _load()


def test_every_scenario_has_an_expectation():
    assert CASES
    assert all(scenario.expect is not None for _, scenario in CASES)


@pytest.mark.parametrize(("case_id", "scenario"), CASES, ids=[case_id for case_id, _ in CASES])
def test_scenario(case_id: str, scenario: Scenario):
    decision = decide(scenario.debtor, scenario.history, scenario.proposed)
    expect = scenario.expect
    assert expect is not None
    if expect.allowed is not None:
        assert decision.allowed is expect.allowed, _explain(decision)
    if expect.blocking is not None:
        assert sorted(decision.blocking_rule_ids) == sorted(expect.blocking), _explain(decision)
    warning_ids = {result.rule_id for result in decision.warnings}
    for rule_id in expect.warnings_include:
        assert rule_id in warning_ids, _explain(decision)
    if expect.check_earliest:
        assert decision.earliest_lawful_at == expect.earliest_lawful_at, _explain(decision)
    caps = {cap.rule_id: cap for cap in decision.caps}
    for rule_id, used, remaining in expect.caps:
        assert rule_id in caps, _explain(decision)
        assert (caps[rule_id].used, caps[rule_id].remaining) == (used, remaining), _explain(
            decision
        )


def _explain(decision: Decision) -> str:
    blocking = [(r.rule_id, r.message) for r in decision.blocking]
    caps = [(c.rule_id, c.used, c.remaining) for c in decision.caps]
    return f"blocking={blocking} earliest={decision.earliest_lawful_at} caps={caps}"
