"""The daily plan, computed: every open account -> segment -> strategy (or experiment arm) -> the
due step -> a candidate action -> the batch compliance path -> a lawful moment at the debtor's best
hour -> priority -> staffed capacity for calls. Reads only; ``services.plan`` stores it (or writes
the CSV of a dry run), ``selectors.plan`` explains one account with it.

Why one account gets nothing is said in the row's ``reason`` (a code) and ``detail`` (words with
the rule, its citation and, where the engine knows it, when it becomes lawful). The codes are
``REASONS`` below; docs/strategy.md lists them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from django.db.models import Count

from solvent.analytics.scoring import propensity_for_plan
from solvent.analytics.selectors_reach import (
    reach_counts_local,
    reach_counts_utc,
    reach_shrinkage_active,
)
from solvent.compliance.selectors_planning import (
    DayEligibility,
    PlanTarget,
    contacts_eligibility_for_day,
)
from solvent.portfolio.models import Account, Client
from solvent.strategy.domain import capacity as capacity_rules
from solvent.strategy.domain.costs import COST_PER_ATTEMPT_MINOR
from solvent.strategy.domain.experiments import arm_for
from solvent.strategy.domain.paths import (
    Action,
    PathSpec,
    Position,
    Step,
    due_step,
    path_parse,
    position_after,
    position_queued,
)
from solvent.strategy.domain.priority import BOOST_BROKEN_PROMISE, P_PAY_BY_STAGE, priority
from solvent.strategy.domain.segments import Condition, SegmentSpec, segment_assign, segment_parse
from solvent.strategy.domain.timing import DEFAULT_P, ReachModel, best_moment, reach_model
from solvent.strategy.features import HISTORY_DAYS, OPEN_STATUSES, features_frame
from solvent.strategy.models import Experiment, PathPosition, Segment, Strategy, TeamCapacity

CONTACT_ACTIONS = {Action.CALL: "call", Action.SMS: "sms", Action.EMAIL: "email"}
CONTACT_ACTIONS[Action.LETTER] = "letter"

# Why an account has no action today (a row's ``reason``), and "planned" when it has one.
REASONS: dict[str, str] = {
    "planned": "an action is planned",
    "no_segment": "no active segment matches the account",
    "waiting": "the next step of its path is not due yet",
    "finished": "its path has no step left",
    "on_hold": "on hold",
    "dispute_open": "a dispute is open",
    "promise_active": "a promise to pay is pending",
    "plan_active": "a payment plan is active",
    "rule_pause": "paused by a rule of its path (e.g. hardship)",
    "queued": "given to an agents' work queue",
    "pause_step": "its path waits (a pause step)",
    "no_contact_point": "no usable contact point for the step's channel",
    "zone_unknown": "where the debtor is (the time zone) is unknown: nothing is planned",
    "no_window_today": "no lawful window left today",
    "cap_reached": "a contact cap is reached",
    "consent_missing": "consent needed for this channel is missing",
    "channel_refused": "the debtor refused this channel (an opt-out of the medium)",
    "compliance_blocked": "the compliance engine refuses the contact today",
    "capacity_exhausted": "the day's staffed calls are all planned",
    "closed": "the account is no longer worked (paid, settled, recalled or closed)",
}


# Reasons a step's channel cannot be used for the debtor at all: the path moves past the step.
PASSED_OVER = frozenset({"no_contact_point", "consent_missing", "channel_refused"})


@dataclass
class PlanRow:
    """One account's line of the plan (a PlanItem when stored, a CSV row in a dry run)."""

    account_id: int
    account_number: str
    client: str
    debtor_id: int | None
    segment: str = ""
    strategy: str = ""
    arm: str = ""
    step: str = ""
    channel: str = ""
    template: str = ""
    contact_point: str = ""
    campaign: str = ""
    planned_at: datetime | None = None
    time_zone: str = ""
    priority: float = 0.0
    status: str = "skipped"
    reason: str = ""
    detail: str = ""
    queue: str = ""  # a work-queue kind asked for today
    position: Position | None = None  # the path position once the plan is stored
    position_changed: bool = False  # ``position`` differs from the stored one
    done_position: Position | None = None  # the position once the planned action is done
    blocking_rules: tuple[str, ...] = ()

    @property
    def planned_local(self) -> str:
        if self.planned_at is None or not self.time_zone:
            return ""
        return self.planned_at.astimezone(ZoneInfo(self.time_zone)).strftime("%Y-%m-%d %H:%M")


