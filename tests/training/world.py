"""Shared helpers of the practice floor's tests: worlds at a chosen moment and a turn runner."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

from solvent.training.domain.practice import Line, Turn, practice_act
from solvent.training.domain.scenarios import SCENARIO_BY_KEY
from solvent.training.domain.simulated_debtor import world_create
from solvent.training.domain.state import LedgerEntry, World

SEED = 4242


def world_of(scenario: str, seed: int = SEED) -> World:
    return world_create(scenario=SCENARIO_BY_KEY[scenario], seed=seed)


def at_local(world: World, hour: int, minute: int = 0) -> World:
    """The same world with its clock at ``hour:minute`` on its day, in the debtor's zone."""
    zone = ZoneInfo(world.debtor.zone)
    day = world.clock.astimezone(zone).date()
    local = datetime.combine(day, time(hour, minute), tzinfo=zone)
    return replace(world, clock=local.astimezone(ZoneInfo("UTC")))


def with_prior_calls(world: World, count: int) -> World:
    """``count`` unanswered calls over the six days before the clock (no other history)."""
    span = 6 * 24 * 60  # minutes
    step = span // max(count, 1)
    ledger = tuple(
        LedgerEntry(at=world.clock - _minutes(span - step * index), outcome="no_answer", prior=True)
        for index in range(count)
    )
    return replace(world, ledger=ledger)


def _minutes(value: int):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    return timedelta(minutes=value)


def play(
    world: World, *steps: str | tuple[str, dict[str, object]]
) -> tuple[World, list[Line], list[Turn]]:
    """Run the steps (an action, or an action with its arguments); every turn and line kept."""
    lines: list[Line] = []
    turns: list[Turn] = []
    for step in steps:
        action, arguments = (step, {}) if isinstance(step, str) else step
        turn = practice_act(world, action, **arguments)  # type: ignore[arg-type]
        turns.append(turn)
        lines += turn.lines
        world = turn.world
    return world, lines, turns


GOOD_CALL: tuple[str | tuple[str, dict[str, object]], ...] = (
    "dial",
    "verify_identity",
    "give_disclosure",
    "state_balance",
    "take_promise",
    ("end_call", {"disposition": "promise_to_pay"}),
)
