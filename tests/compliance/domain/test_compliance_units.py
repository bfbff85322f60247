"""Unit tests of the engine's parts: dates, zones, jurisdictions, parsing, JSON, docs."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from solvent.compliance.domain.docs import (
    GENERATED_BEGIN,
    GENERATED_END,
    render_rules_markdown,
    update_document,
)
from solvent.compliance.domain.engine import decide
from solvent.compliance.domain.evaluators import next_window_opening
from solvent.compliance.domain.jurisdictions import resolve, resolve_signals
from solvent.compliance.domain.localtime import add_us_business_days, local_instant, zone
from solvent.compliance.domain.model import (
    Address,
    Channel,
    ContactPoint,
    ContactPointKind,
    DebtorProfile,
    ProposedContact,
)
from solvent.compliance.domain.packs import ALL_PACKS, select_packs
from solvent.compliance.domain.packs.us_federal import HOURS
from solvent.compliance.domain.packs.us_federal_checks import validation_period_end
from solvent.compliance.domain.scenario import ScenarioError, parse_scenario
from solvent.compliance.domain.serialise import scenario_to_json
from solvent.compliance.rules_cli import rules_check, rules_list_markdown
from solvent.core.domain.errors import DomainError

ROOT = Path(__file__).resolve().parents[3]
NY = zone("America/New_York")


@pytest.mark.parametrize(
    ("sent", "receipt", "end"),
    [
        # Rulebook US-FED-VAL-02 worked examples: Juneteenth and July 4 are skipped.
        (date(2025, 6, 16), date(2025, 6, 24), date(2025, 7, 24)),
        (date(2025, 7, 1), date(2025, 7, 9), date(2025, 8, 8)),
        # MLK Day 2026 (Jan 19) is skipped.
        (date(2026, 1, 14), date(2026, 1, 22), date(2026, 2, 21)),
    ],
)
def test_validation_period_assumes_receipt_after_five_business_days(sent, receipt, end):
    assert add_us_business_days(sent, 5) == receipt
    assert validation_period_end(sent) == end


def test_window_opening_across_spring_forward():
    # Saturday 2026-03-07 22:00 EST -> Sunday 08:00 EDT, which is 12:00 UTC not 13:00.
    at = datetime(2026, 3, 8, 3, 0, tzinfo=UTC)
    assert next_window_opening(HOURS, at, NY) == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)


def test_local_instant_in_a_gap_is_never_early():
    assert local_instant(date(2026, 3, 8), 150, NY) >= datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_comment_6b1i2_example_zones_from_address_and_area_code():
    resolution = resolve(
        DebtorProfile(
            addresses=(Address("a", "US", "CA"),),
            contact_points=(ContactPoint("m", ContactPointKind.MOBILE, "+12155550100"),),
        )
    )
    assert resolution.time_zones == ("America/Los_Angeles", "America/New_York")
    assert {"US", "US-CA", "US-PA"} <= set(resolution.jurisdictions)


def test_nyc_is_found_from_an_area_code_and_from_a_postal_code():
    by_phone = resolve_signals((), (), ("+17185550100",), ())
    by_zip = resolve_signals((), (Address("a", "US", "NY", postal_code="10001"),), (), ())
    assert "US-NY-NYC" in by_phone.jurisdictions
    assert "US-NY-NYC" in by_zip.jurisdictions
    upstate = resolve_signals((), (Address("a", "US", "NY", city="Albany"),), (), ())
    assert "US-NY-NYC" not in upstate.jurisdictions


def test_a_mobile_abroad_gives_a_country_not_a_zone_when_the_address_is_known():
    with_address = resolve_signals((), (Address("a", "AU", "WA"),), ("+61412345678",), ())
    # Every zone Western Australia keeps (Eucla too), and none of the mobile's.
    assert with_address.time_zones == ("Australia/Perth", "Australia/Eucla")
    alone = resolve_signals((), (), ("+61412345678",), ())
    assert "Australia/Sydney" in alone.time_zones
    assert "AU" in alone.jurisdictions


def test_explicit_zone_alone_implies_its_country_and_the_states_keeping_it():
    jurisdictions = resolve_signals(("America/Chicago",), (), (), ()).jurisdictions
    assert {"US", "US-IL", "US-TX"} <= set(jurisdictions)
    assert not any(code.startswith("CA") for code in jurisdictions)


def test_no_location_signal_blocks_with_no_earliest_moment():
    decision = decide(
        DebtorProfile(), (), ProposedContact(datetime(2026, 4, 1, 14, tzinfo=UTC), Channel.CALL)
    )
    assert not decision.allowed
    assert decision.blocking_rule_ids == ("solvent.location.unknown",)
    assert decision.earliest_lawful_at is None


def test_a_country_without_a_rule_pack_is_refused():
    germany = DebtorProfile(addresses=(Address("a", "DE", time_zone="Europe/Berlin"),))
    decision = decide(
        germany, (), ProposedContact(datetime(2026, 4, 1, 10, tzinfo=UTC), Channel.CALL)
    )
    assert decision.blocking_rule_ids == ("solvent.jurisdiction.not_covered",)
    assert decision.earliest_lawful_at is None


def test_an_uncovered_province_beside_a_covered_country_is_refused():
    # ADR 0008: the stricter reading; it only warned before issue 9.
    profile = DebtorProfile(
        addresses=(Address("a", "US", "PA"),),
        contact_points=(ContactPoint("m", ContactPointKind.MOBILE, "+14035550100"),),
    )
    decision = decide(
        profile, (), ProposedContact(datetime(2026, 4, 1, 16, tzinfo=UTC), Channel.CALL)
    )
    assert not decision.allowed
    assert "CA-AB" in decision.jurisdictions
    assert decision.blocking_rule_ids == ("solvent.jurisdiction.not_covered",)


def test_nyc_rule_pack_version_follows_the_effective_date():
    jurisdictions = ("US", "US-NY", "US-NY-NYC")
    before = {
        p.pack_id: p.version for p in select_packs(ALL_PACKS, jurisdictions, date(2026, 8, 31))
    }
    after = {p.pack_id: p.version for p in select_packs(ALL_PACKS, jurisdictions, date(2026, 9, 1))}
    assert before["us_nyc"] == "2020-10-01"
    assert after["us_nyc"] == "2026-09-01"


BAD_SCENARIO = {
    "debtor": {
        "time_zones": ["Mars/Olympus"],
        "favourite_colour": "blue",
        "contact_points": [{"id": "c", "kind": "pager", "value": "12"}],
        "debts": [{"id": "d1", "balance": 10.5}],
        "holds": [{"kind": "cease"}],
    },
    "history": [{"at": "2026-04-01T10:00:00", "channel": "fax", "outcome": "no_answer"}],
    "proposed": {"at": "yesterday", "channel": "call", "debt_id": "nope"},
}


def test_every_malformed_field_is_reported_with_its_path():
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(BAD_SCENARIO)
    problems = {error.path: error.reason for error in raised.value.errors}
    assert "unknown IANA time zone" in problems["$.debtor.time_zones[0]"]
    assert "unknown key" in problems["$.debtor.favourite_colour"]
    assert "unknown value 'pager'" in problems["$.debtor.contact_points[0].kind"]
    assert "decimal string" in problems["$.debtor.debts[0].balance"]
    assert "required field is missing" in problems["$.debtor.holds[0].received_at"]
    assert "naive datetime" in problems["$.history[0].at"]
    assert "unknown value 'fax'" in problems["$.history[0].channel"]
    assert "not an ISO-8601 datetime" in problems["$.proposed.at"]
    assert "unknown debt id" in problems["$.proposed.debt_id"]
    assert isinstance(raised.value, DomainError)
    assert raised.value.code == "scenario_invalid"


def test_invalid_phone_numbers_and_missing_channel_are_reported():
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(
            {
                "debtor": {"contact_points": [{"id": "c", "kind": "mobile", "value": "555-0100"}]},
                "proposed": {"at": "2026-04-01T10:00:00Z"},
            }
        )
    paths = {error.path for error in raised.value.errors}
    assert paths == {"$.debtor.contact_points[0].value", "$.proposed.channel"}


SCENARIO = {
    "debtor": {
        "addresses": [{"country": "US", "region": "PA"}],
        "contact_points": [{"id": "cell", "kind": "mobile", "value": "+12155550100"}],
        "debts": [{"id": "d1", "balance": "100.00", "currency": "USD"}],
    },
    "history": [
        {
            "at": "2026-04-01T10:00:00-04:00",
            "channel": "call",
            "outcome": "no_answer",
            "debt_ids": ["d1"],
        }
    ],
    "proposed": {"at": "2026-04-02T07:00:00-04:00", "channel": "call", "contact_point_id": "cell"},
}


def test_rules_check_returns_the_decision_json():
    result = json.loads(rules_check(json.dumps(SCENARIO)))
    assert set(result) == {
        "allowed",
        "blocking",
        "warnings",
        "earliest_lawful_at",
        "caps",
        "jurisdictions",
        "time_zones",
        "evaluated_rules",
        "rule_pack_versions",
    }
    assert result["allowed"] is False
    assert result["blocking"][0]["rule_id"] == "regf.inconvenient_time.8am_9pm_local"
    assert set(result["blocking"][0]) == {"rule_id", "message", "citation"}
    assert result["earliest_lawful_at"] == "2026-04-02T12:00:00+00:00"
    assert result["caps"][0] == {
        "rule_id": "regf.call_frequency.7in7",
        "limit": 7,
        "used": 1,
        "remaining": 6,
        "window": "7d",
        "resets_at": "2026-04-08T04:00:00+00:00",
    }


def test_rules_check_keeps_the_order_of_a_list_and_uses_now_when_at_is_missing():
    later = json.loads(json.dumps(SCENARIO))
    del later["proposed"]["at"]
    now = datetime(2026, 4, 2, 15, 0, tzinfo=UTC)
    results = json.loads(rules_check(json.dumps([SCENARIO, later]), now=now))
    assert [r["allowed"] for r in results] == [False, True]


def test_rules_check_rejects_bad_json_and_lists_errors_of_every_scenario():
    with pytest.raises(ScenarioError):
        rules_check("{not json")
    broken = json.loads(json.dumps(SCENARIO))
    broken["proposed"]["channel"] = "pigeon"
    with pytest.raises(ScenarioError) as raised:
        rules_check(json.dumps([SCENARIO, broken, broken]))
    assert [error.path for error in raised.value.errors] == [
        "$[1].proposed.channel",
        "$[2].proposed.channel",
    ]


def test_a_scenario_survives_a_round_trip_through_json():
    scenario = parse_scenario(SCENARIO)
    again = parse_scenario(scenario_to_json(scenario))
    assert again.debtor == scenario.debtor
    assert again.history == scenario.history
    assert again.proposed == scenario.proposed


def test_rules_document_lists_every_rule_of_every_pack():
    text = rules_list_markdown()
    for pack in ALL_PACKS:
        for rule_id in pack.rule_ids:
            assert f"`{rule_id}`" in text


def test_committed_rules_document_is_up_to_date():
    document = (ROOT / "docs" / "compliance.md").read_text()
    generated = document.split(GENERATED_BEGIN, 1)[1].split(GENERATED_END, 1)[0]
    assert generated.strip() == render_rules_markdown().strip(), (
        "regenerate with: python -m solvent.compliance.rules_cli docs/compliance.md"
    )


def test_decide_refuses_naive_datetimes():
    profile = DebtorProfile(time_zones=("America/New_York",))
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(profile, (), ProposedContact(datetime(2026, 4, 1, 10), Channel.CALL))


def test_a_uk_mobile_in_a_crown_dependency_range_is_treated_as_uk():
    resolution = resolve_signals((), (), ("+447911123456",), ())
    assert "GB" in resolution.jurisdictions
    assert "Europe/London" in resolution.time_zones


def test_update_document_keeps_the_hand_written_part():
    document = (
        f"# Guide\n\nhand-written\n\n{GENERATED_BEGIN}\nSTALE TEXT\n{GENERATED_END}\n\ntail\n"
    )
    updated = update_document(document)
    assert updated.startswith("# Guide\n\nhand-written\n")
    assert updated.endswith(f"{GENERATED_END}\n\ntail\n")
    assert "STALE TEXT" not in updated
    assert "`regf.call_frequency.7in7`" in updated


def test_rules_check_refuses_a_naive_now():
    with pytest.raises(ScenarioError):
        rules_check(json.dumps(SCENARIO), now=datetime(2026, 4, 2, 15, 0))


def test_a_location_call_survives_a_round_trip():
    data = json.loads(json.dumps(SCENARIO))
    data["proposed"]["party"] = "third_party"
    scenario = parse_scenario(data)
    assert parse_scenario(scenario_to_json(scenario)).proposed == scenario.proposed
