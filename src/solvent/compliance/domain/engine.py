"""``decide()``: may we make this contact now, and if not, when?

One pure function used by everything that contacts a debtor. It resolves every jurisdiction and
zone the debtor may be in, selects the rule packs in force, evaluates hour windows, frequency caps,
cool-downs and checks at the proposed instant, and then searches forward for the earliest lawful
moment: each blocking rule says when it could pass next (``retry_at``), the search jumps to the
latest of those and re-evaluates, until nothing blocks, a rule says "never", or the horizon ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
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
from solvent.compliance.domain.packs import ALL_PACKS, dormant_rules, select_packs
from solvent.compliance.domain.packs.common import is_contact
from solvent.compliance.domain.rules import (
    ADVISORY_CHECKS,
    CapDefinition,
    Check,
    CooldownDefinition,
    HourWindows,
    RuleHit,
    RulePack,
)

DEFAULT_HORIZON = timedelta(days=60)
MAX_SEARCH_STEPS = 200
# The forward search may cross the day a rule starts (or a pack version changes) a few times.
MAX_RULE_CHANGES = 4
LOCATION_RULE = "solvent.location.unknown"
UNSUPPORTED_RULE = "solvent.jurisdiction.not_covered"


@lru_cache(maxsize=4096)
def _uncovered_places(
    selected: tuple[RulePack, ...], jurisdictions: tuple[str, ...], unplaced: tuple[str, ...]
) -> tuple[str, ...]:
    """The places the debtor may be in whose rules no selected pack (other than core) carries.

    A country with a national pack (US, GB, AU) is covered wherever in it the debtor is. A country
    covered only province by province (Canada) is covered when every province the debtor may be in
    has a pack: a province without one (Alberta), or an unknown province, is a place we have no
    rules for, and the strictest reading of several possible places (comment 6(b)(1)(i)-2) is
    that no contact is lawful there until someone has reviewed it (ADR 0008).
    """
    carried = {
        code for pack in selected if "*" not in pack.jurisdictions for code in pack.jurisdictions
    }
    uncovered: list[str] = []
    for country in dict.fromkeys(code.split("-", 1)[0] for code in jurisdictions):
        if country in carried:
            continue
        prefix = f"{country}-"
        subdivisions = [c for c in jurisdictions if c.count("-") == 1 and c.startswith(prefix)]
        if country in unplaced or not subdivisions:
            partly = any(code.startswith(prefix) for code in carried)
            uncovered.append(f"{country} (where in it unknown)" if partly else country)
        uncovered += [code for code in subdivisions if code not in carried]
    return tuple(uncovered)


def _refusal(
    jurisdictions: tuple[str, ...],
    zones: tuple[str, ...],
    rule_id: str,
    message: str,
    citation: str,
) -> Decision:
    return Decision(
        allowed=False,
        blocking=(RuleResult(rule_id, message, citation),),
        warnings=(),
        earliest_lawful_at=None,
        caps=(),
        jurisdictions=jurisdictions,
        time_zones=zones,
        evaluated_rules=(rule_id,),
        rule_pack_versions={},
    )


@dataclass(frozen=True, slots=True)
class _Combined:
    """The selected packs' data flattened once per pack selection (cached)."""

    hour_windows: tuple[HourWindows, ...]
    caps: tuple[CapDefinition, ...]
    cooldowns: tuple[CooldownDefinition, ...]
    checks: tuple[Check, ...]
    evaluated_rules: tuple[str, ...]
    versions: tuple[tuple[str, str], ...]
    # The same rules as one list of independent steps, for the forward search.
    steps: tuple[Check, ...]


