"""The strategy API: segments and strategies read and written, experiments started, promoted and
read; errors as the one API error shape; roles and tenancy. The access matrix covers every cell;
these check the content.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from solvent.core.services import api_token_create
from solvent.strategy.models import Experiment, Segment, Strategy
from solvent.strategy.services.definitions import segment_save
from tests.strategy.definitions_world import NOON, StrategyWorld, world_build

pytestmark = pytest.mark.django_db

ARMS = [
    {"arm": "champion", "strategy": "early", "percent": 60},
    {"arm": "challenger", "strategy": "middle", "percent": 40},
]


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def world() -> StrategyWorld:
    return world_build()


class Api:
    def __init__(self, world: StrategyWorld, who: str) -> None:
        token = api_token_create(user=world.users[who], name="test")
        self.http = HttpClient(headers={"Authorization": f"Bearer {token}"})

    def get(self, path: str) -> Any:
        return self.http.get(f"/api/strategy{path}")

    def put(self, path: str, body: object) -> Any:
        return self.http.put(
            f"/api/strategy{path}", json.dumps(body), content_type="application/json"
        )

    def post(self, path: str, body: object) -> Any:
        return self.http.post(
            f"/api/strategy{path}", json.dumps(body), content_type="application/json"
        )


def _segment_body(**fields: object) -> dict[str, object]:
    return {
        "name": "Big balances",
        "priority": 5,
        "strategy": "late",
        "conditions": [{"field": "balance", "op": "ge", "value": "1000"}],
        **fields,
    }


def test_segments_are_listed_in_the_order_the_plan_tries_them(
    world: StrategyWorld, django_assert_max_num_queries: Any
) -> None:
    api = Api(world, "supervisor")
    with django_assert_max_num_queries(8):
        response = api.get("/segments")
    assert response.status_code == 200
    body = response.json()
    assert [s["key"] for s in body] == ["hardship", "vulnerable", "early", "middle", "late"]
    early = body[2]
    assert early["description"] == "days past due between 1 and 30"
    assert (early["strategy"], early["client"], early["version"]) == ("early", None, 1)


def test_a_segments_count_is_of_the_users_clients_accounts(world: StrategyWorld) -> None:
    assert Api(world, "manager").get("/segments/early").json()["count"] == 3
    assert Api(world, "globex_manager").get("/segments/early").json()["count"] == 4
    assert Api(world, "admin").get("/segments/early").json()["count"] == 7


def test_put_creates_a_segment_then_changes_it_from_the_version_it_read(
    world: StrategyWorld,
) -> None:
    api = Api(world, "manager")
    created = api.put("/segments/big", _segment_body(client="acme"))
    assert created.status_code == 200, created.content
    assert (created.json()["version"], created.json()["client"]) == (1, "acme")
    changed = api.put("/segments/big", _segment_body(name="Bigger", version=1, client="acme"))
    assert changed.json()["version"] == 2
    stale = api.put("/segments/big", _segment_body(name="Mine", version=1, client="acme"))
    assert stale.status_code == 400
    assert stale.json()["code"] == "version_conflict"
    assert Segment.objects.get(key="big").name == "Bigger"


def test_a_bad_condition_is_a_400_naming_the_condition(world: StrategyWorld) -> None:
    conditions = [
        {"field": "balance", "op": "ge", "value": "1000"},
        {"field": "stage", "op": "eq", "value": "sometime"},
    ]
    response = Api(world, "manager").put("/segments/odd", _segment_body(conditions=conditions))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_definition"
    assert body["detail"].startswith("condition 2 (stage): 'sometime' is not one of current")
    assert body["errors"] == [{"field": "stage", "index": 1, "message": body["detail"]}]


def test_another_clients_segment_is_a_404_to_read_and_to_write(world: StrategyWorld) -> None:
    segment_save(
        key="globex-only",
        name="Globex only",
        conditions=[],
        priority=5,
        strategy_key="early",
        client_code="globex",
        actor_id=None,
    )
    api = Api(world, "manager")
    assert api.get("/segments/globex-only").status_code == 404
    assert api.put("/segments/globex-only", _segment_body()).status_code == 404
    assert "globex-only" not in [s["key"] for s in api.get("/segments").json()]
    # Naming a client the user does not serve is the same 404.
    assert api.put("/segments/mine", _segment_body(client="globex")).status_code == 404
    assert not Segment.objects.filter(key="mine").exists()


def test_a_supervisor_reads_and_may_not_write(world: StrategyWorld) -> None:
    api = Api(world, "supervisor")
    assert api.get("/strategies/early").status_code == 200
    refused = api.put("/segments/early", _segment_body())
    assert refused.status_code == 403
    assert refused.json()["code"] == "strategy_write_forbidden"
    assert Api(world, "agent").get("/segments").status_code == 403


def test_put_a_strategy_checks_its_path_and_names_the_step(world: StrategyWorld) -> None:
    api = Api(world, "admin")
    steps = [{"key": "call_1", "action": "call", "wait_days": -1}]
    body = {"name": "Calls", "objective": "recovery", "definition": {"steps": steps}}
    refused = api.put("/strategies/calls", body)
    assert refused.status_code == 400
    assert "step 1 (call_1): wait_days must be >= 0" in refused.json()["detail"]
    steps[0]["wait_days"] = 2
    saved = api.put("/strategies/calls", body)
    assert saved.status_code == 200
    assert saved.json()["definition"]["steps"][0]["wait_days"] == 2
    assert Strategy.objects.get(key="calls").version == 1
    listed = [s["key"] for s in api.get("/strategies").json()]
    assert "calls" in listed and "early" in listed


def test_an_experiment_is_started_promoted_in_one_call_and_its_results_read(
    world: StrategyWorld,
) -> None:
    api = Api(world, "manager")
    started = api.post(
        "/experiments", {"key": "sooner", "name": "S", "segment": "early", "arms": ARMS}
    )
    assert started.status_code == 201, started.content
    assert started.json()["status"] == "running"
    again = api.post(
        "/experiments", {"key": "again", "name": "A", "segment": "early", "arms": ARMS}
    )
    assert again.status_code == 400 and again.json()["code"] == "experiment_running"
    results = api.get("/experiments/sooner/results")
    assert results.status_code == 200
    body = results.json()
    assert [arm["arm"] for arm in body["arms"]] == ["champion", "challenger"]
    assert {metric["metric"] for metric in body["metrics"]} >= {"rpc_rate", "complaint_rate"}
    assert body["cost_per_attempt"]["call"] == "1.50"
    promoted = api.post("/experiments/sooner/promote", {"arm": "challenger"})
    assert promoted.status_code == 200
    assert promoted.json()["promoted_arm"] == "challenger"
    assert Segment.objects.get(key="early").strategy.key == "middle"
    assert Experiment.objects.get(key="sooner").status == "promoted"
    assert [e["key"] for e in api.get("/experiments").json()] == ["sooner"]


def test_percents_that_do_not_add_up_are_refused(world: StrategyWorld) -> None:
    arms = [{**ARMS[0], "percent": 50}, ARMS[1]]
    response = Api(world, "manager").post(
        "/experiments", {"key": "x", "name": "X", "segment": "early", "arms": arms}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "the percents add up to 90, not 100"
