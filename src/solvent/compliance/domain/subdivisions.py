"""The zones each US state, Canadian province and Australian state keeps, and their names.

The one hand-written geography of the engine. Every zone a subdivision spans is listed (DESIGN.md:
"every applicable jurisdiction and time zone applies"), the zone of most of its people first
(the counting zone when only the subdivision is known). ``tests/compliance/domain/
test_location_tz_database.py`` checks these tables against the pinned tz database: every zone that
``zone.tab`` or ``zone1970.tab`` gives the US, Canada or Australia belongs to a subdivision here,
and every name here is a real IANA name. Unofficial local practice (a town keeping its
neighbour's time) is listed too: an extra zone only narrows the hours, which is the safe side.
"""

from __future__ import annotations

_NY, _CHI, _DEN, _LA = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)
_INDIANA = tuple(
    f"America/Indiana/{place}"
    for place in ("Indianapolis", "Vincennes", "Winamac", "Marengo", "Petersburg", "Vevay",
                  "Tell_City", "Knox")
)  # fmt: skip
_ALASKA = tuple(
    f"America/{place}" for place in ("Anchorage", "Juneau", "Sitka", "Metlakatla", "Yakutat",
                                     "Nome", "Adak")
)  # fmt: skip
_NORTH_DAKOTA = ("America/North_Dakota/Center", "America/North_Dakota/New_Salem",
                 "America/North_Dakota/Beulah")  # fmt: skip

US_REGION_ZONES: dict[str, tuple[str, ...]] = {
    # Phenix City, AL keeps Eastern time; the Navajo Nation in AZ keeps Mountain daylight time;
    # Kenton, OK keeps Mountain time; West Wendover, NV keeps Mountain time.
    "AL": (_CHI, _NY), "AK": _ALASKA, "AZ": ("America/Phoenix", _DEN), "AR": (_CHI,),
    "CA": (_LA,), "CO": (_DEN,), "CT": (_NY,), "DE": (_NY,), "DC": (_NY,), "FL": (_NY, _CHI),
    "GA": (_NY,), "HI": ("Pacific/Honolulu",), "ID": ("America/Boise", _LA), "IL": (_CHI,),
    "IN": (*_INDIANA, _CHI), "IA": (_CHI,), "KS": (_CHI, _DEN),
    "KY": (_NY, "America/Kentucky/Louisville", "America/Kentucky/Monticello", _CHI),
    "LA": (_CHI,), "ME": (_NY,), "MD": (_NY,), "MA": (_NY,),
    "MI": ("America/Detroit", "America/Menominee"), "MN": (_CHI,), "MS": (_CHI,), "MO": (_CHI,),
    "MT": (_DEN,), "NE": (_CHI, _DEN), "NV": (_LA, _DEN), "NH": (_NY,), "NJ": (_NY,),
    "NM": (_DEN,), "NY": (_NY,), "NC": (_NY,), "ND": (_CHI, *_NORTH_DAKOTA, _DEN), "OH": (_NY,),
    "OK": (_CHI, _DEN), "OR": (_LA, "America/Boise"), "PA": (_NY,), "RI": (_NY,), "SC": (_NY,),
    "SD": (_CHI, _DEN), "TN": (_CHI, _NY), "TX": (_CHI, _DEN), "UT": (_DEN,), "VT": (_NY,),
    "VA": (_NY,), "WA": (_LA,), "WV": (_NY,), "WI": (_CHI,), "WY": (_DEN,),
    # Territories: the FDCPA's "State" includes them (15 U.S.C. 1692a(8)).
    "PR": ("America/Puerto_Rico",), "GU": ("Pacific/Guam",), "VI": ("America/St_Thomas",),
    "AS": ("Pacific/Pago_Pago",), "MP": ("Pacific/Saipan",),
}  # fmt: skip

CA_REGION_ZONES: dict[str, tuple[str, ...]] = {
    # North-west Ontario keeps Central time; Atikokan keeps Eastern standard time all year.
    "ON": ("America/Toronto", "America/Winnipeg", "America/Atikokan"),
    # The Lower North Shore keeps Atlantic standard time; the Magdalen Islands Atlantic time.
    "QC": ("America/Toronto", "America/Blanc-Sablon", "America/Halifax"),
    "BC": ("America/Vancouver", "America/Creston", "America/Dawson_Creek", "America/Fort_Nelson",
           "America/Edmonton"),
    "AB": ("America/Edmonton",),
    # Lloydminster keeps Alberta's time.
    "SK": ("America/Regina", "America/Swift_Current", "America/Edmonton"),
    "MB": ("America/Winnipeg",),
    "NS": ("America/Halifax", "America/Glace_Bay"), "NB": ("America/Moncton",),
    "NL": ("America/St_Johns", "America/Goose_Bay"), "PE": ("America/Halifax",),
    "YT": ("America/Whitehorse", "America/Dawson"),
    "NT": ("America/Edmonton", "America/Inuvik"),
    # Southampton Island (Coral Harbour) keeps Eastern standard time all year.
    "NU": ("America/Iqaluit", "America/Rankin_Inlet", "America/Resolute", "America/Cambridge_Bay",
           "America/Coral_Harbour"),
}  # fmt: skip

AU_REGION_ZONES: dict[str, tuple[str, ...]] = {
    # Lord Howe Island belongs to New South Wales, Macquarie Island to Tasmania.
    "NSW": ("Australia/Sydney", "Australia/Broken_Hill", "Australia/Lord_Howe"),
    "ACT": ("Australia/Sydney",), "VIC": ("Australia/Melbourne",),
    "QLD": ("Australia/Brisbane", "Australia/Lindeman"), "SA": ("Australia/Adelaide",),
    "WA": ("Australia/Perth", "Australia/Eucla"),
    "TAS": ("Australia/Hobart", "Antarctica/Macquarie"), "NT": ("Australia/Darwin",),
}  # fmt: skip

REGION_ZONES: dict[str, dict[str, tuple[str, ...]]] = {
    "US": US_REGION_ZONES,
    "CA": CA_REGION_ZONES,
    "AU": AU_REGION_ZONES,
}

# Codes the tz database and phonenumbers give as countries that are, for our rule packs, part of
# another: US territories are US states for the FDCPA; the Crown dependencies share UK numbering
# and are treated as the UK (the conservative FCA reading).
COUNTRY_ALIASES: dict[str, str] = {
    "PR": "US-PR", "GU": "US-GU", "VI": "US-VI", "AS": "US-AS", "MP": "US-MP",
    "GG": "GB", "JE": "GB", "IM": "GB",
}  # fmt: skip

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
    "newfoundland and labrador": "NL", "newfoundland": "NL", "prince edward island": "PE",
    "yukon": "YT", "northwest territories": "NT", "nunavut": "NU",
}  # fmt: skip

# New York City: the five boroughs' area codes (917 is the city-wide mobile overlay).
NYC_AREA_CODES: frozenset[str] = frozenset({"212", "332", "646", "718", "347", "929", "917"})
NYC_CITY_NAMES: frozenset[str] = frozenset(
    {"new york", "new york city", "nyc", "manhattan", "brooklyn", "bronx", "the bronx", "queens",
     "staten island"}
)  # fmt: skip
NYC_ZIP_PREFIXES: tuple[str, ...] = ("100", "101", "102", "103", "104", "110", "111", "112", "113",
                                     "114", "116")  # fmt: skip
