"""The simulated debtor and the scripted replies: drawn from the debtor model, the same for a seed.

The seed of every random case is printed by hypothesis when a case fails (``--hypothesis-seed`` to
replay it); the worlds themselves are a pure function of (scenario, seed).
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.training.domain.actions import ACTIONS
from solvent.training.domain.debtor_model import Ability, Persona
from solvent.training.domain.practice import practice_act
from solvent.training.domain.scenarios import SCENARIOS
from solvent.training.domain.simulated_debtor import PRACTICE_PLACES, practice_day
from solvent.training.domain.state import world_from_json, world_to_json
from tests.training.world import GOOD_CALL, play, world_of

SCENARIO_KEYS = [scenario.key for scenario in SCENARIOS]
STEPS = st.lists(
    st.tuples(
        st.sampled_from([action.key for action in ACTIONS]),
        st.sampled_from(["", "20", "250.50", "99999"]),
        st.sampled_from(["", "promise_to_pay", "no_answer", "third_party", "dispute"]),
        st.booleans(),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(scenario=st.sampled_from(SCENARIO_KEYS), seed=st.integers(0, 999_999), steps=STEPS)
def test_a_session_replays_word_for_word_from_its_seed(scenario, seed, steps) -> None:  # type: ignore[no-untyped-def]
    def run():  # type: ignore[no-untyped-def]
        world = world_of(scenario, seed)
        lines = []
        for action, amount, disposition, confirm in steps:
            turn = practice_act(
                world, action, amount=amount, disposition=disposition, confirm=confirm
            )
            lines += [line.to_json() for line in turn.lines]
            # What is stored is what comes back: the JSON round trip is exact after every turn.
            stored = json.loads(json.dumps(world_to_json(turn.world)))
            assert world_from_json(stored) == turn.world
            world = turn.world
        return world_to_json(world), lines

    assert run() == run()


@settings(max_examples=60, deadline=None)
@given(scenario=st.sampled_from(SCENARIO_KEYS), seed=st.integers(0, 999_999))
def test_every_drawn_debtor_fits_its_scenario_and_is_clearly_fake(scenario, seed) -> None:  # type: ignore[no-untyped-def]
    world = world_of(scenario, seed)
    debtor = world.debtor
    assert debtor.account_number.startswith("PRACTICE-")
    assert debtor.creditor.startswith("Practice ")
    assert debtor.phone[5:9] == "5550"  # the fictional 555-01xx numbers
    assert debtor.city in {place.city for place in PRACTICE_PLACES}
    assert debtor.zone == world.traits.home_zone
    assert practice_day(seed).weekday() < 5
    traits = world.traits
    if scenario == "hardship":
        assert traits.hardship and traits.ability is Ability.NONE
    if scenario == "willing_payer":
        assert traits.ability is Ability.FULL and traits.willingness >= 0.5
    if scenario == "late_evening":
        assert traits.persona is Persona.EVENING_WORKER
    if scenario == "eighth_call":
        assert len(world.ledger) == 7


def test_two_seeds_give_two_debtors_and_one_seed_one() -> None:
    assert world_of("hardship", 1) == world_of("hardship", 1)
    assert world_of("hardship", 1).debtor != world_of("hardship", 2).debtor


def test_the_replies_follow_the_traits() -> None:
    full, lines, _ = play(world_of("willing_payer"), *GOOD_CALL)
    assert full.promise is not None and full.promise.amount == full.debtor.balance
    hardship, lines, _ = play(
        world_of("hardship"),
        "dial",
        "verify_identity",
        "give_disclosure",
        "state_balance",
        "ask_income_expenditure",
    )
    said = [line.text for line in lines if line.speaker == "debtor"]
    assert "lost my job" in said[-2] and "benefits" in said[-1]
    assert hardship.call is not None and hardship.call.affordable is not None
    too_much = practice_act(hardship, "offer_plan", amount=str(hardship.call.affordable + 50))
    assert "I can't manage" in too_much.lines[-1].text
    fits = practice_act(hardship, "offer_plan", amount=str(hardship.call.affordable))
    assert "Yes, I can keep up" in fits.lines[-1].text


def test_a_third_party_never_confirms_being_the_debtor() -> None:
    world, lines, _ = play(world_of("third_party"), "dial", "verify_identity")
    assert world.call is not None and not world.call.verified
    assert "isn't here" in lines[-1].text
