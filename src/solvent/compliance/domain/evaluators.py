"""Generic evaluators for the data parts of rule packs: hour windows, caps, cool-downs, stated times.

Each returns ``RuleHit`` values carrying a ``retry_at`` hint that is never later than the first
instant at which the rule could pass; the engine searches forward with these hints.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from solvent.compliance.domain.chat import (
    C_PROMPT_REPLY,
    PROMPT_REPLY_MESSAGE,
    PROMPT_REPLY_RULE,
    chat_state,
)
from solvent.compliance.domain.context import POINT_CLASS_BITS, DecisionContext, point_in_class
from solvent.compliance.domain.localtime import is_holiday, local_instant, local_midnight, zone
from solvent.compliance.domain.model import (
    CapRemaining,
    CapScope,
    Channel,
    Outcome,
    Party,
    Purpose,
    Severity,
    TimeRange,
)
from solvent.compliance.domain.rules import (
    CapDefinition,
    CooldownDefinition,
    HourWindows,
    RuleHit,
)

# Cap states repeat a lot (an unused cap, the same usage re-checked by the dialer): building a
# frozen dataclass costs more than looking one up.
cap_state = lru_cache(maxsize=8192)(CapRemaining)

SEARCH_DAYS = 15  # a weekly window pattern always reopens within 8 days; holidays add a few


def _minute_of(local: datetime) -> int:
    return local.hour * 60 + local.minute


def _holiday(windows: HourWindows, day: date) -> bool:
    calendar = windows.holiday_calendar
    if calendar is None:
        return False
    return is_holiday(day, calendar.country, calendar.subdivision, calendar.categories)


def next_window_opening(windows: HourWindows, at: datetime, tz: ZoneInfo) -> datetime | None:
    """``None`` when ``at`` is inside the window, else the next opening (UTC), or ``at`` + 15 days
    when the pattern never opens (the search then gives up at its horizon)."""
    local = at.astimezone(tz)
    day = local.date()
    window = windows.window_on(day.weekday(), _holiday(windows, day))
    minute = _minute_of(local)
    if window is not None and window[0] <= minute < window[1]:
        return None
    if window is not None and minute < window[0]:
        return local_instant(day, window[0], tz)
    for offset in range(1, SEARCH_DAYS):
        candidate = date.fromordinal(day.toordinal() + offset)
        window = windows.window_on(candidate.weekday(), _holiday(windows, candidate))
        if window is not None and window[0] < window[1]:
            return local_instant(candidate, window[0], tz)
    return local_midnight(date.fromordinal(day.toordinal() + SEARCH_DAYS), tz)


def _in_range(time_range: TimeRange, local: datetime) -> bool:
    day = local.date()
    if time_range.valid_from is not None and day < time_range.valid_from:
        return False
    if time_range.valid_until is not None and day > time_range.valid_until:
        return False
    if day.weekday() not in time_range.days:
        return False
    minute = _minute_of(local)
    start = 0 if time_range.start is None else time_range.start.hour * 60 + time_range.start.minute
    end = 1440 if time_range.end is None else time_range.end.hour * 60 + time_range.end.minute
    return start <= minute < end


def _range_zones(ctx: DecisionContext, time_range: TimeRange) -> tuple[ZoneInfo, ...]:
    return (zone(time_range.time_zone),) if time_range.time_zone else ctx.zones


def consumer_says_convenient(ctx: DecisionContext, at: datetime) -> bool:
    """A stated convenient time covering ``at`` in its zone (or in every candidate zone)."""
    for time_range in ctx.profile.convenient_times:
        zones = _range_zones(ctx, time_range)
        if zones and all(_in_range(time_range, at.astimezone(tz)) for tz in zones):
            return True
    return False


def evaluate_hours(
    ctx: DecisionContext, all_windows: tuple[HourWindows, ...], at: datetime
) -> list[RuleHit]:
    channel = ctx.proposed.channel
    if channel is Channel.CHAT:
        return _chat_hours(ctx, all_windows, at)
    return _hours(ctx, all_windows, at, channel)


def _chat_hours(
    ctx: DecisionContext, all_windows: tuple[HourWindows, ...], at: datetime
) -> list[RuleHit]:
    """A chat message is timed as an electronic message (the windows of email), except a prompt
    reply to the debtor's own message, which may be sent at the time they chose (ADR 0031)."""
    hits = _hours(ctx, all_windows, at, Channel.EMAIL)
    if (
        hits
        and ctx.proposed.purpose is Purpose.RESPONSE_TO_CONSUMER
        and chat_state(ctx.history, ctx.proposed.contact_point_id, at).prompt_at(at)
    ):
        return [RuleHit(PROMPT_REPLY_RULE, PROMPT_REPLY_MESSAGE, C_PROMPT_REPLY, Severity.WARN)]
    return hits


