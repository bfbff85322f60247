"""Entry points the `solvent` CLI and the API call: list the rules, check scenarios.

``rules_check`` is the only place a clock may be read: when ``now`` is not given and a scenario has
no ``proposed.at``, the current UTC time is used. The domain itself never reads a clock.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from solvent.compliance.domain.docs import render_rules_markdown, update_document
from solvent.compliance.domain.engine import decide
from solvent.compliance.domain.scenario import scenarios_read
from solvent.compliance.domain.scenario_reader import FieldError, ScenarioError
from solvent.compliance.domain.serialise import decision_to_json


def rules_list_markdown() -> str:
    """The rules document (docs/compliance.md's generated part) as Markdown."""
    return render_rules_markdown()


def rules_decide(
    text: str, now: datetime | None = None, max_scenarios: int | None = None
) -> dict[str, Any] | list[dict[str, Any]]:
    """Decide one JSON scenario (or a JSON list of them): the Decision JSON, a list in order.

    Malformed input raises ``ScenarioError`` listing every bad field with its JSON path and the
    reason; a list longer than ``max_scenarios`` is refused before any scenario is read.
    """
    if now is not None and (now.tzinfo is None or now.utcoffset() is None):
        raise ScenarioError([FieldError("now", "naive datetime: pass a timezone-aware moment")])
    moment = now if now is not None else datetime.now(UTC)
    scenarios, is_list = scenarios_read(text, now=moment, max_scenarios=max_scenarios)
    decisions = [
        decision_to_json(decide(scenario.debtor, scenario.history, scenario.proposed))
        for scenario in scenarios
    ]
    return decisions if is_list else decisions[0]


def rules_check(text: str, now: datetime | None = None) -> str:
    """``rules_decide`` as the Decision JSON text `solvent rules check` prints."""
    return json.dumps(rules_decide(text, now=now), indent=2)


def rules_document_write(path: Path) -> None:
    """Regenerate the rule-pack part of ``path`` (docs/compliance.md), keeping the rest."""
    document = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(update_document(document), encoding="utf-8")


if __name__ == "__main__":
    # python -m solvent.compliance.rules_cli docs/compliance.md
    rules_document_write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/compliance.md"))
