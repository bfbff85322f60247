"""The simulated debtor: hidden traits drawn once per debtor, and where they live.

The traits (persona, ability and willingness to pay, promise keeping, sensitivity to pressure,
hardship) are what a simulated debtor reacts with: the strategy benchmark's world
(``bench/strategy_world.py``) and the practice floor's scripted debtor both draw them here, and
Solvent's own decisions never see them. The zone tables are the model's own (written from the
cities' and area codes' real time zones, not from Solvent's tables), so the benchmark's compliance
checker does not borrow the engine's idea of where a debtor is.

Moved from ``bench/strategy_people.py`` (which re-exports it) so the product can use it: src/
cannot import bench/. Pure Python and numpy: no Django (``portfolio.geography`` is plain data).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

import numpy as np

from solvent.portfolio.geography import US_PLACES

ZONE_OF_CITY: dict[str, str] = {
    "New York": "America/New_York",
    "Buffalo": "America/New_York",
    "Boston": "America/New_York",
    "Worcester": "America/New_York",
    "Philadelphia": "America/New_York",
    "Pittsburgh": "America/New_York",
    "Newark": "America/New_York",
    "Miami": "America/New_York",
    "Tampa": "America/New_York",
    "Pensacola": "America/Chicago",  # the Florida panhandle west of the Apalachicola keeps Central
    "Atlanta": "America/New_York",
    "Charlotte": "America/New_York",
    "Columbus": "America/New_York",
    "Detroit": "America/Detroit",
    "Chicago": "America/Chicago",
    "Houston": "America/Chicago",
    "Dallas": "America/Chicago",
    "El Paso": "America/Denver",
    "Nashville": "America/Chicago",
    "Memphis": "America/Chicago",
    "Louisville": "America/Kentucky/Louisville",
    "Indianapolis": "America/Indiana/Indianapolis",
    "Kansas City": "America/Chicago",
    "Minneapolis": "America/Chicago",
    "Denver": "America/Denver",
    "Phoenix": "America/Phoenix",
    "Salt Lake City": "America/Denver",
    "Las Vegas": "America/Los_Angeles",
    "Los Angeles": "America/Los_Angeles",
    "San Diego": "America/Los_Angeles",
    "San Francisco": "America/Los_Angeles",
    "Seattle": "America/Los_Angeles",
    "Spokane": "America/Los_Angeles",
    "Portland": "America/Los_Angeles",
    "Boise": "America/Boise",
    "Anchorage": "America/Anchorage",
    "Honolulu": "Pacific/Honolulu",
}
ZONE_OF_AREA_CODE: dict[str, str] = {
    code: ZONE_OF_CITY[place.city]
    for place in US_PLACES
    for code in place.area_codes
    if place.city in ZONE_OF_CITY
}
_PHONE_COLUMNS = ("phone_mobile", "phone_home", "phone_work")
_AREA_CODE = re.compile(r"^\((\d{3})\)")


class Persona(StrEnum):
    EVENING_WORKER = "evening_worker"  # answers after work and at weekends
    RETIREE = "retiree"  # mornings; reads letters
    DAYTIME_HOME = "daytime_home"  # carers, shift workers: around midday
    DIGITAL = "digital"  # never answers an unknown number; reads texts and e-mail
    UNREACHABLE = "unreachable"  # hardly anything gets through


class Ability(StrEnum):
    FULL = "full"  # could pay the balance
    PART = "part"  # could pay a share of it at a time
    NONE = "none"  # cannot pay now


def _hours(*spans: tuple[int, int, float], rest: float) -> tuple[float, ...]:
    table = [rest] * 24
    for start, end, value in spans:
        for hour in range(start, end):
            table[hour] = value
    return tuple(table)


# The chance the debtor picks up a call to their own phone, by local hour, Monday to Friday.
CALL_ANSWER: dict[Persona, tuple[float, ...]] = {
    Persona.EVENING_WORKER: _hours((8, 9, 0.12), (12, 13, 0.10), (17, 21, 0.34), rest=0.05),
    Persona.RETIREE: _hours((8, 12, 0.40), (12, 17, 0.25), (17, 21, 0.10), rest=0.02),
    Persona.DAYTIME_HOME: _hours((10, 15, 0.32), (8, 10, 0.12), (15, 21, 0.12), rest=0.02),
    Persona.DIGITAL: _hours(rest=0.03),
    Persona.UNREACHABLE: _hours(rest=0.01),
}
WEEKEND_CALL_FACTOR: dict[Persona, float] = {
    Persona.EVENING_WORKER: 2.0,
    Persona.RETIREE: 0.8,
    Persona.DAYTIME_HOME: 1.0,
    Persona.DIGITAL: 1.0,
    Persona.UNREACHABLE: 1.0,
}
# The chance a delivered message is read (and acted on if the debtor means to).
READ: dict[Persona, dict[str, float]] = {
    Persona.EVENING_WORKER: {"sms": 0.55, "email": 0.35, "letter": 0.30},
    Persona.RETIREE: {"sms": 0.25, "email": 0.25, "letter": 0.60},
    Persona.DAYTIME_HOME: {"sms": 0.45, "email": 0.35, "letter": 0.40},
    Persona.DIGITAL: {"sms": 0.80, "email": 0.70, "letter": 0.15},
    Persona.UNREACHABLE: {"sms": 0.05, "email": 0.05, "letter": 0.10},
}
# How much more (or less) likely a reader pays through the self-service link than an average one.
SELF_SERVICE_FACTOR: dict[Persona, float] = {
    Persona.EVENING_WORKER: 1.0,
    Persona.RETIREE: 0.4,
    Persona.DAYTIME_HOME: 0.8,
    Persona.DIGITAL: 2.0,
    Persona.UNREACHABLE: 0.5,
}


@dataclass(frozen=True, slots=True)
class Traits:
    """One debtor's hidden traits; both twins of a debtor share them."""

    profile: int
    home_zone: str
    known_zones: tuple[str, ...]  # the address first, then each phone's area-code zone
    persona: Persona
    ability: Ability
    hardship: bool
    willingness: float  # 0..1
    promise_keeping: float  # 0..1: the chance a promise is paid on its date
    sensitivity: float  # how quickly pressure turns into complaints and STOPs (mean about 1)
    part_share: float  # the share of the balance a part payer pays at a time