@dataclass
class Draft:
    """A computed plan: the rows, in priority order of the planned ones, then the skipped ones."""

    day: date
    rows: list[PlanRow]
    capacity: dict[str, int] = field(default_factory=dict)  # team name -> calls staffed

    def figures(self) -> dict[str, Any]:
        planned = [row for row in self.rows if row.status == "planned"]
        by_channel = Counter(row.channel for row in planned)
        blocks = Counter(rule for row in self.rows for rule in row.blocking_rules)
        cost = sum(COST_PER_ATTEMPT_MINOR.get(row.channel, 0) for row in planned)
        return {
            "accounts": len(self.rows),
            "planned": len(planned),
            "by_channel": dict(sorted(by_channel.items())),
            "reasons": dict(sorted(Counter(row.reason for row in self.rows).items())),
            "queued": dict(sorted(Counter(r.queue for r in self.rows if r.queue).items())),
            "calls_planned": by_channel.get("call", 0),
            "calls_needed": by_channel.get("call", 0)
            + sum(1 for row in self.rows if row.reason == "capacity_exhausted"),
            "calls_capacity": sum(self.capacity.values()),
            "compliance_blocks": dict(blocks.most_common()),
            "expected_cost": f"{cost / 100:.2f}",
        }


@dataclass(frozen=True)
class Assignment:
    segment: str
    strategy: str
    arm: str


@dataclass
class Definitions:
    """The active segments, strategies and experiments, parsed."""

    segments: list[SegmentSpec]
    segment_strategy: dict[str, str]
    paths: dict[str, PathSpec]
    experiments: dict[str, tuple[str, list[tuple[str, int]], dict[str, str]]]

    def assign(self, account_id: int, segment: str | None) -> Assignment | None:
        if segment is None:
            return None
        experiment = self.experiments.get(segment)
        if experiment is None:
            return Assignment(segment, self.segment_strategy[segment], "")
        key, arms, strategies = experiment
        arm = arm_for(account_id, key, arms)
        return Assignment(segment, strategies[arm], arm)


