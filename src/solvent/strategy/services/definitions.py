"""Writes of the strategy's definitions: segments, strategies (paths), experiments, team capacity.

Each service is keyword-only, runs in one transaction and leaves one audit entry. Definitions are
checked by ``strategy.domain`` (``segment_parse``, ``path_parse``) and stored as the normalised JSON
the domain writes back, so what the plan reads is what was checked. Each save bumps ``version``; a
caller that passes the ``version`` it edited is refused when someone saved in between (two managers
editing one segment do not silently overwrite each other).

Who may is the caller's to check (``selectors.definitions.strategy_role_require``, and that the user
sees a segment's client): services take the acting person's id, not a user.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction

from solvent.audit.services import audit_record, audit_system
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portfolio.models import Client, Team
from solvent.strategy.domain.defaults import DEFAULT_PATHS, DEFAULT_SEGMENTS
from solvent.strategy.domain.experiments import arm_for
from solvent.strategy.domain.paths import PathError, path_parse, path_to_json
from solvent.strategy.domain.segments import SegmentError, segment_parse, segment_to_json
from solvent.strategy.models import Experiment, Segment, Strategy, TeamCapacity

_Row = TypeVar("_Row")
_ARM_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


class DefinitionError(ValidationError):
    """A definition refused: ``field`` is what to change, ``index`` the condition or step (0-based)."""

    def __init__(
        self, message: str, *, field: str | None = None, index: int | None = None, code: str = ""
    ) -> None:
        super().__init__(message, code=code or "invalid_definition")
        self.field = field
        self.index = index
        self.errors = [{"field": field, "index": index, "message": message}]


def _audit(action: str, row: Any, data: dict[str, Any], actor_id: int | None) -> None:
    audit_record(
        action=f"strategy.{action}",
        object_type=f"strategy.{type(row).__name__}",
        object_id=row.pk,
        data=data,
        actor_id=actor_id,
    )


def _version_check(kind: str, key: str, current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise DefinitionError(
            f"{kind} '{key}' was saved by someone else (version {current}, you edited "
            f"version {expected}): reload it and make your change again",
            field="version",
            code="version_conflict",
        )


def _created_once(create: Callable[[], _Row], kind: str, key: str) -> _Row:
    """The row, or a conflict when another request created the same key at the same moment."""
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        raise DefinitionError(
            f"{kind} '{key}' was just created by someone else: reload it",
            field="key",
            code="version_conflict",
        ) from None


# --- segments ------------------------------------------------------------------------------------


def segment_save(
    *,
    key: str,
    name: str,
    conditions: Sequence[Mapping[str, Any]],
    priority: int,
    strategy_key: str,
    client_code: str | None = None,
    active: bool = True,
    actor_id: int | None,
    version: int | None = None,
) -> Segment:
    """Create or change a segment; its conditions must parse (the error names the condition)."""
    try:
        spec = segment_parse(key, name, conditions, priority)
    except SegmentError as error:
        raise DefinitionError(str(error), field=error.field, index=error.index) from None
    stored = segment_to_json(spec)["conditions"]
    now = clock.now()
    with transaction.atomic():
        strategy = Strategy.objects.filter(key=strategy_key).first()
        if strategy is None:
            raise NotFoundError(f"strategy '{strategy_key}' not found")
        client = None
        if client_code:
            client = Client.objects.filter(code=client_code).first()
            if client is None:
                raise NotFoundError(f"client '{client_code}' not found")
        segment = Segment.objects.select_for_update().filter(key=spec.key).first()
        fields = {
            "name": spec.name,
            "conditions": stored,
            "priority": spec.priority,
            "strategy": strategy,
            "client": client,
            "active": active,
        }
        if segment is None:
            _version_check("segment", spec.key, 0, version if version else None)
            segment = _created_once(
                lambda: Segment.objects.create(
                    key=spec.key, version=1, created_at=now, updated_at=now, **fields
                ),
                "segment",
                spec.key,
            )
        else:
            _version_check("segment", spec.key, segment.version, version)
            for attribute, value in fields.items():
                setattr(segment, attribute, value)
            segment.version += 1
            segment.updated_at = now
            segment.save()
        _audit(
            "segment_saved",
            segment,
            {
                "key": segment.key,
                "version": segment.version,
                "conditions": stored,
                "priority": segment.priority,
                "strategy": strategy.key,
                "client": client_code or None,
                "active": active,
            },
            actor_id,
        )
    return segment


# --- strategies ----------------------------------------------------------------------------------


def path_shape_check(definition: object) -> None:
    """The JSON's outline (an object with lists of objects) before the domain reads its content."""
    if not isinstance(definition, Mapping):
        raise DefinitionError("the path is a JSON object with steps and rules", field="definition")
    for part in ("steps", "rules"):
        items = definition.get(part, [])
        if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
            raise DefinitionError(f"{part}: a list of JSON objects", field="definition")
    for number, rule in enumerate(definition.get("rules", []), start=1):
        when = rule.get("when", [])
        if not isinstance(when, list) or not all(isinstance(item, Mapping) for item in when):
            raise DefinitionError(
                f"rule {number}: when is a list of conditions (objects)", field="definition"
            )


