"""Where may the debtor be? Every jurisdiction and IANA time zone the signals point to.

Signals: explicit IANA zones, postal addresses (country, region, city, postal code, optional zone)
and phone numbers. Reg F comment 6(b)(1)(i)-2 says conflicting or ambiguous location information
means a contact must be convenient in *all* the places the consumer might be; the same union
selects the rule packs (DESIGN.md: "every applicable jurisdiction and time zone applies").

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

from solvent.compliance.domain.model import Address, ContactPointKind, DebtorProfile

_NY, _CHI, _DEN, _LA = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)

# States spanning two zones list both: with only the state known the consumer may be in either.
US_REGION_ZONES: dict[str, tuple[str, ...]] = {
    "AL": (_CHI,), "AK": ("America/Anchorage", "America/Adak"), "AZ": ("America/Phoenix",),
    "AR": (_CHI,), "CA": (_LA,), "CO": (_DEN,), "CT": (_NY,), "DE": (_NY,), "DC": (_NY,),
    "FL": (_NY, _CHI), "GA": (_NY,), "HI": ("Pacific/Honolulu",), "ID": ("America/Boise", _LA),
    "IL": (_CHI,), "IN": ("America/Indiana/Indianapolis", _CHI), "IA": (_CHI,),
    "KS": (_CHI, _DEN), "KY": (_NY, _CHI), "LA": (_CHI,), "ME": (_NY,), "MD": (_NY,),
    "MA": (_NY,), "MI": ("America/Detroit", _CHI), "MN": (_CHI,), "MS": (_CHI,), "MO": (_CHI,),
    "MT": (_DEN,), "NE": (_CHI, _DEN), "NV": (_LA, _DEN), "NH": (_NY,), "NJ": (_NY,),
    "NM": (_DEN,), "NY": (_NY,), "NC": (_NY,), "ND": (_CHI, _DEN), "OH": (_NY,), "OK": (_CHI,),
    "OR": (_LA, "America/Boise"), "PA": (_NY,), "RI": (_NY,), "SC": (_NY,), "SD": (_CHI, _DEN),
    "TN": (_CHI, _NY), "TX": (_CHI, _DEN), "UT": (_DEN,), "VT": (_NY,), "VA": (_NY,),
    "WA": (_LA,), "WV": (_NY,), "WI": (_CHI,), "WY": (_DEN,), "PR": ("America/Puerto_Rico",),
    "GU": ("Pacific/Guam",), "VI": ("America/St_Thomas",), "AS": ("Pacific/Pago_Pago",),
    "MP": ("Pacific/Saipan",),
}  # fmt: skip

CA_REGION_ZONES: dict[str, tuple[str, ...]] = {
    "ON": ("America/Toronto",), "QC": ("America/Toronto",), "BC": ("America/Vancouver",),
    "AB": ("America/Edmonton",), "SK": ("America/Regina",), "MB": ("America/Winnipeg",),
    "NS": ("America/Halifax",), "NB": ("America/Moncton",), "NL": ("America/St_Johns",),
    "PE": ("America/Halifax",), "YT": ("America/Whitehorse",), "NT": ("America/Yellowknife",),
    "NU": ("America/Iqaluit",),
}  # fmt: skip

AU_REGION_ZONES: dict[str, tuple[str, ...]] = {
    "NSW": ("Australia/Sydney",), "ACT": ("Australia/Sydney",), "VIC": ("Australia/Melbourne",),
    "QLD": ("Australia/Brisbane",), "SA": ("Australia/Adelaide",), "WA": ("Australia/Perth",),
    "TAS": ("Australia/Hobart",), "NT": ("Australia/Darwin",),
}  # fmt: skip

COUNTRY_ZONES: dict[str, tuple[str, ...]] = {"GB": ("Europe/London",)}

REGION_ZONES: dict[str, dict[str, tuple[str, ...]]] = {
    "US": US_REGION_ZONES,
    "CA": CA_REGION_ZONES,
    "AU": AU_REGION_ZONES,
}

US_STATE_NAMES: dict[str, str] = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL",
    "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR",
    "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA",
    "washington": "WA", "washington state": "WA", "washington d.c.": "DC",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY",
}  # fmt: skip

CA_PROVINCE_NAMES: dict[str, str] = {
    "ontario": "ON", "quebec": "QC", "british columbia": "BC", "alberta": "AB",
    "saskatchewan": "SK", "manitoba": "MB", "nova scotia": "NS", "new brunswick": "NB",
    "newfoundland and labrador": "NL", "prince edward island": "PE", "yukon": "YT",
    "northwest territories": "NT", "nunavut": "NU",
}  # fmt: skip

ZONE_COUNTRY: dict[str, str] = {
    name: country
    for country, regions in (
        ("US", US_REGION_ZONES),
        ("CA", CA_REGION_ZONES),
        ("AU", AU_REGION_ZONES),
    )
    for names in regions.values()
    for name in names
}
ZONE_COUNTRY["Europe/London"] = "GB"

# New York City: the five boroughs' area codes (917 is the city-wide mobile overlay).
NYC_AREA_CODES: frozenset[str] = frozenset({"212", "332", "646", "718", "347", "929", "917"})
NYC_CITY_NAMES: frozenset[str] = frozenset(
    {"new york", "new york city", "nyc", "manhattan", "brooklyn", "bronx", "the bronx", "queens",
     "staten island"}
)  # fmt: skip
NYC_ZIP_PREFIXES: tuple[str, ...] = ("100", "101", "102", "103", "104", "110", "111", "112", "113",
                                     "114", "116")  # fmt: skip
# Crown dependencies share UK numbering; treat as UK for the conservative FCA reading.
PHONE_REGION_COUNTRY: dict[str, str] = {"GG": "GB", "JE": "GB", "IM": "GB", "PR": "US"}


@dataclass(frozen=True, slots=True)
class Resolution:
    jurisdictions: tuple[str, ...]
    time_zones: tuple[str, ...]  # primary (counting) zone first


def _with_parents(code: str) -> list[str]:
    parts = code.split("-")
    return ["-".join(parts[: index + 1]) for index in range(len(parts))]


def address_jurisdictions(address: Address) -> list[str]:
    country = address.country.upper()
    region = (address.region or "").upper()
    codes = [country]
    if region:
        codes.append(f"{country}-{region}")
    if country == "US" and region == "NY" and _is_nyc(address):
        codes.append("US-NY-NYC")
    return codes


def _is_nyc(address: Address) -> bool:
    if address.city and address.city.strip().lower() in NYC_CITY_NAMES:
        return True
    return bool(address.postal_code and address.postal_code.strip().startswith(NYC_ZIP_PREFIXES))


def address_zones(address: Address) -> tuple[str, ...]:
    if address.time_zone:
        return (address.time_zone,)
    country = address.country.upper()
    region = (address.region or "").upper()
    if country in REGION_ZONES:
        return REGION_ZONES[country].get(region, ())
    return COUNTRY_ZONES.get(country, ())


@dataclass(frozen=True, slots=True)
class PhoneLocation:
    jurisdictions: tuple[str, ...]
    time_zones: tuple[str, ...]
    geographic: bool  # False for non-geographic mobiles outside North America


@lru_cache(maxsize=4096)
def phone_location(number: str) -> PhoneLocation:
    """Jurisdictions and zones a phone number points to; empty when it cannot be parsed."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return PhoneLocation((), (), False)
    region = phonenumbers.region_code_for_number(parsed) or ""
    country = PHONE_REGION_COUNTRY.get(region, region)
    if not country:
        return PhoneLocation((), (), False)
    codes = [country]
    national = str(parsed.national_number)
    if parsed.country_code == 1:
        if region == "PR":
            codes.append("US-PR")
        description = geocoder.description_for_number(parsed, "en").strip().lower()
        names = US_STATE_NAMES if country == "US" else CA_PROVINCE_NAMES
        region_code = _region_from_description(description, names)
        if region_code:
            codes.append(f"{country}-{region_code}")
        if country == "US" and national[:3] in NYC_AREA_CODES:
            codes += ["US-NY", "US-NY-NYC"]
    zones = tuple(z for z in phone_timezone.time_zones_for_number(parsed) if z != "Etc/Unknown")
    number_type = phonenumbers.number_type(parsed)
    geographic = parsed.country_code == 1 or number_type not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.PAGER,
        phonenumbers.PhoneNumberType.VOIP,
        phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
    )
    return PhoneLocation(tuple(dict.fromkeys(codes)), zones, geographic)