def _hours_step(windows: tuple[HourWindows, ...]) -> Check:
    def step(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
        return evaluate_hours(ctx, windows, at) if is_contact(ctx) else []

    return step


def _cap_step(cap: CapDefinition) -> Check:
    def step(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
        if not is_contact(ctx) or ctx.proposed.channel not in cap.channels:
            return []
        hit = evaluate_cap(ctx, cap, at, with_state=False)[1]
        return [] if hit is None else [hit]

    return step


def _cooldown_step(cooldown: CooldownDefinition) -> Check:
    def step(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
        hit = evaluate_cooldown(ctx, cooldown, at) if is_contact(ctx) else None
        return [] if hit is None else [hit]

    return step


def _in_force_only(check: Check, dormant: frozenset[str]) -> Check:
    """``check`` without the hits of rules not in force on the day (a check emits several ids)."""

    def in_force(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
        return [hit for hit in check(ctx, at) if hit.rule_id not in dormant]

    return in_force


@lru_cache(maxsize=1024)
def _combine(packs: tuple[RulePack, ...], dormant: tuple[frozenset[str], ...]) -> _Combined:
    """The packs' rules in force: ``dormant`` names, per pack, the rule ids whose own dates
    exclude the day (``packs.dormant_rules``); their windows, caps and cool-downs are left out
    and their hits filtered from the checks."""
    rule_ids: dict[str, None] = {}
    hour_windows: list[HourWindows] = []
    caps: list[CapDefinition] = []
    cooldowns: list[CooldownDefinition] = []
    checks: list[Check] = []
    blocking_checks: list[Check] = []
    for pack, asleep in zip(packs, dormant, strict=True):
        rule_ids.update(dict.fromkeys(i for i in pack.rule_ids if i not in asleep))
        hour_windows += [w for w in pack.hour_windows if w.rule_id not in asleep]
        caps += [cap for cap in pack.caps if cap.rule_id not in asleep]
        cooldowns += [c for c in pack.cooldowns if c.rule_id not in asleep]
        for check in pack.checks:
            filtered = _in_force_only(check, asleep) if asleep else check
            checks.append(filtered)
            if check not in ADVISORY_CHECKS:
                blocking_checks.append(filtered)
    steps = (
        _hours_step(tuple(hour_windows)),
        *(_cap_step(cap) for cap in caps),
        *(_cooldown_step(cooldown) for cooldown in cooldowns),
        *blocking_checks,
    )
    return _Combined(
        hour_windows=tuple(hour_windows),
        caps=tuple(caps),
        cooldowns=tuple(cooldowns),
        checks=tuple(checks),
        evaluated_rules=tuple(rule_ids),
        versions=tuple((pack.pack_id, pack.version) for pack in packs),
        steps=steps,
    )


@lru_cache(maxsize=8192)
def rules_in_force(selected: tuple[RulePack, ...], day: date) -> _Combined:
    """The selected packs' rules in force on the local ``day`` (one cached lookup per decision;
    the batch path reads its caps and cool-downs from it too)."""
    return _combine(selected, dormant_rules(selected, day))


def _evaluate(
    ctx: DecisionContext, combined: _Combined, at: datetime
) -> tuple[list[RuleHit], list[CapRemaining]]:
    """Every rule at ``at``, with the state of every cap (the first, full evaluation)."""
    hits: list[RuleHit] = []
    caps: list[CapRemaining] = []
    if is_contact(ctx):
        hits += evaluate_hours(ctx, combined.hour_windows, at)
        for cap in combined.caps:
            state, hit = evaluate_cap(ctx, cap, at)
            if state is not None:
                caps.append(state)
            if hit is not None:
                hits.append(hit)
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
    """Jump to the latest ``retry_at`` of the blocking rules until nothing blocks.

    The steps that blocked at the previous candidate are re-checked first; only when they all
    pass is every other step evaluated (a blocked decision usually needs a handful of jumps).
    """
    steps = combined.steps
    at = start
    limit = start + horizon
    active: list[int] = []
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
        blocking, still_active = _run_steps(ctx, steps, active, at)
        if not blocking:
            others = [index for index in range(len(steps)) if index not in set(active)]
            blocking, still_active = _run_steps(ctx, steps, others, at)
        active = still_active
    return None


def _earliest_across_rule_changes(
    ctx: DecisionContext,
    packs: tuple[RulePack, ...],
    combined: _Combined,
    blocking: list[RuleHit],
    day: date,
    limit: datetime,
) -> datetime | None:
    """``_earliest`` with the rules in force on the day it lands on (``day``: the proposed one).

    A moment found on a later local day is re-checked with that day's rules (a rule that starts,
    a pack version that takes over); if they block, the search goes on from there with them.
    """
    start = ctx.proposed.at
    for _ in range(MAX_RULE_CHANGES):
        earliest = _earliest(ctx, combined, start, blocking, limit - start)
        if earliest is None or earliest.astimezone(ctx.counting_zone).date() == day:
            return earliest
        day = earliest.astimezone(ctx.counting_zone).date()
        later = rules_in_force(select_packs(packs, ctx.resolution.jurisdictions, day), day)
        if later is combined:
            return earliest
        blocking, _ = _run_steps(ctx, later.steps, list(range(len(later.steps))), earliest)
        if not blocking:
            return earliest
        combined, start = later, earliest
    return None


def _run_steps(
    ctx: DecisionContext, steps: tuple[Check, ...], indexes: list[int], at: datetime
) -> tuple[list[RuleHit], list[int]]:
    blocking: list[RuleHit] = []
    blocked_by: list[int] = []
    for index in indexes:
        hits = [hit for hit in steps[index](ctx, at) if hit.severity is Severity.BLOCK]
        if hits:
            blocking += hits
            blocked_by.append(index)
    return blocking, blocked_by


# Rule results repeat (the same rule, message and citation): look them up instead of rebuilding.
_rule_result = lru_cache(maxsize=8192)(RuleResult)


def _results(hits: list[RuleHit]) -> tuple[RuleResult, ...]:
    seen: set[str] = set()
    results: list[RuleResult] = []
    for hit in hits:
        if hit.rule_id in seen:
            continue
        seen.add(hit.rule_id)
        results.append(_rule_result(hit.rule_id, hit.message, hit.citation, hit.severity))
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
    history = tuple(history)
    if proposed.at.tzinfo is None or any(event.at.tzinfo is None for event in history):
        # A naive datetime would silently be read as the server's local time.
        raise ValueError("decide() needs timezone-aware datetimes (proposed.at and history[].at)")
    resolution = resolve(situation)
    if resolution.unknown or not resolution.time_zones:
        reason = "; ".join(resolution.unknown) or "no time zone could be determined"
        return _refusal(
            resolution.jurisdictions,
            resolution.time_zones,
            LOCATION_RULE,
            f"Where the debtor is cannot be established ({reason}): correct or add an address, "
            "a phone number or a time zone before any contact.",
            "12 CFR 1006.6(b)(1)(i); comment 6(b)(1)(i)-2",
        )
    ctx = DecisionContext(situation, history, proposed, resolution)
    day = proposed.at.astimezone(ctx.counting_zone).date()
    selected = select_packs(packs, resolution.jurisdictions, day)
    uncovered = _uncovered_places(selected, resolution.jurisdictions, resolution.unplaced)
    if uncovered:
        return _refusal(
            resolution.jurisdictions,
            resolution.time_zones,
            UNSUPPORTED_RULE,
            f"The debtor may be in {', '.join(uncovered)}, where no rule pack "
            "applies: contact only after legal review.",
            "Solvent house policy (no rules, no automated contact); comment 6(b)(1)(i)-2",
        )
    combined = rules_in_force(selected, day)
    hits, caps = _evaluate(ctx, combined, proposed.at)
    blocking = _blocking(hits)
    warnings = [hit for hit in hits if hit.severity is Severity.WARN]
    earliest = (
        _earliest_across_rule_changes(ctx, packs, combined, blocking, day, proposed.at + horizon)
        if blocking
        else proposed.at
    )
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
