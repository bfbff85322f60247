"""``decide()``: may we make this contact now, and if not, when?

One pure function used by everything that contacts a debtor. It resolves every jurisdiction and
zone the debtor may be in, selects the rule packs in force, evaluates hour windows, frequency caps,
cool-downs and checks at the proposed instant, and then searches forward for the earliest lawful
moment: each blocking rule says when it could pass next (``retry_at``), the search jumps to the
latest of those and re-evaluates, until nothing blocks, a rule says "never", or the horizon ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from solvent.compliance.domain.context import DecisionContext
from solvent.compliance.domain.evaluators import evaluate_cap, evaluate_cooldown, evaluate_hours
from solvent.compliance.domain.jurisdictions import resolve
from solvent.compliance.domain.model import (
    CapRemaining,
    DebtorProfile,
    Decision,
    HistoryEvent,
    ProposedContact,
    RuleResult,
    Severity,
)
from solvent.compliance.domain.packs import ALL_PACKS, select_packs
from solvent.compliance.domain.packs.common import is_contact
from solvent.compliance.domain.rules import (
    CapDefinition,
    Check,
    CooldownDefinition,
    HourWindows,
    RuleHit,
    RulePack,
)

DEFAULT_HORIZON = timedelta(days=60)
MAX_SEARCH_STEPS = 200
LOCATION_RULE = "solvent.location.unknown"


@dataclass(frozen=True, slots=True)
class _Combined:
    """The selected packs' data flattened once per pack selection (cached)."""

    hour_windows: tuple[HourWindows, ...]
    caps: tuple[CapDefinition, ...]
    cooldowns: tuple[CooldownDefinition, ...]
    checks: tuple[Check, ...]
    evaluated_rules: tuple[str, ...]
    versions: tuple[tuple[str, str], ...]


@lru_cache(maxsize=1024)
def _combine(packs: tuple[RulePack, ...]) -> _Combined:
    rule_ids: dict[str, None] = {}
    for pack in packs:
        rule_ids.update(dict.fromkeys(pack.rule_ids))
    return _Combined(
        hour_windows=tuple(w for pack in packs for w in pack.hour_windows),
        caps=tuple(cap for pack in packs for cap in pack.caps),
        cooldowns=tuple(c for pack in packs for c in pack.cooldowns),
        checks=tuple(check for pack in packs for check in pack.checks),
        evaluated_rules=tuple(rule_ids),
        versions=tuple((pack.pack_id, pack.version) for pack in packs),
    )


def _evaluate(
    ctx: DecisionContext, combined: _Combined, at: datetime, with_caps: bool
) -> tuple[list[RuleHit], list[CapRemaining]]:
    hits: list[RuleHit] = []
    caps: list[CapRemaining] = []
    contact = is_contact(ctx)
    if contact:
        hits += evaluate_hours(ctx, combined.hour_windows, at)
    for cap in combined.caps:
        if not contact:
            break
        if not with_caps and ctx.proposed.channel not in cap.channels:
            continue
        state, hit = evaluate_cap(ctx, cap, at)
        caps.append(state)
        if hit is not None:
            hits.append(hit)
    if contact:
        for cooldown in combined.cooldowns:
            cooled = evaluate_cooldown(ctx, cooldown, at)
            if cooled is not None:
                hits.append(cooled)
    for check in combined.checks:
        hits += check(ctx, at)
    return hits, caps


def _blocking(hits: list[RuleHit]) -> list[RuleHit]:
    return [hit for hit in hits if hit.severity is Severity.BLOCK]


def _earliest(
    ctx: DecisionContext,
    combined: _Combined,
    start: datetime,
    blocking: list[RuleHit],
    horizon: timedelta,
) -> datetime | None:
    at = start
    limit = start + horizon
    for _ in range(MAX_SEARCH_STEPS):
        if not blocking:
            return at
        if any(hit.never for hit in blocking):
            return None
        hints = [hit.retry_at for hit in blocking if hit.retry_at is not None]
        following = max(hints) if hints else at + timedelta(minutes=1)
        # Guard against a hint that does not move forward; rules must make progress.
        at = following if following > at else at + timedelta(minutes=1)
        if at > limit:
            return None
        blocking = _blocking(_evaluate(ctx, combined, at, with_caps=False)[0])
    return None


def _results(hits: list[RuleHit]) -> tuple[RuleResult, ...]:
    seen: set[str] = set()
    results: list[RuleResult] = []
    for hit in hits:
        if hit.rule_id in seen:
            continue
        seen.add(hit.rule_id)
        results.append(RuleResult(hit.rule_id, hit.message, hit.citation, hit.severity))
    return tuple(results)


def decide(
    situation: DebtorProfile,
    history: tuple[HistoryEvent, ...] | list[HistoryEvent],
    proposed: ProposedContact,
    *,
    packs: tuple[RulePack, ...] = ALL_PACKS,
    horizon: timedelta = DEFAULT_HORIZON,
) -> Decision:
    """Decide whether ``proposed`` is lawful for the debtor in ``situation`` given ``history``.

    ``packs`` are the rule packs to choose from (default: all shipped packs); ``horizon`` bounds
    the search for the earliest lawful moment (``None`` beyond it).
    """
    resolution = resolve(situation)
    ctx = DecisionContext(situation, tuple(history), proposed, resolution)
    if not resolution.time_zones:
        unknown = RuleResult(
            LOCATION_RULE,
            "No time zone could be determined: add an address, a phone number or a time zone.",
            "12 CFR 1006.6(b)(1)(i); comment 6(b)(1)(i)-2",
        )
        return Decision(
            allowed=False,
            blocking=(unknown,),
            warnings=(),
            earliest_lawful_at=None,
            caps=(),
            jurisdictions=resolution.jurisdictions,
            time_zones=(),
            evaluated_rules=(LOCATION_RULE,),
            rule_pack_versions={},
        )
    day = proposed.at.astimezone(ctx.counting_zone).date()
    combined = _combine(select_packs(packs, resolution.jurisdictions, day))
    hits, caps = _evaluate(ctx, combined, proposed.at, with_caps=True)
    blocking = _blocking(hits)
    warnings = [hit for hit in hits if hit.severity is Severity.WARN]
    earliest = _earliest(ctx, combined, proposed.at, blocking, horizon)
    return Decision(
        allowed=not blocking,
        blocking=_results(blocking),
        warnings=_results(warnings),
        earliest_lawful_at=earliest,
        caps=tuple(caps),
        jurisdictions=resolution.jurisdictions,
        time_zones=resolution.time_zones,
        evaluated_rules=combined.evaluated_rules,
        rule_pack_versions=dict(combined.versions),
    )