def _region_from_description(description: str, names: dict[str, str]) -> str | None:
    if description in names:
        return names[description]
    if ", " in description:
        tail = description.rsplit(", ", 1)[1].upper()
        if tail in names.values():
            return tail
    return None


def resolve(profile: DebtorProfile) -> Resolution:
    phones = tuple(
        point.value
        for point in profile.contact_points
        if point.kind in (ContactPointKind.MOBILE, ContactPointKind.LANDLINE)
        and not point.wrong_number
    )
    return resolve_signals(profile.time_zones, profile.addresses, phones, profile.jurisdictions)


@lru_cache(maxsize=8192)
def resolve_signals(
    time_zones: tuple[str, ...],
    addresses: tuple[Address, ...],
    phones: tuple[str, ...],
    extra_jurisdictions: tuple[str, ...],
) -> Resolution:
    jurisdictions: dict[str, None] = {}
    zones: dict[str, None] = dict.fromkeys(time_zones)
    for address in addresses:
        for code in address_jurisdictions(address):
            jurisdictions.update(dict.fromkeys(_with_parents(code)))
        zones.update(dict.fromkeys(address_zones(address)))
    fallback_zones: dict[str, None] = {}
    for number in phones:
        location = phone_location(number)
        for code in location.jurisdictions:
            jurisdictions.update(dict.fromkeys(_with_parents(code)))
        if location.geographic:
            zones.update(dict.fromkeys(location.time_zones))
        else:
            # A mobile says which country, not where in it; use its zones only as a last resort.
            fallback_zones.update(dict.fromkeys(location.time_zones))
    for code in extra_jurisdictions:
        jurisdictions.update(dict.fromkeys(_with_parents(code.upper())))
    if not zones:
        zones = fallback_zones
    if not jurisdictions:
        # Only zones are known: the country they belong to is still a jurisdiction.
        for name in zones:
            country = ZONE_COUNTRY.get(name)
            if country:
                jurisdictions[country] = None
    return Resolution(tuple(sorted(jurisdictions)), tuple(zones))
