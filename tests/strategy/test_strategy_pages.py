"""The strategy manager's desk pages: segments with live counts, the editor and its HTMX preview,
paths, experiments; roles and tenancy (404 before 403).

The world (tests/strategy/definitions_world.py): acme has 3 early (1-30 days past due), 2 middle
and 1 late account; globex 4 early. The defaults are installed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from solvent.audit.models import AuditEntry
from solvent.strategy.models import Experiment, Segment, Strategy
from solvent.strategy.services.definitions import experiment_start, segment_save
from tests.strategy.definitions_world import NOON, StrategyWorld, world_build

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def world() -> StrategyWorld:
    return world_build()


def _text(response: Any) -> str:
    return str(response.content.decode())


def _cell(page: str, segment: str, testid: str) -> str:
    row = re.search(rf'<tr data-segment="{segment}".*?</tr>', page, re.S)
    assert row, f"no row for {segment}"
    cell = re.search(rf'data-testid="{testid}">([^<]*)<', row.group(0))
    assert cell, f"no {testid} in {segment}'s row"
    return cell.group(1).strip()


def _globex_segment(world: StrategyWorld) -> Segment:
    return segment_save(
        key="globex-only",
        name="Globex only",
        conditions=[],
        priority=50,
        strategy_key="early",
        client_code="globex",
        actor_id=world.users["admin"].pk,
    )


# --- the segments list ---------------------------------------------------------------------------


def test_the_segments_page_counts_only_the_users_clients_accounts(world: StrategyWorld) -> None:
    acme = _text(world.http("manager").get("/strategy/"))
    assert _cell(acme, "early", "matches") == "3"
    assert _cell(acme, "middle", "matches") == "2"
    assert _cell(acme, "late", "matches") == "1"
    admin = _text(world.http("admin").get("/strategy/"))
    assert _cell(admin, "early", "matches") == "7"
    globex = _text(world.http("globex_manager").get("/strategy/"))
    assert _cell(globex, "early", "matches") == "4"
    assert _cell(globex, "middle", "matches") == "0"


def test_an_account_is_in_the_first_segment_it_matches_but_counts_for_each_it_matches(
    world: StrategyWorld,
) -> None:
    segment_save(
        key="big",
        name="Big balances",
        conditions=[{"field": "balance", "op": "ge", "value": "1000"}],
        priority=1,
        strategy_key="late",
        actor_id=world.users["manager"].pk,
    )
    page = _text(world.http("manager").get("/strategy/"))
    # acme's balances of 1,000 or more: A-2 (early), A-4 (middle), A-6 (late).
    assert (_cell(page, "big", "matches"), _cell(page, "big", "assigned")) == ("3", "3")
    assert (_cell(page, "early", "matches"), _cell(page, "early", "assigned")) == ("3", "2")
    assert (_cell(page, "late", "matches"), _cell(page, "late", "assigned")) == ("1", "0")


def test_a_segment_kept_to_another_client_is_neither_listed_nor_reachable(
    world: StrategyWorld,
) -> None:
    _globex_segment(world)
    manager = world.http("manager")
    assert "globex-only" not in _text(manager.get("/strategy/"))
    assert manager.get("/strategy/segments/globex-only/").status_code == 404
    assert manager.post("/strategy/segments/globex-only/", {"name": "x"}).status_code == 404
    # ... and a supervisor of acme gets the same 404 before being told they only read.
    assert world.http("supervisor").post("/strategy/segments/globex-only/").status_code == 404
    assert world.http("globex_manager").get("/strategy/segments/globex-only/").status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 200), ("admin", 200), ("supervisor", 200), ("agent", 403), ("no_role", 403)],
)
def test_the_strategy_pages_are_for_strategy_managers_admins_and_reading_supervisors(
    world: StrategyWorld, who: str, status: int
) -> None:
    http = world.http(who)
    for url in ("/strategy/", "/strategy/paths/", "/strategy/experiments/"):
        assert http.get(url).status_code == status, url


def test_anonymous_is_sent_to_sign_in(world: StrategyWorld) -> None:
    response = HttpClient().get("/strategy/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_top_bar_links_the_strategy_pages_for_their_roles_only(world: StrategyWorld) -> None:
    assert 'href="/strategy/"' in _text(world.http("supervisor").get("/"))
    assert 'href="/strategy/"' not in _text(world.http("agent").get("/"))


# --- the segment editor --------------------------------------------------------------------------


def _form(**fields: object) -> dict[str, object]:
    return {
        "name": "Early stage",
        "priority": "10",
        "strategy": "early",
        "client": "",
        "active": "on",
        "version": "1",
        "field": ["days_past_due", "balance"],
        "op": ["between", "ge"],
        "value": ["1, 30", "1000"],
        **fields,
    }


def test_the_editor_saves_the_conditions_and_redirects_to_the_segment(
    world: StrategyWorld,
) -> None:
    http = world.http("manager")
    response = http.post("/strategy/segments/early/", _form())
    assert response.status_code == 302 and response["Location"] == "/strategy/segments/early/"
    segment = Segment.objects.get(key="early")
    assert segment.version == 2
    assert segment.conditions == [
        {"field": "days_past_due", "op": "between", "value": [1, 30]},
        {"field": "balance", "op": "ge", "value": "1000"},
    ]
    entry = AuditEntry.objects.filter(action="strategy.segment_saved").latest("pk")
    assert entry.actor_id == world.users["manager"].pk
    page = _text(http.get("/strategy/segments/early/"))
    assert "Segment early saved (version 2)." in page


def test_a_bad_condition_shows_the_editor_again_naming_it_and_saves_nothing(
    world: StrategyWorld,
) -> None:
    response = world.http("manager").post(
        "/strategy/segments/early/", _form(value=["1, 30", "lots"])
    )
    assert response.status_code == 400
    page = _text(response)
    assert "condition 2 (balance): &#x27;lots&#x27; is not a number" in page
    assert re.search(
        r'<tr class="blocked" aria-invalid="true" data-testid="condition-row">\s*'
        r'<td class="num">2</td>',
        page,
    )
    assert 'value="lots"' in page  # what was typed is kept
    assert Segment.objects.get(key="early").version == 1


def test_a_stale_version_is_refused_so_two_managers_do_not_overwrite_each_other(
    world: StrategyWorld,
) -> None:
    assert world.http("admin").post("/strategy/segments/early/", _form()).status_code == 302
    response = world.http("manager").post("/strategy/segments/early/", _form(name="Mine"))
    assert response.status_code == 400
    assert "was saved by someone else" in _text(response)
    assert Segment.objects.get(key="early").name == "Early stage"


def test_through_htmx_the_editor_swaps_itself_and_a_save_redirects_the_browser(
    world: StrategyWorld,
) -> None:
    http = world.http("manager")
    added = http.post("/strategy/segments/early/", _form(edit="add"), headers=HTMX)
    assert added.status_code == 200
    partial = _text(added)
    assert partial.lstrip().startswith('<form method="post" class="card segment-editor"')
    assert "<html" not in partial
    assert partial.count('data-testid="condition-row"') == 3
    removed = http.post("/strategy/segments/early/", _form(edit="remove-0"), headers=HTMX)
    assert _text(removed).count('data-testid="condition-row"') == 1
    assert 'value="1000"' in _text(removed) and 'value="1, 30"' not in _text(removed)
    assert Segment.objects.get(key="early").version == 1  # adding or removing saves nothing
    refused = http.post(
        "/strategy/segments/early/", _form(op=["between", "lt"], value=["1", ""]), headers=HTMX
    )
    assert refused.status_code == 200 and 'data-testid="segment-error"' in _text(refused)
    saved = http.post("/strategy/segments/early/", _form(), headers=HTMX)
    assert saved.status_code == 204 and saved["HX-Redirect"] == "/strategy/segments/early/"


def test_a_new_segment_is_made_from_the_new_segment_page(world: StrategyWorld) -> None:
    http = world.http("manager")
    assert http.get("/strategy/new-segment/").status_code == 200
    response = http.post(
        "/strategy/new-segment/", _form(key="acme-big", version="", client="acme", priority="5")
    )
    assert response.status_code == 302
    segment = Segment.objects.get(key="acme-big")
    assert (segment.client, segment.version) == (world.acme, 1)
    taken = http.post("/strategy/new-segment/", _form(key="acme-big", version=""))
    assert taken.status_code == 400 and "exists: choose another key" in _text(taken)


def test_a_segment_for_a_client_the_manager_does_not_serve_is_not_found(
    world: StrategyWorld,
) -> None:
    response = world.http("manager").post(
        "/strategy/new-segment/", _form(key="sneaky", version="", client="globex")
    )
    assert response.status_code == 404
    assert not Segment.objects.filter(key="sneaky").exists()


def test_a_supervisor_reads_the_editor_without_its_buttons_and_may_not_save(
    world: StrategyWorld,
) -> None:
    http = world.http("supervisor")
    page = _text(http.get("/strategy/segments/early/"))
    assert "Save segment" not in page and "Add a condition" not in page
    assert http.post("/strategy/segments/early/", _form()).status_code == 403
    assert http.get("/strategy/new-segment/").status_code == 403


# --- the live count ------------------------------------------------------------------------------


def test_the_preview_counts_the_users_accounts_as_conditions_change(world: StrategyWorld) -> None:
    query = {"field": ["days_past_due", "balance"], "op": ["between", "ge"]}
    manager = world.http("manager")
    first = manager.get("/strategy/preview/", {**query, "value": ["1, 30", "1000"]}, headers=HTMX)
    assert first.status_code == 200
    assert re.search(r"<strong>1</strong> of 6 open accounts", _text(first))
    wider = manager.get("/strategy/preview/", {**query, "value": ["1, 30", "100"]}, headers=HTMX)
    assert re.search(r"<strong>3</strong> of 6 open accounts", _text(wider))
    admin = world.http("admin").get(
        "/strategy/preview/", {**query, "value": ["1, 30", "100"]}, headers=HTMX
    )
    assert re.search(r"<strong>7</strong> of 10 open accounts", _text(admin))


def test_the_preview_names_the_condition_it_cannot_read(world: StrategyWorld) -> None:
    response = world.http("manager").get(
        "/strategy/preview/",
        {"field": ["days_past_due", "stage"], "op": ["ge", "lt"], "value": ["5", "x"]},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert 'data-testid="segment-count-error">condition 2 (stage): operator' in _text(response)


def test_the_preview_is_for_the_strategy_roles(world: StrategyWorld) -> None:
    assert world.http("agent").get("/strategy/preview/").status_code == 403


# --- paths ---------------------------------------------------------------------------------------


def test_the_path_page_shows_rules_and_steps_in_order(world: StrategyWorld) -> None:
    page = _text(world.http("supervisor").get("/strategy/paths/early/"))
    steps = re.findall(r"<code>([a-z0-9_]+)</code></td><td>(sms|email|call|letter)", page)
    definition = Strategy.objects.get(key="early").definition
    assert [key for key, _action in steps] == [step["key"] for step in definition["steps"]]
    assert "Retention" in page and 'data-testid="path-rules"' in page
    assert 'data-testid="path-form"' not in page  # a supervisor reads


def test_a_path_is_changed_as_json_and_its_errors_are_shown_with_the_text_kept(
    world: StrategyWorld,
) -> None:
    http = world.http("manager")
    definition = Strategy.objects.get(key="early").definition
    broken = {**definition, "steps": [*definition["steps"], {"key": "oops", "action": "sms"}]}
    text = json.dumps(broken)
    form = {"name": "Early", "objective": "recovery", "version": "1", "definition": text}
    refused = http.post("/strategy/paths/early/", form)
    assert refused.status_code == 400
    assert "(oops): a template is required for sms" in _text(refused)
    assert "&quot;oops&quot;" in _text(refused)  # the manager's text, not the stored one
    not_json = http.post("/strategy/paths/early/", {**form, "definition": "{steps: ["})
    assert not_json.status_code == 400 and "the path is not JSON" in _text(not_json)
    saved = http.post("/strategy/paths/early/", {**form, "definition": json.dumps(definition)})
    assert saved.status_code == 302
    strategy = Strategy.objects.get(key="early")
    assert (strategy.version, strategy.objective, strategy.name) == (2, "recovery", "Early")


def test_a_new_path_is_made_from_the_new_path_page(world: StrategyWorld) -> None:
    http = world.http("admin")
    steps = [{"key": "letter", "action": "letter", "template": "strategy_letter_contact"}]
    response = http.post(
        "/strategy/new-path/",
        {
            "key": "letters",
            "name": "Letters only",
            "objective": "cost_to_collect",
            "definition": json.dumps({"steps": steps}),
        },
    )
    assert response.status_code == 302 and response["Location"] == "/strategy/paths/letters/"
    assert Strategy.objects.get(key="letters").definition["steps"][0]["action"] == "letter"
    assert world.http("supervisor").post("/strategy/new-path/", {}).status_code == 403


# --- experiments ---------------------------------------------------------------------------------


def _start_form(**fields: object) -> dict[str, object]:
    return {
        "key": "sooner",
        "name": "Call sooner",
        "segment": "early",
        "arm": ["champion", "challenger", "", ""],
        "arm_strategy": ["early", "middle", "", ""],
        "arm_percent": ["70", "30", "", ""],
        **fields,
    }


def test_an_experiment_is_started_from_the_form_and_its_results_page_shows_each_arm(
    world: StrategyWorld,
) -> None:
    http = world.http("manager")
    response = http.post("/strategy/experiments/", _start_form())
    assert response.status_code == 302 and response["Location"] == "/strategy/experiments/sooner/"
    experiment = Experiment.objects.get(key="sooner")
    assert [arm["percent"] for arm in experiment.arms] == [70, 30]
    page = _text(http.get("/strategy/experiments/sooner/"))
    assert 'data-arm="champion"' in page and 'data-arm="challenger"' in page
    assert 'data-testid="comparison-challenger"' in page
    assert "Right-party contact rate" in page and "95% interval" in page
    assert 'data-testid="promote-challenger"' in page


def test_a_refused_experiment_shows_the_form_again_with_the_reason(world: StrategyWorld) -> None:
    response = world.http("manager").post(
        "/strategy/experiments/", _start_form(arm_percent=["70", "20", "", ""])
    )
    assert response.status_code == 400
    assert "the percents add up to 90, not 100" in _text(response)
    assert not Experiment.objects.exists()


def test_promote_on_the_results_page_gives_the_segment_the_arms_path(
    world: StrategyWorld,
) -> None:
    experiment_start(
        key="sooner",
        name="Call sooner",
        segment_key="early",
        arms=[
            {"arm": "champion", "strategy": "early", "percent": 50},
            {"arm": "challenger", "strategy": "middle", "percent": 50},
        ],
        actor_id=world.users["manager"].pk,
    )
    assert (
        world.http("supervisor")
        .post("/strategy/experiments/sooner/promote/", {"arm": "challenger"})
        .status_code
        == 403
    )
    http = world.http("manager")
    response = http.post("/strategy/experiments/sooner/promote/", {"arm": "challenger"})
    assert response.status_code == 302
    assert Segment.objects.get(key="early").strategy.key == "middle"
    page = _text(http.get("/strategy/experiments/sooner/"))
    assert "Arm challenger promoted" in page and 'data-testid="promote-' not in page
    again = http.post("/strategy/experiments/sooner/promote/", {"arm": "champion"}, follow=True)
    assert "is promoted, not running" in _text(again)
    assert Segment.objects.get(key="early").strategy.key == "middle"


def test_an_experiment_on_another_clients_segment_is_not_found(world: StrategyWorld) -> None:
    _globex_segment(world)
    experiment_start(
        key="theirs",
        name="Theirs",
        segment_key="globex-only",
        arms=[
            {"arm": "champion", "strategy": "early", "percent": 50},
            {"arm": "challenger", "strategy": "middle", "percent": 50},
        ],
        actor_id=world.users["admin"].pk,
    )
    manager = world.http("manager")
    assert "theirs" not in _text(manager.get("/strategy/experiments/"))
    assert manager.get("/strategy/experiments/theirs/").status_code == 404
    assert manager.post("/strategy/experiments/theirs/promote/", {"arm": "x"}).status_code == 404
    started = manager.post("/strategy/experiments/", _start_form(segment="globex-only"))
    assert started.status_code == 404


def test_the_results_rows_show_rates_intervals_and_a_verdict_only_when_significant() -> None:
    from solvent.desk.views_strategy_experiments import metric_rows
    from solvent.strategy.domain.experiments import ArmFigures, compare

    def arm(name: str, attempts: int, rpcs: int) -> ArmFigures:
        return ArmFigures(name, 1000, attempts, rpcs, rpcs, 0, 0, 0, 150_000, 20_000, 0)

    rows = {
        row.label: row for row in metric_rows(compare(arm("a", 1000, 100), arm("b", 1000, 200)))
    }
    rpc = rows["Right-party contact rate"]
    assert (rpc.champion, rpc.champion_rate, rpc.challenger_rate) == (
        "100 / 1,000",
        "10.0%",
        "20.0%",
    )
    assert rpc.champion_interval.endswith("%") and " to " in rpc.champion_interval
    assert (rpc.difference, rpc.verdict) == ("+10.0 pts", "better")
    kept = rows["Kept rate"]  # no promise was due in either arm: nothing to estimate or test
    assert (kept.champion_interval, kept.p_value, kept.verdict) == ("", "—", "")
    cost = rows["Cost per currency unit collected"]
    assert (cost.champion, cost.champion_rate) == ("200.00 / 1,500.00", "0.133")