def zones_of_row(row: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """The home zone (the address's city) and every zone the address and phones point to."""
    home = ZONE_OF_CITY[row["city"]]
    zones = [home]
    for column in _PHONE_COLUMNS:
        match = _AREA_CODE.match(row[column])
        zone = ZONE_OF_AREA_CODE.get(match.group(1)) if match else None
        if zone is not None and zone not in zones:
            zones.append(zone)
    return home, tuple(zones)


def traits_draw(generator: np.random.Generator, rows: Sequence[dict[str, str]]) -> list[Traits]:
    """Traits for each placement row, drawn with one seeded generator."""
    count = len(rows)
    uniform = generator.random((count, 4))
    willing_high = generator.beta(2.5, 2.0, count)
    willing_low = generator.beta(1.2, 3.0, count)
    keeping = {
        Ability.FULL: generator.beta(6.0, 2.0, count),
        Ability.PART: generator.beta(4.0, 3.0, count),
        Ability.NONE: generator.beta(1.5, 4.0, count),
    }
    sensitivity = generator.lognormal(0.0, 0.5, count)
    part_share = generator.uniform(0.10, 0.35, count)
    traits = []
    for index, row in enumerate(rows):
        home, known = zones_of_row(row)
        persona = _persona(row, float(uniform[index, 0]))
        balance = sum(
            (Decimal(row[name] or "0") for name in ("principal", "interest", "fees")), Decimal(0)
        )
        ability = _ability(balance, float(uniform[index, 1]))
        hardship = ability is Ability.NONE and float(uniform[index, 2]) < 0.35
        traits.append(
            Traits(
                profile=index,
                home_zone=home,
                known_zones=known,
                persona=persona,
                ability=ability,
                hardship=hardship,
                willingness=float(
                    willing_low[index] if ability is Ability.NONE else willing_high[index]
                ),
                promise_keeping=float(keeping[ability][index]) * (0.6 if hardship else 1.0),
                sensitivity=float(sensitivity[index]) * (2.0 if hardship else 1.0),
                part_share=float(part_share[index]),
            )
        )
    return traits


def _persona(row: dict[str, str], draw: float) -> Persona:
    born = date.fromisoformat(row["date_of_birth"]) if row["date_of_birth"] else None
    if born is not None and born.year <= 1962 and draw < 0.6:
        return Persona.RETIREE
    shares = (
        (Persona.EVENING_WORKER, 0.42),
        (Persona.DAYTIME_HOME, 0.17),
        (Persona.DIGITAL, 0.20),
        (Persona.RETIREE, 0.13),
        (Persona.UNREACHABLE, 0.08),
    )
    # Re-spread the draw for the rows the retiree branch did not take.
    point = (draw - 0.6) / 0.4 if born is not None and born.year <= 1962 else draw
    for persona, share in shares:
        if point < share:
            return persona
        point -= share
    return Persona.UNREACHABLE


def _ability(balance: Decimal, draw: float) -> Ability:
    # Small balances are more often paid outright.
    full = 0.45 if balance < 500 else 0.22
    if draw < full:
        return Ability.FULL
    if draw < full + 0.45:
        return Ability.PART
    return Ability.NONE
