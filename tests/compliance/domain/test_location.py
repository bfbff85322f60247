"""Where the debtor may be (issue 9, defects 4 and 6): any IANA zone, every zone of a subdivision,
and refusal whenever the debtor's location or its rule pack cannot be established.

The instants are chosen at the boundaries of the law's own text: Reg F 1006.6(b)(1)(i) (after
8 a.m., before 9 p.m. local time), comment 6(b)(1)(i)-2 (every place the consumer may be), and the
Ontario regulation's 7 a.m. start.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from solvent.compliance.domain.engine import LOCATION_RULE, UNSUPPORTED_RULE, decide
from solvent.compliance.domain.jurisdictions import resolve, resolve_signals
from solvent.compliance.domain.model import (
    Address,
    Channel,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    Decision,
    Party,
    ProposedContact,
)

REG_F_HOURS = "regf.inconvenient_time.8am_9pm_local"
ONTARIO_HOURS = "on.hours_7am_9pm"


def _call(profile: DebtorProfile, at: datetime) -> Decision:
    """A call about one active debt, to the debtor's first phone when there is one."""
    profile = replace(profile, debts=(Debt("debt", ontario_notice_sent_on=date(2026, 1, 5)),))
    phones = [point.id for point in profile.contact_points if point.kind is ContactPointKind.MOBILE]
    point_id = phones[0] if phones else None
    return decide(profile, (), ProposedContact(at, Channel.CALL, "debt", point_id))


def _local(zone_name: str, *fields: int) -> datetime:
    return datetime(*fields, tzinfo=ZoneInfo(zone_name)).astimezone(UTC)  # type: ignore[misc]


def _phone(number: str) -> ContactPoint:
    return ContactPoint("phone", ContactPointKind.MOBILE, number)


# Defect 4: a zone the engine did not list switched every rule off.


@pytest.mark.parametrize(
    "zone_name",
    [
        "America/Kentucky/Louisville",
        "America/Indiana/Knox",
        "America/North_Dakota/Center",
        "America/Menominee",
        "US/Eastern",
        "US/Central",
    ],
)
def test_a_debtor_known_only_by_a_us_zone_is_not_called_at_3_am_local(zone_name: str) -> None:
    decision = _call(DebtorProfile(time_zones=(zone_name,)), _local(zone_name, 2026, 4, 1, 3, 0))
    assert not decision.allowed
    assert REG_F_HOURS in decision.blocking_rule_ids
    assert "US" in decision.jurisdictions


def test_a_louisville_debtor_becomes_callable_at_8_am_louisville_time() -> None:
    profile = DebtorProfile(time_zones=("America/Kentucky/Louisville",))
    decision = _call(profile, _local("America/Kentucky/Louisville", 2026, 4, 1, 3, 0))
    assert decision.earliest_lawful_at == _local("America/Kentucky/Louisville", 2026, 4, 1, 8, 0)
    assert "US-KY" in decision.jurisdictions


@pytest.mark.parametrize(
    ("hour", "minute"), [(3, 0), (7, 59), (8, 0), (12, 0), (20, 59), (21, 0), (23, 30)]
)
def test_us_eastern_is_decided_exactly_like_new_york(hour: int, minute: int) -> None:
    at = _local("America/New_York", 2026, 11, 24, hour, minute)
    link = _call(DebtorProfile(time_zones=("US/Eastern",)), at)
    target = _call(DebtorProfile(time_zones=("America/New_York",)), at)
    assert (link.allowed, link.blocking_rule_ids, link.earliest_lawful_at) == (
        target.allowed,
        target.blocking_rule_ids,
        target.earliest_lawful_at,
    )
    assert link.jurisdictions == target.jurisdictions
    assert link.rule_pack_versions == target.rule_pack_versions


def test_a_zone_that_pins_a_country_applies_the_packs_of_every_subdivision_in_it() -> None:
    # Los Angeles time is kept in California and Washington (and Nevada, Oregon, Idaho): the
    # consumer may be in any of them, so both states' packs apply (comment 6(b)(1)(i)-2).
    decision = _call(
        DebtorProfile(time_zones=("America/Los_Angeles",)),
        _local("America/Los_Angeles", 2026, 11, 24, 12, 0),
    )
    assert {"US-CA", "US-WA", "US-NV", "US-OR"} <= set(decision.jurisdictions)
    assert {"us_federal", "us_ca", "us_wa"} <= set(decision.rule_pack_versions)


