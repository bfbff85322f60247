"""The US places benchmarks put their debtors in: the demo generator's cities, each with one area
code and the time zones phonenumbers gives that code, as columns for an INSERT ... SELECT."""

from __future__ import annotations

import json


def us_places_columns() -> dict[str, list[str]]:
    """Columns cities, regions, prefixes (postal), areas (area code) and zones (JSON lists)."""
    import phonenumbers
    from phonenumbers import timezone as phone_timezone

    from solvent.portfolio.geography import US_PLACES

    columns: dict[str, list[str]] = {
        "cities": [],
        "regions": [],
        "prefixes": [],
        "areas": [],
        "zones": [],
    }
    for place in US_PLACES:
        area = place.area_codes[0]
        number = phonenumbers.parse(f"+1{area}2345678")
        zones = [z for z in phone_timezone.time_zones_for_number(number) if z != "Etc/Unknown"]
        columns["cities"].append(place.city)
        columns["regions"].append(place.region)
        columns["prefixes"].append(place.postal_prefixes[0])
        columns["areas"].append(area)
        columns["zones"].append(json.dumps(zones))
    return columns
