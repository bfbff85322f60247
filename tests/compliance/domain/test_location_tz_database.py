"""Our subdivision zone tables checked against the pinned tz database, and every IANA name decided.

The tables in ``compliance/domain/subdivisions.py`` are the one hand-written part of location
resolution; these tests keep them complete (every zone the tz database gives the United States,
Canada and Australia belongs to a subdivision) and correct (every name is a real IANA name).
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files
from zoneinfo import ZoneInfo

import pytest

from solvent.compliance.domain import tzdb
from solvent.compliance.domain.engine import LOCATION_RULE, UNSUPPORTED_RULE, decide
from solvent.compliance.domain.jurisdictions import resolve_signals
from solvent.compliance.domain.model import Channel, DebtorProfile, ProposedContact
from solvent.compliance.domain.subdivisions import REGION_ZONES

TZ_DATA = files("tzdata").joinpath("zoneinfo")
ALL_NAMES = tuple(files("tzdata").joinpath("zones").read_text().split())


def _tab_rows(name: str) -> list[tuple[str, str]]:
    """(country, zone) for every country code of every row of a ``.tab`` file."""
    rows = []
    for line in TZ_DATA.joinpath(name).read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        codes, _coordinates, zone_name = line.split("\t")[:3]
        rows += [(code, zone_name) for code in codes.split(",")]
    return rows


# zone1970.tab lists every country sharing a zone since 1970. Two shared zones keep another
# country's name and are placed there, not here (ADR 0008): listing Tokyo for Western Australia
# would narrow every WA debtor's hours by an hour for the Eyre Bird Observatory. A new entry here
# fails the test until someone decides.
SHARED_UNDER_ANOTHER_NAME = {("AU", "Asia/Tokyo")}


@pytest.mark.parametrize("table", ["zone.tab", "zone1970.tab"])
@pytest.mark.parametrize("country", sorted(REGION_ZONES))
def test_every_zone_of_the_country_belongs_to_one_of_its_subdivisions(
    table: str, country: str
) -> None:
    ours = {tzdb.canonical(name) for zones in REGION_ZONES[country].values() for name in zones}
    theirs = {name for code, name in _tab_rows(table) if code == country}
    assert theirs, f"{table} lists no zone for {country}"
    missing = {name for name in theirs if tzdb.canonical(name) not in ours}
    assert missing <= {name for code, name in SHARED_UNDER_ANOTHER_NAME if code == country}


def test_every_zone_listed_in_zone_tab_is_named_exactly_in_a_subdivision() -> None:
    named = {name for regions in REGION_ZONES.values() for z in regions.values() for name in z}
    missing = sorted(
        name for code, name in _tab_rows("zone.tab") if code in REGION_ZONES and name not in named
    )
    assert missing == []


def test_every_zone_in_our_tables_is_a_valid_iana_name() -> None:
    names = {name for regions in REGION_ZONES.values() for z in regions.values() for name in z}
    invalid = sorted(name for name in names if name not in ALL_NAMES)
    assert invalid == []
    for name in names:
        ZoneInfo(name)  # loadable here, not only listed


def test_the_tz_database_is_read_from_the_pinned_package() -> None:
    assert tzdb.is_valid("US/Eastern")
    assert tzdb.canonical("US/Eastern") == "America/New_York"
    assert tzdb.countries("US/Eastern") == ("US",)
    assert tzdb.countries("America/Atikokan") == ("CA",)
    assert not tzdb.is_valid("Mars/Olympus")


@pytest.mark.parametrize("zone_name", ALL_NAMES)
def test_no_iana_zone_lets_a_3_am_call_through(zone_name: str) -> None:
    """Every name the tz database knows is either placed (and its hour rules apply) or refused."""
    at = datetime(2026, 11, 24, 3, 0, tzinfo=ZoneInfo(zone_name)).astimezone(UTC)
    decision = decide(DebtorProfile(time_zones=(zone_name,)), (), ProposedContact(at, Channel.CALL))
    assert not decision.allowed
    refused = decision.blocking_rule_ids in ((LOCATION_RULE,), (UNSUPPORTED_RULE,))
    resolution = resolve_signals((zone_name,), (), (), ())
    assert refused or resolution.jurisdictions, zone_name
