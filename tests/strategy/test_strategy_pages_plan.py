"""The plan pages: a dry run of the day, what-if side by side, and the account screen's "Why not?".

The world's debtors have no address or phone (tests/strategy/definitions_world.py), so the plan
skips every account with a reason: what these tests check is the pages' scope, figures and words,
not the planner's choices (tests/strategy/test_plan.py has those).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from solvent.strategy.models import PlanItem, PlanRun, Strategy
from tests.strategy.definitions_world import DAY, NOON, StrategyWorld, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def world() -> StrategyWorld:
    return world_build()


def _text(response: Any) -> str:
    return str(response.content.decode())


def _tile(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">([^<]*)<', page)
    assert found, testid
    return found.group(1)


def test_the_plan_page_plans_the_users_clients_in_a_dry_run_and_stores_nothing(
    world: StrategyWorld,
) -> None:
    http = world.http("manager")
    assert 'data-testid="plan-summary"' not in _text(http.get("/strategy/plan/"))
    page = _text(http.get("/strategy/plan/", {"date": DAY.isoformat(), "run": "1"}))
    assert _tile(page, "plan-accounts") == "6"
    assert 'data-testid="plan-rows"' in page
    numbers = set(re.findall(r">(A-\d|B-\d)</a>", page))
    assert numbers == {f"A-{n}" for n in range(1, 7)}
    assert not PlanRun.objects.exists() and not PlanItem.objects.exists()
    admin = _text(world.http("admin").get("/strategy/plan/", {"run": "1", "client": "globex"}))
    assert _tile(admin, "plan-accounts") == "4"


def test_the_plan_of_a_client_the_user_does_not_serve_is_not_found(world: StrategyWorld) -> None:
    response = world.http("manager").get("/strategy/plan/", {"run": "1", "client": "globex"})
    assert response.status_code == 404


def test_a_bad_date_is_refused_with_the_form_shown_again(world: StrategyWorld) -> None:
    response = world.http("manager").get("/strategy/plan/", {"run": "1", "date": "02/12/2026"})
    assert response.status_code == 400
    assert "use YYYY-MM-DD" in _text(response)


def test_the_plan_pages_are_for_the_strategy_roles(world: StrategyWorld) -> None:
    assert world.http("agent").get("/strategy/plan/").status_code == 403
    assert world.http("agent").get("/strategy/what-if/").status_code == 403
    assert world.http("supervisor").get("/strategy/plan/").status_code == 200


def test_what_if_shows_the_current_and_the_changed_plan_side_by_side(
    world: StrategyWorld,
) -> None:
    http = world.http("manager")
    loaded = _text(http.get("/strategy/what-if/", {"segment": "early"}))
    assert "&quot;sms_selfservice&quot;" in loaded  # the segment's path, ready to change
    definition = Strategy.objects.get(key="early").definition
    changed = {**definition, "steps": definition["steps"][2:]}
    response = http.post(
        "/strategy/what-if/",
        {"segment": "early", "date": DAY.isoformat(), "definition": json.dumps(changed)},
    )
    assert response.status_code == 200
    page = _text(response)
    rows = dict(
        re.findall(r'<tr><th>([^<]+)</th><td class="num">([^<]*)</td><td class="num">', page)
    )
    assert rows["Accounts"] == "6"
    assert {"Actions planned", "Calls needed", "Calls staffed", "Expected cost"} <= set(rows)
    assert not PlanItem.objects.exists()


def test_what_if_names_what_is_wrong_with_the_changed_path(world: StrategyWorld) -> None:
    http = world.http("manager")
    definition = Strategy.objects.get(key="early").definition
    broken = {**definition, "steps": [{"key": "x", "action": "fax"}]}
    form = {"segment": "early", "date": DAY.isoformat(), "definition": json.dumps(broken)}
    response = http.post("/strategy/what-if/", form)
    assert response.status_code == 400
    assert "step 1 (x): unknown action" in _text(response)
    not_json = http.post("/strategy/what-if/", {**form, "definition": "{"})
    assert not_json.status_code == 400 and "the path is not JSON" in _text(not_json)


def test_what_if_on_another_clients_segment_is_not_found(world: StrategyWorld) -> None:
    from solvent.strategy.services.definitions import segment_save

    segment_save(
        key="globex-only",
        name="Globex only",
        conditions=[],
        priority=5,
        strategy_key="early",
        client_code="globex",
        actor_id=None,
    )
    response = world.http("manager").get("/strategy/what-if/", {"segment": "globex-only"})
    assert response.status_code == 404


# --- the account screen's "Why not?" -------------------------------------------------------------


def test_the_account_screen_loads_the_why_not_panel(world: StrategyWorld) -> None:
    account = world.accounts["acme"][0]
    http = world.http("agent")
    screen = _text(http.get(f"/accounts/{account.pk}/"))
    assert f'hx-get="/strategy/accounts/{account.pk}/why-not/"' in screen
    panel = http.get(f"/strategy/accounts/{account.pk}/why-not/", headers={"HX-Request": "1"})
    assert panel.status_code == 200
    text = _text(panel)
    assert text.lstrip().startswith('<section class="card why-not"')
    assert 'data-testid="why-not-reason"' in text or 'data-testid="why-not-planned"' in text
    assert "early" in text  # the segment a 5-days-past-due account falls in
    assert "The day is not planned yet" in text


def test_the_why_not_panel_of_another_clients_account_is_not_found(world: StrategyWorld) -> None:
    account = world.accounts["globex"][0]
    response = world.http("agent").get(f"/strategy/accounts/{account.pk}/why-not/")
    assert response.status_code == 404


# --- staffed capacity ----------------------------------------------------------------------------


def test_a_manager_sets_a_teams_staffed_calls_on_the_plan_page(world: StrategyWorld) -> None:
    from solvent.portfolio.models import Team
    from solvent.strategy.models import TeamCapacity

    team = Team.objects.get(name="acme floor")
    http = world.http("manager")
    page = _text(http.get("/strategy/plan/"))
    assert f'data-team="{team.pk}"' in page and "globex floor" not in page
    form = {
        "agents": "5",
        "start_hour": "9",
        "end_hour": "17",
        "calls_per_hour": "10",
        "time_zone": "America/Chicago",
    }
    response = http.post(f"/strategy/plan/teams/{team.pk}/", form)
    assert response.status_code == 302 and response["Location"] == "/strategy/plan/"
    capacity = TeamCapacity.objects.get(team=team)
    assert (capacity.agents, capacity.start_hour, capacity.time_zone) == (5, 9, "America/Chicago")
    page = _text(http.get("/strategy/plan/"))
    assert "acme floor: 400 calls a day staffed." in page
    assert re.search(r'data-testid="calls-a-day">400<', page)
    refused = http.post(f"/strategy/plan/teams/{team.pk}/", {**form, "end_hour": "8"}, follow=True)
    assert "the shift starts before it ends" in _text(refused)
    assert TeamCapacity.objects.get(team=team).end_hour == 17


def test_another_clients_team_is_not_found_and_a_supervisor_only_reads_capacity(
    world: StrategyWorld,
) -> None:
    from solvent.portfolio.models import Team

    globex = Team.objects.get(name="globex floor")
    acme = Team.objects.get(name="acme floor")
    assert world.http("manager").post(f"/strategy/plan/teams/{globex.pk}/").status_code == 404
    supervisor = world.http("supervisor")
    assert supervisor.post(f"/strategy/plan/teams/{acme.pk}/").status_code == 403
    assert f'action="/strategy/plan/teams/{acme.pk}/"' not in _text(
        supervisor.get("/strategy/plan/")
    )
