"""Real places for generated debtors: cities with their postal codes and telephone area codes.

Only public facts (city, region, postal prefixes, area codes); the numbers built from them are
random. UK landlines use the drama ranges Ofcom reserves (020 7946 0xxx, 0161 496 0xxx, ...); UK
mobiles use ordinary 07x00 ranges, because the drama mobile range (07700 900xxx) does not validate.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Place:
    country: str
    region: str
    city: str
    postal_prefixes: tuple[str, ...]
    area_codes: tuple[str, ...]


US_PLACES: tuple[Place, ...] = (
    Place(
        "US", "NY", "New York", ("100", "101", "102", "104", "112"), ("212", "646", "718", "917")
    ),
    Place("US", "NY", "Buffalo", ("142",), ("716",)),
    Place("US", "MA", "Boston", ("021", "022"), ("617", "857")),
    Place("US", "MA", "Worcester", ("016",), ("508", "774")),
    Place("US", "PA", "Philadelphia", ("191",), ("215", "267")),
    Place("US", "PA", "Pittsburgh", ("152",), ("412",)),
    Place("US", "NJ", "Newark", ("071",), ("973",)),
    Place("US", "FL", "Miami", ("331",), ("305", "786")),
    Place("US", "FL", "Tampa", ("336",), ("813",)),
    Place("US", "FL", "Pensacola", ("325",), ("850",)),
    Place("US", "GA", "Atlanta", ("303",), ("404", "678")),
    Place("US", "NC", "Charlotte", ("282",), ("704", "980")),
    Place("US", "OH", "Columbus", ("432",), ("614",)),
    Place("US", "MI", "Detroit", ("482",), ("313",)),
    Place("US", "IL", "Chicago", ("606",), ("312", "773", "872")),
    Place("US", "TX", "Houston", ("770",), ("713", "832")),
    Place("US", "TX", "Dallas", ("752",), ("214", "469", "972")),
    Place("US", "TX", "El Paso", ("799",), ("915",)),
    Place("US", "TN", "Nashville", ("372",), ("615",)),
    Place("US", "TN", "Memphis", ("381",), ("901",)),
    Place("US", "KY", "Louisville", ("402",), ("502",)),
    Place("US", "IN", "Indianapolis", ("462",), ("317",)),
    Place("US", "MO", "Kansas City", ("641",), ("816",)),
    Place("US", "MN", "Minneapolis", ("554",), ("612",)),
    Place("US", "CO", "Denver", ("802",), ("303", "720")),
    Place("US", "AZ", "Phoenix", ("850",), ("602", "480")),
    Place("US", "UT", "Salt Lake City", ("841",), ("801",)),
    Place("US", "NV", "Las Vegas", ("891",), ("702",)),
    Place("US", "CA", "Los Angeles", ("900",), ("213", "310", "323")),
    Place("US", "CA", "San Diego", ("921",), ("619", "858")),
    Place("US", "CA", "San Francisco", ("941",), ("415", "628")),
    Place("US", "WA", "Seattle", ("981",), ("206",)),
    Place("US", "WA", "Spokane", ("992",), ("509",)),
    Place("US", "OR", "Portland", ("972",), ("503", "971")),
    Place("US", "ID", "Boise", ("837",), ("208",)),
    Place("US", "AK", "Anchorage", ("995",), ("907",)),
    Place("US", "HI", "Honolulu", ("968",), ("808",)),
)

CA_PLACES: tuple[Place, ...] = (
    Place("CA", "ON", "Toronto", ("M4", "M5", "M6"), ("416", "647")),
    Place("CA", "ON", "Ottawa", ("K1", "K2"), ("613",)),
    Place("CA", "ON", "Hamilton", ("L8",), ("905",)),
    Place("CA", "QC", "Montréal", ("H2", "H3"), ("514", "438")),
    Place("CA", "BC", "Vancouver", ("V5", "V6"), ("604", "778")),
    Place("CA", "AB", "Calgary", ("T2",), ("403",)),
    Place("CA", "AB", "Edmonton", ("T5",), ("780",)),
    Place("CA", "MB", "Winnipeg", ("R3",), ("204",)),
    Place("CA", "NS", "Halifax", ("B3",), ("902",)),
)

# UK: postcode districts and the drama ranges of their area codes (Ofcom).
GB_PLACES: tuple[Place, ...] = (
    Place("GB", "ENG", "London", ("E1", "N1", "SE1", "SW1", "W1"), ("2079460",)),
    Place("GB", "ENG", "Manchester", ("M1", "M14"), ("1614960",)),
    Place("GB", "ENG", "Birmingham", ("B1", "B15"), ("1214960",)),
    Place("GB", "ENG", "Leeds", ("LS1", "LS6"), ("1134960",)),
    Place("GB", "ENG", "Bristol", ("BS1", "BS8"), ("1174960",)),
    Place("GB", "SCT", "Glasgow", ("G1", "G12"), ("1414960",)),
    Place("GB", "WLS", "Cardiff", ("CF10",), ("2920180",)),
    Place("GB", "NIR", "Belfast", ("BT1",), ("2890180",)),
)

PLACES_BY_COUNTRY: dict[str, tuple[Place, ...]] = {
    "US": US_PLACES,
    "CA": CA_PLACES,
    "GB": GB_PLACES,
}
CURRENCY_BY_COUNTRY = {"US": "USD", "CA": "CAD", "GB": "GBP"}
