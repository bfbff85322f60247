"""The compliance API through the test client: scenario checks and a debtor's compliance records."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from solvent.compliance import services
from solvent.compliance.models import DecisionLog
from solvent.compliance.rules_cli import rules_check
from solvent.core.models import Role
from solvent.core.services import api_token_create, staff_role_set
from solvent.portfolio.models import Client, Team
from tests.compliance.domain.test_scenario_format import WRONG_NEW_VALUES, with_wrong_value
from tests.compliance.services.compliance_fixtures import MOBILE, NOON, ohio_debtor_create, scenario

pytestmark = pytest.mark.django_db

CHECK = "/api/compliance/check"
SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"


def _token(role: Role | None = Role.AGENT, team: Team | None = None) -> str:
    user = User.objects.create_user(username=f"user-{role}")
    if role is not None:
        staff_role_set(user=user, role=role)
    if team is not None:
        team.members.add(user)
    return api_token_create(user=user, name="test")


def _post(body: str | bytes, token: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return HttpClient().post(CHECK, data=body, content_type="application/json", **headers)


def test_check_returns_the_same_decision_json_as_the_cli() -> None:
    body = json.dumps(scenario())
    response = _post(body, _token())
    assert response.status_code == 200
    decision = response.json()
    assert decision == json.loads(rules_check(body))
    assert decision["allowed"] is False
    assert [item["rule_id"] for item in decision["blocking"]] == [
        "regf.inconvenient_time.8am_9pm_local"
    ]
    assert decision["blocking"][0]["citation"]
    assert decision["earliest_lawful_at"] == "2026-04-15T12:00:00+00:00"
    # A what-if: nothing is stored.
    assert DecisionLog.objects.count() == 0


def test_check_accepts_a_list_and_answers_in_order() -> None:
    body = json.dumps([scenario(), scenario(at="2026-04-15T08:00:00-04:00")])
    response = _post(body, _token())
    assert response.status_code == 200
    assert [decision["allowed"] for decision in response.json()] == [False, True]


def test_malformed_scenario_is_a_400_listing_every_field() -> None:
    broken = scenario(at="2026-04-15T07:59:00")  # naive
    broken["proposed"]["channel"] = "pigeon"
    broken["debtor"]["contact_points"][0]["value"] = "not a number"
    response = _post(json.dumps(broken), _token())
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "scenario_invalid"
    paths = {error["path"] for error in payload["errors"]}
    assert {"$.proposed.at", "$.proposed.channel", "$.debtor.contact_points[0].value"} <= paths
    assert all(error["reason"] for error in payload["errors"])


@pytest.mark.parametrize("body", ["{not json", "", '"a string"'])
def test_unparseable_body_is_a_400(body: str) -> None:
    response = _post(body, _token())
    assert response.status_code == 400
    assert response.json()["errors"]


def test_too_many_scenarios_is_a_400(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.compliance.api.MAX_SCENARIOS", 2)
    response = _post(json.dumps([scenario()] * 3), _token())
    assert response.status_code == 400
    assert "at most 2 scenarios" in response.json()["errors"][0]["reason"]


def test_check_needs_authentication_and_a_staff_role() -> None:
    body = json.dumps(scenario())
    assert _post(body, None).status_code == 401
    assert _post(body, "slv_wrong-token").status_code == 401
    assert _post(body, _token(role=None)).status_code == 403


def test_session_login_works_too() -> None:
    User.objects.create_superuser(username="root", password="x-password-123")
    client = HttpClient()
    assert client.login(username="root", password="x-password-123")
    response = client.post(CHECK, data=json.dumps(scenario()), content_type="application/json")
    assert response.status_code == 200


def test_debtor_records_are_tenant_scoped_and_bounded_in_queries() -> None:
    ohio = ohio_debtor_create()
    team = Team.objects.create(name="Acme floor")
    team.clients.add(ohio.card.client)
    services.hold_place(
        debtor_id=ohio.debtor.pk, kind="dispute", source="letter", account_ids=[ohio.card.pk]
    )
    services.consent_grant(
        debtor_id=ohio.debtor.pk, channel="call", contact_point=MOBILE, source="application"
    )
    for hour in range(3):
        services.contact_attempt_authorize(
            debtor_id=ohio.debtor.pk,
            channel="call",
            contact_point=MOBILE,
            account_ids=[ohio.loan.pk],
            at=NOON + timedelta(hours=hour),
        )
    insider = {"HTTP_AUTHORIZATION": f"Bearer {_token(Role.AGENT, team)}"}
    outsider = {"HTTP_AUTHORIZATION": f"Bearer {_token(Role.SUPERVISOR)}"}
    base = f"/api/compliance/debtors/{ohio.debtor.pk}"

    records = HttpClient().get(f"{base}/records", **insider)
    assert records.status_code == 200
    hold = records.json()["holds"][0]
    assert (hold["kind"], hold["account_ids"]) == ("dispute", [ohio.card.pk])
    assert records.json()["consents"][0]["scope"] == "autodialled"

    with CaptureQueriesContext(connection) as queries:
        attempts = HttpClient().get(f"{base}/attempts", **insider)
    assert attempts.status_code == 200
    assert attempts.json()["count"] == 3
    assert attempts.json()["items"][0]["account_ids"] == [ohio.loan.pk]
    assert len(queries) <= 10

    decisions = HttpClient().get(f"{base}/decisions", **insider).json()
    assert decisions["count"] == 3
    assert all(item["decision"]["jurisdictions"] == ["US", "US-OH"] for item in decisions["items"])

    for path in ("records", "attempts", "decisions"):
        assert HttpClient().get(f"{base}/{path}", **outsider).status_code == 404
        assert HttpClient().get(f"{base}/{path}").status_code == 401


def test_decision_search_for_an_audit() -> None:
    ohio = ohio_debtor_create()
    other = ohio_debtor_create(suffix="2")
    globex = Client.objects.create(code="globex", name="Globex")
    other.card.client = globex
    other.card.save()
    other.loan.client = globex
    other.loan.save()
    team = Team.objects.create(name="Acme floor")
    team.clients.add(ohio.card.client)
    for debtor, account in ((ohio, ohio.card), (other, other.card)):
        for hours in (0, 10):  # noon is lawful, 22:00 is not
            services.contact_attempt_authorize(
                debtor_id=debtor.debtor.pk,
                channel="call",
                contact_point=MOBILE,
                account_ids=[account.pk],
                at=NOON + timedelta(hours=hours),
            )
    officer = {"HTTP_AUTHORIZATION": f"Bearer {_token(Role.COMPLIANCE_OFFICER)}"}
    agent = {"HTTP_AUTHORIZATION": f"Bearer {_token(Role.AGENT, team)}"}
    hours_rule = "regf.inconvenient_time.8am_9pm_local"

    everything = HttpClient().get("/api/compliance/decisions", **officer).json()
    assert everything["count"] == 4
    blocked = (
        HttpClient()
        .get(f"/api/compliance/decisions?rule_id={hours_rule}&blocked_only=true", **officer)
        .json()
    )
    assert blocked["count"] == 2
    assert all(item["blocking_rule_ids"] == [hours_rule] for item in blocked["items"])
    assert (
        HttpClient().get("/api/compliance/decisions?rule_id=regf.nope", **officer).json()["count"]
        == 0
    )
    # An agent sees only the decisions about debtors of their team's clients.
    mine = HttpClient().get("/api/compliance/decisions", **agent).json()
    assert mine["count"] == 2
    assert HttpClient().get("/api/compliance/decisions").status_code == 401


def test_the_openapi_document_describes_the_check_body() -> None:
    schema = HttpClient().get("/api/openapi.json").json()
    body = schema["paths"]["/api/compliance/check"]["post"]["requestBody"]
    assert body["required"] is True
    assert "rules check" in body["description"]
    assert "/api/compliance/debtors/{debtor_id}/contact-options" in schema["paths"]


@pytest.mark.parametrize(
    ("where", "value", "path", "reason"),
    WRONG_NEW_VALUES,
    ids=[f"{where}={value!r}" for where, value, _, _ in WRONG_NEW_VALUES],
)
def test_a_wrong_value_in_a_new_key_is_a_400_with_its_path(
    where: str, value: object, path: str, reason: str
) -> None:
    response = _post(json.dumps(with_wrong_value(where, value)), _token())
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "scenario_invalid"
    problems = {error["path"]: error["reason"] for error in payload["errors"]}
    assert reason in problems[path]


def test_the_second_pass_facts_are_decided_like_the_cli_does() -> None:
    body = (SCENARIO_DIR / "second_pass_format.json").read_text(encoding="utf-8")
    response = _post(body, _token())
    assert response.status_code == 200
    decisions = response.json()
    assert decisions == json.loads(rules_check(body))
    assert [decision["allowed"] for decision in decisions] == [True] * len(json.loads(body))


def test_a_non_utf8_body_is_a_400_in_the_documented_shape() -> None:
    response = _post(b'{"debtor": "\xff"}', _token())
    assert response.status_code == 400
    assert response.json() == {
        "code": "scenario_invalid",
        "detail": "invalid scenario: 1 problem(s)",
        "errors": [{"path": "$", "reason": "the body is not UTF-8 text"}],
    }


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    reference = schema.get("$ref")
    if reference is None:
        return schema
    return document["components"]["schemas"][reference.rsplit("/", 1)[-1]]


def test_the_openapi_document_declares_the_scenario_and_decision_formats() -> None:
    document = HttpClient().get("/api/openapi.json").json()
    operation = document["paths"]["/api/compliance/check"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    one, many = body["anyOf"]
    assert many["type"] == "array"
    assert many["items"] == one
    assert set(one["required"]) == {"debtor", "proposed"}
    assert one["additionalProperties"] is False
    proposed = one["properties"]["proposed"]["properties"]
    assert set(proposed["campaign"]["anyOf"][0]["properties"]) == {
        "abandoned_30d", "live_answered_30d", "abandoned_24h", "live_answered_24h",
    }  # fmt: skip
    assert proposed["claims"]["items"]["enum"] == ["threat_of_suit"]
    debts = one["properties"]["debtor"]["properties"]["debts"]["items"]["properties"]
    assert "recalled" in debts["status"]["enum"]
    responses = operation["responses"]
    ok = responses["200"]["content"]["application/json"]["schema"]
    decision = _resolve(ok["anyOf"][0], document)
    assert list(decision["properties"]) == [
        "allowed", "blocking", "warnings", "earliest_lawful_at", "caps", "jurisdictions",
        "time_zones", "evaluated_rules", "rule_pack_versions",
    ]  # fmt: skip
    error = _resolve(responses["400"]["content"]["application/json"]["schema"], document)
    assert set(error["properties"]) == {"code", "detail", "errors"}


def test_a_page_larger_than_the_cap_is_a_422_not_a_huge_answer() -> None:
    officer = {"HTTP_AUTHORIZATION": f"Bearer {_token(Role.COMPLIANCE_OFFICER)}"}
    assert HttpClient().get("/api/compliance/decisions?limit=500", **officer).status_code == 200
    too_many = HttpClient().get("/api/compliance/decisions?limit=100000", **officer)
    assert too_many.status_code == 422