def _hours(
    ctx: DecisionContext, all_windows: tuple[HourWindows, ...], at: datetime, channel: Channel
) -> list[RuleHit]:
    hits: list[RuleHit] = []
    convenient: bool | None = None
    for windows in all_windows:
        if channel not in windows.channels:
            continue
        latest: datetime | None = None
        open_somewhere = False
        for tz in ctx.zones:
            opening = next_window_opening(windows, at, tz)
            if opening is None:
                open_somewhere = True
            elif latest is None or opening > latest:
                latest = opening
        if latest is None:
            continue
        if windows.consent_overridable:
            if convenient is None:
                convenient = consumer_says_convenient(ctx, at)
            if convenient:
                continue
        rule_id = windows.rule_id
        message = windows.message
        if open_somewhere and windows.multi_zone_rule_id:
            rule_id = windows.multi_zone_rule_id
            zones = ", ".join(ctx.resolution.time_zones)
            message = f"{message} The consumer may be in any of: {zones}; all must be convenient."
        hits.append(RuleHit(rule_id, message, windows.citation, retry_at=latest))
    return hits


def evaluate_stated_inconvenient(
    ctx: DecisionContext, at: datetime, rule_id: str, citation: str
) -> list[RuleHit]:
    """Times the consumer designated inconvenient (comment 6(b)(1)-1); lasts until withdrawn."""
    for time_range in ctx.profile.inconvenient_times:
        for tz in _range_zones(ctx, time_range):
            local = at.astimezone(tz)
            if _in_range(time_range, local):
                retry = _range_end(time_range, local, tz)
                message = "The consumer said this time is inconvenient."
                return [RuleHit(rule_id, message, citation, retry_at=retry)]
    return []


def _range_end(time_range: TimeRange, local: datetime, tz: ZoneInfo) -> datetime:
    day = local.date()
    if time_range.end is not None:
        return local_instant(day, time_range.end.hour * 60 + time_range.end.minute, tz)
    return local_midnight(date.fromordinal(day.toordinal() + 1), tz)


def _counted_days(ctx: DecisionContext, cap: CapDefinition) -> list[int]:
    """Sorted local days of the ledger rows this cap counts; computed once per cap and decision
    (the forward search re-reads it at every candidate moment)."""
    cached = ctx.cap_days.get(id(cap))
    if cached is not None:
        return cached
    days = _count(ctx, cap)
    ctx.cap_days[id(cap)] = days
    return days


def _count(ctx: DecisionContext, cap: CapDefinition) -> list[int]:
    channels, outcomes, directions = cap.channels, cap.outcomes, cap.directions
    skip_requested = cap.exclude_consumer_requested
    skip_consented = cap.exclude_prior_consent
    per_debt = cap.scope is CapScope.PER_DEBT and ctx.debt_key is not None
    debt_key = ctx.debt_key
    per_point = cap.scope is CapScope.PER_CONTACT_POINT
    point_id = ctx.proposed.contact_point_id
    class_bits = POINT_CLASS_BITS[cap.point_class]
    days: list[int] = []
    for day, event, keys, bits, excluded, consent_excluded in ctx.events:
        if (
            excluded
            or event.channel not in channels
            or event.outcome not in outcomes
            or event.direction not in directions
            or (skip_requested and event.at_consumer_request)
            or (skip_consented and consent_excluded)
            or (per_debt and keys is not None and debt_key not in keys)
            or (per_point and event.contact_point_id != point_id)
            or not bits & class_bits
        ):
            continue
        days.append(day)
    days.sort()
    return days


