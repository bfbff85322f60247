"""One profile over one planning day, decided with the engine's own ``decide()``.

The planning day is the local calendar date in the debtor's counting zone (the first candidate
zone, the same zone the engine counts caps in), so it runs from that zone's midnight to the next.
Within the day a decision can only change at a *breakpoint*: a window opening or closing in one
of the candidate zones, a local midnight, a stated time's boundary, or a hold or consent instant.
Between two breakpoints the decision is constant, so ``decide()`` at each segment's start gives
the whole segment. As a safety net, a blocked segment whose ``earliest_lawful_at`` falls inside
it is split there.

For a canonical profile the history is empty: caps and cool-downs then never block, and what is
left (hours, holds, consents, media, notices) is exactly the profile-dependent part. The caps and
cool-downs that apply are returned as data for the vectorised history part.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from solvent.compliance.domain.context import point_in_class
from solvent.compliance.domain.engine import decide, rules_in_force
from solvent.compliance.domain.jurisdictions import resolve
from solvent.compliance.domain.localtime import ONE_DAY, local_instant, local_midnight, zone
from solvent.compliance.domain.model import CapRemaining, Decision, ProposedContact, TimeRange
from solvent.compliance.domain.packs import select_packs
from solvent.compliance.domain.packs.common import NON_CONTACT_PURPOSES
from solvent.compliance.domain.rules import CapDefinition, CooldownDefinition, RulePack
from solvent.compliance.eligibility.profiles import TargetProfile

Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class ProfileDay:
    """What one profile allows on the planning day, before the history is applied.

    For an exact profile (history included) ``windows``, ``blocking`` and ``cap_states`` are final.
    """

    day_start: datetime
    day_end: datetime
    counting_zone: str | None
    windows: tuple[Interval, ...]
    blocking: tuple[str, ...]
    caps: tuple[CapDefinition, ...]
    caps_apply: tuple[bool, ...]
    cooldowns: tuple[CooldownDefinition, ...]
    cooldowns_apply: tuple[bool, ...]
    cap_states: tuple[CapRemaining, ...]
    exact: bool


def _utc_day(day: date) -> Interval:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start, start + ONE_DAY


def _range_minutes(time_range: TimeRange) -> tuple[int, int]:
    start = 0 if time_range.start is None else time_range.start.hour * 60 + time_range.start.minute
    end = 1440 if time_range.end is None else time_range.end.hour * 60 + time_range.end.minute
    return start, end


def breakpoints(
    profile: TargetProfile, zones: tuple[str, ...], packs: tuple[RulePack, ...], day: date
) -> set[datetime]:
    """Every instant at which a profile-dependent rule may change its answer."""
    points: set[datetime] = set()
    days = (day - ONE_DAY, day, day + ONE_DAY)
    minutes: set[int] = set()
    for pack in packs:
        for windows in pack.hour_windows:
            for window in (*windows.weekly, windows.holiday_window):
                if window is not None:
                    minutes.update(window)
    situation = profile.situation
    for name in zones:
        tz = zone(name)
        for local_day in days:
            points.add(local_midnight(local_day, tz))
            points.update(local_instant(local_day, minute, tz) for minute in minutes)
    for time_range in (*situation.inconvenient_times, *situation.convenient_times):
        range_zones = (time_range.time_zone,) if time_range.time_zone else zones
        for name in range_zones:
            tz = zone(name)
            for local_day in days:
                points.add(local_midnight(local_day, tz))
                points.update(local_instant(local_day, m, tz) for m in _range_minutes(time_range))
    for hold in situation.holds:
        points.add(hold.received_at)
        if hold.released_at is not None:
            points.add(hold.released_at)
    for consent in situation.consents:
        points.update(
            moment
            for moment in (consent.given_at, consent.revoked_at, consent.expires_at)
            if moment is not None
        )
    return points


def evaluate_profile_day(
    profile: TargetProfile, day: date, packs: tuple[RulePack, ...]
) -> ProfileDay:
    """Decide ``profile`` over the planning ``day`` (see the module docstring)."""
    resolution = resolve(profile.situation)
    zones = resolution.time_zones
    if zones:
        counting = zone(zones[0])
        start, end = local_midnight(day, counting), local_midnight(day + ONE_DAY, counting)
    else:
        start, end = _utc_day(day)
    selected = select_packs(packs, resolution.jurisdictions, day) if zones else ()
    history = profile.history or ()
    pending = [point for point in breakpoints(profile, zones, selected, day) if start < point < end]
    pending.append(start)
    heapq.heapify(pending)
    windows: list[Interval] = []
    blocking: dict[str, None] = {}
    first: Decision | None = None
    previous: datetime | None = None
    while pending:
        moment = heapq.heappop(pending)
        if moment == previous:
            continue
        previous = moment
        following = pending[0] if pending else end
        decision = decide(
            profile.situation, history, _at(profile, moment), packs=packs, horizon=timedelta(days=1)
        )
        if first is None:
            first = decision
        if decision.allowed:
            if windows and windows[-1][1] == moment:
                windows[-1] = (windows[-1][0], following)
            else:
                windows.append((moment, following))
            continue
        blocking.update(dict.fromkeys(decision.blocking_rule_ids))
        lawful = decision.earliest_lawful_at
        if lawful is not None and moment < lawful < following:
            heapq.heappush(pending, lawful)
    assert first is not None
    caps, caps_apply, cooldowns, cooldowns_apply = _history_rules(profile, selected, first, day)
    return ProfileDay(
        day_start=start,
        day_end=end,
        counting_zone=zones[0] if zones else None,
        windows=_merge(windows),
        blocking=tuple(sorted(blocking)),
        caps=caps,
        caps_apply=caps_apply,
        cooldowns=cooldowns,
        cooldowns_apply=cooldowns_apply,
        cap_states=first.caps,
        exact=profile.exact,
    )


def _at(profile: TargetProfile, moment: datetime) -> ProposedContact:
    return replace(profile.proposed, at=moment)


def _merge(windows: list[Interval]) -> tuple[Interval, ...]:
    merged: list[Interval] = []
    for window in sorted(windows):
        if merged and merged[-1][1] >= window[0]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], window[1]))
        else:
            merged.append(window)
    return tuple(merged)


def _history_rules(
    profile: TargetProfile, selected: tuple[RulePack, ...], first: Decision, day: date
) -> tuple[
    tuple[CapDefinition, ...], tuple[bool, ...], tuple[CooldownDefinition, ...], tuple[bool, ...]
]:
    """The caps (in the engine's order) and cool-downs of the day, and whether each applies.

    The engine evaluates caps and cool-downs only for contacts, and reports every cap's usage
    even when the proposed channel is not one the cap limits.
    """
    if not first.caps:
        return (), (), (), ()
    by_id = {cap.rule_id: cap for pack in selected for cap in pack.caps}
    caps = tuple(by_id[state.rule_id] for state in first.caps)
    proposed = profile.proposed
    point = profile.situation.contact_point(proposed.contact_point_id)
    caps_apply = tuple(
        proposed.channel in cap.channels
        and point_in_class(point, cap.point_class)
        and not (cap.exclude_consumer_requested and proposed.at_consumer_request)
        for cap in caps
    )
    cooldowns: tuple[CooldownDefinition, ...] = ()
    if proposed.purpose not in NON_CONTACT_PURPOSES:
        # Only the cool-downs in force on the day (Reg F's 7-day wait starts on 2021-11-30).
        cooldowns = rules_in_force(selected, day).cooldowns
    cooldowns_apply = tuple(proposed.channel in cooldown.channels for cooldown in cooldowns)
    return caps, caps_apply, cooldowns, cooldowns_apply