def strategy_save(
    *,
    key: str,
    name: str,
    objective: str,
    definition: Mapping[str, Any],
    actor_id: int | None,
    version: int | None = None,
) -> Strategy:
    """Create or change a strategy: its path (steps and rules) must parse, its objective be known.

    ``definition`` is the path as ``domain.paths.path_parse`` reads it; its key, name and objective
    are this strategy's (the arguments win over any in the JSON).
    """
    if objective not in Strategy.Objective.values:
        allowed = ", ".join(Strategy.Objective.values)
        raise DefinitionError(f"objective {objective!r}: use one of {allowed}", field="objective")
    path_shape_check(definition)
    raw = {**definition, "key": key, "name": name, "objective": objective}
    try:
        spec = path_parse(raw)
    except PathError as error:
        raise DefinitionError(str(error), field="definition") from None
    stored = path_to_json(spec)
    now = clock.now()
    with transaction.atomic():
        strategy = Strategy.objects.select_for_update().filter(key=spec.key).first()
        if strategy is None:
            _version_check("strategy", spec.key, 0, version if version else None)
            strategy = _created_once(
                lambda: Strategy.objects.create(
                    key=spec.key,
                    name=spec.name,
                    objective=objective,
                    definition=stored,
                    version=1,
                    created_at=now,
                    updated_at=now,
                ),
                "strategy",
                spec.key,
            )
        else:
            _version_check("strategy", spec.key, strategy.version, version)
            strategy.name = spec.name
            strategy.objective = objective
            strategy.definition = stored
            strategy.version += 1
            strategy.updated_at = now
            strategy.save()
        _audit(
            "strategy_saved",
            strategy,
            {"key": strategy.key, "version": strategy.version, "objective": objective},
            actor_id,
        )
    return strategy


# --- experiments ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArmIn:
    arm: str
    strategy: str
    percent: int


def _arms_parse(arms: Sequence[Mapping[str, Any]]) -> list[ArmIn]:
    parsed: list[ArmIn] = []
    for index, raw in enumerate(arms):
        arm, strategy, percent = raw.get("arm"), raw.get("strategy"), raw.get("percent")
        where = f"arm {index + 1}"
        if not isinstance(arm, str) or not _ARM_PATTERN.match(arm):
            raise DefinitionError(
                f"{where}: name it with 1-40 lower-case letters, digits, '_' or '-'",
                field="arms",
                index=index,
            )
        if not isinstance(strategy, str) or not strategy:
            raise DefinitionError(f"{where} ({arm}): choose a strategy", field="arms", index=index)
        if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 99:
            raise DefinitionError(
                f"{where} ({arm}): the percent is a whole number from 1 to 99",
                field="arms",
                index=index,
            )
        parsed.append(ArmIn(arm, strategy, percent))
    if len(parsed) < 2:
        raise DefinitionError(
            "an experiment has a champion and at least one challenger", field="arms"
        )
    if len({arm.arm for arm in parsed}) != len(parsed):
        raise DefinitionError("each arm needs its own name", field="arms")
    total = sum(arm.percent for arm in parsed)
    if total != 100:
        raise DefinitionError(f"the percents add up to {total}, not 100", field="arms")
    arm_for(0, "check", [(arm.arm, arm.percent) for arm in parsed])  # the domain's own check
    return parsed