def test_an_atikokan_zone_places_the_debtor_in_ontario_only() -> None:
    resolution = resolve_signals(("America/Atikokan",), (), (), ())
    assert resolution.jurisdictions == ("CA", "CA-ON")
    assert resolution.unknown == ()


@pytest.mark.parametrize("zone_name", ["Mars/Olympus", "america/new_york", "EST5", ""])
def test_a_zone_that_is_not_an_iana_name_is_refused_as_an_unknown_location(
    zone_name: str,
) -> None:
    profile = DebtorProfile(addresses=(Address("a", "US", "NY"),), time_zones=(zone_name,))
    decision = _call(profile, _local("America/New_York", 2026, 11, 24, 12, 0))
    assert decision.blocking_rule_ids == (LOCATION_RULE,)
    assert repr(zone_name) in decision.blocking[0].message
    assert decision.earliest_lawful_at is None


@pytest.mark.parametrize("zone_name", ["UTC", "Etc/GMT+5", "Factory"])
def test_a_zone_of_no_country_is_refused_as_an_unknown_location(zone_name: str) -> None:
    decision = _call(DebtorProfile(time_zones=(zone_name,)), datetime(2026, 11, 24, 17, tzinfo=UTC))
    assert decision.blocking_rule_ids == (LOCATION_RULE,)


def test_an_address_zone_that_is_not_an_iana_name_is_refused() -> None:
    address = Address("a", "US", "NY", time_zone="Eastern Standard Time")
    decision = _call(DebtorProfile(addresses=(address,)), datetime(2026, 11, 24, 17, tzinfo=UTC))
    assert decision.blocking_rule_ids == (LOCATION_RULE,)


def test_a_number_of_no_country_is_refused_as_an_unknown_location() -> None:
    # +800 is the international freephone code: it says nothing about where the consumer is.
    profile = DebtorProfile(
        addresses=(Address("a", "US", "NY"),), contact_points=(_phone("+80012345678"),)
    )
    decision = _call(profile, _local("America/New_York", 2026, 11, 24, 12, 0))
    assert decision.blocking_rule_ids == (LOCATION_RULE,)


def test_an_address_country_that_is_not_an_iso_code_is_refused() -> None:
    decision = _call(
        DebtorProfile(addresses=(Address("a", "XX", time_zone="America/New_York"),)),
        _local("America/New_York", 2026, 11, 24, 12, 0),
    )
    assert decision.blocking_rule_ids == (LOCATION_RULE,)


# Defect 6: every zone a subdivision spans applies; a covered country's uncovered province refuses.


def test_an_ontario_address_spans_toronto_winnipeg_and_atikokan_time() -> None:
    resolution = resolve_signals((), (Address("a", "CA", "ON"),), (), ())
    assert resolution.time_zones[0] == "America/Toronto"
    assert {"America/Winnipeg", "America/Atikokan"} <= set(resolution.time_zones)


def test_an_ontario_address_without_a_zone_is_not_called_before_7_am_winnipeg_time() -> None:
    # 07:30 in Toronto is 06:30 in north-west Ontario, before the Ontario regulation's 7 a.m.
    profile = DebtorProfile(addresses=(Address("a", "CA", "ON"),))
    decision = _call(profile, _local("America/Toronto", 2026, 11, 24, 7, 30))
    assert not decision.allowed
    assert ONTARIO_HOURS in decision.blocking_rule_ids
    assert decision.earliest_lawful_at == _local("America/Winnipeg", 2026, 11, 24, 7, 0)


def test_an_ontario_address_with_a_us_number_is_not_called_at_8_30_toronto_time() -> None:
    # The New York number brings Reg F: 08:30 in Toronto is 07:30 in Winnipeg, before 8 a.m.
    profile = DebtorProfile(
        addresses=(Address("a", "CA", "ON"),), contact_points=(_phone("+12125550100"),)
    )
    decision = _call(profile, _local("America/Toronto", 2026, 11, 24, 8, 30))
    assert not decision.allowed
    assert any(rule.startswith("regf.inconvenient_time") for rule in decision.blocking_rule_ids)
    assert decision.earliest_lawful_at == _local("America/Winnipeg", 2026, 11, 24, 8, 0)


