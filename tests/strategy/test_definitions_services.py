"""The strategy's definition services: segments, strategies, experiments, capacity and defaults.

Each runs in one transaction with one audit entry, checks its content with ``strategy.domain``,
bumps versions and refuses a stale edit. Runs on SQLite and on PostgreSQL (make test-postgres).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from solvent.audit.models import AuditEntry
from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.models import Team
from solvent.strategy.domain.defaults import DEFAULT_PATHS, DEFAULT_SEGMENTS, EARLY
from solvent.strategy.models import Experiment, Segment, Strategy, TeamCapacity
from solvent.strategy.services.definitions import (
    DefinitionError,
    experiment_promote,
    experiment_start,
    experiment_stop,
    segment_save,
    strategy_defaults_install,
    strategy_save,
    team_capacity_save,
)
from tests.strategy.definitions_world import NOON, StrategyWorld, world_build

pytestmark = pytest.mark.django_db

BIG_BALANCES = [{"field": "balance", "op": "ge", "value": "1000"}]


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def world() -> StrategyWorld:
    return world_build()


def _audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=f"strategy.{action}").order_by("pk"))


def _arms(challenger: str = "middle", percent: int = 20) -> list[dict[str, Any]]:
    return [
        {"arm": "champion", "strategy": "early", "percent": 100 - percent},
        {"arm": "challenger", "strategy": challenger, "percent": percent},
    ]


# --- defaults ------------------------------------------------------------------------------------


def test_the_defaults_install_every_path_and_segment_once_and_again_install_nothing() -> None:
    first = strategy_defaults_install()
    second = strategy_defaults_install()
    assert set(first.strategies) == {raw["key"] for raw in DEFAULT_PATHS}
    assert set(first.segments) == {raw["key"] for raw in DEFAULT_SEGMENTS}
    assert second.strategies == () and second.segments == ()
    assert Strategy.objects.count() == len(DEFAULT_PATHS)
    assert Segment.objects.get(key="early").strategy.key == "early"
    entries = _audit("strategy_saved")
    assert len(entries) == len(DEFAULT_PATHS)
    assert entries[0].actor_id is None and entries[0].system == "strategy_defaults_install"


def test_the_defaults_leave_a_managers_edit_alone(world: StrategyWorld) -> None:
    manager = world.users["manager"].pk
    segment_save(
        key="early",
        name="Early, edited",
        conditions=BIG_BALANCES,
        priority=10,
        strategy_key="middle",
        actor_id=manager,
    )
    strategy_defaults_install()
    segment = Segment.objects.get(key="early")
    assert (segment.name, segment.strategy.key, segment.version) == ("Early, edited", "middle", 2)


# --- segments ------------------------------------------------------------------------------------


def test_a_new_segment_is_version_1_and_each_save_bumps_it_with_an_audit_entry(
    world: StrategyWorld,
) -> None:
    manager = world.users["manager"].pk
    segment = segment_save(
        key="big-balances",
        name="Big balances",
        conditions=BIG_BALANCES,
        priority=5,
        strategy_key="late",
        client_code="acme",
        actor_id=manager,
    )
    assert (segment.version, segment.client, segment.strategy.key) == (1, world.acme, "late")
    assert segment.conditions == [{"field": "balance", "op": "ge", "value": "1000"}]
    again = segment_save(
        key="big-balances",
        name="Big balances",
        conditions=[*BIG_BALANCES, {"field": "days_past_due", "op": "between", "value": [1, 30]}],
        priority=5,
        strategy_key="early",
        actor_id=manager,
        version=1,
    )
    assert (again.pk, again.version, again.client, again.strategy.key) == (
        segment.pk,
        2,
        None,
        "early",
    )
    entries = [e for e in _audit("segment_saved") if e.data["key"] == "big-balances"]
    assert [e.data["version"] for e in entries] == [1, 2]
    assert entries[-1].actor_id == manager and entries[-1].data["strategy"] == "early"


def test_a_segment_saved_from_a_stale_version_is_refused_and_nothing_changes(
    world: StrategyWorld,
) -> None:
    manager = world.users["manager"].pk
    arguments: dict[str, Any] = {
        "key": "early",
        "name": "Early stage",
        "conditions": BIG_BALANCES,
        "priority": 10,
        "strategy_key": "early",
        "actor_id": manager,
    }
    segment_save(**arguments, version=1)
    with pytest.raises(DefinitionError) as refused:
        segment_save(**{**arguments, "name": "Mine"}, version=1)
    assert refused.value.code == "version_conflict"
    assert Segment.objects.get(key="early").name == "Early stage"


def test_a_bad_condition_is_refused_naming_it_and_nothing_is_written(
    world: StrategyWorld,
) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(DefinitionError) as refused:
        segment_save(
            key="odd",
            name="Odd",
            conditions=[*BIG_BALANCES, {"field": "balance", "op": "lt", "value": "abc"}],
            priority=1,
            strategy_key="early",
            actor_id=world.users["manager"].pk,
        )
    assert "condition 2 (balance)" in refused.value.message
    assert (refused.value.index, refused.value.field) == (1, "balance")
    assert not Segment.objects.filter(key="odd").exists()
    assert AuditEntry.objects.count() == before


def test_a_segment_naming_an_unknown_strategy_or_client_is_not_found(world: StrategyWorld) -> None:
    arguments: dict[str, Any] = {
        "key": "x",
        "name": "X",
        "conditions": [],
        "priority": 1,
        "actor_id": world.users["manager"].pk,
    }
    with pytest.raises(NotFoundError, match="strategy 'nope'"):
        segment_save(**arguments, strategy_key="nope")
    with pytest.raises(NotFoundError, match="client 'nope'"):
        segment_save(**arguments, strategy_key="early", client_code="nope")


# --- strategies ----------------------------------------------------------------------------------


def test_a_strategy_is_stored_as_the_path_the_domain_reads_back_and_versioned(
    world: StrategyWorld,
) -> None:
    manager = world.users["manager"].pk
    definition = {"steps": EARLY["steps"][:2], "rules": []}
    strategy = strategy_save(
        key="texts-first",
        name="Texts first",
        objective="cost_to_collect",
        definition=definition,
        actor_id=manager,
    )
    assert strategy.version == 1
    assert [step["key"] for step in strategy.definition["steps"]] == [
        step["key"] for step in EARLY["steps"][:2]
    ]
    assert strategy.definition["key"] == "texts-first"
    changed = strategy_save(
        key="texts-first",
        name="Texts first",
        objective="recovery",
        definition=definition,
        actor_id=manager,
        version=1,
    )
    assert (changed.version, changed.objective) == (2, "recovery")
    assert [e.data["version"] for e in _audit("strategy_saved") if e.object_id == str(strategy.pk)]


@pytest.mark.parametrize(
    ("definition", "words"),
    [
        ({"steps": [{"key": "s", "action": "sms"}]}, "step 1 (s): a template is required"),
        ({"steps": "call"}, "steps: a list of JSON objects"),
        ({"steps": [], "rules": [{"then": "jump", "target": "nowhere"}]}, "unknown jump target"),
        ({"steps": [], "rules": [{"then": "pause", "when": "x"}]}, "rule 1: when is a list"),
        (["not", "an", "object"], "the path is a JSON object"),
    ],
)
def test_a_path_that_does_not_parse_is_refused_with_the_domains_words(
    world: StrategyWorld, definition: Any, words: str
) -> None:
    with pytest.raises(DefinitionError) as refused:
        strategy_save(
            key="broken",
            name="Broken",
            objective="recovery",
            definition=definition,
            actor_id=world.users["manager"].pk,
        )
    assert words in refused.value.message
    assert not Strategy.objects.filter(key="broken").exists()


# --- experiments ---------------------------------------------------------------------------------


def test_an_experiment_starts_on_a_segment_with_arms_adding_up_to_100(
    world: StrategyWorld,
) -> None:
    experiment = experiment_start(
        key="early-vs-middle",
        name="Call sooner",
        segment_key="early",
        arms=_arms(),
        actor_id=world.users["manager"].pk,
    )
    assert experiment.status == Experiment.Status.RUNNING
    assert experiment.started_on == NOON.date()
    assert [arm["percent"] for arm in experiment.arms] == [80, 20]
    (entry,) = _audit("experiment_started")
    assert entry.data["segment"] == "early" and entry.actor_id == world.users["manager"].pk


@pytest.mark.parametrize(
    ("arms", "words"),
    [
        ([{"arm": "champion", "strategy": "early", "percent": 90}], "at least one challenger"),
        (
            [
                {"arm": "champion", "strategy": "early", "percent": 50},
                {"arm": "challenger", "strategy": "middle", "percent": 40},
            ],
            "add up to 90, not 100",
        ),
        (
            [
                {"arm": "a", "strategy": "early", "percent": 50},
                {"arm": "a", "strategy": "middle", "percent": 50},
            ],
            "its own name",
        ),
        (
            [
                {"arm": "champion", "strategy": "early", "percent": 50},
                {"arm": "challenger", "strategy": "nope", "percent": 50},
            ],
            "arm 2 (challenger): strategy 'nope' not found",
        ),
        (
            [
                {"arm": "Champion!", "strategy": "early", "percent": 50},
                {"arm": "challenger", "strategy": "middle", "percent": 50},
            ],
            "arm 1: name it",
        ),
    ],
)
def test_an_experiment_with_bad_arms_is_refused_naming_the_arm(
    world: StrategyWorld, arms: list[dict[str, Any]], words: str
) -> None:
    with pytest.raises(DefinitionError, match=words.replace("(", r"\(").replace(")", r"\)")):
        experiment_start(
            key="bad", name="Bad", segment_key="early", arms=arms, actor_id=world.users["admin"].pk
        )
    assert not Experiment.objects.exists()


def test_a_segment_runs_one_experiment_at_a_time(world: StrategyWorld) -> None:
    actor = world.users["manager"].pk
    experiment_start(key="one", name="One", segment_key="early", arms=_arms(), actor_id=actor)
    with pytest.raises(DefinitionError) as refused:
        experiment_start(key="two", name="Two", segment_key="early", arms=_arms(), actor_id=actor)
    assert refused.value.code == "experiment_running"
    experiment_stop(key="one", actor_id=actor)
    experiment_start(key="two", name="Two", segment_key="early", arms=_arms(), actor_id=actor)
    assert Segment.objects.get(key="early").strategy.key == "early"  # a stop changes nothing


def test_promoting_an_arm_gives_the_segment_its_strategy_and_ends_the_experiment_in_one_step(
    world: StrategyWorld,
) -> None:
    actor = world.users["manager"].pk
    experiment_start(key="one", name="One", segment_key="early", arms=_arms(), actor_id=actor)
    promoted = experiment_promote(key="one", arm="challenger", actor_id=actor)
    segment = Segment.objects.get(key="early")
    assert (segment.strategy.key, segment.version) == ("middle", 2)
    assert (promoted.status, promoted.promoted_arm, promoted.ended_on) == (
        Experiment.Status.PROMOTED,
        "challenger",
        NOON.date(),
    )
    (entry,) = _audit("experiment_promoted")
    assert entry.data["previous_strategy"] == "early" and entry.data["strategy"] == "middle"
    with pytest.raises(DefinitionError) as again:
        experiment_promote(key="one", arm="champion", actor_id=actor)
    assert again.value.code == "experiment_ended"
    assert Segment.objects.get(key="early").strategy.key == "middle"


def test_promoting_an_arm_the_experiment_does_not_have_is_refused(world: StrategyWorld) -> None:
    actor = world.users["manager"].pk
    experiment_start(key="one", name="One", segment_key="early", arms=_arms(), actor_id=actor)
    with pytest.raises(DefinitionError, match="no arm 'third'"):
        experiment_promote(key="one", arm="third", actor_id=actor)
    with pytest.raises(NotFoundError):
        experiment_promote(key="missing", arm="champion", actor_id=actor)
    assert Experiment.objects.get(key="one").status == Experiment.Status.RUNNING


# --- capacity ------------------------------------------------------------------------------------


def test_a_teams_capacity_is_saved_once_per_team_with_its_calls_a_day(world: StrategyWorld) -> None:
    team = Team.objects.get(name="acme floor")
    arguments: dict[str, Any] = {
        "team_id": team.pk,
        "agents": 12,
        "start_hour": 9,
        "end_hour": 17,
        "calls_per_hour": 10,
        "time_zone": "America/Chicago",
        "actor_id": world.users["manager"].pk,
    }
    team_capacity_save(**arguments)
    team_capacity_save(**{**arguments, "agents": 14})
    capacity = TeamCapacity.objects.get(team=team)
    assert (capacity.agents, capacity.time_zone) == (14, "America/Chicago")
    assert [e.data["calls_a_day"] for e in _audit("team_capacity_saved")] == [960, 1120]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start_hour": 18, "end_hour": 9}, "start_hour"),
        ({"calls_per_hour": 0}, "calls_per_hour"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"agents": -1}, "agents"),
    ],
)
def test_an_impossible_capacity_is_refused_naming_the_field(
    world: StrategyWorld, change: dict[str, Any], field: str
) -> None:
    team = Team.objects.get(name="acme floor")
    arguments: dict[str, Any] = {
        "team_id": team.pk,
        "agents": 12,
        "start_hour": 9,
        "end_hour": 17,
        "calls_per_hour": 10,
        "time_zone": "America/Chicago",
        "actor_id": None,
    }
    with pytest.raises(DefinitionError) as refused:
        team_capacity_save(**{**arguments, **change})
    assert refused.value.field == field
    assert not TeamCapacity.objects.exists()