def experiment_start(
    *,
    key: str,
    name: str,
    segment_key: str,
    arms: Sequence[Mapping[str, Any]],
    actor_id: int | None,
) -> Experiment:
    """Start champion/challenger on a segment: ``arms`` ``[{"arm", "strategy", "percent"}]``, the
    first being the champion. Percents add up to 100; one running experiment per segment."""
    if not isinstance(key, str) or not _KEY_PATTERN.match(key):
        raise DefinitionError("key: use 1-60 lower-case letters, digits, '_' or '-'", field="key")
    if not name.strip():
        raise DefinitionError("name is required", field="name")
    parsed = _arms_parse(arms)
    with transaction.atomic():
        segment = Segment.objects.select_for_update().filter(key=segment_key).first()
        if segment is None:
            raise NotFoundError(f"segment '{segment_key}' not found")
        known = set(
            Strategy.objects.filter(key__in=[arm.strategy for arm in parsed]).values_list(
                "key", flat=True
            )
        )
        for index, arm in enumerate(parsed):
            if arm.strategy not in known:
                raise DefinitionError(
                    f"arm {index + 1} ({arm.arm}): strategy '{arm.strategy}' not found",
                    field="arms",
                    index=index,
                )
        running = segment.experiments.filter(status=Experiment.Status.RUNNING).first()
        if running is not None:
            raise DefinitionError(
                f"segment '{segment.key}' already runs experiment '{running.key}': promote or "
                "stop it first",
                field="segment",
                code="experiment_running",
            )
        if Experiment.objects.filter(key=key).exists():
            raise DefinitionError(f"experiment '{key}' exists: choose another key", field="key")
        stored = [{"arm": a.arm, "strategy": a.strategy, "percent": a.percent} for a in parsed]
        experiment = _created_once(
            lambda: Experiment.objects.create(
                key=key,
                name=name.strip(),
                segment=segment,
                arms=stored,
                started_on=clock.today(),
                created_at=clock.now(),
            ),
            "experiment",
            key,
        )
        _audit(
            "experiment_started",
            experiment,
            {"key": key, "segment": segment.key, "arms": stored},
            actor_id,
        )
    return experiment


def _running_locked(key: str) -> Experiment:
    experiment = (
        Experiment.objects.select_for_update().select_related("segment").filter(key=key).first()
    )
    if experiment is None:
        raise NotFoundError(f"experiment '{key}' not found")
    if experiment.status != Experiment.Status.RUNNING:
        raise DefinitionError(
            f"experiment '{key}' is {experiment.status}, not running", code="experiment_ended"
        )
    return experiment


def experiment_promote(*, key: str, arm: str, actor_id: int | None) -> Experiment:
    """One step: the segment's strategy becomes the arm's and the experiment ends "promoted"."""
    with transaction.atomic():
        experiment = _running_locked(key)
        chosen = next((item for item in experiment.arms if item["arm"] == arm), None)
        if chosen is None:
            names = ", ".join(item["arm"] for item in experiment.arms)
            raise DefinitionError(
                f"experiment '{key}' has no arm '{arm}' (arms: {names})", field="arm"
            )
        strategy = Strategy.objects.filter(key=chosen["strategy"]).first()
        if strategy is None:
            raise NotFoundError(f"strategy '{chosen['strategy']}' not found")
        segment = Segment.objects.select_for_update().get(pk=experiment.segment_id)
        previous = segment.strategy.key
        now = clock.now()
        segment.strategy = strategy
        segment.version += 1
        segment.updated_at = now
        segment.save(update_fields=["strategy", "version", "updated_at"])
        experiment.status = Experiment.Status.PROMOTED
        experiment.promoted_arm = arm
        experiment.ended_on = now.date()
        experiment.save(update_fields=["status", "promoted_arm", "ended_on"])
        _audit(
            "experiment_promoted",
            experiment,
            {
                "key": key,
                "arm": arm,
                "segment": segment.key,
                "strategy": strategy.key,
                "previous_strategy": previous,
                "segment_version": segment.version,
            },
            actor_id,
        )
    return experiment