@pytest.mark.parametrize(
    ("region", "zones"),
    [
        ("QC", {"America/Toronto", "America/Blanc-Sablon"}),
        ("BC", {"America/Vancouver", "America/Creston", "America/Dawson_Creek"}),
        ("NU", {"America/Iqaluit", "America/Rankin_Inlet", "America/Cambridge_Bay"}),
        ("NL", {"America/St_Johns", "America/Goose_Bay"}),
    ],
)
def test_a_canadian_province_spans_every_zone_it_keeps(region: str, zones: set[str]) -> None:
    resolution = resolve_signals((), (Address("a", "CA", region),), (), ())
    assert zones <= set(resolution.time_zones)


@pytest.mark.parametrize(
    ("region", "zones"),
    [
        ("IN", {"America/Indiana/Indianapolis", "America/Indiana/Knox", "America/Chicago"}),
        ("KY", {"America/Kentucky/Louisville", "America/Kentucky/Monticello", "America/Chicago"}),
        ("ND", {"America/North_Dakota/Center", "America/Chicago", "America/Denver"}),
        ("MI", {"America/Detroit", "America/Menominee"}),
        ("ID", {"America/Boise", "America/Los_Angeles"}),
        ("AK", {"America/Anchorage", "America/Adak", "America/Juneau", "America/Nome"}),
    ],
)
def test_a_us_state_spans_every_zone_it_keeps(region: str, zones: set[str]) -> None:
    resolution = resolve_signals((), (Address("a", "US", region),), (), ())
    assert zones <= set(resolution.time_zones)


def test_an_alberta_address_with_an_ontario_phone_is_refused() -> None:
    profile = DebtorProfile(
        addresses=(Address("a", "CA", "AB"),), contact_points=(_phone("+14165550100"),)
    )
    decision = _call(profile, _local("America/Toronto", 2026, 11, 24, 12, 0))
    assert not decision.allowed
    assert decision.blocking_rule_ids == (UNSUPPORTED_RULE,)
    assert "CA-AB" in decision.blocking[0].message
    assert decision.earliest_lawful_at is None


def test_a_canadian_address_without_a_province_and_nothing_else_is_refused() -> None:
    decision = _call(
        DebtorProfile(addresses=(Address("a", "CA", city="Somewhere"),)),
        datetime(2026, 11, 24, 17, tzinfo=UTC),
    )
    assert decision.blocking_rule_ids == (LOCATION_RULE,)


def test_a_canadian_address_without_a_province_is_refused_beside_an_ontario_phone() -> None:
    # The phone is in Ontario, but the address may be in any province, most without a pack.
    profile = DebtorProfile(
        addresses=(Address("a", "CA", city="Somewhere"),),
        contact_points=(_phone("+14165550100"),),
    )
    decision = _call(profile, _local("America/Toronto", 2026, 11, 24, 12, 0))
    assert decision.blocking_rule_ids == (UNSUPPORTED_RULE,)
    assert "CA (where in it unknown)" in decision.blocking[0].message


def test_a_zone_kept_by_an_uncovered_province_is_refused() -> None:
    # Edmonton time: Alberta, east British Columbia, the Northwest Territories, west Saskatchewan.
    decision = _call(
        DebtorProfile(time_zones=("America/Edmonton",)), datetime(2026, 11, 24, 18, tzinfo=UTC)
    )
    assert decision.blocking_rule_ids == (UNSUPPORTED_RULE,)


def test_a_number_shared_by_two_provinces_places_the_debtor_in_both() -> None:
    resolution = resolve_signals((), (), ("+19025550100",), ())
    assert {"CA-NS", "CA-PE"} <= set(resolution.jurisdictions)


def test_a_us_debtor_whose_phone_points_to_an_uncovered_province_is_refused() -> None:
    # The stricter reading (ADR 0008): Alberta's rules are unknown to us, so no automated contact.
    profile = DebtorProfile(
        addresses=(Address("a", "US", "PA"),), contact_points=(_phone("+14035550100"),)
    )
    decision = _call(profile, _local("America/New_York", 2026, 11, 24, 12, 0))
    assert decision.blocking_rule_ids == (UNSUPPORTED_RULE,)
    assert "CA-AB" in decision.blocking[0].message


