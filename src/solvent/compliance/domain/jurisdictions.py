"""Where may the debtor be? Every jurisdiction and IANA time zone the signals point to.

Signals: explicit IANA zones, postal addresses (country, region, city, postal code, optional zone)
and phone numbers. Reg F comment 6(b)(1)(i)-2 says conflicting or ambiguous location information
means a contact must be convenient in *all* the places the consumer might be; the same union
selects the rule packs (DESIGN.md: "every applicable jurisdiction and time zone applies").

* A zone is placed through the tz database itself (``tzdb``): any valid IANA name, links
  included (``US/Eastern`` is New York's). A zone that pins a country but not a subdivision makes
  every subdivision keeping that zone a candidate (``America/Los_Angeles``: CA, WA, NV, OR, ID).
* An address gives its country and subdivision, and every zone the subdivision spans
  (``subdivisions.py``); its own geocoded zone, when known, replaces them.
* A phone number gives its country and, in North America, its state or province (``phonenumbers``).

Nothing is silently dropped: a signal whose place cannot be established (an invalid zone name, a
zone of no country, a country code we cannot tell) is listed in ``Resolution.unknown``, and a
signal that names a country but not its subdivision lists the country in ``Resolution.unplaced``;
the engine refuses on both where it matters (ADR 0008).

Jurisdiction codes are ISO-like: ``US``, ``US-MA``, ``US-NY``, ``US-NY-NYC``, ``CA``, ``CA-ON``,
``GB``, ``AU``, ``AU-NSW``. A sub-jurisdiction always comes with its parents.

Results are cached with ``functools.lru_cache`` on the hashable location signals, because parsing a
phone number with ``phonenumbers`` costs about 10 µs and the decision budget is 50 µs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import geocoder
from phonenumbers import timezone as phone_timezone

from solvent.compliance.domain import tzdb
from solvent.compliance.domain.model import (
    Address,
    ContactPointKind,
    DebtorProfile,
    Party,
    Resolution,
)
from solvent.compliance.domain.subdivisions import (
    CA_PROVINCE_NAMES,
    COUNTRY_ALIASES,
    NYC_AREA_CODES,
    NYC_CITY_NAMES,
    NYC_ZIP_PREFIXES,
    REGION_ZONES,
    US_STATE_NAMES,
)


@dataclass(frozen=True, slots=True)
class _Signal:
    """What one signal says: the places (deepest code known), its zones, or why it says nothing."""

    places: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()


def _with_parents(code: str) -> list[str]:
    parts = code.split("-")
    return ["-".join(parts[: index + 1]) for index in range(len(parts))]


def _country_code(code: str) -> str:
    """Our code for an ISO country: a US territory is a US state, a Crown dependency the UK."""
    return COUNTRY_ALIASES.get(code, code)


@lru_cache(maxsize=2048)
def zone_places(name: str) -> _Signal:
    """The places a zone puts the debtor in (every subdivision keeping it), or why none."""
    if not tzdb.is_valid(name):
        return _Signal(unknown=(f"time zone {name!r} is not an IANA time zone name",))
    places: list[str] = []
    for country in tzdb.countries(name):
        code = _country_code(country)
        table = REGION_ZONES.get(code)
        if table is None:
            places.append(code)
            continue
        keeping = [region for region, zones in table.items() if name in zones]
        if not keeping:
            # A link (US/Eastern) or a zone shared under another name: compare the zones meant.
            meant = tzdb.canonical(name)
            keeping = [
                region
                for region, zones in table.items()
                if any(tzdb.canonical(zone_name) == meant for zone_name in zones)
            ]
        places += [f"{code}-{region}" for region in keeping] or [code]
    if not places:
        return _Signal(unknown=(f"time zone {name!r} cannot be placed in a country",))
    return _Signal(tuple(dict.fromkeys(places)), (name,))


def _is_nyc(address: Address) -> bool:
    if address.city and address.city.strip().lower() in NYC_CITY_NAMES:
        return True
    return bool(address.postal_code and address.postal_code.strip().startswith(NYC_ZIP_PREFIXES))


@lru_cache(maxsize=4096)
def address_places(address: Address) -> _Signal:
    country = address.country.strip().upper()
    if country not in tzdb.country_codes():
        return _Signal(unknown=(f"the country {address.country!r} of an address is not known",))
    code = _country_code(country)
    region = (address.region or "").strip().upper()
    if "-" in code:  # a US territory written as a country
        code, region = code.split("-", 1)
    table = REGION_ZONES.get(code)
    if table is None:
        places: tuple[str, ...] = (f"{code}-{region}",) if region else (code,)
        zones = tzdb.zones_of(country)
    elif region in table:
        places = (f"{code}-{region}",)
        if code == "US" and region == "NY" and _is_nyc(address):
            places += ("US-NY-NYC",)
        zones = table[region]
    else:
        # No or an unknown subdivision: the country, unplaced; its zones come from other signals.
        places, zones = (code,), ()
    if not address.time_zone:
        return _Signal(places, zones)
    by_zone = zone_places(address.time_zone)
    if by_zone.unknown:
        return by_zone
    inside = tuple(place for place in by_zone.places if place.split("-", 1)[0] == code)
    if places == (code,) and inside:
        places = inside  # the geocoded zone tells where in the country the address is
    elif not inside:
        places += by_zone.places  # address and zone disagree: both places apply
    return _Signal(places, (address.time_zone,))


@dataclass(frozen=True, slots=True)
class PhoneLocation:
    jurisdictions: tuple[str, ...]
    time_zones: tuple[str, ...]
    geographic: bool  # False for non-geographic mobiles outside North America
    unknown: tuple[str, ...] = ()


def _regions_from_description(description: str, names: dict[str, str]) -> list[str]:
    """``Ontario``, ``New York, NY``, ``Nova Scotia/Prince Edward Island`` -> region codes."""
    codes: list[str] = []
    for part in description.split("/"):
        part = part.strip()
        if part in names:
            codes.append(names[part])
        elif ", " in part and part.rsplit(", ", 1)[1].upper() in names.values():
            codes.append(part.rsplit(", ", 1)[1].upper())
    return codes


def _only_country(country_code: int | None) -> str:
    """The country of a calling code all of whose regions are one country for us (+44: GB, GG,
    IM, JE), so that an unassigned number still has a country; "" when it could be several (+1).
    """
    if country_code is None:
        return ""
    regions = phonenumbers.region_codes_for_country_code(country_code)
    countries = {_country_code(region) for region in regions}
    return regions[0] if len(countries) == 1 else ""


@lru_cache(maxsize=4096)
def phone_location(number: str) -> PhoneLocation:
    """Jurisdictions and zones a phone number points to; ``unknown`` when it places nowhere."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return PhoneLocation((), (), False, (f"the number {number!r} cannot be read",))
    region = phonenumbers.region_code_for_number(parsed) or _only_country(parsed.country_code)
    if region not in tzdb.country_codes():
        return PhoneLocation(
            (), (), False, (f"the number {number!r} cannot be placed in a country",)
        )
    code = _country_code(region)
    places = [code]
    if code in ("US", "CA"):
        description = geocoder.description_for_number(parsed, "en").strip().lower()
        names = US_STATE_NAMES if code == "US" else CA_PROVINCE_NAMES
        regions = _regions_from_description(description, names)
        places = [f"{code}-{region_code}" for region_code in regions] or places
        if code == "US" and str(parsed.national_number)[:3] in NYC_AREA_CODES:
            places += ["US-NY", "US-NY-NYC"]
    zones = tuple(z for z in phone_timezone.time_zones_for_number(parsed) if tzdb.is_valid(z))
    number_type = phonenumbers.number_type(parsed)
    geographic = parsed.country_code == 1 or number_type not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.PAGER,
        phonenumbers.PhoneNumberType.VOIP,
        phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
    )
    return PhoneLocation(tuple(dict.fromkeys(places)), zones, geographic)


