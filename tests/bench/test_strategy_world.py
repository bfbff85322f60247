"""The simulated world: a placement in Solvent's format, hidden traits that matter, and answers that
are the same for the same seed and plan."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.strategy_behaviour import RESULT_COLUMNS, PlannedAction
from bench.strategy_checker import Rule, violations_find
from bench.strategy_people import Persona
from bench.strategy_world import World, planned_action_from_row, results_write
from solvent.portfolio.domain.placement_columns import COLUMN_NAMES

AS_OF = date(2026, 11, 1)
MONDAY = date(2026, 11, 2)
SEED = 20261101


@pytest.fixture(scope="module")
def world() -> World:
    return World(accounts=300, seed=SEED, as_of=AS_OF, clients=("north", "south"))


def local(state_zone: str, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(state_zone)).astimezone(UTC)


def daily_plan(
    world: World, client: str, day: date, channel: str, hour: int
) -> list[PlannedAction]:
    return [
        PlannedAction(
            client=client,
            account_number=row["account_number"],
            channel=channel,
            planned_utc=local(traits.home_zone, day, hour),
            contact_point=row["phone_mobile"] or row["phone_home"],
        )
        for row, traits in zip(world.rows[client], world.traits, strict=True)
    ]


def test_the_placement_file_has_solvents_columns_and_only_us_debtors(
    world: World, tmp_path: Path
) -> None:
    path = world.placement_write(tmp_path / "north.csv", client="north")
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == tuple(COLUMN_NAMES)
    assert len(rows) == 300
    assert {row["country"] for row in rows} == {"US"}
    assert len({row["account_number"] for row in rows}) == 300


def test_twins_share_city_debt_and_area_codes_but_not_identity(world: World) -> None:
    for north, south in zip(world.rows["north"], world.rows["south"], strict=True):
        assert north["city"] == south["city"]
        assert north["principal"] == south["principal"]
        assert north["phone_mobile"][:9] == south["phone_mobile"][:9]
        assert north["first_name"] != south["first_name"]
        if north["national_id"]:
            assert north["national_id"] != south["national_id"]
        if north["phone_mobile"]:
            assert north["phone_mobile"] != south["phone_mobile"]


def test_the_population_mixes_personas_abilities_hardship_and_a_few_two_zone_debtors(
    world: World,
) -> None:
    personas = Counter(traits.persona for traits in world.traits)
    assert set(personas) == set(Persona)
    assert 0.02 < sum(traits.hardship for traits in world.traits) / 300 < 0.25
    two_zones = sum(len(traits.known_zones) > 1 for traits in world.traits)
    assert 0 < two_zones < 60
    assert len({traits.home_zone for traits in world.traits}) >= 4


def test_the_same_seed_and_plan_give_the_same_results() -> None:
    answers = []
    for _ in range(2):
        world = World(accounts=80, seed=SEED, as_of=AS_OF, clients=("north",))
        rows = []
        for offset in range(5):
            day = MONDAY + timedelta(days=offset)
            rows += [
                r.csv_row() for r in world.day_run(day, daily_plan(world, "north", day, "call", 18))
            ]
        answers.append(rows)
    assert answers[0] == answers[1]
    assert len(answers[0]) >= 400


def test_evening_workers_answer_more_calls_in_the_evening_than_mid_morning() -> None:
    reached: dict[int, int] = {}
    for hour in (10, 19):
        world = World(accounts=600, seed=SEED, as_of=AS_OF, clients=("north",))
        workers = {
            row["account_number"]
            for row, traits in zip(world.rows["north"], world.traits, strict=True)
            if traits.persona is Persona.EVENING_WORKER
        }
        results = world.day_run(MONDAY, daily_plan(world, "north", MONDAY, "call", hour))
        reached[hour] = sum(
            r.outcome == "right_party" for r in results if r.account_number in workers
        )
    assert reached[19] > 2 * reached[10], reached


def test_calling_every_day_brings_more_complaints_and_stops_than_calling_weekly() -> None:
    totals = {}
    for every in (1, 7):
        world = World(accounts=400, seed=SEED, as_of=AS_OF, clients=("north",))
        for offset in range(28):
            day = MONDAY + timedelta(days=offset)
            plan = daily_plan(world, "north", day, "call", 18) if offset % every == 0 else []
            world.day_run(day, plan)
        tally = world.tallies["north"]
        totals[every] = tally.complaints + sum(tally.stops.values())
    assert totals[1] > 2 * totals[7], totals


def test_promises_turn_into_payments_on_later_days_and_every_payment_is_reported() -> None:
    world = World(accounts=400, seed=SEED, as_of=AS_OF, clients=("north",))
    everything = []
    for offset in range(21):
        day = MONDAY + timedelta(days=offset)
        plan = daily_plan(world, "north", day, "call", 18) if offset % 7 == 0 else []
        everything += world.day_run(day, plan)
    tally = world.tallies["north"]
    payments_alone = [r for r in everything if r.channel == "payment"]
    assert tally.promises > 0
    assert tally.promises_kept > 0
    assert payments_alone, "no payment arrived on a day without an action"
    assert all(r.payment_date is not None for r in payments_alone)
    reported = sum((r.payment_amount or Decimal(0) for r in everything), Decimal(0))
    assert reported == tally.collected > 0


def test_a_stop_received_today_withholds_that_days_later_text_to_the_debtor() -> None:
    world = World(accounts=400, seed=SEED, as_of=AS_OF, clients=("north",))
    for offset in range(10):
        day = MONDAY + timedelta(days=offset)
        morning = daily_plan(world, "north", day, "sms", 9)
        evening = daily_plan(world, "north", day, "sms", 19)
        results = world.day_run(day, morning + evening)
        stopped_in_morning = {
            r.account_number
            for r in results
            if r.stop
            and r.occurred_utc
            in {a.planned_utc for a in morning if a.account_number == r.account_number}
        }
        evening_results = {
            r.account_number
            for r in results
            if r.channel == "sms" and r.occurred_utc in {a.planned_utc for a in evening}
        }
        if stopped_in_morning:
            assert not stopped_in_morning & evening_results
            assert world.tallies["north"].withheld_after_stop >= len(stopped_in_morning)
            return
    pytest.fail("nobody sent STOP in ten days of two texts a day")


def test_results_file_has_the_documented_columns(tmp_path: Path) -> None:
    world = World(accounts=30, seed=SEED, as_of=AS_OF, clients=("north",))
    results = world.day_run(MONDAY, daily_plan(world, "north", MONDAY, "email", 12))
    path = results_write(tmp_path / "results.csv", results)
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == RESULT_COLUMNS
    assert {row["channel"] for row in rows} <= {"email", "payment"}
    assert all(row["occurred_utc"].endswith("Z") for row in rows)
    assert {row["outcome"] for row in rows} <= {"delivered", "failed", "replied", "paid"}


def test_a_plan_row_becomes_an_action_and_a_skipped_row_does_not() -> None:
    row = {
        "account_number": "W000000001",
        "client": "north",
        "step": "day-1-sms",
        "channel": "sms",
        "contact_point": "+12085550100",
        "planned_utc": "2026-11-02T17:30:00Z",
        "status": "planned",
    }
    action = planned_action_from_row(row)
    assert action is not None
    assert action.planned_utc == datetime(2026, 11, 2, 17, 30, tzinfo=UTC)
    assert planned_action_from_row({**row, "status": "skipped"}) is None


def test_the_checker_sees_texts_sent_after_a_stop_and_nothing_when_stops_are_honoured() -> None:
    found = {}
    for honour in (False, True):
        world = World(accounts=300, seed=SEED, as_of=AS_OF, clients=("north",))
        executed = []
        stopped: set[str] = set(world.placement_ceased("north"))
        for offset in range(8):
            day = MONDAY + timedelta(days=offset)
            plan = [
                action
                for action in daily_plan(world, "north", day, "sms", 12)
                if not (honour and action.account_number in stopped)
            ]
            results = world.day_run(day, plan)
            executed += results
            stopped |= {r.account_number for r in results if r.stop}
        violations = violations_find(*world.checker_inputs("north", executed))
        found[honour] = Counter(violation.rule for violation in violations)
    assert found[False][Rule.REFUSED_MEDIUM] > 0
    # (Noon at home is before 8:00 for the few with a Honolulu phone: a time violation, not ours.)
    assert found[True][Rule.REFUSED_MEDIUM] == found[True][Rule.AFTER_CEASE] == 0


def test_the_checker_judges_calls_in_every_zone_the_debtor_is_known_in() -> None:
    world = World(accounts=300, seed=SEED, as_of=AS_OF, clients=("north",))
    # 8:30 at home is lawful there, and too early wherever a phone's area code is further west.
    results = world.day_run(MONDAY, daily_plan(world, "north", MONDAY, "call", 8))
    shifted = [
        r.__class__(
            **{
                **{n: getattr(r, n) for n in r.__slots__},
                "occurred_utc": r.occurred_utc + timedelta(minutes=30),
            }
        )
        for r in results
    ]
    violations = violations_find(*world.checker_inputs("north", shifted))
    flagged = {violation.action.debtor for violation in violations}
    west_of_home = {
        row["account_number"]
        for row, traits in zip(world.rows["north"], world.traits, strict=True)
        if any(
            datetime.combine(MONDAY, time(8, 30), tzinfo=ZoneInfo(traits.home_zone))
            .astimezone(ZoneInfo(zone))
            .time()
            < time(8, 0)
            for zone in traits.known_zones
        )
        and not row["cease_communication"]
    }
    assert west_of_home, "the population has no debtor with a phone west of home"
    assert {debtor for debtor in flagged if debtor in west_of_home} == west_of_home & {
        r.account_number for r in shifted
    }
    assert all(
        violation.rule is Rule.INCONVENIENT_TIME
        for violation in violations
        if violation.action.debtor in west_of_home
    )