def test_a_us_debtor_whose_phone_points_to_a_covered_province_gets_both_rule_sets() -> None:
    profile = DebtorProfile(
        addresses=(Address("a", "US", "PA"),), contact_points=(_phone("+14165550100"),)
    )
    decision = _call(profile, _local("America/New_York", 2026, 11, 24, 12, 0))
    assert decision.allowed
    assert {"us_federal", "canada_on"} <= set(decision.rule_pack_versions)


# DST: two zones change on the same night, each at its own 2 a.m.


KENTUCKY = DebtorProfile(
    addresses=(Address("a", "US", "KY"),), contact_points=(_phone("+15025550100"),)
)


def test_a_kentucky_address_opens_at_8_am_central_on_the_night_clocks_go_forward() -> None:
    profile = KENTUCKY
    # Sunday 2026-03-08: 08:00 EDT is 12:00 UTC, 08:00 CDT is 13:00 UTC.
    early = _call(profile, datetime(2026, 3, 8, 12, 30, tzinfo=UTC))
    assert not early.allowed
    assert early.earliest_lawful_at == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)
    assert _call(profile, datetime(2026, 3, 8, 13, 0, tzinfo=UTC)).allowed


def test_a_kentucky_address_closes_at_9_pm_eastern_on_the_night_clocks_go_back() -> None:
    profile = KENTUCKY
    # Sunday 2026-11-01, both zones back on standard time: 21:00 EST is 02:00 UTC on the 2nd.
    assert _call(profile, datetime(2026, 11, 2, 1, 59, tzinfo=UTC)).allowed
    late = _call(profile, datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
    assert not late.allowed
    # Next morning: 08:00 CST is 14:00 UTC.
    assert late.earliest_lawful_at == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def test_new_york_and_london_change_clocks_on_different_weeks_and_both_windows_hold() -> None:
    # US clocks went forward on 2026-03-08, UK clocks on 2026-03-29: between them London is only
    # four hours ahead. 12:59 UTC is 08:59 in New York and 12:59 in London: allowed in both.
    profile = DebtorProfile(
        addresses=(Address("a", "US", "NY"),), contact_points=(_phone("+442079460000"),)
    )
    assert _call(profile, datetime(2026, 3, 16, 12, 59, tzinfo=UTC)).allowed
    # 11:59 UTC is 07:59 in New York: blocked, and the next opening is 12:00 UTC (08:00 EDT).
    early = _call(profile, datetime(2026, 3, 16, 11, 59, tzinfo=UTC))
    assert early.earliest_lawful_at == datetime(2026, 3, 16, 12, 0, tzinfo=UTC)


def test_a_number_recorded_as_someone_elses_does_not_place_the_debtor() -> None:
    # A relative in Alberta says where the relative is, not the consumer (comment 6(b)(1)(i)-2
    # is about the consumer's location).
    relative = ContactPoint("r", ContactPointKind.MOBILE, "+14035550100", owner=Party.THIRD_PARTY)
    profile = DebtorProfile(addresses=(Address("a", "US", "PA"),), contact_points=(relative,))
    assert "CA-AB" not in resolve(profile).jurisdictions


def test_an_empty_number_claims_no_place_but_an_unreadable_one_refuses() -> None:
    address = (Address("a", "US", "PA"),)
    empty = DebtorProfile(addresses=address, contact_points=(_phone(""),))
    assert resolve(empty).unknown == ()
    unreadable = DebtorProfile(addresses=address, contact_points=(_phone("call me maybe"),))
    assert resolve(unreadable).unknown == ("the number 'call me maybe' cannot be read",)


@pytest.mark.parametrize(
    ("zone_name", "expected"),
    [
        # The FDCPA's "State" includes the territories (15 U.S.C. 1692a(8)).
        ("America/Puerto_Rico", ("US", "US-PR")),
        ("Pacific/Guam", ("US", "US-GU")),
        # The Crown dependencies share UK numbering and are treated as the UK.
        ("Europe/Guernsey", ("GB",)),
        ("Canada/Eastern", ("CA", "CA-ON", "CA-QC")),
    ],
)
def test_a_zone_places_territories_and_links_where_our_packs_expect(
    zone_name: str, expected: tuple[str, ...]
) -> None:
    assert resolve_signals((zone_name,), (), (), ()).jurisdictions == expected