def resolve(profile: DebtorProfile) -> Resolution:
    if profile.resolved is not None:
        return profile.resolved
    # Only the consumer's own numbers say where the consumer is: a relative's or an employer's
    # switchboard, or a number learned to be someone else's, says where they are. An empty value
    # is no number at all (it claims no place); any other value that cannot be placed refuses.
    phones = tuple(
        point.value
        for point in profile.contact_points
        if point.kind in (ContactPointKind.MOBILE, ContactPointKind.LANDLINE)
        and point.value.strip()
        and not point.wrong_number
        and point.owner is Party.CONSUMER
    )
    return resolve_signals(profile.time_zones, profile.addresses, phones, profile.jurisdictions)


@lru_cache(maxsize=8192)
def resolve_signals(
    time_zones: tuple[str, ...],
    addresses: tuple[Address, ...],
    phones: tuple[str, ...],
    extra_jurisdictions: tuple[str, ...],
) -> Resolution:
    places: dict[str, None] = {}
    zones: dict[str, None] = {}
    unknown: dict[str, None] = {}
    for signal in (
        *(zone_places(name) for name in time_zones),
        *(address_places(address) for address in addresses),
    ):
        places.update(dict.fromkeys(signal.places))
        zones.update(dict.fromkeys(signal.zones))
        unknown.update(dict.fromkeys(signal.unknown))
    fallback_zones: dict[str, None] = {}
    for number in phones:
        location = phone_location(number)
        places.update(dict.fromkeys(location.jurisdictions))
        unknown.update(dict.fromkeys(location.unknown))
        if location.geographic:
            zones.update(dict.fromkeys(location.time_zones))
        else:
            # A mobile says which country, not where in it; use its zones only as a last resort.
            fallback_zones.update(dict.fromkeys(location.time_zones))
    if not zones:
        zones = fallback_zones
    jurisdictions: dict[str, None] = {}
    for code in (*places, *(code.upper() for code in extra_jurisdictions)):
        jurisdictions.update(dict.fromkeys(_with_parents(code)))
    unplaced = sorted(code for code in places if "-" not in code)
    return Resolution(tuple(sorted(jurisdictions)), tuple(zones), tuple(unplaced), tuple(unknown))


__all__ = [
    "PhoneLocation",
    "Resolution",
    "address_places",
    "phone_location",
    "resolve",
    "resolve_signals",
    "zone_places",
]