def _used_on(days: list[int], day: int, window_days: int) -> int:
    """Max events in any window of ``window_days`` consecutive days containing ``day`` (E-03)."""
    if not days or days[-1] <= day:
        return len(days) - bisect_left(days, day - window_days + 1)
    best = 0
    for start in range(day - window_days + 1, day + 1):
        low = bisect_left(days, start)
        high = bisect_left(days, start + window_days)
        best = max(best, high - low)
    return best


def evaluate_cap(
    ctx: DecisionContext, cap: CapDefinition, at: datetime, with_state: bool = True
) -> tuple[CapRemaining | None, RuleHit | None]:
    """Usage of one cap for the proposed contact's debt and contact point at ``at``, and its hit.

    ``with_state=False`` skips building the ``CapRemaining`` (the forward search needs only hits).
    """
    day = ctx.local_day(at)
    if cap.after_first_conversation and not any(
        row[1].outcome is Outcome.RIGHT_PARTY_CONVERSATION and row[1].at <= at for row in ctx.events
    ):
        if not with_state:
            return None, None
        return cap_state(cap.rule_id, cap.limit, 0, cap.limit, cap.window, None), None
    days = _counted_days(ctx, cap)
    used = _used_on(days, day, cap.window_days)
    state = None
    if with_state:
        remaining = max(cap.limit - used, 0)
        resets_at = _resets_at(ctx, days, day, cap) if used else None
        state = cap_state(cap.rule_id, cap.limit, used, remaining, cap.window, resets_at)
    proposed = ctx.proposed
    applies = (
        proposed.party is Party.CONSUMER
        and proposed.channel in cap.channels
        and point_in_class(ctx.point, cap.point_class)
        and not (cap.exclude_consumer_requested and proposed.at_consumer_request)
        and not (cap.exclude_prior_consent and ctx.proposed_consent_excluded(at))
    )
    if not applies or used < cap.limit:
        return state, None
    retry = _first_day_below(days, day, cap.window_days, cap.limit)
    hit = RuleHit(
        cap.rule_id,
        f"{cap.message} ({used} of {cap.limit} in {cap.window_days} days used).",
        cap.citation,
        severity=cap.severity,
        retry_at=local_midnight(date.fromordinal(retry), ctx.counting_zone),
    )
    return state, hit


def _resets_at(ctx: DecisionContext, days: list[int], day: int, cap: CapDefinition) -> datetime:
    """When the oldest counted event in the current window rolls off (usage goes down)."""
    oldest = days[bisect_left(days, day - cap.window_days + 1)] if days[-1] <= day else days[0]
    return local_midnight(date.fromordinal(oldest + cap.window_days), ctx.counting_zone)


def _first_day_below(days: list[int], day: int, window_days: int, limit: int) -> int:
    candidate = day + 1
    last = (days[-1] if days else day) + window_days
    while candidate <= last and _used_on(days, candidate, window_days) >= limit:
        candidate += 1
    return candidate


def evaluate_cooldown(
    ctx: DecisionContext, cooldown: CooldownDefinition, at: datetime
) -> RuleHit | None:
    proposed = ctx.proposed
    if proposed.channel not in cooldown.channels or proposed.party is not Party.CONSUMER:
        return None
    if cooldown.exclude_prior_consent and ctx.proposed_consent_excluded(at):
        return None
    day = ctx.local_day(at)
    blocking_until = 0
    for event_day, event, keys, _bits, excluded, _consent in ctx.events:
        if (
            event.outcome not in cooldown.trigger_outcomes
            or event.channel not in cooldown.trigger_channels
            or excluded
            or event.at > at
        ):
            continue
        if (
            cooldown.scope is CapScope.PER_DEBT
            and keys is not None
            and ctx.debt_key is not None
            and ctx.debt_key not in keys
        ):
            continue
        reopens = event_day + cooldown.days
        if day < reopens:
            blocking_until = max(blocking_until, reopens)
    if not blocking_until:
        return None
    reopen_at = local_midnight(date.fromordinal(blocking_until), ctx.counting_zone)
    message = (
        f"{cooldown.message} (next call from {reopen_at.astimezone(ctx.counting_zone):%Y-%m-%d})."
    )
    return RuleHit(cooldown.rule_id, message, cooldown.citation, Severity.BLOCK, reopen_at)
