"""Treatment paths: ordered steps with a channel, a template and a wait, and rules that bend them.

An account's ``Position`` on its path is stored by the services; ``due_step`` says what the path
wants today and ``position_after`` moves the position once a step is done. Both are pure: the
account's facts (a features row) and ``today`` come in as arguments.

The order of the checks in ``due_step``:

1. Built-in pauses, in this order: ``on_hold``, ``dispute_open``, ``promise_active``,
   ``plan_active``. They plan nothing.
2. The path's rules, in order. Any "pause" rule that holds pauses the account (the first one's
   reason is given, and its ``target`` queue, if any, is asked for once). Otherwise the first "jump"
   rule that holds and whose target step is not done makes that step due today, and the first
   "queue" rule that holds and was not asked for yet asks for a work-queue item (reason "queued";
   a step may be due as well). A queue is asked for once per account and kind: the services record
   it with ``position_queued`` when they create the item.
3. The step at ``Position.step_index``: due ``wait_days`` after the previous action (after the path
   entry for the first step); a step that repeats is due again ``repeat_every_days`` after it was
   last done, up to ``max_repeats`` more times. Past the last step the path is "finished".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Literal, cast

from solvent.strategy.domain.segments import (
    Condition,
    SegmentError,
    condition_parse,
    conditions_hold,
    conditions_to_json,
)

Objective = Literal["recovery", "cost_to_collect", "retention", "complaint_rate"]
RuleKind = Literal["jump", "pause", "queue"]
OBJECTIVES: tuple[str, ...] = ("recovery", "cost_to_collect", "retention", "complaint_rate")
RULE_KINDS: tuple[str, ...] = ("jump", "pause", "queue")
_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
# The built-in pauses, checked in this order: (reason code, the facts flag that pauses).
BUILT_IN_PAUSES: tuple[tuple[str, str], ...] = (
    ("on_hold", "on_hold"),
    ("dispute_open", "open_dispute"),
    ("promise_active", "active_promise"),
    ("plan_active", "active_plan"),
)
PAUSE_CODES: tuple[str, ...] = (*(code for code, _ in BUILT_IN_PAUSES), "rule_pause")
_QUEUE_MARK = "queue:"


class Action(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    CALL = "call"
    LETTER = "letter"
    QUEUE = "queue"  # an item in an agents' work queue (legal review, hardship referral...)
    PAUSE = "pause"  # a step that sends nothing: the path waits, then moves on


MESSAGE_ACTIONS = frozenset({Action.SMS, Action.EMAIL, Action.LETTER})


@dataclass(frozen=True)
class Step:
    key: str
    action: Action
    template: str = ""
    queue: str = ""
    wait_days: int = 0
    repeat_every_days: int | None = None
    max_repeats: int = 0
    label: str = ""


@dataclass(frozen=True)
class PathRule:
    """``when`` all conditions hold on the facts: "jump" to step ``target``, "pause" (``target``: a
    queue kind to refer to, optional) or "queue" a work item of kind ``target``."""

    when: tuple[Condition, ...]
    then: RuleKind
    target: str = ""
    reason: str = ""


@dataclass(frozen=True)
class PathSpec:
    key: str
    name: str
    objective: Objective
    steps: tuple[Step, ...]
    rules: tuple[PathRule, ...]

    def step_index(self, key: str) -> int:
        for index, step in enumerate(self.steps):
            if step.key == key:
                return index
        raise KeyError(key)


@dataclass(frozen=True)
class Position:
    """Where an account stands: the next step's index, the dates that time it, what is done.

    ``repeats`` counts how often the step at ``step_index`` was done already (0: not yet).
    ``done`` holds the keys of the steps done, and ``"queue:<kind>"`` for queue items asked for.
    """

    step_index: int
    entered_on: date
    last_action_on: date | None
    done: frozenset[str]
    repeats: int
    paused_reason: str = ""


@dataclass(frozen=True)
class StepDue:
    """What the path wants today. ``reason_code``: "due", "waiting", "finished", "queued", or a
    pause ("on_hold", "dispute_open", "promise_active", "plan_active", "rule_pause")."""

    step: Step | None
    reason_code: str
    detail: str
    queue: str = ""
    next_due_on: date | None = None


class PathError(ValueError):
    """A path that cannot be used; the message names the step or rule ("step 3 (call_1): ...")."""

    def __init__(self, message: str, *, step: str | None = None, rule: int | None = None):
        super().__init__(message)
        self.step = step
        self.rule = rule


def position_start(today: date) -> Position:
    """The position of an account that enters its path today."""
    return Position(0, today, None, frozenset(), 0)


def position_queued(position: Position, kind: str) -> Position:
    """The position once a work-queue item of ``kind`` was created (asked for no more)."""
    return replace(position, done=position.done | {_QUEUE_MARK + kind})


def _flag(facts: Mapping[str, object], name: str) -> bool:
    return facts.get(name) is True


def _queue_asked(position: Position, kind: str) -> bool:
    return _QUEUE_MARK + kind in position.done


def _step_timing(step: Step, position: Position, today: date) -> StepDue:
    base = position.last_action_on or position.entered_on
    if position.repeats == 0:
        due_on = base + timedelta(days=step.wait_days)
    else:
        # A repeating step stays current only while it may repeat (position_after moves on).
        due_on = base + timedelta(days=step.repeat_every_days or 1)
    if due_on <= today:
        return StepDue(step, "due", f"step {step.key} is due")
    return StepDue(None, "waiting", f"step {step.key} is due on {due_on}", next_due_on=due_on)


def due_step(
    path: PathSpec, position: Position | None, facts: Mapping[str, object], today: date
) -> StepDue:
    """What the path wants of this account today (see the module docstring for the order).

    None means the account enters the path today. Store ``position_start(today)`` when an account
    enters a path (or changes path): a first step with a wait is timed from that entry date.
    """
    position = position or position_start(today)
    for code, flag in BUILT_IN_PAUSES:
        if _flag(facts, flag):
            detail = code.replace("_", " ")
            if code == "on_hold" and facts.get("hold_kind"):
                detail = f"on hold ({facts['hold_kind']})"
            return StepDue(None, code, detail)
    fired = [rule for rule in path.rules if conditions_hold(rule.when, facts)]
    for rule in fired:
        if rule.then == "pause":
            queue = rule.target if rule.target and not _queue_asked(position, rule.target) else ""
            return StepDue(None, "rule_pause", rule.reason or "paused by a path rule", queue=queue)
    queue_rule = next(
        (r for r in fired if r.then == "queue" and not _queue_asked(position, r.target)), None
    )
    jump = next((r for r in fired if r.then == "jump" and r.target not in position.done), None)
    if jump is not None:
        step = path.steps[path.step_index(jump.target)]
        due = StepDue(step, "due", jump.reason or f"jump to step {step.key}")
    elif position.step_index >= len(path.steps):
        due = StepDue(None, "finished", "the path has no step left")
    else:
        due = _step_timing(path.steps[position.step_index], position, today)
    if queue_rule is None:
        return due
    detail = queue_rule.reason or f"queued for {queue_rule.target}"
    return replace(due, reason_code="queued", detail=detail, queue=queue_rule.target)


def position_after(path: PathSpec, position: Position | None, step: Step, today: date) -> Position:
    """The position once ``step`` was done on ``today``.

    Marks the step done and moves past it, or stays on it while it may repeat. A step done out of
    turn (a jump target) moves the position past it when it lies ahead, and leaves the position
    where it was when it lies behind. Doing a step again on the day it was done changes nothing.
    """
    position = position or position_start(today)
    if step.key in position.done and position.last_action_on == today:
        return position
    index = path.step_index(step.key)
    done = position.done | {step.key}
    if index < position.step_index:
        return replace(position, last_action_on=today, done=done, paused_reason="")
    times_done = (position.repeats if index == position.step_index else 0) + 1
    may_repeat = step.repeat_every_days is not None and times_done - 1 < step.max_repeats
    return Position(
        step_index=index if may_repeat else index + 1,
        entered_on=position.entered_on,
        last_action_on=today,
        done=done,
        repeats=times_done if may_repeat else 0,
    )


def _step_fail(number: int, key: object, problem: str) -> PathError:
    return PathError(f"step {number} ({key}): {problem}", step=str(key))


def _whole(raw: Mapping[str, Any], name: str, default: int | None, fail: Any) -> int | None:
    value = raw.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(f"{name} must be a whole number")
    return value


def _step_parse(raw: Mapping[str, Any], number: int) -> Step:
    if not isinstance(raw, Mapping):
        raise PathError(f"step {number}: not a step: {raw!r}")
    key = raw.get("key")

    def fail(problem: str) -> PathError:
        return _step_fail(number, key, problem)

    if not isinstance(key, str) or not _KEY_PATTERN.match(key):
        raise fail("key must be 1-60 lower-case letters, digits, '_' or '-'")
    try:
        action = Action(str(raw.get("action")))
    except ValueError:
        raise fail(f"unknown action {raw.get('action')!r}") from None
    template = str(raw.get("template") or "")
    queue = str(raw.get("queue") or "")
    if action in MESSAGE_ACTIONS and not template:
        raise fail(f"a template is required for {action.value}")
    if action is Action.QUEUE and not queue:
        raise fail("a queue is required for a queue step")
    wait_days = cast(int, _whole(raw, "wait_days", 0, fail))
    repeat_every = _whole(raw, "repeat_every_days", None, fail)
    max_repeats = cast(int, _whole(raw, "max_repeats", 0, fail))
    if wait_days < 0:
        raise fail("wait_days must be >= 0")
    if repeat_every is not None and repeat_every < 1:
        raise fail("repeat_every_days must be >= 1")
    if max_repeats < 0:
        raise fail("max_repeats must be >= 0")
    if max_repeats > 0 and repeat_every is None:
        raise fail("max_repeats needs repeat_every_days")
    label = str(raw.get("label") or "")
    return Step(key, action, template, queue, wait_days, repeat_every, max_repeats, label)


def _rule_parse(raw: Mapping[str, Any], number: int, step_keys: Sequence[str]) -> PathRule:
    def fail(problem: str) -> PathError:
        return PathError(f"rule {number}: {problem}", rule=number - 1)

    if not isinstance(raw, Mapping):
        raise fail(f"not a rule: {raw!r}")
    when = raw.get("when", ())
    if not isinstance(when, list | tuple):
        raise fail("when must be a list of conditions")
    then = raw.get("then")
    if then not in RULE_KINDS:
        raise fail(f"unknown kind {then!r} (use jump, pause or queue)")
    target = str(raw.get("target") or "")
    if then == "jump" and target not in step_keys:
        raise fail(f"unknown jump target {target!r}")
    if then == "queue" and not target:
        raise fail("a queue rule needs a target queue kind")
    try:
        when = tuple(condition_parse(condition, index) for index, condition in enumerate(when))
    except SegmentError as error:
        raise fail(str(error)) from None
    return PathRule(when, cast(RuleKind, then), target, str(raw.get("reason") or ""))


def path_parse(raw: Mapping[str, Any]) -> PathSpec:
    """A checked path from data (a form's, JSON's or ``defaults``'); raises ``PathError``."""
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY_PATTERN.match(key):
        raise PathError(f"path key {key!r}: use 1-60 lower-case letters, digits, '_' or '-'")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PathError("path name is required")
    objective = raw.get("objective")
    if objective not in OBJECTIVES:
        raise PathError(f"unknown objective {objective!r} (use {', '.join(OBJECTIVES)})")
    for part in ("steps", "rules"):
        if not isinstance(raw.get(part, []), list | tuple):
            raise PathError(f"path {part} must be a list")
    steps: list[Step] = []
    for number, raw_step in enumerate(raw.get("steps", ()), start=1):
        step = _step_parse(raw_step, number)
        if any(step.key == seen.key for seen in steps):
            raise _step_fail(number, step.key, f"duplicate step key {step.key!r}")
        steps.append(step)
    keys = [step.key for step in steps]
    rules = tuple(
        _rule_parse(raw_rule, number, keys)
        for number, raw_rule in enumerate(raw.get("rules", ()), start=1)
    )
    return PathSpec(key, name.strip(), cast(Objective, objective), tuple(steps), rules)


def _step_to_json(step: Step) -> dict[str, Any]:
    return {
        "key": step.key,
        "action": step.action.value,
        "template": step.template,
        "queue": step.queue,
        "wait_days": step.wait_days,
        "repeat_every_days": step.repeat_every_days,
        "max_repeats": step.max_repeats,
        "label": step.label,
    }


def path_to_json(path: PathSpec) -> dict[str, Any]:
    """The path as JSON-ready data that ``path_parse`` reads back to an equal ``PathSpec``."""
    return {
        "key": path.key,
        "name": path.name,
        "objective": path.objective,
        "steps": [_step_to_json(step) for step in path.steps],
        "rules": [
            {
                "when": conditions_to_json(rule.when),
                "then": rule.then,
                "target": rule.target,
                "reason": rule.reason,
            }
            for rule in path.rules
        ],
    }
