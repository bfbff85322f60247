"""The plan API: "why not?" for an account of the user's clients, results posted back for their
clients' accounts only, a campaign's call list."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client as HttpClient

from solvent.core.services import api_token_create
from solvent.strategy.models import ActionResult
from tests.strategy.definitions_world import NOON, StrategyWorld, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


def _http(world: StrategyWorld, who: str) -> HttpClient:
    token = api_token_create(user=world.users[who], name="test")
    return HttpClient(headers={"Authorization": f"Bearer {token}"})


def test_why_not_names_the_segment_and_the_reason_and_hides_other_clients_accounts() -> None:
    world = world_build()
    http = _http(world, "manager")
    account = world.accounts["acme"][5]  # 150 days past due: the late path
    response = http.get(f"/api/plan/accounts/{account.pk}/why-not")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["segment"], body["strategy"], body["stored"]) == ("late", "late", False)
    assert body["reason"] and body["reason_text"]
    other = world.accounts["globex"][0]
    assert http.get(f"/api/plan/accounts/{other.pk}/why-not").status_code == 404


def test_results_for_another_clients_account_are_refused_as_unknown() -> None:
    world = world_build()
    http = _http(world, "manager")
    rows = [
        {
            "account_number": world.accounts["globex"][0].account_number,
            "client": "globex",
            "channel": "payment",
            "payment_amount": "10.00",
            "payment_date": NOON.date().isoformat(),
        },
        {
            "account_number": world.accounts["acme"][0].account_number,
            "client": "acme",
            "channel": "payment",
            "payment_amount": "10.00",
            "payment_date": NOON.date().isoformat(),
        },
    ]
    response = http.post(
        "/api/plan/results", json.dumps({"rows": rows}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["accepted"] == 1 and body["payments"] == 1
    assert [(e["row"], e["field"]) for e in body["rejected"]] == [(1, "account_number")]
    assert ActionResult.objects.get().account == world.accounts["acme"][0]