def experiment_stop(*, key: str, actor_id: int | None) -> Experiment:
    """End an experiment without a change: the segment keeps its strategy."""
    with transaction.atomic():
        experiment = _running_locked(key)
        experiment.status = Experiment.Status.STOPPED
        experiment.ended_on = clock.today()
        experiment.save(update_fields=["status", "ended_on"])
        _audit("experiment_stopped", experiment, {"key": key}, actor_id)
    return experiment


# --- staffed capacity ----------------------------------------------------------------------------


def team_capacity_save(
    *,
    team_id: int,
    agents: int,
    start_hour: int,
    end_hour: int,
    calls_per_hour: int,
    time_zone: str,
    actor_id: int | None,
) -> TeamCapacity:
    """A team's staffed calls a day: agents x (end_hour - start_hour) x calls per hour, in its zone."""
    if agents < 0:
        raise DefinitionError("agents: zero or more", field="agents")
    if not 0 <= start_hour < end_hour <= 24:
        raise DefinitionError(
            "hours: the shift starts before it ends, within the day (0-24)", field="start_hour"
        )
    if not 1 <= calls_per_hour <= 200:
        raise DefinitionError("calls per hour: from 1 to 200", field="calls_per_hour")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DefinitionError(f"time zone {time_zone!r} is not known", field="time_zone") from None
    with transaction.atomic():
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise NotFoundError(f"team {team_id} not found")
        capacity, _created = TeamCapacity.objects.update_or_create(
            team=team,
            defaults={
                "agents": agents,
                "start_hour": start_hour,
                "end_hour": end_hour,
                "calls_per_hour": calls_per_hour,
                "time_zone": time_zone,
            },
        )
        _audit(
            "team_capacity_saved",
            capacity,
            {
                "team": team.name,
                "agents": agents,
                "start_hour": start_hour,
                "end_hour": end_hour,
                "calls_per_hour": calls_per_hour,
                "time_zone": time_zone,
                "calls_a_day": agents * (end_hour - start_hour) * calls_per_hour,
            },
            actor_id,
        )
    return capacity


# --- defaults ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefaultsInstalled:
    strategies: tuple[str, ...]
    segments: tuple[str, ...]


def strategy_defaults_install(*, actor_id: int | None = None) -> DefaultsInstalled:
    """Install ``domain.defaults``' strategies and segments that are missing; what exists is left
    as it is (a manager's edits survive). Running it again installs nothing."""
    made_strategies: list[str] = []
    made_segments: list[str] = []
    with transaction.atomic(), audit_system("strategy_defaults_install"):
        existing = set(Strategy.objects.values_list("key", flat=True))
        for raw in DEFAULT_PATHS:
            if raw["key"] in existing:
                continue
            strategy_save(
                key=raw["key"],
                name=raw["name"],
                objective=raw["objective"],
                definition=raw,
                actor_id=actor_id,
            )
            made_strategies.append(raw["key"])
        existing = set(Segment.objects.values_list("key", flat=True))
        for raw in DEFAULT_SEGMENTS:
            if raw["key"] in existing:
                continue
            segment_save(
                key=raw["key"],
                name=raw["name"],
                conditions=raw["conditions"],
                priority=raw["priority"],
                strategy_key=raw["path"],
                actor_id=actor_id,
            )
            made_segments.append(raw["key"])
    return DefaultsInstalled(tuple(made_strategies), tuple(made_segments))
