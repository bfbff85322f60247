"""One decision for a contact about several accounts: lawful only when lawful for each.

The engine decides about one debt at a time (Reg F caps are counted per debt). A call about two
accounts must fit both, so ``decide_all`` decides once per account and combines the answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from solvent.compliance.domain import model
from solvent.compliance.domain.engine import decide
from solvent.compliance.engine_input import Situation


def _merge(results: Sequence[tuple[model.RuleResult, ...]]) -> tuple[model.RuleResult, ...]:
    merged: dict[str, model.RuleResult] = {}
    for group in results:
        for result in group:
            merged.setdefault(result.rule_id, result)
    return tuple(merged.values())


def _decide_each(situation: Situation, at: datetime | None = None) -> list[model.Decision]:
    proposals = situation.proposals
    if at is not None:
        proposals = tuple(replace(proposal, at=at) for proposal in proposals)
    return [decide(situation.profile, situation.history, proposal) for proposal in proposals]


def _earliest_for_all(situation: Situation, each: list[model.Decision]) -> datetime | None:
    """The first moment lawful for every account: the latest of the per-account answers, checked.

    A later moment can be blocked for another account (a cap that fills on a different day), so the
    candidate is re-decided a few times; without agreement the latest lower bound is returned.
    """
    if any(decision.earliest_lawful_at is None for decision in each):
        return None
    candidate = max(d.earliest_lawful_at for d in each if d.earliest_lawful_at is not None)
    for _ in range(3):
        again = _decide_each(situation, candidate)
        if all(decision.allowed for decision in again):
            return candidate
        if any(decision.earliest_lawful_at is None for decision in again):
            return None
        candidate = max(d.earliest_lawful_at for d in again if d.earliest_lawful_at is not None)
    return candidate


def decide_all(situation: Situation) -> model.Decision:
    """One decision for a contact about several accounts: allowed only when lawful for each.

    The engine decides about one debt at a time (caps are counted per debt); a call about two
    accounts must fit both, so the blocking and warning rules are the union and the caps all listed.
    """
    each = _decide_each(situation)
    if len(each) == 1:
        return each[0]
    allowed = all(decision.allowed for decision in each)
    earliest = situation.proposals[0].at if allowed else _earliest_for_all(situation, each)
    return model.Decision(
        allowed=allowed,
        blocking=_merge([decision.blocking for decision in each]),
        warnings=_merge([decision.warnings for decision in each]),
        earliest_lawful_at=earliest,
        caps=tuple(cap for decision in each for cap in decision.caps),
        jurisdictions=each[0].jurisdictions,
        time_zones=each[0].time_zones,
        evaluated_rules=tuple(dict.fromkeys(r for d in each for r in d.evaluated_rules)),
        rule_pack_versions={k: v for d in each for k, v in d.rule_pack_versions.items()},
    )
