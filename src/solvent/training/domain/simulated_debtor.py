"""A practice session's simulated debtor and world, drawn from the debtor model with the session's seed.

The person and the account are generated (fake names, a fictional 555-01xx number, an account
number that starts with PRACTICE); the hidden traits are drawn from the strategy benchmark's debtor
model (``debtor_model.traits_draw``), again and again with the same seeded generator until a draw
fits the scenario (a hardship case is a drawn hardship debtor, not a hand-set one). The simulated
day is a weekday chosen by the seed, so one scenario and one seed always give the same world.

The cities are the debtor model's, limited to states where only the federal rules apply, so each
scenario teaches the federal rule it is about (a Massachusetts debtor would meet the state's two
calls a week first).

Pure: no Django.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np

from solvent.portfolio.geography import US_PLACES, Place
from solvent.training.domain.debtor_model import ZONE_OF_CITY, traits_draw
from solvent.training.domain.scenarios import Scenario
from solvent.training.domain.state import LedgerEntry, SimulatedDebtor, World

PRACTICE_CITIES = (
    "Houston",
    "Dallas",
    "Chicago",
    "Atlanta",
    "Columbus",
    "Nashville",
    "Denver",
    "Phoenix",
    "Tampa",
    "Charlotte",
)
PRACTICE_PLACES: tuple[Place, ...] = tuple(
    place for place in US_PLACES if place.city in PRACTICE_CITIES and place.country == "US"
)
FIRST_NAMES = ("Maria", "James", "Aisha", "Daniel", "Rosa", "Kevin", "Linh", "Marcus", "Ellen")
LAST_NAMES = ("Okafor", "Brennan", "Castillo", "Nguyen", "Whitaker", "Patel", "Moreno", "Kowalski")
CREDITORS = ("Practice Harbor Bank", "Practice Northwind Telecom", "Practice Lakeside Utilities")
# The seed picks a weekday in this window: the simulated calendar, the same for every run.
PRACTICE_EPOCH = date(2026, 3, 2)  # a Monday
PRACTICE_WEEKS = 26
MAX_DRAWS = 2000
CENT = Decimal("0.01")


class NoFittingDebtorError(RuntimeError):
    """No draw of the debtor model fitted the scenario (never seen: the rarest fits 1 in 10)."""


def practice_day(seed: int) -> date:
    """The simulated weekday of a seed."""
    index = seed % (PRACTICE_WEEKS * 5)
    return PRACTICE_EPOCH + timedelta(weeks=index // 5, days=index % 5)


def _row(
    rng: random.Random, place: Place, born: date, balance: Decimal, phone: str
) -> dict[str, str]:
    """The placement row the debtor model draws traits from (its columns, nothing else)."""
    area, number = phone[2:5], phone[5:]
    return {
        "city": place.city,
        "phone_mobile": f"({area}) {number[:3]}-{number[3:]}",
        "phone_home": "",
        "phone_work": "",
        "date_of_birth": born.isoformat(),
        "principal": str(balance),
        "interest": "0",
        "fees": "0",
    }


def world_create(*, scenario: Scenario, seed: int) -> World:
    """The world at the start of a session: the same for the same scenario and seed."""
    rng = random.Random(seed)  # noqa: S311 - a simulation, not a secret
    generator = np.random.default_rng(seed)
    place = rng.choice(PRACTICE_PLACES)
    zone = ZONE_OF_CITY[place.city]
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 50))
    balance = (Decimal(rng.randrange(45_000, 420_000)) / 100).quantize(CENT)
    phone = f"+1{rng.choice(place.area_codes)}5550{rng.randrange(100, 200)}"
    row = _row(rng, place, born, balance, phone)
    for _ in range(MAX_DRAWS):
        (traits,) = traits_draw(generator, [row])
        if scenario.fits(traits):
            break
    else:
        raise NoFittingDebtorError(f"no debtor for {scenario.key} in {MAX_DRAWS} draws")
    debtor = SimulatedDebtor(
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        date_of_birth=born,
        city=place.city,
        region=place.region,
        postal_code=f"{place.postal_prefixes[0]}{rng.randrange(10, 100)}",
        zone=zone,
        phone=phone,
        phone_kind=scenario.phone_kind,
        creditor=rng.choice(CREDITORS),
        account_number=f"PRACTICE-{seed % 1_000_000:06d}",
        balance=balance,
    )
    local = datetime.combine(practice_day(seed), scenario.local_start, tzinfo=ZoneInfo(zone))
    clock = local.astimezone(UTC)
    return World(
        scenario=scenario.key,
        seed=seed,
        debtor=debtor,
        traits=traits,
        clock=clock,
        ledger=_prior_calls(scenario, clock),
    )


def _prior_calls(scenario: Scenario, clock: datetime) -> tuple[LedgerEntry, ...]:
    """The scenario's unanswered calls, spread evenly over its days before the clock."""
    if not scenario.prior_calls:
        return ()
    span = timedelta(days=scenario.prior_days)
    step = span / scenario.prior_calls
    first = clock - span
    return tuple(
        LedgerEntry(at=first + step * index, outcome="no_answer", prior=True)
        for index in range(scenario.prior_calls)
    )
