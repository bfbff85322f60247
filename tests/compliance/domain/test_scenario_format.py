"""The scenario and decision formats, declared once as Pydantic models: the second pass's facts,
strict validation with every malformed field's path, and the decision JSON's fixed shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from solvent.compliance.domain.engine import decide
from solvent.compliance.domain.model import (
    CampaignFigures,
    Channel,
    DebtStatus,
    MessageClaim,
    Outcome,
    Party,
)
from solvent.compliance.domain.scenario import (
    SCENARIO_INPUT,
    ScenarioError,
    parse_scenario,
    parse_scenarios,
    scenarios_read,
)
from solvent.compliance.domain.serialise import DecisionOut, decision_to_json, scenario_to_json

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
SECOND_PASS = json.loads((SCENARIO_DIR / "second_pass_format.json").read_text(encoding="utf-8"))


def _base() -> dict[str, Any]:
    return {
        "debtor": {
            "addresses": [{"id": "home", "country": "US", "region": "OH"}],
            "contact_points": [{"id": "cell", "kind": "mobile", "value": "+16142250123"}],
            "debts": [{"id": "card", "validation_notice_sent_on": "2026-01-05"}],
        },
        "history": [],
        "proposed": {
            "at": "2026-06-09T12:00:00-04:00",
            "channel": "call",
            "contact_point_id": "cell",
        },
    }


def _problems(document: Any) -> dict[str, str]:
    with pytest.raises(ScenarioError) as raised:
        parse_scenarios(document)
    return {error.path: error.reason for error in raised.value.errors}


def test_every_new_fact_of_the_second_pass_reaches_the_engine_values() -> None:
    document = _base()
    document["debtor"]["contact_points"].append(
        {"id": "aunt", "kind": "landline", "value": "+16142250177", "owner": "third_party",
         "reassigned": True}
    )  # fmt: skip
    document["debtor"]["debts"][0]["status"] = "recalled"
    document["debtor"]["consents"] = [
        {"kind": "tcpa_prior_express", "given_at": "2026-01-05T15:00:00Z",
         "contact_point_id": "cell", "channels": ["call", "sms"], "debt_ids": ["card"]}
    ]  # fmt: skip
    document["history"] = [
        {"at": "2026-06-08T10:00:00-04:00", "channel": "call", "outcome": "abandoned"}
    ]
    document["proposed"].update(
        opt_out_asks_for_more=True,
        claims=["threat_of_suit"],
        live_agent_guaranteed=True,
        campaign={"abandoned_30d": 3, "live_answered_30d": 100, "abandoned_24h": 1,
                  "live_answered_24h": 9},
    )  # fmt: skip
    scenario = parse_scenario(document)
    aunt = scenario.debtor.contact_point("aunt")
    assert aunt is not None
    assert (aunt.owner, aunt.reassigned) == (Party.THIRD_PARTY, True)
    assert scenario.debtor.debts[0].status is DebtStatus.RECALLED
    consent = scenario.debtor.consents[0]
    assert (consent.channels, consent.debt_ids) == ((Channel.CALL, Channel.SMS), ("card",))
    assert scenario.history[0].outcome is Outcome.ABANDONED
    proposed = scenario.proposed
    assert proposed.opt_out_asks_for_more is True
    assert proposed.claims == (MessageClaim.THREAT_OF_SUIT,)
    assert proposed.live_agent_guaranteed is True
    assert proposed.campaign == CampaignFigures(3, 100, 1, 9)


def test_new_facts_left_out_take_the_defaults_the_engine_expects() -> None:
    scenario = parse_scenario(_base())
    assert scenario.debtor.debts[0].status is DebtStatus.ACTIVE
    assert scenario.debtor.contact_points[0].owner is Party.CONSUMER
    assert scenario.proposed.opt_out_asks_for_more is None
    assert scenario.proposed.claims == ()
    assert scenario.proposed.live_agent_guaranteed is False
    assert scenario.proposed.campaign is None


# (where, the wrong value, the path reported, a word of the reason)
WRONG_NEW_VALUES: list[tuple[str, Any, str, str]] = [
    ("history.outcome", "abandonned", "$.history[0].outcome", "unknown value 'abandonned'"),
    ("debt.status", "written_off", "$.debtor.debts[0].status", "unknown value 'written_off'"),
    ("point.owner", "neighbour", "$.debtor.contact_points[0].owner", "unknown value"),
    ("point.reassigned", "yes", "$.debtor.contact_points[0].reassigned", "true or false"),
    ("consent.channels", ["fax"], "$.debtor.consents[0].channels[0]", "unknown value 'fax'"),
    ("consent.channels", "sms", "$.debtor.consents[0].channels", "expected a list"),
    ("proposed.opt_out_asks_for_more", "no", "$.proposed.opt_out_asks_for_more", "true or false"),
    ("proposed.claims", ["threat"], "$.proposed.claims[0]", "unknown value 'threat'"),
    ("proposed.live_agent_guaranteed", 1, "$.proposed.live_agent_guaranteed", "true or false"),
    (
        "proposed.campaign",
        {"abandoned_30d": -1},
        "$.proposed.campaign.abandoned_30d",
        "non-negative",
    ),
    ("proposed.campaign", {"abandoned_30d": 1.5}, "$.proposed.campaign.abandoned_30d", "integer"),
    ("proposed.campaign", {"abandoned_30d": "2"}, "$.proposed.campaign.abandoned_30d", "integer"),
    ("proposed.campaign", {}, "$.proposed.campaign.live_answered_24h", "required field"),
    ("proposed.campaign", {"dropped": 1}, "$.proposed.campaign.dropped", "unknown key"),
    ("proposed.campaign", [1, 2], "$.proposed.campaign", "expected an object"),
]


def with_wrong_value(where: str, value: Any) -> dict[str, Any]:
    """The base scenario with one new key set to ``value`` (campaign dicts fill the other keys)."""
    document = _base()
    if where == "history.outcome":
        document["history"] = [{"at": "2026-06-08T10:00:00Z", "channel": "call", "outcome": value}]
    elif where == "debt.status":
        document["debtor"]["debts"][0]["status"] = value
    elif where.startswith("point."):
        document["debtor"]["contact_points"][0][where.removeprefix("point.")] = value
    elif where == "consent.channels":
        document["debtor"]["consents"] = [
            {"kind": "electronic", "given_at": "2026-01-05T15:00:00Z", "channels": value}
        ]
    elif where == "proposed.campaign" and isinstance(value, dict) and value:
        figures = dict.fromkeys(
            ("abandoned_30d", "live_answered_30d", "abandoned_24h", "live_answered_24h"), 0
        )
        document["proposed"]["campaign"] = {**figures, **value}
    else:
        document["proposed"][where.removeprefix("proposed.")] = value
    return document


@pytest.mark.parametrize(
    ("where", "value", "path", "reason"),
    WRONG_NEW_VALUES,
    ids=[f"{where}={value!r}" for where, value, _, _ in WRONG_NEW_VALUES],
)
def test_a_wrong_value_in_a_new_key_is_reported_with_its_path(
    where: str, value: Any, path: str, reason: str
) -> None:
    problems = _problems(with_wrong_value(where, value))
    assert path in problems, problems
    assert reason in problems[path]


def test_references_between_parts_are_checked_beside_other_errors() -> None:
    document = _base()
    document["debtor"]["contact_points"].append(
        {"id": "cell", "kind": "email", "value": "pat@example.com"}
    )
    document["debtor"]["debts"].append({"id": "card"})
    document["debtor"]["holds"] = [
        {"kind": "cease", "received_at": "2026-06-01T12:00:00Z", "debt_ids": ["loan"]}
    ]
    document["debtor"]["consents"] = [
        {"kind": "electronic", "given_at": "2026-06-01T12:00:00Z", "contact_point_id": "work"}
    ]
    document["history"] = [
        {"at": "2026-06-01T12:00:00", "channel": "call", "outcome": "no_answer"}  # naive
    ]
    problems = _problems(document)
    assert "duplicate id 'cell'" in problems["$.debtor.contact_points[1].id"]
    assert "duplicate id 'card'" in problems["$.debtor.debts[1].id"]
    assert "unknown debt id 'loan'" in problems["$.debtor.holds[0].debt_ids[0]"]
    assert "unknown contact point id 'work'" in problems["$.debtor.consents[0].contact_point_id"]
    assert "naive datetime" in problems["$.history[0].at"]


def test_references_are_checked_when_everything_else_is_valid() -> None:
    document = _base()
    document["debtor"]["holds"] = [
        {"kind": "cease", "received_at": "2026-06-01T12:00:00Z", "contact_point_id": "pager"}
    ]
    assert _problems(document) == {
        "$.debtor.holds[0].contact_point_id": "unknown contact point id 'pager'"
    }


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("autodialled", "true", "expected true or false, got the string 'true'"),
        ("autodialled", None, "expected true or false, got null"),
        ("at", 1780000000, "expected an ISO-8601 datetime string, got a number"),
        ("at", "2026-06-09 25:00", "not an ISO-8601 datetime"),
        ("channel", None, "unknown value None"),
        ("debt_id", "  ", "expected a non-empty string, got the string '  '"),
    ],
)
def test_values_of_the_wrong_json_type_are_refused_not_coerced(
    field: str, value: Any, reason: str
) -> None:
    document = _base()
    document["proposed"][field] = value
    assert reason in _problems(document)[f"$.proposed.{field}"]


@pytest.mark.parametrize("description_length", [0, 5000], ids=["small", "counted first"])
def test_a_list_longer_than_the_limit_is_refused_as_a_whole(description_length: int) -> None:
    text = json.dumps([{**_base(), "description": "x" * description_length}] * 3)
    with pytest.raises(ScenarioError) as raised:
        scenarios_read(text, max_scenarios=2)
    assert [(e.path, e.reason) for e in raised.value.errors] == [
        ("$", "at most 2 scenarios per request; split the list")
    ]
    scenarios, is_list = scenarios_read(text, max_scenarios=3)
    assert (len(scenarios), is_list) == (3, True)


def test_invalid_json_is_one_error_at_the_root() -> None:
    with pytest.raises(ScenarioError) as raised:
        scenarios_read('{"debtor": {}, ')
    [error] = raised.value.errors
    assert error.path == "$"
    assert error.reason.startswith("not valid JSON")


def test_datetimes_keep_the_instant_and_the_offset_they_were_written_with() -> None:
    scenario = parse_scenario(_base())
    assert scenario.proposed.at == datetime(2026, 6, 9, 16, 0, tzinfo=UTC)
    assert scenario.proposed.at.utcoffset() == timedelta(hours=-4)
    assert scenario.proposed.at.astimezone(UTC).hour == 16


@pytest.mark.parametrize("index", range(len(SECOND_PASS)))
def test_second_pass_scenarios_survive_a_round_trip_through_json(index: int) -> None:
    scenario = parse_scenario(SECOND_PASS[index])
    again = parse_scenario(scenario_to_json(scenario))
    assert (again.debtor, again.history, again.proposed) == (
        scenario.debtor,
        scenario.history,
        scenario.proposed,
    )


def _every_file_scenario() -> list[Any]:
    scenarios = []
    for path in sorted(SCENARIO_DIR.glob("*.json")):
        scenarios.extend(parse_scenarios(json.loads(path.read_text(encoding="utf-8"))))
    return scenarios


def test_the_stored_decision_json_is_exactly_the_declared_decision_format() -> None:
    """decision_to_json (hand-written for speed) and DecisionOut never drift apart."""
    scenarios = _every_file_scenario()
    assert len(scenarios) > 100
    for scenario in scenarios:
        decision = decide(scenario.debtor, scenario.history, scenario.proposed)
        stored = decision_to_json(decision)
        assert list(stored) == list(DecisionOut.model_fields)
        assert DecisionOut.model_validate(decision).model_dump(mode="json") == stored
        assert DecisionOut.model_validate(stored).model_dump(mode="json") == stored


def test_the_stored_decision_keeps_its_keys_and_utc_offsets() -> None:
    scenario = parse_scenario(json.loads((SCENARIO_DIR / "regf_hours.json").read_text())[0])
    stored = decision_to_json(decide(scenario.debtor, scenario.history, scenario.proposed))
    assert set(stored) == {
        "allowed", "blocking", "warnings", "earliest_lawful_at", "caps", "jurisdictions",
        "time_zones", "evaluated_rules", "rule_pack_versions",
    }  # fmt: skip
    for cap in stored["caps"]:
        assert set(cap) == {"rule_id", "limit", "used", "remaining", "window", "resets_at"}
        assert cap["resets_at"] is None or cap["resets_at"].endswith("+00:00")


def test_the_input_schema_names_every_key_of_the_format() -> None:
    schema = SCENARIO_INPUT.json_schema()
    definitions = schema["$defs"]
    proposed = definitions["ScenarioProposed"]["properties"]
    assert {"opt_out_asks_for_more", "claims", "live_agent_guaranteed", "campaign"} <= set(proposed)
    assert set(definitions["ScenarioCampaign"]["required"]) == {
        "abandoned_30d", "live_answered_30d", "abandoned_24h", "live_answered_24h",
    }  # fmt: skip
    assert "abandoned" in definitions["Outcome"]["enum"]
    assert set(definitions["DebtStatus"]["enum"]) == {s.value for s in DebtStatus}
    assert {"owner", "reassigned"} <= set(definitions["ScenarioContactPoint"]["properties"])
    assert {"channels", "debt_ids"} <= set(definitions["ScenarioConsent"]["properties"])
    assert all(
        definition.get("additionalProperties") is False
        for name, definition in definitions.items()
        if name.startswith("Scenario")
    )