def definitions_load(overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Definitions:
    """Active definitions; ``overrides`` maps a segment key to a path definition (what-if)."""
    segments: list[SegmentSpec] = []
    segment_strategy: dict[str, str] = {}
    rows = Segment.objects.filter(active=True).select_related("strategy", "client")
    for row in rows.order_by("priority", "key"):
        spec = segment_parse(row.key, row.name, list(row.conditions), row.priority)
        if row.client is not None:
            client_only = Condition("client", "eq", row.client.code)
            spec = SegmentSpec(spec.key, spec.name, (client_only, *spec.conditions), spec.priority)
        segments.append(spec)
        segment_strategy[row.key] = row.strategy.key
    paths = {row.key: path_parse(row.definition) for row in Strategy.objects.all()}
    experiments: dict[str, tuple[str, list[tuple[str, int]], dict[str, str]]] = {}
    running = Experiment.objects.filter(status=Experiment.Status.RUNNING).select_related("segment")
    for experiment in running:
        arms = [(arm["arm"], int(arm["percent"])) for arm in experiment.arms]
        strategies = {arm["arm"]: arm["strategy"] for arm in experiment.arms}
        experiments[experiment.segment.key] = (experiment.key, arms, strategies)
    for segment_key, definition in (overrides or {}).items():
        path = path_parse(definition)
        paths[path.key] = path
        segment_strategy[segment_key] = path.key
        experiments.pop(segment_key, None)
    return Definitions(segments, segment_strategy, paths, experiments)


def _positions(account_ids: list[int]) -> dict[int, tuple[str, Position]]:
    found: dict[int, tuple[str, Position]] = {}
    rows = PathPosition.objects.filter(account_id__in=account_ids).select_related("strategy")
    for row in rows.iterator(chunk_size=5000):
        found[row.account_id] = (
            row.strategy.key,
            Position(
                row.step_index,
                row.entered_on,
                row.last_action_on,
                frozenset(row.done),
                row.repeats,
                row.paused_reason,
            ),
        )
    return found


def _step_rows(
    features: pl.DataFrame, definitions: Definitions, numbers: dict[int, str], day: date
) -> tuple[list[PlanRow], dict[int, tuple[Step, Mapping[str, Any]]]]:
    """Each account's due step; returns the rows and the candidates (account -> step, facts)."""
    segments = segment_assign(features, definitions.segments)
    features = features.with_columns(segments.alias("segment"))
    positions = _positions(features.get_column("account_id").to_list())
    rows: list[PlanRow] = []
    candidates: dict[int, tuple[Step, Mapping[str, Any]]] = {}
    for facts in features.iter_rows(named=True):
        account_id = facts["account_id"]
        row = PlanRow(account_id, numbers.get(account_id, ""), facts["client"], facts["debtor_id"])
        rows.append(row)
        assignment = definitions.assign(account_id, facts["segment"])
        if assignment is None:
            row.reason, row.detail = "no_segment", REASONS["no_segment"]
            continue
        row.segment, row.strategy, row.arm = assignment.segment, assignment.strategy, assignment.arm
        path = definitions.paths[assignment.strategy]
        stored = positions.get(account_id)
        # A new strategy (a promoted challenger, an edited segment) starts at its first step.
        kept = stored is not None and stored[0] == path.key
        position = stored[1] if stored is not None and kept else _start(day)
        row.position, row.position_changed = position, not kept
        due = due_step(path, position, facts, day)
        row.detail = due.detail
        if due.queue:
            row.queue = due.queue
            row.position, row.position_changed = position_queued(position, due.queue), True
        if due.step is None:
            row.reason = "queued" if due.queue else due.reason_code
            if due.queue and due.next_due_on is not None:
                # Queued today, and the path itself waits: say both.
                row.reason = "waiting"
                row.detail = f"{due.detail}; the next step is due on {due.next_due_on}"[:255]
            continue
        row.step = due.step.key
        if due.step.action in CONTACT_ACTIONS:
            row.channel = CONTACT_ACTIONS[due.step.action]
            row.template = due.step.template
            candidates[account_id] = (due.step, facts)
            row.done_position = position_after(path, row.position, due.step, day)
            continue
        row.position, row.position_changed = position_after(path, row.position, due.step, day), True
        if due.step.action is Action.QUEUE:
            row.queue, row.reason = due.step.queue, "queued"
        else:
            row.reason = "pause_step"
    return rows, candidates


def _start(day: date) -> Position:
    return Position(0, day, None, frozenset(), 0)


def _reach_model(
    debtor_segments: Mapping[int, str], zones: Mapping[int, str], day: date
) -> ReachModel:
    """The best-time model (``domain.timing``) over these debtors' last 90 days of the ledger, in
    their local hours of week, with the K's the latest reach training estimated."""
    day_start = datetime.combine(day, time.min, tzinfo=UTC)
    counts = reach_counts_utc(
        debtor_ids=list(zones), start=day_start - timedelta(days=HISTORY_DAYS), end=day_start
    )
    segments = {debtor_id: segment for debtor_id, segment in debtor_segments.items() if segment}
    local = reach_counts_local(counts, dict(zones), segments, day)
    return reach_model(local, reach_shrinkage_active())


def _capacity(client_codes: Sequence[str], day: date) -> dict[str, tuple[str, dict[datetime, int]]]:
    """Each client's pool of staffed calls: the first team serving it, shared among the team's
    clients in proportion to their open accounts (so a run per client, in parallel, never plans
    more calls than the team has). One count of open accounts per team."""
    clients = Client.objects.filter(code__in=client_codes).prefetch_related("teams")
    pools: dict[str, tuple[str, dict[datetime, int]]] = {}
    shares: dict[int, dict[int, int]] = {}  # team -> its clients' open accounts
    for client in clients:
        team = min(client.teams.all(), key=lambda t: t.pk, default=None)
        if team is None:
            pools[client.code] = ("", {})
            continue
        stored = TeamCapacity.objects.filter(team=team).first() or TeamCapacity(team=team)
        cap = capacity_rules.Capacity(
            stored.agents,
            stored.start_hour,
            stored.end_hour,
            stored.calls_per_hour,
            stored.time_zone,
        )
        if team.pk not in shares:
            shares[team.pk] = dict(
                Account.objects.filter(client__teams=team, status__in=OPEN_STATUSES)
                .values("client_id")
                .annotate(n=Count("pk"))
                .values_list("client_id", "n")
            )
        counts = shares[team.pk]
        total = sum(counts.values())
        share = 1.0 if total == 0 else counts.get(client.pk, 0) / total
        slots = capacity_rules.hourly_slots(cap, day)
        pools[client.code] = (team.name, {hour: int(n * share) for hour, n in slots.items()})
    return pools


def _blocked_reason(answer: DayEligibility) -> tuple[str, str]:
    """The why-not code and words for a candidate the engine refuses all day."""
    if not answer.contact_point:
        return "no_contact_point", answer.blocking[0][1] if answer.blocking else ""
    rule_ids = [rule_id for rule_id, _message, _citation in answer.blocking]
    if any("location.unknown" in rule_id for rule_id in rule_ids):
        code = "zone_unknown"
    elif any("frequency" in r or "cap" in r or "7_day" in r or "wait" in r for r in rule_ids):
        code = "cap_reached"
    elif any("opt_out" in rule_id or "medium" in rule_id for rule_id in rule_ids):
        code = "channel_refused"
    elif any("consent" in rule_id for rule_id in rule_ids):
        code = "consent_missing"
    elif any("time" in rule_id for rule_id in rule_ids):
        code = "no_window_today"
    else:
        code = "compliance_blocked"
    words = "; ".join(
        f"{message} [{rule_id}{', ' + citation if citation else ''}]"
        for rule_id, message, citation in answer.blocking
    )
    if answer.earliest_lawful_at is not None:
        zone = ZoneInfo(answer.zone) if answer.zone else UTC
        when = answer.earliest_lawful_at.astimezone(zone).strftime("%A %Y-%m-%d %H:%M")
        words = f"until {when} ({answer.zone or 'UTC'}): {words}"
    elif answer.blocking and code != "zone_unknown":
        words = f"no lawful moment found ahead: {words}"
    return code, words[:255]


def _future(
    windows: tuple[tuple[datetime, datetime], ...], now: datetime | None
) -> tuple[tuple[datetime, datetime], ...]:
    """The part of the windows still ahead of ``now`` (a plan made during its own day)."""
    if now is None:
        return windows
    return tuple((max(start, now), end) for start, end in windows if end > now)


def _p_by_hour(
    rates: ReachModel, debtor_id: int, segment: str, channel: str, day: date, cache: dict[Any, Any]
) -> dict[int, float]:
    """The debtor's rate by local hour on the plan day's weekday (hour of week)."""
    key = (debtor_id, channel)
    if key not in cache:
        cache[key] = rates.p_day(debtor_id, segment or None, channel, day.weekday())
    return cache[key]  # type: ignore[no-any-return]


def plan_draft(
    *,
    day: date,
    client_ids: Sequence[int] | None = None,
    account_ids: Sequence[int] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    now: datetime | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> Draft:
    """The plan of ``day`` for the open accounts of ``client_ids`` (None: all).

    ``now``: when planning during the day itself, moments before it are not offered.
    ``progress(stage, done)`` is told as each stage ends (for a progress bar).
    """
    tell = progress or (lambda _stage, _done: None)
    features = features_frame(day=day, client_ids=client_ids, account_ids=account_ids)
    account_list = features.get_column("account_id").to_list()
    numbers = (
        dict(Account.objects.filter(pk__in=account_list).values_list("pk", "account_number"))
        if account_ids is not None or len(account_list) < 50_000
        else _numbers(client_ids)
    )
    tell("features", len(account_list))
    definitions = definitions_load(overrides)
    rows, candidates = _step_rows(features, definitions, numbers, day)
    tell("paths", len(rows))
    by_account = {row.account_id: row for row in rows}
    targets = [
        PlanTarget(account_id, int(by_account[account_id].debtor_id or 0), account_id, row_channel)
        for account_id, row_channel in (
            (account_id, by_account[account_id].channel) for account_id in candidates
        )
        if by_account[account_id].debtor_id is not None
    ]
    answers = contacts_eligibility_for_day(targets=targets, day=day)
    tell("compliance", len(targets))
    zones = {
        int(by_account[key].debtor_id or 0): answer.zone  # type: ignore[index]
        for key, answer in answers.items()
        if answer.zone
    }
    segments = {int(row.debtor_id): row.segment for row in rows if row.debtor_id is not None}
    rates = _reach_model(segments, zones, day)
    tell("timing", len(zones))
    # The active propensity model's chance of a payment; the stage's default where it has none.
    p_pays = propensity_for_plan(features)
    calls: list[tuple[PlanRow, tuple[tuple[datetime, datetime], ...], list[datetime]]] = []
    cache: dict[Any, Any] = {}
    for account_id, (_step, facts) in candidates.items():
        row = by_account[account_id]
        answer = answers.get(account_id)
        if answer is None:  # no primary debtor: nobody to contact
            row.reason, row.detail = "no_contact_point", "the account has no primary debtor"
            continue
        row.contact_point, row.time_zone = answer.contact_point, answer.zone or ""
        windows = _future(answer.windows, now)
        if not windows:
            row.reason, row.detail = (
                _blocked_reason(answer)
                if not answer.windows
                else ("no_window_today", "no lawful window left today")
            )
            row.blocking_rules = tuple(rule_id for rule_id, _m, _c in answer.blocking)
            if row.reason in PASSED_OVER:
                # The channel cannot be used for this debtor (no such contact point, no consent,
                # the medium refused): waiting would stall the path, so it moves past the step.
                row.position, row.position_changed = row.done_position, True
                row.detail = f"step {row.step} passed over: {row.detail}"[:255]
            # Otherwise the step stays due: tried again tomorrow.
            continue
        p_hours = _p_by_hour(rates, int(row.debtor_id or 0), row.segment, row.channel, day, cache)
        best = best_moment(windows, row.time_zone, p_hours)
        p_reach = (
            p_hours.get(best.astimezone(ZoneInfo(row.time_zone)).hour, DEFAULT_P) if best else 0.0
        )
        boost = BOOST_BROKEN_PROMISE if (facts.get("broken_promises") or 0) > 0 else 0.0
        row.priority = round(
            priority(
                int(facts["balance_minor"]),
                p_reach,
                p_pays.get(account_id, P_PAY_BY_STAGE.get(facts["stage"], 0.05)),
                boost,
            ),
            4,
        )
        if row.channel == "letter":
            row.planned_at = _letter_moment(windows, row.time_zone)
        else:
            row.planned_at = best
        if row.channel == "call":
            ranked = _ranked_moments(windows, row.time_zone, p_hours)
            calls.append((row, windows, ranked))
            continue
        _planned(row)
    pools = _capacity(sorted({row.client for row in rows}), day)
    _allocate_calls(calls, day, pools)
    tell("capacity", len(calls))
    planned = sorted(
        (row for row in rows if row.status == "planned"), key=lambda r: (-r.priority, r.account_id)
    )
    skipped = sorted((row for row in rows if row.status != "planned"), key=lambda r: r.account_id)
    capacity: dict[str, int] = defaultdict(int)
    for team, slots in pools.values():
        if team:
            capacity[team] += sum(slots.values())
    return Draft(day, planned + skipped, dict(capacity))


def _planned(row: PlanRow) -> None:
    """The row's action is planned: its step counts as done (the path moves on)."""
    row.status, row.reason, row.detail = "planned", "planned", f"step {row.step}"
    row.position, row.position_changed = row.done_position, True


def _numbers(client_ids: Sequence[int] | None) -> dict[int, str]:
    accounts = Account.objects.all()
    if client_ids is not None:
        accounts = accounts.filter(client_id__in=client_ids)
    return dict(accounts.values_list("pk", "account_number").iterator(chunk_size=20_000))


def _letter_moment(windows: tuple[tuple[datetime, datetime], ...], zone: str) -> datetime:
    """Letters go with the morning's print batch: 09:00 local, or the first lawful moment after."""
    tz = ZoneInfo(zone) if zone else UTC
    start = windows[0][0]
    nine = datetime.combine(start.astimezone(tz).date(), time(9), tzinfo=tz).astimezone(UTC)
    for window_start, window_end in windows:
        if window_start <= nine < window_end:
            return nine
    return start


def _ranked_moments(
    windows: tuple[tuple[datetime, datetime], ...], zone: str, p_hours: Mapping[int, float]
) -> list[datetime]:
    """Up to three moments, best hour first (the capacity's preferences)."""
    chosen: list[datetime] = []
    taken: set[datetime] = set()
    for _ in range(3):
        moment = best_moment(windows, zone, p_hours, taken=lambda hour: hour in taken)
        if moment is None:
            break
        chosen.append(moment)
        local = moment.astimezone(ZoneInfo(zone))
        taken.add(
            moment
            - timedelta(minutes=local.minute, seconds=local.second, microseconds=local.microsecond)
        )
    return chosen


def _allocate_calls(
    calls: list[tuple[PlanRow, tuple[tuple[datetime, datetime], ...], list[datetime]]],
    day: date,
    pools: Mapping[str, tuple[str, dict[datetime, int]]],
) -> None:
    """Calls within each team's staffed hours and capacity; the rest: capacity exhausted."""
    by_pool: dict[str, list[capacity_rules.CallCandidate]] = defaultdict(list)
    row_of: dict[int, PlanRow] = {}
    for row, windows, ranked in calls:
        row_of[row.account_id] = row
        by_pool[row.client].append(
            capacity_rules.CallCandidate(row.account_id, row.priority, windows, tuple(ranked))
        )
    for client, candidates in by_pool.items():
        team, slots = pools.get(client, ("", {}))
        moments = capacity_rules.allocate(candidates, slots)
        for key, moment in moments.items():
            row = row_of[int(key)]
            if moment is None:
                row.reason = "capacity_exhausted"
                row.detail = (
                    f"team {team}'s staffed calls for {day} are all planned"
                    if team
                    else "no team serves this client: no agent to take the call"
                )
                row.planned_at = None
                continue
            row.planned_at = moment
            row.campaign = f"{client}-{row.strategy}"
            _planned(row)


def account_paths(
    account_ids: Sequence[int], day: date
) -> dict[int, tuple[Assignment, PathSpec, Position | None]]:
    """Each open account's segment, strategy and stored position (None: not on that path yet),
    as the plan of ``day`` sees them (results posted back move accounts along these paths)."""
    features = features_frame(day=day, account_ids=account_ids)
    definitions = definitions_load()
    segments = segment_assign(features, definitions.segments)
    positions = _positions(features.get_column("account_id").to_list())
    found: dict[int, tuple[Assignment, PathSpec, Position | None]] = {}
    for account_id, segment in zip(
        features.get_column("account_id").to_list(), segments, strict=True
    ):
        assignment = definitions.assign(account_id, segment)
        if assignment is None:
            continue
        path = definitions.paths[assignment.strategy]
        stored = positions.get(account_id)
        position = stored[1] if stored is not None and stored[0] == path.key else None
        found[account_id] = (assignment, path, position)
    return found
